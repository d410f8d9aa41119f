// What a lesson's run put on screen, which the lesson's Reset takes away. index.html marks
// these elements `data-result` (`data-result="hide"`: hidden again too); a chart among them is
// cleared, and, like a chart never drawn, hidden with its PNG/SVG buttons (style.css).
import { clearChart } from './plots.js';

/** Empties every result element inside `root` and removes the data attributes a run set. */
export function clearResults(root) {
  for (const result of root.querySelectorAll('[data-result]')) {
    if (result.classList.contains('plot')) clearChart(result);
    else result.replaceChildren();
    for (const key of Object.keys(result.dataset)) if (key !== 'result') delete result.dataset[key];
    if (result.dataset.result === 'hide') result.hidden = true;
  }
}
