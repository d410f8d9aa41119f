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

async function chartOf(element) {
  const echarts = await echartsReady;
  let chart = echarts.getInstanceByDom(element);
  if (!chart) {
    chart = echarts.init(element, null, { renderer: 'svg' });
    new ResizeObserver(() => chart.resize()).observe(element);
  }
  return chart;
}

/** "1. ChatGPT started the…": a short label for a long text. */
export function shortLabel(text, index, length = 28) {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(flat);
  return `${index + 1}. ${chars.length > length ? chars.slice(0, length - 1).join('') + '…' : flat}`;
}

/**
 * Labelled points; `onSelect(index)` runs when one is clicked, `selected` is ringed.
 * `axisNames` label the x and y axes.
 */
export async function drawScatter(element, { points, axisNames = ['', ''], selected = -1, onSelect, arrows = [] }) {
  const chart = await chartOf(element);
  chart.off('click');
  chart.setOption(
    {
      animation: false,
      grid: { left: 40, right: 150, top: 24, bottom: 40 },
      tooltip: { renderMode: 'richText', formatter: ({ dataIndex }) => points[dataIndex].text },
      xAxis: { type: 'value', name: axisNames[0], nameLocation: 'middle', nameGap: 24, ...paddedExtent },
      yAxis: { type: 'value', name: axisNames[1], nameLocation: 'middle', nameGap: 12, ...paddedExtent },
      series: [
        {
          type: 'scatter',
          symbolSize: 12,
          data: points.map((p, i) => ({
            value: [p.x, p.y],
            itemStyle: {
              color: PALETTE[(p.group ?? 0) % PALETTE.length],
              borderColor: i === selected ? '#111' : 'transparent',
              borderWidth: 3,
            },
          })),
          label: {
            show: true,
            position: 'right',
            fontSize: 12,
            formatter: ({ dataIndex }) => points[dataIndex].label,
          },
          labelLayout: { hideOverlap: false, moveOverlap: 'shiftY' },
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
  if (onSelect) chart.on('click', ({ dataIndex }) => onSelect(dataIndex));
  element.dataset.points = String(points.length);
}

/** An n × n matrix of values in [-1, 1] with row and column labels. */
export async function drawHeatmap(element, { labels, texts, matrix }) {
  const n = labels.length;
  const chart = await chartOf(element);
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
      grid: { left: 48, right: 16, top: 8, bottom: 64 },
      tooltip: {
        renderMode: 'richText',
        formatter: ({ value: [j, i, v] }) => `${texts[i]}\n${texts[j]}\ncos = ${v.toFixed(3)}`,
      },
      xAxis: { type: 'category', data: labels.map((_, i) => String(i + 1)), splitArea: { show: true } },
      yAxis: { type: 'category', data: labels.map((_, i) => String(i + 1)), inverse: true, splitArea: { show: true } },
      visualMap: {
        min: low,
        max: 1,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120,
        text: ['1', low.toFixed(2).replace('-', '−')],
        inRange: { color: ['#f7fbff', '#9ecae1', '#2171b5', '#08306b'] },
      },
      series: [{ type: 'heatmap', data: cells, label: { show: n <= 14, fontSize: 10 } }],
    },
    { notMerge: true },
  );
  element.dataset.cells = String(cells.length);
}

/**
 * Horizontal bars, first on top; `highlight` is the index drawn in the accent colour; `max`
 * fixes the scale (null: fit the data); `log` uses a logarithmic axis.
 */
export async function drawBars(element, { labels, values, highlight = -1, max = 1, log = false, format = (v) => v.toFixed(3) }) {
  const chart = await chartOf(element);
  chart.setOption(
    {
      animation: false,
      grid: { left: 120, right: 56, top: 8, bottom: 24 },
      tooltip: { renderMode: 'richText', formatter: ({ dataIndex }) => `${labels[dataIndex]}  ${format(values[dataIndex])}` },
      xAxis: log ? { type: 'log', min: 1 } : { type: 'value', min: 0, max: max ?? undefined },
      yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { fontFamily: 'ui-monospace, monospace' } },
      series: [
        {
          type: 'bar',
          data: values.map((value, i) => ({ value, itemStyle: { color: i === highlight ? PALETTE[1] : PALETTE[0] } })),
          label: { show: true, position: 'right', formatter: ({ value }) => format(value) },
        },
      ],
    },
    { notMerge: true },
  );
  element.dataset.bars = String(values.length);
}

/** A line through (x, y) points with labelled axes. */
export async function drawLine(element, { xs, ys, xName, yName, format = (v) => v.toFixed(1) }) {
  const chart = await chartOf(element);
  chart.setOption(
    {
      animation: false,
      grid: { left: 64, right: 32, top: 24, bottom: 48 },
      tooltip: { renderMode: 'richText', trigger: 'item', formatter: ({ value: [x, y] }) => `${x}: ${format(y)}` },
      xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: yName, nameLocation: 'middle', nameGap: 44, min: 0 },
      series: [{ type: 'line', data: xs.map((x, i) => [x, ys[i]]), symbolSize: 8, label: { show: true, formatter: ({ value: [, y] }) => format(y) }, itemStyle: { color: PALETTE[0] } }],
    },
    { notMerge: true },
  );
  element.dataset.points = String(xs.length);
}
