// `make dist`: one folder to upload to any static host — the page, its scripts, the three wasm
// builds, the service worker (which also makes the page cross-origin isolated where the host
// cannot send COOP/COEP: sw.js), models/manifest.json, and with WEIGHTS=1 (the default) the
// weights beside it. A host that limits file sizes (GitHub Pages: 100 MB) is named below with the
// files it would refuse; WEIGHTS=0 leaves the weights out, for a page whose readers set a
// weights URL (Settings, or `?weights=`).
//
//   node scripts/dist.mjs      DIST (default dist/), WEIGHTS (1 or 0)
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** GitHub Pages refuses files above this size. */
const PAGES_FILE_LIMIT = 100 * 1024 * 1024;

/** Writes the folder at `dist`; returns {files, bytes, tooBigForPages: [file]}. */
export function writeDist(dist, { weights = true } = {}) {
  const list = path.join(ROOT, 'pkg', 'app-files.json');
  if (!existsSync(list)) throw new Error('pkg/ is missing: run make build first');
  rmSync(dist, { recursive: true, force: true });
  const files = JSON.parse(readFileSync(list, 'utf8')).files.filter((file) => file !== './');
  // The service worker is not among the files it stores (the browser keeps it itself).
  files.push('sw.js', 'pkg/app-files.json', 'models/manifest.json');
  if (weights) {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'models', 'manifest.json'), 'utf8'));
    for (const [model, { files: modelFiles, license_file: licence }] of Object.entries(manifest.models)) {
      for (const file of [...modelFiles, ...(licence ? [licence] : [])]) {
        const name = `models/${model}/${file.name}`;
        if (!existsSync(path.join(ROOT, name))) throw new Error(`${name} is missing: run make fetch first (or WEIGHTS=0)`);
        files.push(name);
      }
    }
  }
  let bytes = 0;
  const tooBigForPages = [];
  for (const file of files) {
    const target = path.join(dist, file);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(ROOT, file), target);
    const size = statSync(target).size;
    bytes += size;
    if (size > PAGES_FILE_LIMIT) tooBigForPages.push(`${file} (${(size / 1e6).toFixed(0)} MB)`);
  }
  // GitHub Pages runs Jekyll unless told not to; nothing here needs it.
  writeFileSync(path.join(dist, '.nojekyll'), '');
  return { files: files.length, bytes, tooBigForPages };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = path.resolve(process.env.DIST ?? path.join(ROOT, 'dist'));
  const weights = process.env.WEIGHTS !== '0';
  try {
    const { files, bytes, tooBigForPages } = writeDist(dist, { weights });
    console.log(`${dist}: ${files} files, ${(bytes / 1e6).toFixed(1)} MB${weights ? ', weights included' : ', no weights (readers set a weights URL)'}.`);
    console.log('Upload the folder as it is to any static host; it needs no server code and no special headers.');
    if (tooBigForPages.length) console.log(`GitHub Pages refuses files over 100 MB: ${tooBigForPages.join(', ')} — host the weights elsewhere (WEIGHTS=0) or use another host.`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
