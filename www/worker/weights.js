// Model files for the worker: where each comes from (models/manifest.json and the weights
// URL), download with byte progress, sha256 verification, and the Cache API so that a second
// visit downloads nothing. Cache entries are keyed by sha256, so moving the weights URL does
// not download the same bytes again, and are verified again when read. A file is never whole in
// JavaScript's memory: a download's chunks go on as they arrive — into wasm memory (the model's
// copy), through the sha256 and into the Cache API — and a stored copy streams the same way. A
// phone's tab has little memory to spare (docs/performance.md#memory-per-lesson).

const CACHE_NAME = 'bert-vs-gpt-weights-v1';
/** `?weights=huggingface` (or the setting) uses each file's public Hugging Face URL. */
export const HUGGING_FACE = 'huggingface';

/** A failure with one model file; the message names the file and says what to do. */
class WeightsError extends Error {
  constructor(file, message) {
    super(message);
    this.name = 'WeightsError';
    this.file = file;
  }
}

/** A copy in the Cache API no longer matched its sha256; it has been removed. */
export class DamagedCopy extends Error {
  constructor(file) {
    super(`The stored copy of ${file} was damaged; it was removed and is downloaded again.`);
    this.name = 'DamagedCopy';
    this.file = file;
  }
}

/**
 * sha256 of a stream of `Uint8Array` chunks as hex, by `hasher` (a new wasm Sha256Hasher:
 * src/wasm/checksum.rs) fed chunk by chunk: crypto.subtle digests only a whole buffer (and is
 * missing outside a secure context).
 */
async function sha256OfStream(stream, hasher) {
  const hash = hasher();
  try {
    const reader = stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) hash.update(chunk.value);
  } catch (error) {
    hash.free();
    throw error;
  }
  return hash.finish();
}

async function openCache() {
  try {
    return globalThis.caches ? await caches.open(CACHE_NAME) : null;
  } catch {
    return null; // e.g. storage disabled: work without a cache
  }
}

function cacheKey(file) {
  return new Request(new URL(`/__bert-vs-gpt-weights__/${file.sha256}`, self.location.origin));
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Deletes every stored weight file; returns how many bytes they held. */
export async function clearStoredWeights() {
  if (!globalThis.caches) return 0;
  const cache = await caches.open(CACHE_NAME);
  let bytes = 0;
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    bytes += response ? (await response.blob()).size : 0;
  }
  await caches.delete(CACHE_NAME);
  return bytes;
}

export class WeightStore {
  /** `wasm`: `{hasher()}`, a new sha256 (wasm Sha256Hasher), and `{fileBytes(size)}`, room in
   * wasm memory that a download's chunks are appended to (wasm FileBytes). */
  constructor(manifest, manifestUrl, weightsBase, wasm) {
    this.manifest = manifest;
    this.manifestUrl = manifestUrl;
    this.weightsBase = weightsBase || '';
    this.wasm = wasm;
  }

  static async open(manifestUrl, weightsBase, wasm) {
    let response;
    try {
      response = await fetch(manifestUrl, { cache: 'no-cache' });
    } catch (error) {
      throw new WeightsError('manifest.json', `Could not read ${manifestUrl}: ${error.message}.`);
    }
    if (!response.ok) {
      throw new WeightsError(
        'manifest.json',
        `Could not read ${manifestUrl} (HTTP ${response.status}). Serve the whole project folder, models/manifest.json included.`,
      );
    }
    return new WeightStore(await response.json(), manifestUrl, weightsBase, wasm);
  }

  model(id) {
    const model = this.manifest.models[id];
    if (!model) {
      throw new Error(`No model "${id}" in models/manifest.json; known: ${Object.keys(this.manifest.models).join(', ')}.`);
    }
    return model;
  }

  /**
   * Where a file is downloaded from: <base>/<model id>/<file name>, the base being the
   * absolute weights URL or, by default, the manifest's folder (models/ on this site). With
   * the Hugging Face setting, files that exist only as this project's conversion (no `url`)
   * still come from this site.
   */
  urlOf(modelId, file) {
    if (this.weightsBase === HUGGING_FACE && file.url) return file.url;
    const base = (this.weightsBase === HUGGING_FACE ? '' : this.weightsBase) || new URL('./', this.manifestUrl).href;
    return new URL(`${encodeURIComponent(modelId)}/${encodeURIComponent(file.name)}`, base).href;
  }

  /**
   * The files loading `modelId` takes: the manifest's `files`, except that with the Hugging Face
   * setting a file converted here (MiniLM's float16 weights) is replaced by the public file it
   * was converted from (`converted_from`, among `extra_files`).
   */
  filesOf(modelId) {
    const model = this.model(modelId);
    if (this.weightsBase !== HUGGING_FACE) return model.files;
    return model.files.map((file) => model.extra_files?.find((extra) => extra.name === file.converted_from) ?? file);
  }

