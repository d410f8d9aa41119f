// Thin wrappers over Apache ECharts (vendored from npm by `make build`). Charts render to SVG
// so labels are real text nodes, and tooltips use ECharts' rich-text mode, never HTML: user
// and model text is untrusted.

// ECharts (1.1 MB) is imported beside the page rather than before it: the page's own scripts
// start sooner on a warm visit (docs/performance.md), and nothing is drawn before a model has
// answered anyway.
// So the draw functions are async; draws on one element still apply in call order.
const echartsReady = import('../vendor/echarts.esm.min.js');

const PALETTE = ['#3b6fd8', '#d8693b', '#2e9e6a', '#9b4fc9', '#c9a227', '#d84b7a', '#4fb3c9', '#7a7a7a'];

/** Axis bounds a little outside the data, so no point sits on the frame; no tick labels
 * (projected coordinates have no units). */
const paddedExtent = {
  min: ({ min, max }) => min - 0.08 * (max - min || 1),
  max: ({ min, max }) => max + 0.08 * (max - min || 1),
  axisLabel: { show: false },
  axisTick: { show: false },
};

/** Chart text follows the page's root font size (16 px, or larger in presenter mode), so charts
 * scale with the page on a projector. */
export function textScale() {
  return (parseFloat(getComputedStyle(document.documentElement).fontSize) || 16) / 16;
}

/** How to draw each chart again (after a change of text size), by its element. */
const redraws = new Map();

/** A chart's text alternative: its figure's caption and what it shows, in words. */
function describe(element, what) {
  const caption = element.closest('figure')?.querySelector('figcaption')?.textContent.trim();
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', caption ? `${caption}: ${what}` : what);
}

/** Draws every chart on the page again, at the current text size. */
export function redrawCharts() {
  for (const [element, redraw] of redraws) {
    if (element.isConnected) redraw();
    else redraws.delete(element);
  }
}

/** Marks `element` as drawn, which shows it (style.css hides a chart never drawn or cleared),
 * so it has its size before ECharts measures it; remembers how to draw it again. */
function drawing(element, redraw) {
  element.dataset.drawn = '';
  redraws.set(element, redraw);
}

async function chartOf(element) {
  const echarts = await echartsReady;
  let chart = echarts.getInstanceByDom(element);
  // A chart hidden (cleared) since it was last drawn has been resized to nothing.
  if (chart) chart.resize();
  else {
    chart = echarts.init(element, null, { renderer: 'svg' });
    // A new size re-measures what depends on it (label room, whether heatmap numbers fit).
    new ResizeObserver(() => {
      chart.resize();
      redraws.get(element)?.();
    }).observe(element);
  }
  return chart;
}

/** "1. ChatGPT started the…": a short label for a long text. */
export function shortLabel(text, index, length = 28) {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return `${index + 1}. ${chars.length > length ? chars.slice(0, length - 1).join('') + '…' : flat}`;
}

/** The page's font, which chart text uses too (so labels can be measured as drawn). */
const FONT = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

/** Where a label may sit around its point, in the order tried. */
const LABEL_SIDES = ['right', 'left', 'top', 'bottom'];

/**
 * Which text each point's label shows and where: its `label` right of, left of, above or below
 * the point, else its `short` form (if it has one) the same way, else nothing (null) — tried
 * point by point (the selected one first, then in order) against the labels already placed,
 * the other points and the chart's edges, each box as wide as its text (at most `labelWidth`)
 * in the chart's font. ECharts' own hideOverlap misses some overlaps of truncated labels, so
 * the page decides. Returns `{side, text}` or null per point.
 */
