// Draws one dashboard visual from its data ({columns, rows} of VisualData.toJson()): ECharts for
// the chart types, HTML for table, pivot and KPI. Values reach the DOM through textContent only.
import { el, empty } from './ui.js';

const PALETTE = ['#2563eb', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#64748b'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The chart types drawn with ECharts. */
export const ECHARTS_TYPES = new Set(['bar', 'line', 'area', 'combo', 'pie', 'donut', 'scatter', 'bubble',
  'histogram', 'boxplot', 'heatmap', 'gauge']);

/**
 * A number formatter for a visual's (or a measure's) "format": a string — "number", "integer",
 * "percent", "compact", "currency", "currency:EUR" or a pattern such as "0,0.00", "0.0%" or "$0,0" — or
 * an object {style, decimals, currency, prefix, suffix}. Without a format numbers are shown as they are, with grouping.
 */
export function numberFormatter(format) {
  const spec = typeof format === 'string' ? parseFormatString(format) : (format && typeof format === 'object' ? format : {});
  const opts = {};
  const decimals = Number.isInteger(spec.decimals) ? Math.max(0, Math.min(10, spec.decimals)) : null;
  switch (spec.style) {
    case 'percent': opts.style = 'percent'; opts.maximumFractionDigits = decimals ?? 1; break;
    case 'currency': opts.style = 'currency'; opts.currency = /^[A-Z]{3}$/.test(spec.currency || '') ? spec.currency : 'USD'; break;
    case 'compact': opts.notation = 'compact'; opts.maximumFractionDigits = decimals ?? 1; break;
    case 'integer': opts.maximumFractionDigits = 0; break;
    default: opts.maximumFractionDigits = decimals ?? 2;
  }
  if (spec.grouping === false) opts.useGrouping = false;
  if (decimals !== null && spec.style !== 'compact') {
    opts.minimumFractionDigits = decimals;
    opts.maximumFractionDigits = decimals;
  }
  let intl;
  try {
    intl = new Intl.NumberFormat(undefined, opts);
  } catch (e) {
    intl = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
  }
  const prefix = typeof spec.prefix === 'string' ? spec.prefix : '';
  const suffix = typeof spec.suffix === 'string' ? spec.suffix : '';
  return (v) => {
    if (v === null || v === undefined || v === '') return '—';
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) return String(v);
    return prefix + intl.format(n) + suffix;
  };
}

