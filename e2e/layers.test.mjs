// The page's JavaScript keeps its layers: the worker side (www/worker/) never imports the page's
// ui/, panels/ or lessons/; the shared helpers (www/ui/) never import a panel or a lesson; the
// string tables (www/i18n/en.js, zh.js) import nothing; no modules import each other in a cycle
// (static imports); and every reference names a file that exists. A static check of the source, no browser needed. References are static `import … from`
// and `export … from`, `import('…')`, `new URL('…', import.meta.url)` (the model worker, its
// helpers, the service worker), `loadData('…')` (www/data/) and index.html's script and style
// links. Imports of a computed URL (the wasm builds in worker/threads.js) are not checked here.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** For files in a folder of www/: the folders of www/ they must not import from. */
const FORBIDDEN = {
  worker: ['ui', 'panels', 'lessons'],
  ui: ['panels', 'lessons'],
};
/** Files that import nothing: only strings. */
const IMPORT_NOTHING = ['www/i18n/en.js', 'www/i18n/zh.js'];
/** Made by `make build` (git-ignored), so their files may be missing in a fresh checkout. */
const BUILT = ['www/vendor/', 'pkg/'];

const PATTERNS = [
  /(?<![\w.$])(?:import|export)\s+(?:[\w*${}\s,]+?\s+from\s*)?(['"])([^'"]+)\1/g,
  /(?<![\w.$])import\(\s*(['"`])([^'"`$]+)\1\s*\)/g,
  /\bnew\s+URL\(\s*(['"`])([^'"`$]+)\1\s*,\s*import\.meta\.url\s*\)/g,
];
const DATA_PATTERN = /\bloadData\(\s*(['"`])([^'"`$]+)\1\s*\)/g;

/** `source` without comments. */
const code = (source) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

function resolve(specifier, base) {
  if (specifier.startsWith('/')) return path.posix.normalize(specifier.slice(1));
  if (specifier.startsWith('./') || specifier.startsWith('../')) return path.posix.join(base, specifier);
  return `(bare specifier "${specifier}")`;
}

/** Every file `source` (at `file`, relative to ROOT) refers to, relative to ROOT. */
function references(file, source) {
  const text = code(source);
  const found = PATTERNS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => resolve(m[2], path.posix.dirname(file))));
  found.push(...[...text.matchAll(DATA_PATTERN)].map((m) => resolve(`./${m[2]}`, 'www/data')));
  return found;
}

/** Each cycle of static imports among `files`, as `a → b → … → a`. */
function cycles(files) {
  const imports = Object.fromEntries(Object.entries(files).map(([file, source]) => [
    file, [...code(source).matchAll(PATTERNS[0])].map((m) => resolve(m[2], path.posix.dirname(file))),
  ]));
  const found = [];
  const done = new Set();
  const visit = (file, stack) => {
    if (stack.includes(file)) {
      found.push(`a cycle of imports: ${[...stack.slice(stack.indexOf(file)), file].join(' → ')}`);
      return;
    }
    if (done.has(file)) return;
    done.add(file);
    for (const next of imports[file] ?? []) visit(next, [...stack, file]);
  };
  for (const file of Object.keys(imports)) visit(file, []);
  return found;
}

/** The folder of www/ a path is in: 'worker', 'ui', … ('' for www/ itself, null outside www/). */
function folderOf(file) {
  if (!file.startsWith('www/')) return null;
  const parts = file.split('/');
  return parts.length > 2 ? parts[1] : '';
}

/** What breaks the rules in `files` ({path relative to ROOT: source}); `exists(path)`. */
function problems(files, exists) {
  const found = [];
  for (const [file, source] of Object.entries(files)) {
    const forbidden = FORBIDDEN[folderOf(file)] ?? [];
    for (const target of references(file, source)) {
      const edge = `${file} → ${target}`;
      if (IMPORT_NOTHING.includes(file)) found.push(`${edge}: ${file} holds only strings and imports nothing`);
      if (forbidden.includes(folderOf(target))) found.push(`${edge}: ${folderOf(file)}/ must not import from ${folderOf(target)}/`);
      if (!BUILT.some((prefix) => target.startsWith(prefix)) && !exists(target)) found.push(`${edge}: no such file`);
    }
  }
  return [...found, ...cycles(files)];
}

function jsFiles(dir) {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return relative === 'www/vendor' ? [] : jsFiles(relative);
    return entry.name.endsWith('.js') ? [relative] : [];
  });
}

test('www/ keeps its layers, and every file it refers to exists', () => {
  const files = Object.fromEntries(jsFiles('www').map((file) => [file, readFileSync(path.join(ROOT, file), 'utf8')]));
  assert.deepEqual(problems(files, (file) => existsSync(path.join(ROOT, file))), []);

  // The patterns find what is there: the module graph, the model worker and its helpers, the
  // service worker, the lazy plotting library, the data files.
  const all = Object.entries(files).flatMap(([file, source]) => references(file, source).map((target) => `${file} → ${target}`));
  assert.ok(all.length > 80, `only ${all.length} references found`);
  for (const edge of [
    'www/main.js → www/panels/encoder.js',
    'www/boot.js → www/worker/worker.js',
    'www/worker/threads.js → www/worker/thread-helper.js',
    'www/main.js → sw.js',
    'www/ui/plots.js → www/vendor/echarts.esm.min.js',
    'www/main.js → www/data/presets.json',
    'www/lessons/roi.js → www/data/topics.json',
  ]) assert.ok(all.includes(edge), `${edge} not found`);
});

test("index.html's scripts and style sheet exist", () => {
  const html = readFileSync(path.join(ROOT, 'index.html'), 'utf8');
  const links = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="(www\/[^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(links, ['www/style.css', 'www/client.js', 'www/worker/threads.js', 'www/boot.js', 'www/main.js']);
  assert.deepEqual(links.filter((file) => !existsSync(path.join(ROOT, file))), []);
});

test('the check catches each kind of problem', () => {
  const files = {
    'www/worker/worker.js': "import { t } from '../i18n/index.js';\nimport {\n  drawBars,\n} from '../ui/plots.js';\n",
    'www/ui/busy.js': "// import('../panels/roi.js') in a comment is no import\nconst lesson = await import('../lessons/roi.js');\n",
    'www/i18n/en.js': "export { zh } from './zh.js';\nexport const en = { 'a.b': 'import x from here' };\n",
    'www/main.js': "const worker = new Worker(new URL('./worker/missing.js', import.meta.url));\nloadData('gone.json');\n",
    'www/panels/roi.js': "import { runBusy } from '../ui/busy.js';\nimport { runRoi } from '../lessons/roi.js';\n",
    'www/lessons/roi.js': "import { draw } from '../panels/roi.js';\n",
  };
  const exists = (file) => file in files || ['www/i18n/index.js', 'www/ui/plots.js', 'www/lessons/roi.js', 'www/i18n/zh.js'].includes(file);
  assert.deepEqual(problems(files, exists), [
    'www/worker/worker.js → www/ui/plots.js: worker/ must not import from ui/',
    'www/ui/busy.js → www/lessons/roi.js: ui/ must not import from lessons/',
    'www/i18n/en.js → www/i18n/zh.js: www/i18n/en.js holds only strings and imports nothing',
    'www/main.js → www/worker/missing.js: no such file',
    'www/main.js → www/data/gone.json: no such file',
    'a cycle of imports: www/panels/roi.js → www/lessons/roi.js → www/panels/roi.js',
  ]);
});