function placeLabels(chart, points, { fontSize, labelWidth, gap, selected, width, height }) {
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = `${fontSize}px ${FONT}`;
  const pixels = points.map((p) => chart.convertToPixel({ seriesIndex: 0 }, [p.x, p.y]));
  const half = gap - 5;
  const taken = pixels.map(([x, y]) => ({ left: x - half, right: x + half, top: y - half, bottom: y + half }));
  const overlaps = (box) => taken.some((b) => b.left < box.right && box.left < b.right && b.top < box.bottom && box.top < b.bottom);
  const order = [...points.keys()].sort((a, b) => Number(b === selected) - Number(a === selected));
  const chosen = points.map(() => null);
  for (const i of order) {
    const [x, y] = pixels[i];
    const own = taken[i];
    taken[i] = { left: x, right: x, top: y, bottom: y }; // a label may touch its own point
    for (const text of [points[i].label, points[i].short].filter(Boolean)) {
      const w = Math.min(measure.measureText(text).width, labelWidth) + 2;
      const h = fontSize * 1.4;
      const boxes = {
        right: { left: x + gap, right: x + gap + w, top: y - h / 2, bottom: y + h / 2 },
        left: { left: x - gap - w, right: x - gap, top: y - h / 2, bottom: y + h / 2 },
        top: { left: x - w / 2, right: x + w / 2, top: y - gap - h, bottom: y - gap },
        bottom: { left: x - w / 2, right: x + w / 2, top: y + gap, bottom: y + gap + h },
      };
      const side = LABEL_SIDES.find((name) => {
        const box = boxes[name];
        return box.left >= 0 && box.right <= width && box.top >= 0 && box.bottom <= height && !overlaps(box);
      });
      if (side) {
        chosen[i] = { side, text };
        taken.push(boxes[side]);
        break;
      }
    }
    taken[i] = own;
  }
  return chosen;
}

/**
 * Labelled points (`{x, y, text, label, short?, group}`: `text` on hover, `label` beside the
 * point, `short` where the label has no room); `onSelect(index)` runs when one is clicked,
 * `selected` is ringed.
 * `axisNames` label the x and y axes.
 */
export async function drawScatter(element, options) {
  drawing(element, () => drawScatter(element, options));
  const { points, axisNames = ['', ''], selected = -1, onSelect, arrows = [] } = options;
  const chart = await chartOf(element);
  chart.off('click');
  const k = textScale();
  // Labels sit beside their points, at most `labelWidth` wide (cut with an ellipsis, the full
  // text on hover or tap); the plot leaves that much room on its right. Where a label finds no
  // free side it shows its point's short form, else nothing (placeLabels).
  const shownLabels = [];
  const labelWidth = Math.round(Math.min(150 * k, element.clientWidth * 0.3));
  const fontSize = 12 * k;
  const symbolSize = 12 * k;
  element.dataset.labelWidth = String(labelWidth);
  const data = (placed) => points.map((p, i) => ({
    value: [p.x, p.y],
    itemStyle: {
      color: PALETTE[(p.group ?? 0) % PALETTE.length],
      borderColor: i === selected ? '#111' : 'transparent',
      borderWidth: 3,
    },
    label: placed[i] ? { show: true, position: placed[i].side } : { show: false },
  }));
  chart.setOption(
    {
      animation: false,
      grid: { left: 16 * k, right: labelWidth + 8, top: 16 * k, bottom: (axisNames[0] ? 32 : 16) * k },
      textStyle: { fontSize, fontFamily: FONT },
      tooltip: { renderMode: 'richText', textStyle: { fontSize: 13 * k }, formatter: ({ dataIndex }) => points[dataIndex].text },
      xAxis: { type: 'value', name: axisNames[0], nameLocation: 'middle', nameGap: 12 * k, nameTextStyle: { fontSize }, ...paddedExtent },
      yAxis: { type: 'value', name: axisNames[1], nameLocation: 'middle', nameGap: 6 * k, nameTextStyle: { fontSize }, ...paddedExtent },
      series: [
        {
          type: 'scatter',
          symbolSize,
          data: data(points.map(() => null)),
          label: {
            position: 'right',
            distance: 5,
            fontSize,
            fontFamily: FONT,
            width: labelWidth,
            overflow: 'truncate',
            formatter: ({ dataIndex }) => shownLabels[dataIndex] ?? '',
          },
          markLine: {
            silent: true,
            symbol: ['none', 'arrow'],
            animation: false,
            label: { show: false },
            lineStyle: { color: '#555', width: 2, type: 'solid' },
            data: arrows.map(([from, to]) => [{ coord: [points[from].x, points[from].y] }, { coord: [points[to].x, points[to].y] }]),
          },
        },
      ],
    },
    { notMerge: true },
  );
  // Now that the axes are laid out, the labels that fit are shown.
  const placed = placeLabels(chart, points, { fontSize, labelWidth, gap: symbolSize / 2 + 5, selected, width: element.clientWidth, height: element.clientHeight });
  placed.forEach((place, i) => (shownLabels[i] = place?.text));
  chart.setOption({ series: [{ data: data(placed) }] });
  element.dataset.labels = String(placed.filter(Boolean).length);
  if (onSelect) chart.on('click', ({ dataIndex }) => onSelect(dataIndex));
  element.dataset.points = String(points.length);
  describe(element, points.map((p) => p.text).join('; '));
}