// Also numeral-style patterns: "0,0.00", "0.0%", "$0,0", "0,0 kg" (grouping, decimals, affixes).
function parseFormatString(s) {
  const m = /^([^0#]*)([0#][0#,]*)(?:\.([0#]+))?(%?)(.*)$/.exec(s);
  if (m) {
    return {
      style: m[4] ? 'percent' : 'number', decimals: m[3] ? m[3].length : 0,
      grouping: m[2].includes(','), prefix: m[1], suffix: m[5],
    };
  }
  const [style, arg] = s.split(':');
  return style === 'currency' ? { style, currency: arg } : { style };
}

/** A date/time value of a dimension truncated to granularity, as a short label ("2024", "Mar 2024"). */
export function periodLabel(value, granularity) {
  if (value === null || value === undefined) return 'null';
  const s = String(value);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?/.exec(s);
  if (!m || !granularity) return s;
  const [, y, mo, d, h, mi] = m;
  switch (granularity) {
    case 'year': return y;
    case 'quarter': return `${y} Q${Math.floor((Number(mo) - 1) / 3) + 1}`;
    case 'month': return `${MONTHS[Number(mo) - 1]} ${y}`;
    case 'hour':
    case 'minute': return `${y}-${mo}-${d} ${h || '00'}:${mi || '00'}`;
    default: return `${y}-${mo}-${d}`;
  }
}

/** The visual's dimensions in effect: the drill level replaces the first one. */
export function effectiveDimensions(visual, drillLevel) {
  const dims = (visual.dimensions || []).map(normDim);
  const levels = (visual.drillDown && visual.drillDown.levels) || [];
  if (levels.length) {
    const level = normDim(levels[Math.min(drillLevel || 0, levels.length - 1)]);
    if (dims.length) dims[0] = level; else dims.push(level);
  }
  return dims;
}

function normDim(d) {
  return typeof d === 'string' ? { field: d } : d;
}

function cellText(value, column, formatters) {
  const f = formatters[column.name];
  if (f && (typeof value === 'number' || (typeof value === 'string' && value !== '' && !isNaN(Number(value)) && isNumericType(column.type)))) return f(value);
  if (value === null || value === undefined) return 'null';
  return String(value);
}

// DuckDB's numeric types and their aliases (INT4, FLOAT8, DOUBLE PRECISION, DECIMAL(18,3)...), the
// unsigned ones (UTINYINT...UHUGEINT), VARINT, and Basin's Java-style names (LONG, SHORT, BYTE).
const NUMERIC_TYPE = new RegExp('^(?:U?(?:TINY|SMALL|BIG|HUGE)?INT(?:EGER)?|INT[1248]|INT(?:16|32|64|128)'
  + '|SIGNED|LONG|SHORT|BYTE|VARINT|DECIMAL|NUMERIC|DOUBLE(?: PRECISION)?|FLOAT[48]?|REAL)'
  + '(?:\\s*\\(\\s*\\d+\\s*(?:,\\s*\\d+\\s*)?\\))?$', 'i');

/**
 * Whether a result column's type (a DuckDB or Basin type name such as BIGINT, LONG, DECIMAL(18,2))
 * holds numbers. Not numeric: dates, times, intervals, text, booleans, lists and structs.
 */
export function isNumericType(type) {
  return typeof type === 'string' && NUMERIC_TYPE.test(type.trim().replace(/\s+/g, ' '));
}

/**
 * Draws a visual into container (an element with a definite size).
 *
 * @param ctx {visual, data, drillLevel, print, selected, onCategory(value, dimension)}: onCategory is
 *     called when the user clicks a category (a bar, point, slice, or a table's first-column cell);
 *     selected is the category value the view is filtered on (the others are faded)
 * @return {chart, dispose()}: chart is the ECharts instance or null
 */
export function drawVisual(container, ctx) {
  const { visual, data } = ctx;
  const dims = effectiveDimensions(visual, ctx.drillLevel);
  const options = visual.options || {};
  const fmt = numberFormatter(options.format || visual.format);
  const formatters = {};
  const cols = data.columns || [];
  (visual.measures || []).forEach((m, i) => {
    const col = cols[(['kpi', 'gauge'].includes(visual.type) ? 0 : dims.length) + i];
    if (col) formatters[col.name] = m.format ? numberFormatter(m.format) : fmt;
  });
  for (const c of cols) if (!formatters[c.name] && isNumericType(c.type) && !dims.some((d) => (d.alias || d.field) === c.name)) formatters[c.name] = fmt;
  const model = { visual, data, dims, fmt, formatters, options, ctx };
  switch (visual.type) {
    case 'table': return htmlResult(container, tableView(model));
    case 'pivot': return htmlResult(container, pivotView(model));
    case 'kpi': return htmlResult(container, kpiView(model));
    default: break;
  }
  if (!data.rows || data.rows.length === 0) return htmlResult(container, empty('No data for the current filters.'));
  if (!window.echarts) return htmlResult(container, el('div', { class: 'error' }, 'The chart library did not load; reload the page.'));
  const option = chartOption(model);
  const box = el('div', { class: 'visual-chart' });
  container.replaceChildren(box);
  const chart = echarts.init(box, null, { renderer: 'canvas' });
  chart.setOption({ animation: !ctx.print, color: PALETTE, ...option.option });
  if (ctx.onCategory && option.categoryAt) {
    // Axis charts: a click anywhere in a category's band counts, not only on the bar or the point.
    chart.getZr().on('click', (e) => {
      const pt = [e.offsetX, e.offsetY];
      if (!chart.containPixel({ gridIndex: 0 }, pt)) return;
      const xy = chart.convertFromPixel({ gridIndex: 0 }, pt);
      const v = option.categoryAt(Math.round(option.horizontal ? xy[1] : xy[0]));
      if (v !== undefined) ctx.onCategory(v, dims[0]);
    });
  } else if (ctx.onCategory && option.categoryOf) {
    chart.on('click', (p) => {
      const v = option.categoryOf(p);
      if (v !== undefined) ctx.onCategory(v, dims[0]);
    });
  }
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(box);
  return {
    chart,
    setOption: (o) => chart.setOption(o, true),
    baseOption: () => ({ animation: !ctx.print, color: PALETTE, ...option.option }),
    dispose() { observer.disconnect(); if (!chart.isDisposed()) chart.dispose(); },
  };
}

function htmlResult(container, node) {
  container.replaceChildren(node);
  return { chart: null, dispose() {} };
}

/** Categories of the first dimension (in row order), their labels and raw values. */
function categories(model) {
  const raw = [];
  const seen = new Map();
  for (const r of model.data.rows) {
    const key = JSON.stringify(r[0]);
    if (!seen.has(key)) { seen.set(key, raw.length); raw.push(r[0]); }
  }
  const g = model.dims[0] && model.dims[0].granularity;
  return { raw, labels: raw.map((v) => periodLabel(v, g)), index: seen };
}

/** Series for bar/line/area/combo: one per measure, or per value of the second dimension. */
function seriesData(model) {
  const { data, dims } = model;
  const cats = categories(model);
  const d = dims.length;
  const cols = data.columns;
  const out = [];
  if (d >= 2) {
    const groups = new Map();
    for (const r of data.rows) {
      const name = r[1] === null ? 'null' : periodLabel(r[1], dims[1].granularity);
      if (!groups.has(name)) groups.set(name, new Array(cats.raw.length).fill(null));
      groups.get(name)[cats.index.get(JSON.stringify(r[0]))] = num(r[d]);
    }
    for (const [name, values] of groups) out.push({ name, values, measure: 0 });
  } else {
    for (let m = d; m < cols.length; m++) {
      const values = new Array(cats.raw.length).fill(null);
      for (const r of data.rows) values[cats.index.get(JSON.stringify(r[0]))] = num(r[m]);
      out.push({ name: cols[m].name, values, measure: m - d });
    }
  }
  return { cats, series: out };
}

// With a selected category (the one the view is filtered on), the other categories are faded.
function dimmed(values, raw, selected) {
  if (selected === undefined || selected === null) return values;
  return values.map((v, i) => (sameCategory(raw[i], selected) ? v : { value: v, itemStyle: { opacity: 0.35 } }));
}

function sameCategory(a, b) {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string' && /^\d{4}-\d{2}-\d{2}/.test(a)) return a.slice(0, 10) === b.slice(0, 10);
  return String(a) === String(b);
}

function num(v) {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function chartOption(model) {
  const { visual, data, fmt, options } = model;
  const tooltipFmt = (v) => (Array.isArray(v) ? v.map(fmt).join(', ') : fmt(v));
  switch (visual.type) {
    case 'bar': case 'line': case 'area': case 'combo': {
      const { cats, series } = seriesData(model);
      const horizontal = visual.type === 'bar' && !!options.horizontal;
      const stacked = !!options.stacked;
      const dual = visual.type === 'combo' && series.length > 1 && model.dims.length < 2;
      const s = series.map((x, i) => {
        let type = visual.type === 'area' ? 'line' : visual.type;
        if (visual.type === 'combo') type = i === 0 ? 'bar' : 'line';
        return {
          name: x.name, type, data: dimmed(x.values, cats.raw, model.ctx.selected),
          stack: stacked ? 'total' : undefined,
          areaStyle: visual.type === 'area' ? { opacity: 0.25 } : undefined,
          smooth: type === 'line' ? !!options.smooth : undefined,
          showSymbol: type === 'line' ? true : undefined,
          symbolSize: type === 'line' ? 7 : undefined,
          yAxisIndex: dual && i > 0 ? 1 : 0,
          emphasis: { focus: 'series' },
          barMaxWidth: type === 'bar' ? 120 : undefined,
        };
      });
      const catAxis = { type: 'category', data: cats.labels, axisLabel: { hideOverlap: true } };
      const valAxis = { type: 'value', axisLabel: { formatter: (v) => fmt(v) } };
      return {
        option: {
          grid: { left: 12, right: 16, top: series.length > 1 ? 34 : 16, bottom: 8, containLabel: true },
          legend: series.length > 1 ? { top: 0, type: 'scroll' } : undefined,
          tooltip: { trigger: 'axis', valueFormatter: tooltipFmt },
          xAxis: horizontal ? valAxis : catAxis,
          yAxis: horizontal ? { ...catAxis, inverse: true } : (dual ? [valAxis, { ...valAxis, splitLine: { show: false } }] : valAxis),
          series: s,
        },
        categoryAt: (i) => cats.raw[i],
        horizontal,
      };
    }
    case 'pie': case 'donut': {
      const g = model.dims[0] && model.dims[0].granularity;
      return {
        option: {
          tooltip: { trigger: 'item', valueFormatter: tooltipFmt },
          legend: { type: 'scroll', bottom: 0 },
          series: [{
            type: 'pie', radius: visual.type === 'donut' ? ['42%', '72%'] : '72%', center: ['50%', '45%'],
            data: data.rows.map((r) => ({
              name: periodLabel(r[0], g), value: num(r[1]), raw: r[0],
              itemStyle: model.ctx.selected !== undefined && model.ctx.selected !== null && !sameCategory(r[0], model.ctx.selected) ? { opacity: 0.35 } : undefined,
            })),
            // Percentages on the slices; the legend names them (outside labels get cut in small boxes).
            label: { position: 'inside', formatter: (p) => (p.percent >= 4 ? `${Math.round(p.percent)}%` : ''), color: '#fff', fontWeight: 600 },
            labelLine: { show: false },
          }],
        },
        categoryOf: (p) => (p.data ? p.data.raw : undefined),
      };
    }
    case 'scatter': case 'bubble': {
      const d = model.dims.length;
      const sizes = visual.type === 'bubble' ? data.rows.map((r) => num(r[d + 2]) || 0) : [];
      const maxSize = Math.max(1, ...sizes);
      const points = data.rows.map((r) => ({
        value: [num(r[d]), num(r[d + 1])].concat(visual.type === 'bubble' ? [num(r[d + 2])] : []),
        name: d ? periodLabel(r[0], model.dims[0].granularity) : undefined,
        raw: d ? r[0] : undefined,
      }));
      const cols = data.columns;
      return {
        option: {
          grid: { left: 12, right: 24, top: 24, bottom: 24, containLabel: true },
          tooltip: {
            trigger: 'item',
            formatter: (p) => escapeHtml(`${p.name ? p.name + ': ' : ''}${cols[d].name} ${fmt(p.value[0])}, ${cols[d + 1].name} ${fmt(p.value[1])}`
              + (visual.type === 'bubble' ? `, ${cols[d + 2].name} ${fmt(p.value[2])}` : '')),
          },
          xAxis: { type: 'value', name: cols[d].name, nameLocation: 'middle', nameGap: 24, scale: true },
          yAxis: { type: 'value', name: cols[d + 1].name, scale: true },
          series: [{
            type: 'scatter', data: points,
            symbolSize: visual.type === 'bubble' ? (v) => 8 + 42 * Math.sqrt(Math.max(0, v[2] || 0) / maxSize) : 10,
          }],
        },
        categoryOf: (p) => (p.data ? p.data.raw : undefined),
      };
    }
    case 'histogram': {
      const f = numberFormatter(options.format || { decimals: 1 });
      return {
        option: {
          grid: { left: 12, right: 16, top: 16, bottom: 8, containLabel: true },
          tooltip: { trigger: 'axis' },
          xAxis: { type: 'category', data: data.rows.map((r) => `${f(r[1])}–${f(r[2])}`) },
          yAxis: { type: 'value' },
          series: [{ type: 'bar', name: 'count', barCategoryGap: '2%', data: data.rows.map((r) => num(r[3])) }],
        },
      };
    }
    case 'boxplot': {
      const d = model.dims.length;
      const names = data.columns.map((c) => c.name);
      const at = (r, n) => num(r[names.indexOf(n)]);
      const cats = d ? data.rows.map((r) => periodLabel(r[0], model.dims[0].granularity)) : ['all rows'];
      return {
        option: {
          grid: { left: 12, right: 16, top: 16, bottom: 8, containLabel: true },
          tooltip: { trigger: 'item' },
          xAxis: { type: 'category', data: cats },
          yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v) => fmt(v) } },
          series: [{
            type: 'boxplot', name: data.columns[d] ? visual.measures[0].column : 'value',
            data: data.rows.map((r) => [at(r, 'whisker_low'), at(r, 'q1'), at(r, 'median'), at(r, 'q3'), at(r, 'whisker_high')]),
          }],
        },
        categoryOf: d ? (p) => (data.rows[p.dataIndex] ? data.rows[p.dataIndex][0] : undefined) : null,
      };
    }
    case 'heatmap': {
      const xs = []; const ys = []; const xi = new Map(); const yi = new Map();
      const gx = model.dims[0].granularity; const gy = model.dims[1].granularity;
      for (const r of data.rows) {
        const kx = JSON.stringify(r[0]); const ky = JSON.stringify(r[1]);
        if (!xi.has(kx)) { xi.set(kx, xs.length); xs.push(r[0]); }
        if (!yi.has(ky)) { yi.set(ky, ys.length); ys.push(r[1]); }
      }
      const values = data.rows.map((r) => num(r[2])).filter((v) => v !== null);
      return {
        option: {
          grid: { left: 12, right: 16, top: 16, bottom: 56, containLabel: true },
          tooltip: { position: 'top', valueFormatter: tooltipFmt },
          xAxis: { type: 'category', data: xs.map((v) => periodLabel(v, gx)), splitArea: { show: true } },
          yAxis: { type: 'category', data: ys.map((v) => periodLabel(v, gy)), splitArea: { show: true } },
          visualMap: {
            min: Math.min(0, ...values), max: Math.max(1, ...values), calculable: true, orient: 'horizontal',
            left: 'center', bottom: 0, itemHeight: 120, inRange: { color: ['#eff6ff', '#2563eb', '#1e3a8a'] },
          },
          series: [{ type: 'heatmap', data: data.rows.map((r) => [xi.get(JSON.stringify(r[0])), yi.get(JSON.stringify(r[1])), num(r[2])]), label: { show: data.rows.length <= 60, formatter: (p) => fmt(p.value[2]) } }],
        },
        categoryOf: (p) => (p.value ? xs[p.value[0]] : undefined),
      };
    }
    case 'gauge': {
      const value = data.rows.length ? num(data.rows[0][0]) : null;
      const min = Number.isFinite(options.min) ? options.min : 0;
      const max = Number.isFinite(options.max) ? options.max : niceMax(value);
      return {
        option: {
          series: [{
            type: 'gauge', min, max, radius: '90%', center: ['50%', '58%'],
            progress: { show: true, width: 14 }, axisLine: { lineStyle: { width: 14 } },
            axisLabel: { formatter: (v) => fmt(v), distance: 20 },
            detail: { valueAnimation: false, formatter: (v) => fmt(v), fontSize: 22, offsetCenter: [0, '60%'] },
            data: [{ value: value === null ? 0 : value, name: data.columns[0] ? data.columns[0].name : '' }],
          }],
        },
      };
    }
    default:
      throw new Error(`visual type '${visual.type}' cannot be drawn`);
  }
}

