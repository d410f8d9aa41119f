// How tokens look on the page: whitespace made visible, because a token's leading space is
// part of it (" Paris" and "Paris" are different tokens).
import { element } from './dom.js';
import { drawBars } from './plots.js';

export function visibleToken(piece) {
  return piece.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→') || '∅';
}

/** A chip for one token; `tint` is a CSS colour, `caption` small text under it (an id). */
export function tokenChip(piece, { tint, title, onClick, caption }) {
  const chip = element('button', { type: 'button', className: 'chip', title }, visibleToken(piece));
  if (caption !== undefined) chip.append(element('small', { className: 'chip-caption' }, caption));
  if (tint) chip.style.background = tint;
  if (onClick) chip.addEventListener('click', onClick);
  return chip;
}

/** Marks `chip` as the selected one among its siblings. */
export function selectChip(chip) {
  for (const other of chip.parentElement.querySelectorAll('.chip.selected')) other.classList.remove('selected');
  chip.classList.add('selected');
}

/**
 * The candidates at one position as bars, `chosen` ({id, text, prob}) highlighted — added
 * at the bottom when it is not among them.
 */
export function drawCandidates(bars, candidates, chosen) {
  const at = candidates.findIndex((candidate) => candidate.id === chosen.id);
  const shown = at >= 0 ? candidates : [...candidates, chosen];
  drawBars(bars, {
    labels: shown.map((candidate) => visibleToken(candidate.text)),
    values: shown.map((candidate) => candidate.prob),
    highlight: at >= 0 ? at : shown.length - 1,
  });
}