/** An n × n matrix of values in [-1, 1] with row and column labels. */
export async function drawHeatmap(element, options) {
  drawing(element, () => drawHeatmap(element, options));
  const { labels, texts, matrix } = options;
  const n = labels.length;
  const chart = await chartOf(element);
  const k = textScale();
  // Numbers in the cells only where a cell is wide enough for "0.00" at this text size.
  const cellWidth = (element.clientWidth - 64 * k) / n;
  const numbers = cellWidth >= 26 * k;
  // The colours span this model's own range: e5's cosines all sit above ~0.7, MiniLM's go
  // below 0; one fixed scale would paint one of them in a single shade.
  let lowest = 1;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) lowest = Math.min(lowest, matrix[i * n + j]);
  const low = Math.min(Math.floor(lowest * 20) / 20, 0.9);
  const cells = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cells.push([j, i, Number(matrix[i * n + j].toFixed(2))]);
  chart.setOption(
    {
      animation: false,
      grid: { left: 40 * k, right: 16, top: 8, bottom: 56 * k },
      textStyle: { fontSize: 12 * k },
      tooltip: {
        renderMode: 'richText',
        textStyle: { fontSize: 13 * k },
        formatter: ({ value: [j, i, v] }) => `${texts[i]}\n${texts[j]}\ncos = ${v.toFixed(3)}`,
      },
      xAxis: { type: 'category', data: labels.map((_, i) => String(i + 1)), splitArea: { show: true }, axisLabel: { fontSize: 12 * k } },
      yAxis: { type: 'category', data: labels.map((_, i) => String(i + 1)), inverse: true, splitArea: { show: true }, axisLabel: { fontSize: 12 * k } },
      visualMap: {
        min: low,
        max: 1,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120 * k,
        itemWidth: 20 * k,
        textStyle: { fontSize: 12 * k },
        text: ['1', low.toFixed(2).replace('-', '−')],
        inRange: { color: ['#f7fbff', '#9ecae1', '#2171b5', '#08306b'] },
      },
      series: [{ type: 'heatmap', data: cells, label: { show: numbers, fontSize: 11 * k } }],
    },
    { notMerge: true },
  );
  element.dataset.cells = String(cells.length);
  element.dataset.numbers = String(numbers);
  describe(element, texts.map((text, i) => `${i + 1}. ${text}`).join('; '));
}

/**
 * One attention matrix: row `query`, column `key` (`matrix[query * n + key]`, probabilities),
 * axes labelled with `tokens` and named by `axisNames` ([keys, queries]), the colour scale by
 * `scaleName`. A cell of exactly 0 — a key the model may not look at — is left
 * out, so the grid's grey shows through: a decoder's empty upper triangle. `selected` (a query
 * row, or -1) is outlined; `onSelect(query)` runs when a cell is clicked.
 */
