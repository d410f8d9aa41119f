// The page in English and 中文. The strings are one file per language (en.js, zh.js: nothing
// but strings); this file chooses the language, looks strings up and fills the page. Static
// text is marked in index.html with data-i18n (textContent), data-i18n-placeholder,
// data-i18n-title and data-i18n-aria-label; dynamic text calls t(). The choice comes from ?lang=, else the last choice,
// else the browser's language.
import { en } from './en.js';
import { zh } from './zh.js';

const STRINGS = { en, zh };

export const LANGUAGES = Object.keys(STRINGS);
const STORAGE_KEY = 'bert-vs-gpt.lang';
const listeners = new Set();

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled
  }
}

function initialLanguage() {
  const asked = new URLSearchParams(location.search).get('lang') ?? remembered();
  if (LANGUAGES.includes(asked)) return asked;
  return navigator.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

let current = initialLanguage();

export function language() {
  return current;
}

/** The string for `key` in the current language, with {name} filled from `params`. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** Fills every data-i18n* element under `root` in the current language. */
export function translatePage(root = document) {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) throw new Error(`unknown language "${lang}"; use one of ${LANGUAGES.join(', ')}`);
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, still switched
  }
  translatePage();
  for (const listener of listeners) listener(lang);
}

/** `listener(lang)` runs after every switch, for text the page builds itself. */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** "91.3 MB" */
export function formatBytes(bytes) {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
