// Every string the page shows exists in English and in 中文: the keys of www/i18n/en.js and
// zh.js agree, and every key used in index.html (data-i18n*) or in www/ (t('…')) is defined.
// A static check of the source, no browser needed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { en as english } from '../www/i18n/en.js';
import { zh as chinese } from '../www/i18n/zh.js';
import { ROOT } from './harness.mjs';

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'vendor' ? [] : jsFiles(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

test('both languages define the same keys, and every key used is defined', () => {
  for (const table of [english, chinese]) {
    assert.deepEqual(Object.entries(table).filter(([, text]) => typeof text !== 'string'), [], 'not a string');
  }
  const en = new Set(Object.keys(english));
  const zh = new Set(Object.keys(chinese));
  assert.ok(en.size > 150);
  assert.deepEqual([...en].filter((k) => !zh.has(k)), [], 'keys missing in 中文');
  assert.deepEqual([...zh].filter((k) => !en.has(k)), [], 'keys missing in English');

  const html = readFileSync(path.join(ROOT, 'index.html'), 'utf8');
  const used = [...html.matchAll(/data-i18n(?:-placeholder|-title)?="([\w.]+)"/g)].map((m) => m[1]);
  for (const file of jsFiles(path.join(ROOT, 'www'))) {
    used.push(...[...readFileSync(file, 'utf8').matchAll(/\bt\('([\w.]+)'/g)].map((m) => m[1]));
  }
  const finishReasons = ['end', 'length', 'stop', 'context', 'cancelled'].map((r) => `finish.${r}`);
  const progressPhases = ['download', 'verify', 'cached', 'stored'].map((p) => `progress.${p}`);
  const missing = [...new Set([...used, ...finishReasons, ...progressPhases])].filter((k) => !en.has(k));
  assert.deepEqual(missing, [], 'keys used but not defined');
  assert.ok(used.length > 100);
});