export async function drawAttention(element, options) {
  drawing(element, () => drawAttention(element, options));
  const { tokens, matrix, selected = -1, onSelect, axisNames: [keysName, queriesName], scaleName } = options;
  const n = tokens.length;
  const chart = await chartOf(element);
  chart.off('click');
  const k = textScale();
  const labelWidth = Math.round(Math.min(90 * k, element.clientWidth * 0.25));
  // The colours span the rows after the first: a decoder's first token can only attend to
  // itself (1.0), which would leave every other cell pale.
  let highest = 0;
  for (let i = n > 1 ? n : 0; i < matrix.length; i++) highest = Math.max(highest, matrix[i]);
  const cells = [];
  for (let query = 0; query < n; query++) {
    for (let key = 0; key < n; key++) {
      const value = matrix[query * n + key];
      if (value !== 0) cells.push({ value: [key, query, value], itemStyle: query === selected ? { borderColor: '#111', borderWidth: 1 } : undefined });
    }
  }
  const axisLabel = { fontFamily: 'ui-monospace, monospace', fontSize: 11 * k, width: labelWidth, overflow: 'truncate' };
  // The turned key labels take the height of the longest, at most labelWidth.
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = `${11 * k}px ${axisLabel.fontFamily}`;
  const longest = Math.min(labelWidth, Math.max(...tokens.map((token) => measure.measureText(token).width)));
  chart.setOption(
    {
      animation: false,
      grid: { left: longest + 30 * k, right: 8, top: 8, bottom: longest + 62 * k, backgroundColor: '#d5d9e0', show: true, borderWidth: 0 },
      textStyle: { fontSize: 12 * k, fontFamily: FONT },
      tooltip: {
        renderMode: 'richText',
        textStyle: { fontSize: 13 * k },
        formatter: ({ value: [key, query, v] }) => `${tokens[query]} → ${tokens[key]}\np = ${v.toFixed(3)}`,
      },
      xAxis: { type: 'category', data: tokens, axisLabel: { ...axisLabel, rotate: 90 }, axisTick: { show: false }, name: keysName, nameLocation: 'middle', nameGap: longest + 16 * k, nameTextStyle: { fontSize: 12 * k } },
      yAxis: { type: 'category', data: tokens, inverse: true, axisLabel, axisTick: { show: false }, name: queriesName, nameLocation: 'middle', nameGap: longest + 12 * k, nameTextStyle: { fontSize: 12 * k } },
      visualMap: {
        min: 0,
        max: highest || 1,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120 * k,
        itemWidth: 14 * k,
        textStyle: { fontSize: 12 * k },
        text: [(highest || 1).toFixed(2), `${scaleName}  0`],
        inRange: { color: ['#ffffff', '#9ecae1', '#2171b5', '#08306b'] },
      },
      series: [{ type: 'heatmap', data: cells, emphasis: { itemStyle: { borderColor: '#d8693b', borderWidth: 2 } } }],
    },
    { notMerge: true },
  );
  if (onSelect) chart.on('click', ({ value: [, query] }) => onSelect(query));
  element.dataset.cells = String(cells.length);
  element.dataset.empty = String(n * n - cells.length);
  describe(element, tokens.join(' '));
}

/**
 * Horizontal bars, first on top; `highlight` is the index drawn in the accent colour; `max`
 * fixes the scale (null: fit the data); `log` uses a logarithmic axis.
 */
export async function drawBars(element, options) {
  drawing(element, () => drawBars(element, options));
  const { labels, values, highlight = -1, max = 1, log = false, format = (v) => v.toFixed(3) } = options;
  const chart = await chartOf(element);
  const k = textScale();
  const labelWidth = Math.round(Math.min(120 * k, element.clientWidth * 0.35));
  chart.setOption(
    {
      animation: false,
      grid: { left: labelWidth + 8, right: 56 * k, top: 8, bottom: 24 * k },
      textStyle: { fontSize: 12 * k },
      tooltip: { renderMode: 'richText', textStyle: { fontSize: 13 * k }, formatter: ({ dataIndex }) => `${labels[dataIndex]}  ${format(values[dataIndex])}` },
      xAxis: log ? { type: 'log', min: 1, axisLabel: { fontSize: 12 * k } } : { type: 'value', min: 0, max: max ?? undefined, axisLabel: { fontSize: 12 * k } },
      yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { fontFamily: 'ui-monospace, monospace', fontSize: 12 * k, width: labelWidth, overflow: 'truncate' } },
      series: [
        {
          type: 'bar',
          data: values.map((value, i) => ({ value, itemStyle: { color: i === highlight ? PALETTE[1] : PALETTE[0] } })),
          label: { show: true, position: 'right', fontSize: 12 * k, formatter: ({ value }) => format(value) },
        },
      ],
    },
    { notMerge: true },
  );
  element.dataset.bars = String(values.length);
  describe(element, labels.map((label, i) => `${label} ${format(values[i])}`).join('; '));
}

