// How tokens look on the page: whitespace made visible, because a token's leading space is
// part of it (" Paris" and "Paris" are different tokens).
import { element } from './dom.js';
import { drawBars } from './plots.js';

export function visibleToken(piece) {
  return piece.replace(/ /g, '·').replace(/\n/g, '↵').replace(/\t/g, '→') || '∅';
}

/** A chip for one token; `tint` is a CSS colour, `caption` small text under it (an id). */
function tokenChip(piece, { tint, title, onClick, caption }) {
  const chip = element('button', { type: 'button', className: 'chip', title }, visibleToken(piece));
  if (caption !== undefined) chip.append(element('small', { className: 'chip-caption' }, caption));
  if (tint) chip.style.background = tint;
  if (onClick) chip.addEventListener('click', onClick);
  return chip;
}

/** The bytes of a byte-fallback piece (`<0xE4>`, or several in one piece), or null. */
function pieceBytes(piece) {
  if (!/^(<0x[0-9A-Fa-f]{2}>)+$/.test(piece)) return null;
  return piece.match(/[0-9A-Fa-f]{2}(?=>)/g).map((hex) => parseInt(hex, 16));
}

/** How many bytes the UTF-8 sequence that starts with `lead` has (1 for a stray byte). */
function sequenceLength(lead) {
  if (lead >= 0xf0 && lead < 0xf8) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

/**
 * A row of token chips, in which the byte tokens that spell one character (<0xE4><0xBD><0xA0>
 * for 你) sit in one group showing the character; clicking the group shows its bytes. Chips
 * are added one at a time (as a decoder streams them), each under its token index.
 */
export class ChipRow {
  #container;
  /** The group still waiting for bytes: { group, head, bytes, expected }. */
  #open = null;

  constructor(container) {
    this.#container = container;
  }

  clear() {
    this.#container.replaceChildren();
    this.#open = null;
  }

  /** Adds token `index`'s chip (`tokenChip` options). */
  add(index, piece, options) {
    const chip = tokenChip(piece, options);
    chip.dataset.index = String(index);
    const bytes = pieceBytes(piece);
    if (!bytes || (!this.#open && sequenceLength(bytes[0]) === 1)) {
      if (this.#open) this.#open.head.textContent = '�'; // a character left unfinished
      this.#open = null;
      this.#container.append(chip);
      return chip;
    }
    if (!this.#open) {
      const head = element('button', { type: 'button', className: 'chip chip-char' }, '…');
      head.style.background = chip.style.background;
      const group = element('span', { className: 'chip-group' }, head);
      head.addEventListener('click', () => group.classList.toggle('open'));
      this.#open = { group, head, bytes: [], expected: sequenceLength(bytes[0]) };
      this.#container.append(group);
    }
    const open = this.#open;
    open.group.append(chip);
    open.bytes.push(...bytes);
    if (open.bytes.length >= open.expected) {
      const character = new TextDecoder().decode(new Uint8Array(open.bytes));
      open.head.textContent = visibleToken(character);
      open.head.title = open.bytes.map((b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`).join('');
      this.#open = null;
    }
    return chip;
  }

  /** Marks token `index`'s chip as selected (and its group, which opens). */
  select(index) {
    for (const other of this.#container.querySelectorAll('.selected')) other.classList.remove('selected');
    const chip = this.#container.querySelector(`[data-index="${index}"]`);
    if (!chip) return;
    chip.classList.add('selected');
    chip.closest('.chip-group')?.classList.add('open', 'selected');
  }
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
