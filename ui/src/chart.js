// Line charts in plain SVG: a sparkline for the VM list and a small chart with a scale and a
// legend for the VM page. Values that are null (not measured yet) leave gaps.
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

function pathOf(values, width, height, max, span) {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || v === undefined || Number.isNaN(v)) {
      pen = false;
      return;
    }
    const x = width - (values.length - 1 - i) * (width / span);
    const y = height - (Math.min(v, max) / max) * height;
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  return d;
}

/**
 * A tiny line of up to the last `span` values (at least a minute wide), scaled to what was seen
 * (at least `floor`) but never past `max`.
 */
export function sparkline(values, { width = 120, height = 28, max = Infinity, floor = 1, span: full = 600, label = '' } = {}) {
  const seen = values.filter((v) => typeof v === 'number');
  const top = Math.min(max, Math.max(floor, ...seen) * 1.2);
  const span = Math.min(full, Math.max(60, values.length));
  const el = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'sparkline', role: 'img', 'aria-label': label });
  el.append(svg('rect', { x: 0, y: 0, width, height, class: 'chart-bg' }));
  el.append(svg('path', { d: pathOf(values, width, height, top, span), fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5 }));
  return el;
}

/**
 * A chart of several series over the last `span` samples: [{name, values, color}]. `format(v)`
 * writes the scale's top value and the legend's latest values.
 */
export function lineChart(series, { title, width = 520, height = 140, span: full = 600, format = String, max } = {}) {
  // The window grows with the data from one minute to the full span, so a VM started a moment
  // ago shows a line, not a dot at the right edge.
  const span = Math.min(full, Math.max(60, ...series.map((s) => s.values.length)));
  const all = series.flatMap((s) => s.values.filter((v) => typeof v === 'number'));
  const top = max || Math.max(1e-9, ...all) * 1.1;
  const el = svg('svg', { viewBox: `0 0 ${width} ${height + 18}`, class: 'chart', role: 'img', 'aria-label': title, 'data-chart': title });
  el.append(svg('rect', { x: 0, y: 0, width, height, class: 'chart-bg' }));
  for (const f of [0.25, 0.5, 0.75]) el.append(svg('line', { x1: 0, x2: width, y1: height * f, y2: height * f, class: 'chart-grid' }));
  for (const s of series) {
    el.append(svg('path', { d: pathOf(s.values, width, height, top, span), fill: 'none', stroke: s.color, 'stroke-width': 1.8, 'data-series': s.name }));
  }
  const scale = svg('text', { x: 4, y: 12, class: 'chart-text' });
  scale.textContent = format(top);
  const axis = svg('text', { x: 4, y: height + 14, class: 'chart-text' });
  axis.textContent = span >= 120 ? `−${Math.round(span / 60)} min` : `−${span} s`;
  const now = svg('text', { x: width - 4, y: height + 14, class: 'chart-text', 'text-anchor': 'end' });
  now.textContent = 'now';
  el.append(scale, axis, now);
  const legend = document.createElement('div');
  legend.className = 'chart-legend small';
  for (const s of series) {
    const last = [...s.values].reverse().find((v) => typeof v === 'number');
    const item = document.createElement('span');
    item.innerHTML = `<i style="background:${s.color}"></i>`;
    item.append(`${s.name}: ${last === undefined ? '–' : format(last)}`);
    legend.append(item);
  }
  const box = document.createElement('figure');
  box.className = 'chart-box';
  const cap = document.createElement('figcaption');
  cap.textContent = title;
  box.append(cap, el, legend);
  return box;
}

export function formatRate(bps) {
  if (bps >= 1 << 20) return `${(bps / (1 << 20)).toFixed(1)} MiB/s`;
  if (bps >= 1024) return `${(bps / 1024).toFixed(1)} KiB/s`;
  return `${Math.round(bps)} B/s`;
}

export function formatBytes(n) {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