/** A value axis's name centred beside it and its labels, at text scale `k`. */
const namedAxis = (k) => ({ nameLocation: 'middle', nameTextStyle: { fontSize: 12 * k }, axisLabel: { fontSize: 12 * k } });

/** A line through (x, y) points with labelled axes. */
export async function drawLine(element, options) {
  drawing(element, () => drawLine(element, options));
  const { xs, ys, xName, yName, format = (v) => v.toFixed(1) } = options;
  const chart = await chartOf(element);
  const k = textScale();
  const axis = namedAxis(k);
  chart.setOption(
    {
      animation: false,
      grid: { left: 64 * k, right: 32 * k, top: 24 * k, bottom: 48 * k },
      textStyle: { fontSize: 12 * k },
      tooltip: { renderMode: 'richText', trigger: 'item', textStyle: { fontSize: 13 * k }, formatter: ({ value: [x, y] }) => `${x}: ${format(y)}` },
      xAxis: { type: 'value', name: xName, nameGap: 28 * k, ...axis },
      yAxis: { type: 'value', name: yName, nameGap: 44 * k, min: 0, ...axis },
      series: [{ type: 'line', data: xs.map((x, i) => [x, ys[i]]), symbolSize: 8 * k, label: { show: true, fontSize: 12 * k, formatter: ({ value: [, y] }) => format(y) }, itemStyle: { color: PALETTE[0] } }],
    },
    { notMerge: true },
  );
  element.dataset.points = String(xs.length);
  describe(element, `${xName} → ${yName}: ` + xs.map((x, i) => `${x}: ${format(ys[i])}`).join('; '));
}

/** "10", "1K", "300M": an axis number in few characters. */
const compact = (value) => new Intl.NumberFormat('en', { notation: 'compact' }).format(value);

/**
 * Named points on real axes: `points` [{x, y, text, group}], `axisNames` [x, y], `xLog` for a
 * logarithmic x axis, `yMax` to fix the top of y, `format` ([x, y] → tooltip text).
 */
export async function drawPoints(element, options) {
  drawing(element, () => drawPoints(element, options));
  const { points, axisNames, xLog = false, yMax = null, format = ([x, y]) => `${x}, ${y}` } = options;
  const chart = await chartOf(element);
  const k = textScale();
  const axis = namedAxis(k);
  chart.setOption(
    {
      animation: false,
      // Room left of the y axis for its name and for half a label of a point near the axis.
      grid: { left: 96 * k, right: 32 * k, top: 24 * k, bottom: 48 * k },
      textStyle: { fontSize: 12 * k, fontFamily: FONT },
      tooltip: { renderMode: 'richText', textStyle: { fontSize: 13 * k }, formatter: ({ dataIndex }) => `${points[dataIndex].text}\n${format([points[dataIndex].x, points[dataIndex].y])}` },
      xAxis: { type: xLog ? 'log' : 'value', name: axisNames[0], nameGap: 28 * k, ...axis, axisLabel: { ...axis.axisLabel, formatter: compact } },
      yAxis: { type: 'value', name: axisNames[1], nameGap: 80 * k, min: 0, max: yMax ?? undefined, ...axis },
      series: [{
        type: 'scatter',
        symbolSize: 14 * k,
        data: points.map((p) => ({ value: [p.x, p.y], itemStyle: { color: PALETTE[(p.group ?? 0) % PALETTE.length] } })),
        label: { show: true, position: 'top', fontSize: 12 * k, formatter: ({ dataIndex }) => points[dataIndex].text },
        labelLayout: { hideOverlap: true },
      }],
    },
    { notMerge: true },
  );
  element.dataset.points = String(points.length);
  describe(element, points.map((p) => `${p.text}: ${format([p.x, p.y])}`).join('; '));
}