function niceMax(v) {
  if (!Number.isFinite(v) || v <= 0) return 100;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * 1.1) return m * p;
  return 10 * p;
}

function tableView(model) {
  const { data, dims, formatters, ctx } = model;
  const cols = data.columns || [];
  if (!data.rows.length) return empty('No rows for the current filters.');
  const shown = data.rows.slice(0, 2000);
  const head = el('tr', {}, cols.map((c) => el('th', { title: c.type, class: formatters[c.name] ? 'num' : null }, c.name)));
  const body = shown.map((r) => el('tr', {}, r.map((v, i) => {
    const numeric = !!formatters[cols[i].name] && v !== null;
    const clickable = i === 0 && dims.length > 0 && ctx.onCategory;
    return el('td', {
      class: [numeric ? 'num' : '', v === null ? 'null' : '', clickable ? 'clickable' : ''].join(' ').trim() || null,
      title: clickable ? 'Filter the other visuals on this value' : null,
      onclick: clickable ? () => ctx.onCategory(v, dims[0]) : null,
    }, i < dims.length ? periodLabel(v, dims[i] && dims[i].granularity) : cellText(v, cols[i], formatters));
  })));
  const wrap = el('div', { class: 'visual-table' }, el('table', { class: 'grid' }, el('thead', {}, head), el('tbody', {}, body)));
  if (shown.length < data.rows.length) wrap.append(el('div', { class: 'muted note' }, `Showing the first ${shown.length} of ${data.rows.length} rows; download the CSV for all.`));
  return wrap;
}

