// Writes pkg/app-files.json: every file the page needs besides the weights (index.html,
// www/, the wasm-bindgen output, the manifest), and a version that is the sha256 of them all.
// The service worker (sw.js) keeps exactly this set for offline use and switches to a new set
// only once all of it is stored, so a new build never mixes with an old one. Run by `make build`.
//
//   node scripts/app-files.mjs [--root DIR]     (default: this project)
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rootFlag = process.argv.indexOf('--root');
const ROOT = rootFlag > 0 ? path.resolve(process.argv[rootFlag + 1]) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function filesUnder(dir) {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = `${dir}/${entry.name}`;
      return entry.isDirectory() ? filesUnder(relative) : [relative];
    })
    .sort();
}

const files = [
  'index.html',
  ...filesUnder('www'),
  'pkg/bert_vs_gpt.js',
  'pkg/bert_vs_gpt_bg.wasm',
  'pkg/threads/bert_vs_gpt.js',
  'pkg/threads/bert_vs_gpt_bg.wasm',
  'pkg/relaxed/bert_vs_gpt.js',
  'pkg/relaxed/bert_vs_gpt_bg.wasm',
  'models/manifest.json',
];
const hash = createHash('sha256');
for (const file of files) hash.update(file).update('\0').update(readFileSync(path.join(ROOT, file)));
const version = hash.digest('hex').slice(0, 16);
writeFileSync(path.join(ROOT, 'pkg', 'app-files.json'), JSON.stringify({ version, files: ['./', ...files] }, null, 1) + '\n');
console.log(`pkg/app-files.json: ${files.length} files, version ${version}`);