/**
 * Lines over a shared x: `lines` [{name, ys, right}] (`right` puts a line on a second y axis
 * from 0 to 1), `xName`, `yNames` [left, right].
 */
export async function drawCurves(element, options) {
  drawing(element, () => drawCurves(element, options));
  const { xs, lines, xName, yNames } = options;
  const chart = await chartOf(element);
  const k = textScale();
  const axis = namedAxis(k);
  chart.setOption(
    {
      animation: false,
      grid: { left: 56 * k, right: 56 * k, top: 40 * k, bottom: 48 * k },
      textStyle: { fontSize: 12 * k, fontFamily: FONT },
      legend: { top: 0, textStyle: { fontSize: 12 * k } },
      tooltip: { renderMode: 'richText', trigger: 'axis', textStyle: { fontSize: 13 * k }, valueFormatter: (v) => (v ?? 0).toFixed(3) },
      xAxis: { type: 'value', name: xName, nameGap: 28 * k, min: xs[0] ?? 0, max: xs.at(-1) ?? 1, ...axis },
      yAxis: [
        { type: 'value', name: yNames[0], nameGap: 40 * k, min: 0, ...axis },
        { type: 'value', name: yNames[1], nameGap: 40 * k, min: 0, max: 1, splitLine: { show: false }, ...axis },
      ],
      series: lines.map((line, i) => ({
        type: 'line',
        name: line.name,
        yAxisIndex: line.right ? 1 : 0,
        showSymbol: false,
        data: xs.map((x, j) => [x, line.ys[j]]),
        itemStyle: { color: PALETTE[i % PALETTE.length] },
        lineStyle: { width: 2 * k },
      })),
    },
    { notMerge: true },
  );
  element.dataset.points = String(xs.length);
  describe(element, lines.map((line) => `${line.name}: ${line.ys.length ? line.ys.at(-1).toFixed(3) : '—'}`).join('; '));
}

/** Takes the chart out of `element`: nothing drawn, nothing to redraw, hidden until drawn again. */
export async function clearChart(element) {
  redraws.delete(element);
  delete element.dataset.drawn;
  element.removeAttribute('aria-label');
  const echarts = await echartsReady;
  echarts.getInstanceByDom(element)?.clear();
}

/** Saves `blob` as a file named `name`. */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The chart drawn in `element` as an SVG document (null before anything is drawn). */
async function chartSvg(element) {
  const echarts = await echartsReady;
  return echarts.getInstanceByDom(element)?.renderToSVGString() ?? null;
}

/** Saves the chart in `element` as `<name>.svg`, or as `<name>.png` at twice its size. */
export async function exportChart(element, name, type) {
  const svg = await chartSvg(element);
  if (!svg) return;
  const svgBlob = new Blob([svg], { type: 'image/svg+xml' });
  if (type === 'svg') return download(svgBlob, `${name}.svg`);
  const image = new Image();
  const url = URL.createObjectURL(svgBlob);
  await new Promise((resolve, reject) => {
    image.onload = resolve;
    image.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
    image.src = url;
  });
  const canvas = document.createElement('canvas');
  [canvas.width, canvas.height] = [element.clientWidth * 2, element.clientHeight * 2];
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  URL.revokeObjectURL(url);
  canvas.toBlob((png) => download(png, `${name}.png`), 'image/png');
}

/** A table's cells as CSV (RFC 4180 quoting), header row first. */
function tableCsv(table) {
  const quote = (text) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return [...table.rows].map((row) => [...row.cells].map((cell) => quote(cell.textContent.trim())).join(',')).join('\r\n');
}

/** Saves `table` as `<name>.csv`. */
export function exportTable(table, name) {
  download(new Blob(['\ufeff', tableCsv(table)], { type: 'text/csv' }), `${name}.csv`);
}

/** A legend for groups drawn in the palette's colours: `items` are `{group, text}`. */
export function drawLegend(list, items) {
  list.replaceChildren(...items.map(({ group, text }) => {
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = PALETTE[group % PALETTE.length];
    const item = document.createElement('li');
    item.append(swatch, text);
    return item;
  }));
}
