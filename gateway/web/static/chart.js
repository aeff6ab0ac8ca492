// chart.js: ChatKit's `Chart` component (bar, line and area series, stacking, legend) as inline
// SVG built with createElementNS. No library, no remote content; every label is textContent.
// Owns the chart colour tokens (blue, purple, ...); other colour values go through the resolver
// the caller passes (widgets.js passes its allow-listed one).

const SVG = "http://www.w3.org/2000/svg";
const MAX_ROWS = 500;
const MAX_SERIES = 12;
const DEFAULT_HEIGHT = 200;
const DEFAULT_WIDTH = 560;
const MAX_BAR = 56;

/** Chart colour tokens, and the order series get them in when they name none. */
const CHART_COLORS = {
  blue: "#3b82f6",
  purple: "#8b5cf6",
  orange: "#f97316",
  green: "#22a06b",
  red: "#e5484d",
  yellow: "#eab308",
  pink: "#ec4899",
};
const SEQUENCE = ["blue", "purple", "orange", "green", "red", "yellow", "pink"];
const HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

function el(name, attrs = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function number(value) {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

function text(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? "" : String(value);
}

function pixels(value, fallback) {
  const n = typeof value === "string" ? /^(\d+(?:\.\d+)?)(?:px)?$/.exec(value.trim())?.[1] : value;
  const parsed = number(n);
  return parsed !== null && parsed >= 40 && parsed <= 2000 ? parsed : fallback;
}

function seriesColor(series, index, resolve) {
  const value = series.color;
  if (typeof value === "string" && Object.hasOwn(CHART_COLORS, value)) return CHART_COLORS[value];
  const resolved = value !== undefined && value !== null ? resolve(value) : null;
  return resolved || CHART_COLORS[SEQUENCE[index % SEQUENCE.length]];
}

/** The props cleaned up: rows, series with colours, axis config. */
function normalize(props, resolve) {
  const rows = (Array.isArray(props.data) ? props.data : [])
    .filter((r) => r && typeof r === "object" && !Array.isArray(r))
    .slice(0, MAX_ROWS);
  const axis = typeof props.xAxis === "string" ? { dataKey: props.xAxis } : props.xAxis || {};
  const labels = axis.labels && typeof axis.labels === "object" ? axis.labels : {};
  const key = text(axis.dataKey);
  const categories = rows.map((r) => {
    const raw = text(r[key]);
    return Object.hasOwn(labels, raw) ? text(labels[raw]) : raw;
  });
  const series = (Array.isArray(props.series) ? props.series : [])
    .filter((s) => s && typeof s === "object" && typeof s.dataKey === "string")
    .slice(0, MAX_SERIES)
    .map((s, i) => ({
      kind: ["bar", "line", "area"].includes(s.type) ? s.type : "bar",
      label: text(s.label) || s.dataKey,
      values: rows.map((r) => number(r[s.dataKey])),
      stack: s.type !== "line" && s.stack !== undefined && s.stack !== null ? `${s.type}:${s.stack}` : null,
      curve: text(s.curveType),
      color: seriesColor(s, i, resolve),
    }));
  return { categories, series, hideX: axis.hide === true };
}

/** Stack offsets: each series gets `base[i]` and `top[i]` per category. */
function stackSeries(series, count) {
  const sums = new Map();
  for (const s of series) {
    s.base = new Array(count).fill(0);
    s.top = s.values.map((v) => v ?? 0);
    if (!s.stack) continue;
    if (!sums.has(s.stack)) sums.set(s.stack, { pos: new Array(count).fill(0), neg: new Array(count).fill(0) });
    const sum = sums.get(s.stack);
    for (let i = 0; i < count; i++) {
      const v = s.values[i] ?? 0;
      const side = v >= 0 ? sum.pos : sum.neg;
      s.base[i] = side[i];
      side[i] += v;
      s.top[i] = side[i];
    }
  }
}

/** Round tick steps (1, 2, 5 x 10^k) covering [lo, hi]. */
function ticks(lo, hi, wanted = 4) {
  if (lo === hi) hi = lo + 1;
  const raw = (hi - lo) / wanted;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || raw;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const out = [];
  for (let v = start; v <= end + step / 2 && out.length < 20; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function formatTick(value) {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${+(value / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${+(value / 1e3).toFixed(1)}k`;
  return String(+value.toFixed(2));
}

/** An SVG path through points: linear, step or monotone cubic (the default for curves). */
function linePath(points, curve) {
  if (points.length === 0) return "";
  let d = `M${points[0][0]},${points[0][1]}`;
  if (curve.startsWith("step")) {
    for (let i = 1; i < points.length; i++) {
      const [x0, y0] = points[i - 1];
      const [x1, y1] = points[i];
      const mid = curve === "stepBefore" ? x0 : curve === "stepAfter" ? x1 : (x0 + x1) / 2;
      d += `L${mid},${y0}L${mid},${y1}L${x1},${y1}`;
    }
    return d;
  }
  if (curve === "linear" || points.length < 3) {
    for (const [x, y] of points.slice(1)) d += `L${x},${y}`;
    return d;
  }
  const slopes = points.map((p, i) => {
    const prev = points[i - 1];
    const next = points[i + 1];
    const left = prev ? (p[1] - prev[1]) / (p[0] - prev[0] || 1) : null;
    const right = next ? (next[1] - p[1]) / (next[0] - p[0] || 1) : null;
    if (left === null) return right;
    if (right === null) return left;
    return left * right <= 0 ? 0 : (2 * left * right) / (left + right);
  });
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const h = (x1 - x0) / 3;
    d += `C${x0 + h},${y0 + slopes[i - 1] * h} ${x1 - h},${y1 - slopes[i] * h} ${x1},${y1}`;
  }
  return d;
}

/** Runs of consecutive defined values (a missing value breaks a line). */
function runs(series, count) {
  const out = [];
  let current = [];
  for (let i = 0; i < count; i++) {
    if (series.values[i] === null) {
      if (current.length) out.push(current);
      current = [];
    } else current.push(i);
  }
  if (current.length) out.push(current);
  return out;
}

function tip(node, show, category, s, i) {
  if (!show) return;
  const title = el("title");
  title.textContent = `${category}: ${s.label} ${s.values[i] ?? "—"}`;
  node.append(title);
}

function drawAxes(svg, frame, yTicks, y, categories, x, band, hideX, showY) {
  const grid = el("g", { class: "ck-chart-grid" });
  for (const t of yTicks) {
    grid.append(el("line", { x1: frame.left, x2: frame.right, y1: y(t), y2: y(t) }));
    if (showY) {
      const label = el("text", { x: frame.left - 6, y: y(t), "text-anchor": "end", "dominant-baseline": "middle" });
      label.textContent = formatTick(t);
      grid.append(label);
    }
  }
  svg.append(grid);
  if (hideX) return;
  const axis = el("g", { class: "ck-chart-axis" });
  const every = Math.max(1, Math.ceil((categories.length * 64) / Math.max(1, frame.right - frame.left)));
  categories.forEach((c, i) => {
    if (i % every !== 0) return;
    const label = el("text", { x: x(i) + band / 2, y: frame.bottom + 16, "text-anchor": "middle" });
    label.textContent = c.length > 14 ? `${c.slice(0, 13)}…` : c;
    axis.append(label);
  });
  svg.append(axis);
}

function drawBars(svg, bars, n, x, y, band, props, show, categories) {
  const groups = [];
  for (const s of bars) {
    const id = s.stack || `own:${groups.length}`;
    if (!groups.includes(id)) groups.push(id);
    s.group = groups.indexOf(id);
  }
  const catGap = number(props.barCategoryGap) ?? band * 0.2;
  const barGap = number(props.barGap) ?? 4;
  const room = band - Math.min(catGap, band * 0.8) - barGap * (groups.length - 1);
  const width = Math.min(MAX_BAR, Math.max(1, room / groups.length));
  const inner = width * groups.length + barGap * (groups.length - 1);
  const layer = el("g", { class: "ck-chart-bars" });
  for (const s of bars) {
    for (let i = 0; i < n; i++) {
      if (s.values[i] === null) continue;
      const top = y(Math.max(s.base[i], s.top[i]));
      const bottom = y(Math.min(s.base[i], s.top[i]));
      const left = x(i) + (band - inner) / 2 + s.group * (width + barGap);
      const rect = el("rect", { x: left, y: top, width, height: Math.max(0.5, bottom - top), rx: 2, fill: s.color });
      tip(rect, show, categories[i], s, i);
      layer.append(rect);
    }
  }
  svg.append(layer);
}

function drawLines(svg, lines, n, x, y, band, show, categories) {
  const layer = el("g", { class: "ck-chart-lines" });
  for (const s of lines) {
    for (const run of runs(s, n)) {
      const points = run.map((i) => [x(i) + band / 2, y(s.top[i])]);
      if (s.kind === "area") {
        const lower = run.map((i) => [x(i) + band / 2, y(s.base[i])]).reverse();
        const d = `${linePath(points, s.curve)}L${lower.map((p) => p.join(",")).join("L")}Z`;
        layer.append(el("path", { d, fill: s.color, "fill-opacity": 0.22, stroke: "none" }));
      }
      layer.append(el("path", { d: linePath(points, s.curve), fill: "none", stroke: s.color, "stroke-width": 2 }));
      for (const i of run) {
        const dot = el("circle", { cx: x(i) + band / 2, cy: y(s.top[i]), r: n > 40 ? 1.5 : 3, fill: s.color });
        tip(dot, show, categories[i], s, i);
        layer.append(dot);
      }
    }
  }
  svg.append(layer);
}

function describe(model) {
  const kinds = [...new Set(model.series.map((s) => s.kind))].join(" and ");
  const parts = model.series.map((s) => {
    const defined = s.values.filter((v) => v !== null);
    if (!defined.length) return `${s.label}: no values`;
    return `${s.label} from ${Math.min(...defined)} to ${Math.max(...defined)}`;
  });
  const span = model.categories.length
    ? ` over ${model.categories.length} points (${model.categories[0]} to ${model.categories.at(-1)})`
    : " with no data";
  return `${kinds || "Empty"} chart${span}. ${parts.join("; ")}`.trim();
}

/** Draw the chart at `width` x `height` px into a fresh <svg>. */
function draw(model, props, width, height) {
  const n = model.categories.length;
  const showY = props.showYAxis !== false;
  const frame = { left: showY ? 44 : 8, right: width - 8, top: 8, bottom: height - (model.hideX ? 8 : 26) };
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "ck-chart-svg", role: "img" });
  svg.setAttribute("aria-label", describe(model));
  stackSeries(model.series, n);
  const all = model.series.flatMap((s) => [...s.top, ...s.base]);
  const yTicks = ticks(Math.min(0, ...all), Math.max(0, ...all));
  const lo = yTicks[0];
  const hi = yTicks.at(-1);
  const y = (v) => frame.bottom - ((v - lo) / (hi - lo || 1)) * (frame.bottom - frame.top);
  const band = (frame.right - frame.left) / Math.max(1, n);
  const x = (i) => frame.left + i * band;
  drawAxes(svg, frame, yTicks, y, model.categories, x, band, model.hideX, showY);
  const show = props.showTooltip !== false;
  drawBars(svg, model.series.filter((s) => s.kind === "bar"), n, x, y, band, props, show, model.categories);
  drawLines(svg, model.series.filter((s) => s.kind !== "bar"), n, x, y, band, show, model.categories);
  return svg;
}

function legend(model) {
  const list = document.createElement("ul");
  list.className = "ck-chart-legend";
  for (const s of model.series) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "ck-chart-swatch";
    swatch.style.background = s.color;
    item.append(swatch, document.createTextNode(s.label));
    list.append(item);
  }
  return list;
}

/**
 * Render a ChatKit Chart as an element wrapping an inline <svg role="img"> (and a legend).
 * The SVG is redrawn at the wrapper's real width when that is known (ResizeObserver).
 * @param {object} props the Chart component's props (data, series, xAxis, showLegend, height, ...)
 * @param {{resolveColor?: (value: unknown) => string | null}} [options] how to read series colours
 *   that are not chart tokens; by default only `#hex` is accepted
 * @returns {HTMLElement} `div.ck-chart` holding `svg.ck-chart-svg` and `ul.ck-chart-legend`
 */
export function renderChart(props, options = {}) {
  const resolve = options.resolveColor || ((v) => (typeof v === "string" && HEX.test(v) ? v : null));
  const safeProps = props && typeof props === "object" ? props : {};
  const model = normalize(safeProps, resolve);
  const wrapper = document.createElement("div");
  wrapper.className = "ck-chart";
  let height = pixels(safeProps.height ?? safeProps.size, DEFAULT_HEIGHT);
  const ratio = number(safeProps.aspectRatio);
  let svg = draw(model, safeProps, DEFAULT_WIDTH, height);
  wrapper.append(svg);
  if (safeProps.showLegend ?? model.series.length > 1) wrapper.append(legend(model));
  if (typeof ResizeObserver === "function") {
    let drawnWidth = DEFAULT_WIDTH;
    new ResizeObserver(() => {
      const width = Math.round(wrapper.clientWidth);
      if (width < 80 || Math.abs(width - drawnWidth) < 2) return;
      drawnWidth = width;
      if (ratio && ratio > 0) height = Math.max(80, Math.min(2000, width / ratio));
      const next = draw(normalize(safeProps, resolve), safeProps, width, height);
      svg.replaceWith(next);
      svg = next;
    }).observe(wrapper);
  }
  return wrapper;
}