function pivotView(model) {
  const { data, dims, formatters } = model;
  const d = dims.length;
  if (d < 2) return tableView(model);
  if (!data.rows.length) return empty('No rows for the current filters.');
  const cols = data.columns;
  const measures = cols.slice(d);
  const colKeys = []; const colIndex = new Map();
  const rowKeys = []; const rowIndex = new Map(); const cells = new Map();
  for (const r of data.rows) {
    const rk = JSON.stringify(r.slice(0, d - 1));
    const ck = JSON.stringify(r[d - 1]);
    if (!rowIndex.has(rk)) { rowIndex.set(rk, rowKeys.length); rowKeys.push(r.slice(0, d - 1)); }
    if (!colIndex.has(ck)) { colIndex.set(ck, colKeys.length); colKeys.push(r[d - 1]); }
    cells.set(rk + '|' + ck, r.slice(d));
  }
  const lastG = dims[d - 1].granularity;
  const head1 = el('tr', {}, dims.slice(0, d - 1).map((x) => el('th', { rowspan: measures.length > 1 ? 2 : null }, x.alias || x.field)),
    colKeys.map((c) => el('th', { colspan: measures.length > 1 ? measures.length : null, class: 'num' }, periodLabel(c, lastG))));
  const heads = [head1];
  if (measures.length > 1) heads.push(el('tr', {}, colKeys.flatMap(() => measures.map((m) => el('th', { class: 'num' }, m.name)))));
  const body = rowKeys.map((rk) => el('tr', {},
    rk.map((v, i) => el('th', { class: 'pivot-row' }, periodLabel(v, dims[i].granularity))),
    colKeys.flatMap((ck) => {
      const vals = cells.get(JSON.stringify(rk) + '|' + JSON.stringify(ck));
      return measures.map((m, j) => el('td', { class: 'num' }, vals ? cellText(vals[j], m, formatters) : ''));
    })));
  return el('div', { class: 'visual-table' }, el('table', { class: 'grid pivot' }, el('thead', {}, heads), el('tbody', {}, body)));
}