  /** What loading `modelId` would download: each file, its size, and whether it is cached. */
  async plan(modelId) {
    const model = this.model(modelId);
    const cache = await openCache();
    const files = [];
    for (const file of this.filesOf(modelId)) {
      const cached = cache ? Boolean(await cache.match(cacheKey(file))) : false;
      files.push({ name: file.name, size: file.size, cached, url: this.urlOf(modelId, file) });
    }
    return {
      model: modelId,
      title: model.title,
      totalBytes: files.reduce((sum, f) => sum + f.size, 0),
      downloadBytes: files.filter((f) => !f.cached).reduce((sum, f) => sum + f.size, 0),
      source: this.weightsBase || 'models/',
      files,
      license: model.license,
      // What the model takes in a tab, as measured (the manifest's memory_mb): what it keeps once
      // loaded, and the most the tab grows while it loads; the page checks them against the
      // device before loading it.
      memory: { keptBytes: model.memory_mb.kept * 1e6, peakBytes: model.memory_mb.peak * 1e6 },
      // A base model has no chat template (the manifest says so before it is loaded).
      chat: model.chat_template !== false,
      // The licence text beside the weights on this site (`make fetch` puts it there), else its
      // public address: a link for the reader, never fetched by the page.
      licenseUrl: model.license_file && this.weightsBase !== HUGGING_FACE
        ? this.urlOf(modelId, { name: model.license_file.name })
        : model.license_url ?? null,
    };
  }

  /**
   * Every file of `modelId` by name — a download already in wasm memory (a FileBytes), a stored
   * copy as a Blob not yet read, to stream from storage straight into wasm memory — and
   * `verify()`, which checks the stored copies among them against their sha256 (downloads are
   * checked before they are returned): it resolves, or evicts a damaged copy and
   * rejects with DamagedCopy. Checking is a separate step so that the worker can run it once the
   * model has answered: hashing a model's ~100 MB while it is built and runs its first request
   * slows a warm load (docs/performance.md). `report` receives {file, phase:
   * 'cached'|'download'|'verify'|'stored', loaded, total} and {notice}.
   */
  async load(modelId, report) {
    const cache = await openCache();
    const files = {};
    const stored = [];
    for (const file of this.filesOf(modelId)) {
      const key = cacheKey(file);
      const hit = cache && (await cache.match(key));
      if (hit) {
        files[file.name] = await hit.blob();
        stored.push(file);
        report({ file: file.name, phase: 'cached', loaded: file.size, total: file.size });
      } else {
        try {
          files[file.name] = await this.#download(modelId, file, cache, report);
        } catch (error) {
          // The files downloaded before this one are not kept in wasm memory.
          for (const done of Object.values(files)) if (!(done instanceof Blob)) done.free();
          throw error;
        }
      }
    }
    const verify = () => Promise.all(stored.map((file) => checkStored(file, files[file.name], cache, this.wasm.hasher)));
    return { files, verify };
  }

  async #download(modelId, file, cache, report) {
    const url = this.urlOf(modelId, file);
    const sink = new DownloadSink(file, this.wasm, cache);
    try {
      await download(url, file, sink, report);
      report({ file: file.name, phase: 'verify', loaded: file.size, total: file.size });
      const actual = sink.digest();
      if (actual !== file.sha256) {
        throw new WeightsError(
          file.name,
          `${file.name} from ${url} is not the file this page expects: its sha256 is ${actual.slice(0, 16)}…, ` +
            `the manifest pins ${file.sha256.slice(0, 16)}…. The copy there is corrupt or belongs to another model: ` +
            'run `make fetch` on the server, or set the weights URL to a good copy.',
        );
      }
    } catch (error) {
      sink.discard(error);
      throw error;
    }
    const notStored = await sink.store();
    if (notStored) {
      const why = notStored.name === 'QuotaExceededError' ? 'its storage quota is full' : notStored.name;
      report({ notice: `${file.name} could not be stored in this browser (${why}); the model runs from this download, and the next visit downloads it again.` });
    }
    report({ file: file.name, phase: 'stored', loaded: file.size, total: file.size });
    return sink.bytes;
  }
}

/** Bytes of a download that may wait for the Cache API to take them. */
const STORE_QUEUE = 8 << 20;

/**
 * Where a download's chunks go as they arrive: wasm memory (`bytes`, a FileBytes: what the model
 * is built from), the sha256, and a Cache API entry written from a stream, which is completed
 * only once the digest matched (`store()`) and otherwise never exists (`discard()`).
 */
class DownloadSink {
  #drained = null;

  constructor(file, wasm, cache) {
    this.file = file;
    this.wasm = wasm;
    this.cache = cache;
    this.bytes = null;
    this.restart();
  }

