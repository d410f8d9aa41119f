// One helper thread of the threaded wasm build (see threads.js): joins the model worker's module
// and memory, says so, then runs its part of every split product for as long as the worker lives.
self.onmessage = async ({ data: { url, module, memory } }) => {
  try {
    const wasm = await import(url);
    await wasm.default({ module_or_path: module, memory });
    // Posted before serving (serving never returns): products are split only once every helper
    // has said so, and one that has not begun to serve yet simply joins a later product.
    self.postMessage({ type: 'serving' });
    wasm.serveAsHelper();
  } catch (error) {
    self.postMessage({ type: 'failed', message: String(error?.message ?? error) });
  }
};
