// A static file server for the page: 127.0.0.1 only, the MIME types browsers insist on
// (application/wasm for streaming compilation, text/javascript for module workers), and the
// cross-origin isolation headers (COOP/COEP) that the threaded wasm build needs, and for the
// page and its scripts the Content-Security-Policy of index.html's meta tag as a header (a
// header also binds the worker, which a meta tag does not); CSP_CONNECT="https://a https://b"
// adds origins the page may fetch weights from.
// Any static host works for the page; this one exists so `make serve` needs nothing but Node.
//
//   node scripts/serve.mjs [--root DIR]        PORT (default 8080) and HOST may be set
//
// Files stream from disk (memory stays flat however many students download at once) and a
// `Range: bytes=a-b` request gets that part (206), so a broken download resumes.
//
// Also importable: `startServer({root, port, host, isolated, tls})` resolves to {url, close}
// (port 0 = any free; isolated: false leaves out COOP/COEP, as a plain static host would, for
// tests; tls: {key, cert} serves https, as `make classroom` does: scripts/classroom.mjs).
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
const ALWAYS = {
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

/** index.html's Content-Security-Policy, with CSP_CONNECT's origins added to connect-src. */
function contentSecurityPolicy(root) {
  let html = '';
  try {
    html = readFileSync(path.join(root, 'index.html'), 'utf8');
  } catch {
    return null;
  }
  const policy = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];
  const extra = (process.env.CSP_CONNECT ?? '').trim();
  return policy && extra ? policy.replace(/connect-src ([^;]+)/, `connect-src $1 ${extra}`) : policy;
}

/** The page and its own scripts get the policy; test pages and node_modules keep theirs. */
function underPolicy(urlPath) {
  return ['/', '/index.html', '/sw.js'].includes(urlPath) || urlPath.startsWith('/www/') || urlPath.startsWith('/pkg/');
}

/** The file a URL path names inside root, or null when it would step outside root. */
function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

async function handle(root, policy, common, request, response) {
  const send = (status, text) => {
    response.writeHead(status, { ...common, 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(request.method === 'HEAD' ? undefined : text);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'method not allowed\n');
  const urlPath = new URL(request.url, 'http://localhost').pathname;
  let file = resolveInside(root, urlPath);
  if (!file) return send(400, 'bad path\n');
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = path.join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return send(404, `not found: ${urlPath}\n`);
  const modified = info.mtime.toUTCString();
  // Unchanged since the browser's copy: it keeps that copy, and V8 the wasm code it compiled
  // from it (its code cache lives beside the cached response; a fresh 200 throws both away).
  if (request.headers['if-modified-since'] === modified) {
    response.writeHead(304, { ...common, 'Cache-Control': 'no-cache', 'Last-Modified': modified });
    return response.end();
  }
  const headers = {
    ...common,
    'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    // Always revalidate, so a rebuilt pkg/ is never mixed with a stale one.
    'Cache-Control': 'no-cache',
    'Last-Modified': modified,
    'Accept-Ranges': 'bytes',
    ...(policy && underPolicy(urlPath) ? { 'Content-Security-Policy': policy } : {}),
  };
  const range = byteRange(request.headers.range, info.size, request.headers['if-range'], modified);
  if (range === 'unsatisfiable') {
    response.writeHead(416, { ...common, 'Content-Range': `bytes */${info.size}` });
    return response.end();
  }
  const [start, end] = range ?? [0, info.size - 1];
  response.writeHead(range ? 206 : 200, {
    ...headers,
    'Content-Length': Math.max(0, end - start + 1),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${info.size}` } : {}),
  });
  if (request.method === 'HEAD' || info.size === 0) return response.end();
  const stream = createReadStream(file, { start, end });
  // A client that goes away mid-file stops its stream, and nobody else's.
  response.on('close', () => stream.destroy());
  stream.on('error', (error) => response.destroy(error));
  stream.pipe(response);
}

/**
 * The one range of `header` ("bytes=a-b", "bytes=a-", "bytes=-n") within a file of `size`
 * bytes as [first, last]; null for the whole file (no header, several ranges, another unit, or
 * an If-Range that no longer matches); 'unsatisfiable' when it starts past the end.
 */
function byteRange(header, size, ifRange, modified) {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!match || (!match[1] && !match[2]) || (ifRange && ifRange !== modified)) return null;
  const [first, last] = match[1]
    ? [Number(match[1]), match[2] ? Math.min(Number(match[2]), size - 1) : size - 1]
    : [Math.max(0, size - Number(match[2])), size - 1];
  if (first >= size || first > last) return 'unsatisfiable';
  return [first, last];
}

export function startServer({ root = process.cwd(), port = 8080, host = '127.0.0.1', isolated = true, tls = null } = {}) {
  const absoluteRoot = path.resolve(root);
  const policy = contentSecurityPolicy(absoluteRoot);
  const common = isolated ? { ...ISOLATION, ...ALWAYS } : ALWAYS;
  const serve = (request, response) => {
    handle(absoluteRoot, policy, common, request, response).catch((error) => {
      response.destroy(error);
    });
  };
  const server = tls ? createTlsServer(tls, serve) : createServer(serve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({
        url: `${tls ? 'https' : 'http'}://${host}:${actual}/`,
        port: actual,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rootFlag = process.argv.indexOf('--root');
  const root = rootFlag > 0 ? process.argv[rootFlag + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
  const port = Number(process.env.PORT ?? 8080);
  startServer({ root, port, host: process.env.HOST ?? '127.0.0.1' })
    .then(({ url }) => console.log(`bert-vs-gpt is being served at ${url}  (Ctrl-C stops it)`))
    .catch((error) => {
      console.error(error.code === 'EADDRINUSE' ? `port ${port} is in use: try PORT=8081 make serve` : error.message);
      process.exit(1);
    });
}
