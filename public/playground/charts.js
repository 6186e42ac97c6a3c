/* global document, ResizeObserver */
import uPlot from './vendor/uPlot.esm.js';
import { formatNumber } from './format.js';

/**
 * Line charts (uPlot, served by OPE) with the same numbers as a table in a <details> below each one: a canvas says
 * nothing to a screen reader or a keyboard, the table does.
 *
 * A chart spec: { xLabel, yLabel, x: number[], series: [{ label, values, stroke, dash?, marker?, table? }],
 * band?: { upper, lower, fill } } where `upper`/`lower` index `series`, a `marker` series is drawn as points only,
 * and `table: false` leaves a series out of the table.
 */

const HEIGHT = 230;
const charts = new Map();

function widthOf(element) {
  return Math.max(260, Math.floor(element.clientWidth));
}

const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const chart = charts.get(entry.target);
    if (chart !== undefined) chart.setSize({ width: widthOf(entry.target), height: HEIGHT });
  }
});

function tableOf(spec) {
  const columns = spec.series.filter((s) => s.table !== false);
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const label of [spec.xLabel, ...columns.map((s) => s.label)]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    head.appendChild(th);
  }
  const body = table.createTBody();
  spec.x.forEach((x, i) => {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = formatNumber(x, spec.xDigits ?? 4);
    row.appendChild(th);
    for (const s of columns) row.insertCell().textContent = formatNumber(s.values[i]);
  });
  return table;
}

function optionsOf(spec, width) {
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: false } },
    axes: [
      // uPlot's own tick labels: as many decimals as the tick spacing needs.
      { label: spec.xLabel },
      { label: spec.yLabel, size: 64 },
    ],
    series: [
      { label: spec.xLabel, value: (_u, v) => (v === null ? '—' : formatNumber(v, spec.xDigits ?? 4)) },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: s.marker ? 0 : 2,
        dash: s.dash,
        spanGaps: false,
        points: s.marker ? { show: true, size: 9, fill: s.stroke, stroke: s.stroke } : { show: false },
        value: (_u, v) => (v === null || v === undefined ? '—' : formatNumber(v)),
      })),
    ],
    bands: spec.band ? [{ series: [spec.band.upper + 1, spec.band.lower + 1], fill: spec.band.fill }] : [],
  };
}

/** Draws (or redraws) the chart of `figure` (a <figure> with .chart, .chart-data and .chart-status inside). */
export function renderChart(figure, spec) {
  const host = figure.querySelector('.chart');
  clearChart(figure);
  const data = [spec.x, ...spec.series.map((s) => s.values)];
  const chart = new uPlot(optionsOf(spec, widthOf(host)), data, host);
  charts.set(host, chart);
  resizer.observe(host);
  const caption = figure.querySelector('figcaption')?.textContent ?? '';
  host.setAttribute('aria-label', `${caption}: ${spec.x.length} points; the data table below lists them.`);
  figure.querySelector('.chart-data').replaceChildren(tableOf(spec));
  figure.dataset.points = String(spec.x.length);
  figure.classList.remove('empty');
}

/** Removes the chart and its table, leaving `message` (if any) in its status line. */
export function clearChart(figure, message = '') {
  const host = figure.querySelector('.chart');
  const chart = charts.get(host);
  if (chart !== undefined) {
    chart.destroy();
    charts.delete(host);
    resizer.unobserve(host);
  }
  host.replaceChildren();
  figure.querySelector('.chart-data').replaceChildren();
  figure.dataset.points = '0';
  figure.classList.add('empty');
  setChartStatus(figure, message);
}

export function setChartStatus(figure, message, isError = false) {
  const status = figure.querySelector('.chart-status');
  status.textContent = message;
  status.classList.toggle('error', isError);
}
