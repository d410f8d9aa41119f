// Attention as lines, the way BertViz's head view draws it
// (<https://github.com/jessevig/bertviz>): the tokens in two columns, the ones looking on the
// left and the ones looked at on the right, each line as strong as the attention between them.
// Hovering or tapping a token on the left keeps only its lines; the token names are SVG text
// nodes, never markup.
import { t } from '../i18n/index.js';
import { textScale } from './plots.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Lines weaker than this are not drawn: a 32-token matrix has 1,024 of them. */
const FAINTEST = 0.02;

function svgElement(tag, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

/**
 * Draws `matrix` (n × n, `matrix[query * n + key]`) over `tokens` in `container`, in `colour`.
 * `selected` (a query, or -1 for all) is the one whose lines are shown alone; `onSelect(query)`
 * runs when a left token is hovered or tapped (-1 when the pointer leaves the view).
 */
export function drawAttentionLines(container, { tokens, matrix, colour, selected = -1, onSelect }) {
  const n = tokens.length;
  const rem = 16 * textScale();
  const row = 1.35 * rem;
  const width = Math.max(container.clientWidth, 240);
  const column = Math.min(width * 0.36, 11 * rem);
  const height = n * row + 0.5 * rem;
  const svg = svgElement('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  svg.setAttribute('aria-label', t('inside.linesLabel'));
  const y = (i) => (i + 0.5) * row + 0.25 * rem;
  const lines = svgElement('g', { stroke: colour, 'stroke-linecap': 'round' });
  for (let query = 0; query < n; query++) {
    if (selected >= 0 && query !== selected) continue;
    for (let key = 0; key < n; key++) {
      const weight = matrix[query * n + key];
      if (weight < FAINTEST) continue;
      lines.append(svgElement('line', {
        x1: column, y1: y(query), x2: width - column, y2: y(key),
        'stroke-width': 1 + 3 * weight, 'stroke-opacity': Math.min(1, 0.15 + weight),
      }));
    }
  }
  svg.append(lines);
  const label = (i, side) => {
    const left = side === 'left';
    const text = svgElement('text', {
      x: left ? column - 0.4 * rem : width - column + 0.4 * rem,
      y: y(i),
      'text-anchor': left ? 'end' : 'start',
      'dominant-baseline': 'middle',
      'font-size': 0.85 * rem,
      'font-family': 'ui-monospace, monospace',
      'font-weight': left && i === selected ? 700 : 400,
      fill: left && i === selected ? colour : '#1d2330',
    }, tokens[i]);
    if (left) {
      text.dataset.query = String(i);
      text.style.cursor = 'pointer';
      // A row's full width answers the pointer, not just its glyphs.
      const target = svgElement('rect', { x: 0, y: y(i) - row / 2, width: column, height: row, fill: 'transparent' });
      target.dataset.query = String(i);
      return [target, text];
    }
    return [text];
  };
  for (let i = 0; i < n; i++) svg.append(...label(i, 'left'), ...label(i, 'right'));
  const pick = (event) => {
    const query = event.target.closest?.('[data-query]')?.dataset.query;
    if (query !== undefined && Number(query) !== selected) onSelect?.(Number(query));
  };
  svg.addEventListener('pointerover', pick);
  svg.addEventListener('click', pick);
  svg.addEventListener('pointerleave', (event) => event.pointerType === 'mouse' && selected >= 0 && onSelect?.(-1));
  container.replaceChildren(svg);
  container.dataset.drawn = '';
  container.dataset.lines = String(lines.childElementCount);
}