function kpiView(model) {
  const { visual, data, fmt } = model;
  const row = data.rows[0] || [];
  const names = (data.columns || []).map((c) => c.name);
  const box = el('div', { class: 'kpi' });
  if (visual.comparison) {
    const value = row[1];
    const ratio = row[names.indexOf('change_ratio')];
    const change = row[names.indexOf('change')];
    const period = visual.comparison.period || 'month';
    box.append(el('div', { class: 'kpi-value' }, fmt(value)));
    const up = Number(change) > 0; const down = Number(change) < 0;
    const pct = ratio === null || ratio === undefined || !Number.isFinite(Number(ratio)) ? null : Number(ratio);
    const previous = row[names.indexOf('previous')];
    if (previous === null || previous === undefined) {
      box.append(el('div', { class: 'kpi-delta flat' }, el('span', { class: 'muted' }, `No previous ${period} to compare with`)));
    } else {
      box.append(el('div', { class: `kpi-delta ${up ? 'up' : down ? 'down' : 'flat'}` },
        `${up ? '▲' : down ? '▼' : '■'} ${pct === null ? '—' : new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(pct)}`,
        el('span', { class: 'muted' }, ` vs previous ${period} (${fmt(previous)})`)));
    }
    if (row[0]) box.append(el('div', { class: 'muted kpi-period' }, periodLabel(row[0], period)));
  } else {
    box.append(el('div', { class: 'kpi-value' }, fmt(row[0])));
  }
  box.append(el('div', { class: 'muted kpi-label' }, (visual.measures && visual.measures[0] && (visual.measures[0].alias || visual.measures[0].column)) || 'count'));
  return box;
}