  /** From the first byte again (a server that answered a resumed request with the whole file). */
  restart() {
    this.discard(new Error('restarted'));
    this.bytes = this.wasm.fileBytes(this.file.size);
    this.hash = this.wasm.hasher();
    this.storing = null;
    this.entry = null;
    if (!this.cache) return;
    // At most STORE_QUEUE bytes wait for the cache to take them: the download waits beyond that.
    const body = new ReadableStream(
      { start: (controller) => (this.entry = controller), pull: () => this.#drained?.() },
      new ByteLengthQueuingStrategy({ highWaterMark: STORE_QUEUE }),
    );
    const response = new Response(body, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(this.file.size) } });
    // Resolves to null once stored, or to why not (a full quota): the download goes on either way.
    this.storing = this.cache.put(cacheKey(this.file), response).then(() => null, (error) => error);
  }

  /** Passes `chunk` on; resolves once the cache has room for more. */
  async append(chunk) {
    this.bytes.append(chunk);
    this.hash.update(chunk);
    try {
      this.entry?.enqueue(chunk);
    } catch {
      this.entry = null; // the cache gave up on this entry (storing says why)
    }
    if (this.entry && this.entry.desiredSize <= 0) {
      // Until the cache pulls, or gives up on the entry.
      await Promise.race([new Promise((resolve) => (this.#drained = resolve)), this.storing]);
      this.#drained = null;
    }
  }

  /** The sha256 of what arrived, as hex (the hasher is spent). */
  digest() {
    const digest = this.hash.finish();
    this.hash = null;
    return digest;
  }

  /** Completes the stored copy: null once it is stored (or where there is no Cache API to
   * store it in: the page says so once, not per file), else the error that kept it out. */
  async store() {
    try {
      this.entry?.close();
    } catch {
      // already errored by the cache
    }
    return this.storing;
  }

  /** Drops what arrived: the wasm copy and the hasher are freed, and the stored copy never
   * completes (a Cache API entry whose body errors is not added). */
  discard(why) {
    try {
      this.entry?.error(why);
    } catch {
      // already closed or errored
    }
    this.bytes?.free();
    this.hash?.free();
    this.bytes = this.hash = null;
  }
}

/** Evicts a stored copy (`blob`) whose bytes no longer match its sha256, and throws DamagedCopy. */
async function checkStored(file, blob, cache, hasher) {
  let actual;
  try {
    actual = await sha256OfStream(blob.stream(), hasher);
  } catch {
    return; // the stored copy was deleted meanwhile (Clear downloads): nothing left to check
  }
  if (actual === file.sha256) return;
  await cache.delete(cacheKey(file));
  throw new DamagedCopy(file.name);
}

/** Times a broken download is resumed (or, from a server without ranges, restarted). */
const RESUMES = 3;

/**
 * `file` from `url` into `sink` (a DownloadSink), checked against its pinned size, with
 * progress. When the connection breaks midway the download goes on from the byte it reached
 * (`Range`), where the server answers 206 from there; a server that answers the whole file
 * again starts it over.
 */
async function download(url, file, sink, report) {
  const fail = (why) =>
    new WeightsError(file.name, `Could not download ${file.name} from ${url}: ${why}. ` +
      'Run `make fetch` on the server (it places the weights under models/), or set the weights URL to where the files are.');
  let loaded = 0;
  let reported = 0;
  report({ file: file.name, phase: 'download', loaded, total: file.size });
  for (let attempt = 0; ; attempt++) {
    const resuming = loaded > 0;
    let response;
    try {
      response = await fetch(url, { cache: 'no-store', headers: resuming ? { Range: `bytes=${loaded}-` } : {} });
    } catch (error) {
      if (resuming && attempt < RESUMES) continue;
      throw fail(`the request failed (${error.message})`);
    }
    // A file on the server shorter than the manifest's has no bytes past where it ended.
    if (resuming && response.status === 416) throw fail(`the download stopped after ${loaded} of ${file.size} bytes`);
    if (!response.ok) throw fail(`HTTP ${response.status} ${response.statusText}`.trim());
    if (response.status === 206 && Number(/^bytes (\d+)-/.exec(response.headers.get('Content-Range') ?? '')?.[1]) !== loaded) {
      await response.body.cancel();
      throw fail('the server answered another part of the file than the one asked for');
    }
    if (response.status !== 206 && loaded > 0) {
      loaded = reported = 0; // the whole file again
      sink.restart();
    }
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (loaded + value.length > file.size) {
          await reader.cancel();
          throw fail(`it is larger than the ${megabytes(file.size)} the manifest pins (wrong file?)`);
        }
        await sink.append(value);
        loaded += value.length;
        if (loaded - reported >= 1 << 20 || loaded === file.size) {
          reported = loaded;
          report({ file: file.name, phase: 'download', loaded, total: file.size });
        }
      }
    } catch (error) {
      if (error instanceof WeightsError) throw error;
      if (attempt < RESUMES) continue; // the connection broke: resume from `loaded`
      throw fail(`the connection broke after ${loaded} of ${file.size} bytes (${error.message})`);
    }
    if (loaded === file.size) return;
    if (attempt >= RESUMES) throw fail(`the download stopped after ${loaded} of ${file.size} bytes`);
  }
}
