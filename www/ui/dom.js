// Building DOM from data. Strings always become text nodes: user and model text is never
// parsed as HTML anywhere on the page.
// This folder holds the helpers every panel shares (DOM, busy state, pickers, plots, token
// chips, model status). They may use i18n/ but know no panel or lesson (e2e/layers.test.mjs).

/** A new `tag` element with properties from `attributes` and the given children. */
export function element(tag, attributes = {}, ...children) {
  const el = document.createElement(tag);
  const { dataset, ...properties } = attributes;
  Object.assign(el, properties);
  if (dataset) Object.assign(el.dataset, dataset);
  el.append(...children);
  return el;
}

/** Replaces the messages shown in `container`; kind 'error' or 'info'. */
export function showNotices(container, notices) {
  container.replaceChildren(...notices.map(({ text, kind = 'info' }) => element('p', { className: `notice ${kind}` }, text)));
}