/**
 * An ECharts option drawing a time series with its insights: the actual values, the p10–p90 band
 * (a shaded area), the p50 forecast and the anomalies as red markers.
 */
export function insightsOption(insights, granularity, fmt) {
  const pts = insights.points || [];
  const fc = insights.forecast || [];
  const all = pts.concat(fc);
  const labels = all.map((p) => periodLabel(p.period, granularity));
  const hasBand = (p) => p.p10 !== null && p.p10 !== undefined && p.p90 !== null && p.p90 !== undefined;
  const first = all.findIndex(hasBand);
  return {
    grid: { left: 12, right: 16, top: 34, bottom: 8, containLabel: true },
    legend: { top: 0, data: ['actual', 'forecast p50', 'p10–p90', 'anomaly'] },
    tooltip: {
      trigger: 'axis',
      formatter: (params) => {
        const i = params.length ? params[0].dataIndex : -1;
        const p = all[i];
        if (!p) return '';
        const lines = [labels[i]];
        if (p.actual !== null && p.actual !== undefined) lines.push(`actual ${fmt(p.actual)}${p.anomaly ? ' (anomaly)' : ''}`);
        if (p.p50 !== null && p.p50 !== undefined) lines.push(`forecast ${fmt(p.p50)}`);
        if (hasBand(p)) lines.push(`p10–p90 ${fmt(p.p10)} – ${fmt(p.p90)}`);
        // ECharts sets the tooltip's text; the names are plain labels and numbers.
        return lines.map(escapeHtml).join('<br>');
      },
    },
    xAxis: { type: 'category', data: labels, boundaryGap: false },
    yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v) => fmt(v) } },
    series: [
      {
        // The band as one polygon: p90 left to right, then p10 back.
        name: 'p10–p90', type: 'custom', z: 1, color: 'rgba(37,99,235,0.3)',
        data: all.map((p, i) => [i, hasBand(p) ? num(p.p10) : null, hasBand(p) ? num(p.p90) : null]),
        encode: { x: 0, y: [1, 2] },
        renderItem: (params, api) => {
          if (params.dataIndex !== first) return null;
          const upper = []; const lower = [];
          all.forEach((p, i) => {
            if (!hasBand(p)) return;
            upper.push(api.coord([i, num(p.p90)]));
            lower.unshift(api.coord([i, num(p.p10)]));
          });
          return { type: 'polygon', shape: { points: upper.concat(lower) }, style: { fill: 'rgba(37,99,235,0.15)' }, silent: true };
        },
      },
      { name: 'forecast p50', type: 'line', data: all.map((p) => num(p.p50)), lineStyle: { type: 'dashed' }, symbol: 'none', color: '#64748b', z: 2 },
      { name: 'actual', type: 'line', data: pts.map((p) => num(p.actual)), color: '#2563eb', z: 3 },
      { name: 'anomaly', type: 'scatter', symbolSize: 14, color: '#dc2626', z: 4,
        data: pts.map((p, i) => (p.anomaly ? [i, num(p.actual)] : null)).filter(Boolean) },
    ],
  };
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
