// A decoder the user opened: a GGUF file from their disk (its bytes were moved into this worker
// and go nowhere else: not stored, not sent) or from an https URL they gave (fetched once, not
// stored). What is checked here is only what JavaScript can see before the bytes reach the wasm
// module — the GGUF magic and a size the tab can hold; the module checks the rest (architecture,
// tensor types, memory for weights and context, truncation) and says what is wrong.

/** The largest file we try: the wasm module's memory is at most 4 GiB, and it holds the file
 * while the weights are converted. */
const MAX_OPENED_BYTES = 1.5 * 2 ** 30;

const megabytes = (n) => `${(n / 1e6).toFixed(0)} MB`;

/** The bytes of an opened file (`bytes`, an ArrayBuffer) or of `url`, checked to look like GGUF. */
export async function openedBytes({ bytes, url, name }, report) {
  const data = bytes ? new Uint8Array(bytes) : await fetchGguf(url, name, report);
  if (data.length > MAX_OPENED_BYTES) {
    throw new Error(`${name} is ${megabytes(data.length)}; this page runs decoders of up to ${megabytes(MAX_OPENED_BYTES)} (a tab's wasm memory is at most 4 GiB, and it holds the file while converting it).`);
  }
  const magic = new TextDecoder().decode(data.subarray(0, 4));
  if (magic !== 'GGUF') {
    throw new Error(`${name} is not a GGUF file (it does not start with "GGUF"). Open a decoder saved as .gguf (llama.cpp's format).`);
  }
  return data;
}

async function fetchGguf(url, name, report) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${JSON.stringify(url)} is not a URL. Give the full https address of a .gguf file.`);
  }
  if (parsed.protocol !== 'https:' && parsed.origin !== self.location.origin) {
    throw new Error(`${url} is not an https address. Give the https address of a .gguf file.`);
  }
  const fail = (why) => new Error(`Could not download ${url}: ${why}.`);
  let response;
  try {
    response = await fetch(parsed, { cache: 'no-store' });
  } catch (error) {
    throw fail(`the request failed (${error.message}); the host must allow this page to read it (CORS), and the address must be right`);
  }
  if (!response.ok) throw fail(`HTTP ${response.status} ${response.statusText}`.trim());
  const total = Number(response.headers.get('content-length')) || 0;
  if (total > MAX_OPENED_BYTES) throw fail(`it is ${megabytes(total)}, more than the ${megabytes(MAX_OPENED_BYTES)} this page runs`);
  const chunks = [];
  let loaded = 0;
  let reported = 0;
  const reader = response.body.getReader();
  report({ file: name, phase: 'download', loaded, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.length;
    if (loaded > MAX_OPENED_BYTES) {
      await reader.cancel();
      throw fail(`it is more than the ${megabytes(MAX_OPENED_BYTES)} this page runs`);
    }
    chunks.push(value);
    if (loaded - reported >= 1 << 20) {
      reported = loaded;
      report({ file: name, phase: 'download', loaded, total });
    }
  }
  if (total && loaded !== total) throw fail(`the download stopped after ${loaded} of ${total} bytes`);
  report({ file: name, phase: 'download', loaded, total: loaded });
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
