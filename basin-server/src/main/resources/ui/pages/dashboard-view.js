// A dashboard: sheets as tabs, a 12-column grid of visuals and text blocks, parameter controls,
// drill-down, click-to-filter, auto-refresh, per-visual CSV and insights, and PNG/PDF/print export.
// The view's state lives in the URL (#/dashboards/{id}?s=<JSON>) so that a copied URL reopens it.
import { get, post, enc, ApiError, getBlob } from '../api.js';
import { el, errorBox, when, download, downloadBlob } from '../ui.js';
import { drawVisual, insightsOption, numberFormatter, periodLabel } from '../charts.js';

const TIME_SERIES = new Set(['line', 'area', 'combo']);
const DEFAULT_SIZE = { kpi: [3, 2], gauge: [4, 4], table: [6, 5], pivot: [6, 5] };

/** Renders dashboard {id} into main; returns {stop()}. */
export function render(main, id, query) {
  const started = performance.now();
  const print = query.get('print') === '1';
  const state = readState(query.get('s'));
  let stopped = false;
  let dashboard = null;
  let refreshTimer = null;
  let missedRefresh = false;
  let built = false;
  let sheet = query.get('sheet');
  // visualId -> {section, body, handle, insights, gen, dead}: the visuals of the sheet on screen. A
  // view is marked dead when its sheet is replaced or the page stops, so that loads still in flight
  // for it neither draw into its removed nodes nor create charts that nobody disposes.
  const views = new Map();
  const root = el('div', { id: 'dashboard', class: 'dashboard', 'data-id': id, 'data-state': 'loading' });
  main.append(root);
  window.basinDashboardReady = undefined;
  if (print) document.body.classList.add('print');

  get(`/api/v1/dashboards/${enc(id)}`).then((d) => {
    if (stopped) return;
    dashboard = d;
    build();
  }, (e) => {
    if (stopped) return;
    const message = e instanceof ApiError && e.status === 404
      ? `Dashboard '${id}' does not exist (it may have been deleted). Pick one from the list or create a new one.`
      : e.message;
    root.replaceChildren(el('h1', {}, 'Dashboard'), errorBox(message),
      el('p', {}, el('a', { href: '#/dashboards' }, '← All dashboards')));
    showFailure(message);
  });

  const onVisibility = () => {
    if (!document.hidden && missedRefresh) { missedRefresh = false; loadAll(); }
  };
  document.addEventListener('visibilitychange', onVisibility);

  return {
    stop() {
      stopped = true;
      clearInterval(refreshTimer);
      document.removeEventListener('visibilitychange', onVisibility);
      discardViews();
      document.body.classList.remove('print');
    },
  };

  /** Marks every view dead and disposes its chart (and the chart's resize observer). */
  function discardViews() {
    for (const v of views.values()) {
      v.dead = true;
      if (v.handle) { v.handle.dispose(); v.handle = null; }
    }
    views.clear();
  }

  /** Whether view is still on screen and gen is still its latest load. */
  function current(view, gen) {
    return !stopped && !view.dead && views.get(view.visual.id) === view && view.gen === gen;
  }

  // The page settles as ready with the error, so that waiting exports and tests do not hang.
  function showFailure(message) {
    clearInterval(refreshTimer);
    discardViews();
    root.dataset.state = 'ready';
    window.basinDashboardReady = { ms: performance.now() - started, visuals: 0, error: message };
  }

  function doc() { return dashboard.document; }

  // Readers may not save dashboards (app.js marks the signed-in role on the user name).
  function canEdit() {
    const user = document.getElementById('user-name');
    return !(user && user.dataset.role === 'READER');
  }

  function sheets() {
    const s = doc().sheets && doc().sheets.length ? doc().sheets : [{ id: '', name: 'Sheet 1' }];
    return s;
  }

  function sheetOf(item) {
    const all = sheets();
    return item.sheet && all.some((s) => s.id === item.sheet) ? item.sheet : all[0].id;
  }

  /** (Re)draws the current sheet; a dashboard document the view cannot handle shows an error. */
  function build() {
    try {
      buildSheet();
    } catch (e) {
      const message = `This dashboard cannot be shown: ${e.message}`;
      root.replaceChildren(el('h1', {}, (dashboard && dashboard.name) || 'Dashboard'), errorBox(message),
        el('p', {}, el('a', { href: '#/dashboards' }, '← All dashboards')));
      showFailure(message);
    }
  }

  function buildSheet() {
    const d = doc();
    const all = sheets();
    if (!all.some((s) => s.id === sheet)) sheet = all[0].id;
    const refreshSeconds = Number(d.refreshSeconds) || 0;
    const status = el('span', { class: 'muted dash-status', id: 'dashboard-status' });
    const header = el('div', { class: 'dash-head' },
      el('div', {},
        el('h1', {}, d.name || dashboard.name),
        el('div', { class: 'muted dash-meta' }, `Version ${dashboard.version} · saved by ${dashboard.savedBy || '—'} at ${when(dashboard.savedAt)}`),
        d.description ? el('p', { class: 'dash-description' }, d.description) : null),
      el('span', { class: 'spacer' }),
      el('div', { class: 'dash-actions chrome' },
        status,
        el('button', { id: 'refresh', title: 'Reload every visual', onclick: () => loadAll() }, 'Refresh'),
        el('button', { id: 'export-png', onclick: () => exportFile('png') }, 'Export PNG'),
        el('button', { id: 'export-pdf', onclick: () => exportFile('pdf') }, 'Export PDF'),
        el('button', { id: 'print', onclick: () => window.print() }, 'Print'),
        canEdit() ? el('a', { class: 'button', id: 'edit', href: `#/dashboards/${enc(id)}/edit` }, 'Edit') : null));
    const exportError = el('div', { id: 'export-error' });
    const controls = el('div', { class: 'dash-controls chrome', id: 'dashboard-controls' });
    const chips = el('div', { class: 'chips chrome', id: 'filter-chips' });
    const summary = el('div', { class: 'print-summary muted', id: 'print-summary' });
    const ignored = state.ignored.length
      ? [el('div', { class: 'notice warn chrome', id: 'state-note' }, `Parts of the link were ignored: ${state.ignored.join('; ')}.`)]
      : [];
    root.replaceChildren(header, exportError, ...ignored, controls, chips, summary);
    root.printSummary = summary;
    root.exportError = exportError;
    root.statusLine = status;
    buildControls(controls);
    renderChips(chips);
    root.chips = chips;
    if (all.length > 1 && !print) {
      root.append(el('div', { class: 'tabs chrome', id: 'sheet-tabs' }, all.map((s) => el('button', {
        class: s.id === sheet ? 'active' : null, 'data-sheet': s.id,
        onclick: () => { sheet = s.id; writeUrl(); build(); },
      }, s.name || s.id))));
    }
    discardViews();
    for (const s of all) {
      if (!print && s.id !== sheet) continue;
      if (print && all.length > 1) root.append(el('h2', { class: 'sheet-title' }, s.name || s.id));
      root.append(buildGrid(s.id));
    }
    clearInterval(refreshTimer);
    if (refreshSeconds > 0 && !print) {
      status.textContent = `Auto-refresh every ${refreshSeconds} s`;
      refreshTimer = setInterval(() => {
        if (document.hidden) missedRefresh = true;
        else loadAll();
      }, refreshSeconds * 1000);
    }
    loadAll(built ? undefined : started);
    built = true;
  }

  function buildGrid(sheetId) {
    const grid = el('div', { class: 'dash-grid' });
    const items = [];
    for (const t of doc().texts || []) if (sheetOf(t) === sheetId) items.push({ kind: 'text', item: t });
    for (const v of doc().visuals || []) if (sheetOf(v) === sheetId) items.push({ kind: 'visual', item: v });
    items.sort((a, b) => pos(a.item) - pos(b.item));
    for (const { kind, item } of items) {
      const node = kind === 'text' ? textBlock(item) : visualBox(item);
      place(node, item, kind === 'text' ? [12, 1] : DEFAULT_SIZE[item.type] || [6, 4]);
      grid.append(node);
    }
    if (!items.length) grid.append(el('div', { class: 'empty' }, 'This sheet has no visuals yet; add some in the editor.'));
    return grid;
  }

  function pos(item) {
    const l = item.layout || {};
    return Number.isFinite(l.y) ? l.y * 100 + (Number.isFinite(l.x) ? l.x : 0) : 1e9;
  }

  function place(node, item, [dw, dh]) {
    const l = item.layout || {};
    const w = clamp(l.w, 1, 12, dw);
    const h = clamp(l.h, 1, 24, dh);
    const x = Number.isInteger(l.x) && l.x >= 0 && l.x + w <= 12 ? l.x : null;
    const y = Number.isInteger(l.y) && l.y >= 0 ? l.y : null;
    node.style.gridColumn = x === null ? `span ${w}` : `${x + 1} / span ${w}`;
    node.style.gridRow = y === null ? `span ${h}` : `${y + 1} / span ${h}`;
  }

  function clamp(v, lo, hi, dflt) {
    return Number.isInteger(v) ? Math.max(lo, Math.min(hi, v)) : dflt;
  }

  // Markdown-ish: "#"-headings and paragraphs, as text.
  function textBlock(t) {
    const box = el('section', { class: 'text-block', 'data-text-id': t.id });
    let para = [];
    const flush = () => { if (para.length) box.append(el('p', {}, para.join(' '))); para = []; };
    for (const line of String(t.text || '').split(/\r?\n/)) {
      const h = /^(#{1,6})\s+(.*)$/.exec(line);
      if (h) { flush(); box.append(el(h[1].length === 1 ? 'h2' : 'h3', {}, h[2].replace(/[*_`]/g, ''))); }
      else if (!line.trim()) flush();
      else para.push(line.trim().replace(/^[-*]\s+/, '• ').replace(/\*\*|__|`/g, ''));
    }
    flush();
    return box;
  }

  function visualBox(v) {
    const body = el('div', { class: 'dv-body' });
    const crumbs = el('div', { class: 'breadcrumb' });
    const note = el('div', { class: 'visual-note' });
    const narrative = el('div', { class: 'narrative', hidden: true });
    const menu = el('details', { class: 'visual-menu chrome' },
      el('summary', { title: 'Visual menu', 'aria-label': 'Visual menu' }, '⋯'),
      el('div', { class: 'menu' },
        el('button', { class: 'menu-csv', onclick: (e) => { closeMenu(e); downloadCsv(v); } }, 'Download CSV'),
        TIME_SERIES.has(v.type) ? el('button', { class: 'menu-insights', onclick: (e) => { closeMenu(e); toggleInsights(v); } }, 'Show insights') : null));
    const section = el('section', { class: `visual visual-${v.type}`, 'data-visual-id': v.id, 'data-state': 'loading' },
      el('header', { class: 'dv-head' }, el('h3', {}, v.title || v.id), menu),
      crumbs, body, note, narrative);
    views.set(v.id, { section, body, crumbs, note, narrative, menu, handle: null, insights: false, visual: v });
    return section;
  }

  function closeMenu(e) {
    const d = e.target.closest('details');
    if (d) d.open = false;
  }

  /** The request body for a visual's data, CSV and insights. */
  function requestFor(v) {
    // Only declared parameters: a shared URL may be older than the dashboard's latest version.
    const declared = new Set((doc().parameters || []).map((p) => p.name));
    const body = { parameters: Object.fromEntries(Object.entries(state.parameters).filter(([k]) => declared.has(k))) };
    const filters = state.filters.filter((f) => (!f.dataset || f.dataset === v.dataset) && f.source !== v.id)
      .map(({ dataset, source, ...f }) => f);
    if (filters.length) body.filters = filters;
    const dr = state.drill[v.id];
    if (dr && v.drillDown) body.drill = { level: dr.level, path: dr.path };
    return body;
  }

  function loadAll(t0) {
    const start = t0 || performance.now();
    root.dataset.state = 'loading';
    const jobs = [...views.values()].map((view) => loadVisual(view));
    Promise.allSettled(jobs).then(() => finish(start));
  }

  // Called when a batch of loads settles: the view is ready once no visual is loading any more
  // (a visual reloaded meanwhile keeps it loading until that newer load's batch settles).
  function finish(start) {
    if (stopped) return;
    if ([...views.values()].some((v) => v.section.dataset.state === 'loading')) return;
    root.dataset.state = 'ready';
    window.basinDashboardReady = { ms: performance.now() - start, visuals: views.size };
    if (root.statusLine) {
      const auto = Number(doc().refreshSeconds) > 0 && !print ? `Auto-refresh every ${doc().refreshSeconds} s · ` : '';
      root.statusLine.textContent = `${auto}updated ${new Date().toLocaleTimeString()}`;
    }
  }

  function reloadOne(view) {
    const start = performance.now();
    root.dataset.state = 'loading';
    loadVisual(view).finally(() => finish(start));
  }

  async function loadVisual(view) {
    const gen = (view.gen || 0) + 1;
    view.gen = gen;
    view.pending = true;
    const v = view.visual;
    view.section.dataset.state = 'loading';
    renderCrumbs(view);
    try {
      const data = await post(`/api/v1/dashboards/${enc(id)}/visuals/${enc(v.id)}/data`, requestFor(v));
      if (!current(view, gen)) return;
      view.data = data;
      draw(view);
      view.note.replaceChildren(data.truncated
        ? el('span', { class: 'truncated' }, `Showing the first ${data.rowLimit} rows only: add a filter or a top-N to see all of them.`)
        : '');
      view.narrative.hidden = true;
      if (view.insights) await showInsights(view, gen);
      if (!current(view, gen)) return;
      view.section.dataset.state = 'ready';
    } catch (e) {
      if (!current(view, gen)) return;
      if (view.handle) { view.handle.dispose(); view.handle = null; }
      view.body.replaceChildren(errorBox(e));
      view.note.replaceChildren();
      view.section.dataset.state = 'error';
    } finally {
      if (view.gen === gen) view.pending = false;
    }
  }

  function draw(view) {
    if (stopped || view.dead) return;
    const v = view.visual;
    if (view.handle) view.handle.dispose();
    const drill = state.drill[v.id];
    const chosen = state.filters.find((f) => f.source === v.id);
    view.handle = drawVisual(view.body, {
      visual: v, data: view.data, drillLevel: drill ? drill.level : 0, print,
      selected: chosen ? (chosen.type === 'dateRange' ? chosen.from : chosen.value) : undefined,
      onCategory: print ? null : (value, dim) => onCategory(view, value, dim),
    });
  }

  function renderCrumbs(view) {
    const v = view.visual;
    const levels = (v.drillDown && v.drillDown.levels) || [];
    const dr = state.drill[v.id];
    if (!levels.length || !dr || !dr.level) { view.crumbs.replaceChildren(); view.crumbs.hidden = true; return; }
    view.crumbs.hidden = false;
    const parts = [el('a', { href: '#', 'data-level': '0', onclick: (e) => { e.preventDefault(); drillTo(view, 0); } }, `All ${plural(levelName(levels[0]))}`)];
    for (let i = 0; i < dr.level; i++) {
      const label = periodLabel(dr.path[i], levelDim(levels[i]).granularity);
      parts.push(el('span', { class: 'sep' }, ' › '));
      parts.push(i + 1 === dr.level
        ? el('span', { class: 'current' }, label)
        : el('a', { href: '#', 'data-level': String(i + 1), onclick: (e) => { e.preventDefault(); drillTo(view, i + 1); } }, label));
    }
    view.crumbs.replaceChildren(...parts);
  }

  function levelDim(l) { return typeof l === 'string' ? { field: l } : l; }
  function levelName(l) { const d = levelDim(l); return d.granularity || d.field; }
  function plural(s) { return s.endsWith('y') && !s.endsWith('ay') ? s.slice(0, -1) + 'ies' : s + 's'; }

  function drillTo(view, level) {
    const dr = state.drill[view.visual.id];
    if (!level) delete state.drill[view.visual.id];
    else state.drill[view.visual.id] = { level, path: dr.path.slice(0, level) };
    writeUrl();
    reloadOne(view);
  }

  function onCategory(view, value, dim) {
    const v = view.visual;
    const levels = (v.drillDown && v.drillDown.levels) || [];
    if (levels.length) {
      const dr = state.drill[v.id] || { level: 0, path: [] };
      if (dr.level + 1 >= levels.length) return; // the deepest level: nothing below
      state.drill[v.id] = { level: dr.level + 1, path: dr.path.concat([value]) };
      writeUrl();
      reloadOne(view);
      return;
    }
    if (!dim || value === undefined) return;
    const filter = categoryFilter(dim, value);
    filter.dataset = v.dataset;
    filter.source = v.id;
    const same = (f) => f.field === filter.field && f.dataset === filter.dataset && f.source === filter.source;
    const previous = state.filters.find(same);
    const again = previous && JSON.stringify(previous.value ?? previous.from) === JSON.stringify(filter.value ?? filter.from);
    // A second click on the chosen category removes its filter.
    state.filters = state.filters.filter((f) => !same(f)).concat(again ? [] : [filter]);
    writeUrl();
    renderChips(root.chips);
    // Redrawn after ECharts has finished handling the click (disposing a chart inside its own
    // click handler breaks it).
    const redraw = view.data ? new Promise((resolve) => setTimeout(() => { draw(view); resolve(); }, 0)) : null;
    reloadOthers(v, redraw);
  }

  function categoryFilter(dim, value) {
    if (dim.granularity && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && dim.granularity !== 'hour' && dim.granularity !== 'minute') {
      const from = value.slice(0, 10);
      return { field: dim.field, type: 'dateRange', from, to: periodEnd(from, dim.granularity), label: periodLabel(value, dim.granularity) };
    }
    return { field: dim.field, type: 'equals', value };
  }

  function periodEnd(from, g) {
    const d = new Date(`${from}T00:00:00Z`);
    if (g === 'year') d.setUTCFullYear(d.getUTCFullYear() + 1);
    else if (g === 'quarter') d.setUTCMonth(d.getUTCMonth() + 3);
    else if (g === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
    else if (g === 'week') d.setUTCDate(d.getUTCDate() + 7);
    else d.setUTCDate(d.getUTCDate() + 1);
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  }

  function reloadOthers(source, redraw) {
    const start = performance.now();
    root.dataset.state = 'loading';
    const targets = [...views.values()].filter((x) => x.visual.id !== source.id && x.visual.dataset === source.dataset);
    Promise.allSettled(targets.map((x) => loadVisual(x)).concat(redraw ? [redraw] : [])).then(() => finish(start));
  }

  function renderChips(box) {
    if (!box) return;
    box.replaceChildren(...state.filters.map((f, i) => el('span', { class: 'chip', 'data-field': f.field },
      `${f.field} = ${chipValue(f)}`,
      el('button', {
        class: 'chip-remove', title: 'Remove this filter', 'aria-label': `Remove filter on ${f.field}`,
        onclick: () => { state.filters.splice(i, 1); writeUrl(); renderChips(box); loadAll(); },
      }, '×'))));
    box.hidden = state.filters.length === 0;
    renderPrintSummary();
  }

  // What the printout is filtered on (the controls themselves are not printed).
  function renderPrintSummary() {
    const box = root.printSummary;
    if (!box) return;
    const parts = [];
    for (const p of doc().parameters || []) {
      const v = paramValue(p);
      if (v === null || v === undefined || (Array.isArray(v) && !v.length) || v === '') continue;
      let text;
      if (Array.isArray(v)) text = v.join(', ');
      else if (typeof v === 'object') text = `${v.from ?? v.min ?? '…'} – ${v.to ?? v.max ?? '…'}`;
      else text = String(v);
      parts.push(`${p.label || p.name}: ${text}`);
    }
    for (const f of state.filters) parts.push(`${f.field} = ${chipValue(f)}`);
    box.textContent = parts.length ? `Filtered on ${parts.join(' · ')}` : '';
  }

  function chipValue(f) {
    if (f.label) return f.label;
    if (f.type === 'in') return (f.values || []).join(', ');
    if (f.type === 'dateRange') return `${f.from || '…'} – ${f.to || '…'}`;
    if (f.type === 'range') return `${f.min ?? '…'} – ${f.max ?? '…'}`;
    return f.value === null ? 'null' : String(f.value);
  }

  // ------------------------------------------------------------------ parameter controls

  function buildControls(box) {
    const params = doc().parameters || [];
    // The printout shows the chosen values in its summary instead; and an export's print session
    // may not list a field's values (the preview route).
    box.hidden = params.length === 0 || print;
    if (print) return;
    for (const p of params) box.append(control(p));
  }

  function paramValue(p) {
    return Object.prototype.hasOwnProperty.call(state.parameters, p.name) ? state.parameters[p.name] : p.default;
  }

  function setParam(p, value) {
    state.parameters[p.name] = value;
    writeUrl();
    renderPrintSummary();
    loadAll();
  }

  function control(p) {
    const label = p.label || p.name;
    const ctl = p.control || 'dropdown';
    const wrap = el('div', { class: `control control-${ctl}`, 'data-parameter': p.name }, el('span', { class: 'control-label' }, label));
    const value = paramValue(p);
    if (ctl === 'dropdown') {
      const select = el('select', { 'aria-label': label, onchange: () => setParam(p, select.value === '' ? null : typed(p, select.value)) },
        el('option', { value: '' }, '(all)'));
      wrap.append(select);
      options(p).then((vals) => {
        const all = withCurrent(vals, value === null || value === undefined ? [] : [value]);
        select.append(...all.map((v) => el('option', { value: String(v) }, String(v))));
        select.value = value === null || value === undefined ? '' : String(value);
      }, (e) => wrap.append(errorBox(e)));
    } else if (ctl === 'multiselect') {
      const chosen = new Set((Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]).map(String));
      const summary = el('summary', {}, summaryText(chosen));
      const list = el('div', { class: 'menu multiselect-options' });
      const details = el('details', { class: 'multiselect' }, summary, list);
      wrap.append(details);
      options(p).then((vals) => {
        const all = withCurrent(vals, [...chosen]);
        const boxes = all.map((v) => {
          const input = el('input', { type: 'checkbox', value: String(v), checked: chosen.has(String(v)) });
          input.addEventListener('change', () => {
            if (input.checked) chosen.add(input.value); else chosen.delete(input.value);
            summary.textContent = summaryText(chosen);
            const typedValues = all.filter((x) => chosen.has(String(x))).map((x) => typed(p, x));
            setParam(p, typedValues);
          });
          return el('label', { class: 'option' }, input, String(v));
        });
        list.append(...boxes, el('button', { class: 'ghost', onclick: () => {
          chosen.clear();
          for (const b of list.querySelectorAll('input')) b.checked = false;
          summary.textContent = summaryText(chosen);
          setParam(p, []);
        } }, 'Clear'));
      }, (e) => wrap.append(errorBox(e)));
    } else if (ctl === 'dateRange' || ctl === 'numericRange') {
      const date = ctl === 'dateRange';
      const [loKey, hiKey] = date ? ['from', 'to'] : ['min', 'max'];
      const v = value && typeof value === 'object' ? (Array.isArray(value) ? { [loKey]: value[0], [hiKey]: value[1] } : value) : {};
      const lo = el('input', { type: date ? 'date' : 'number', 'aria-label': `${label} ${loKey}`, value: v[loKey] ?? '' });
      const hi = el('input', { type: date ? 'date' : 'number', 'aria-label': `${label} ${hiKey}`, value: v[hiKey] ?? '' });
      const apply = () => {
        const read = (i) => (i.value === '' ? null : date ? i.value : Number(i.value));
        const out = { [loKey]: read(lo), [hiKey]: read(hi) };
        setParam(p, out[loKey] === null && out[hiKey] === null ? null : out);
      };
      lo.addEventListener('change', apply);
      hi.addEventListener('change', apply);
      wrap.append(lo, el('span', { class: 'muted' }, '–'), hi);
    } else {
      const input = el('input', { type: 'search', 'aria-label': label, value: value ?? '', placeholder: 'Type and press Enter' });
      input.addEventListener('change', () => setParam(p, input.value === '' ? null : input.value));
      wrap.append(input);
    }
    return wrap;
  }

  function summaryText(chosen) {
    return chosen.size === 0 ? '(all)' : [...chosen].join(', ');
  }

  function typed(p, v) {
    if (p.type === 'number' && v !== '' && !isNaN(Number(v))) return Number(v);
    return v;
  }

  function withCurrent(vals, current) {
    const have = new Set(vals.map(String));
    return vals.concat(current.filter((c) => !have.has(String(c))));
  }

  /** The values offered by a dropdown or multi-select: its "values", or the field's distinct values. */
  async function options(p) {
    if (Array.isArray(p.values)) return p.values;
    const f = (doc().filters || []).find((x) => x.parameter === p.name);
    if (!f) return [];
    let dataset = f.dataset;
    if (!dataset) {
      const ids = Array.isArray(f.visuals) ? f.visuals : null;
      const v = (doc().visuals || []).find((x) => !ids || ids.includes(x.id));
      dataset = v && v.dataset;
    }
    if (!dataset) return [];
    try {
      const data = await post('/api/v1/visuals/preview', {
        visual: { id: `values_${p.name}`, type: 'table', dataset, dimensions: [f.field], measures: [{ aggregation: 'count', alias: '_rows' }], sort: [{ field: f.field }] },
      });
      return data.rows.map((r) => r[0]).filter((v) => v !== null);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 403) throw e;
      return valuesFromVisual(p, f.field, dataset, e);
    }
  }

  // Readers may not run unsaved visuals: take the values from a saved visual grouped by the field
  // (with this parameter unset).
  async function valuesFromVisual(p, field, dataset, denied) {
    const v = (doc().visuals || []).find((x) => x.dataset === dataset && !x.drillDown
      && (x.dimensions || []).length && [x.dimensions[0]].map((d) => (typeof d === 'string' ? { field: d } : d))
        .every((d) => d.field === field && !d.granularity));
    if (!v) {
      throw new Error(`${denied.message} — so the choices of '${p.label || p.name}' cannot be listed; `
        + 'ask an author to add "values" to the parameter or a visual grouped by its field.');
    }
    const data = await post(`/api/v1/dashboards/${enc(id)}/visuals/${enc(v.id)}/data`, { parameters: { [p.name]: null } });
    const seen = new Set();
    const out = [];
    for (const r of data.rows) {
      if (r[0] !== null && !seen.has(String(r[0]))) { seen.add(String(r[0])); out.push(r[0]); }
    }
    return out.sort((a, b) => String(a).localeCompare(String(b)));
  }

  // ------------------------------------------------------------------ menu actions and export

  function downloadCsv(v) {
    const url = `/api/v1/dashboards/${enc(id)}/visuals/${enc(v.id)}/data.csv?state=${enc(JSON.stringify(requestFor(v)))}`;
    download(url, `${v.id}.csv`);
  }

  async function toggleInsights(v) {
    const view = views.get(v.id);
    view.insights = !view.insights;
    const item = view.menu.querySelector('.menu-insights');
    if (item) item.textContent = view.insights ? 'Hide insights' : 'Show insights';
    if (!view.insights) { reloadOne(view); return; }
    if (view.pending) return; // the load in flight shows the insights when its data arrives
    const start = performance.now();
    const gen = view.gen;
    const before = view.section.dataset.state;
    view.section.dataset.state = 'loading';
    root.dataset.state = 'loading';
    await showInsights(view, gen);
    if (!current(view, gen)) return; // a newer load (or none: the view is gone) owns the state
    view.section.dataset.state = before === 'error' ? 'error' : 'ready';
    finish(start);
  }

  /**
   * Shows the insights of view's load gen: a reply that arrives after the insights were turned off,
   * after a newer load started or after the view was removed is dropped.
   */
  async function showInsights(view, gen) {
    const v = view.visual;
    // The server's insights follow the visual's own first dimension, not the drill level.
    const first = (v.dimensions || [])[0];
    const dim = typeof first === 'string' ? { field: first } : first;
    if (state.drill[v.id]) {
      view.narrative.hidden = false;
      view.narrative.replaceChildren(el('span', { class: 'muted' }, 'Insights cover the top level of the drill-down; go back up to see them.'));
      return;
    }
    if (!dim || !dim.granularity) {
      view.narrative.hidden = false;
      view.narrative.replaceChildren(el('span', { class: 'muted' }, 'Insights need a date dimension with a granularity (year, month, day…).'));
      return;
    }
    try {
      const { drill, ...body } = requestFor(v);
      const ins = await post(`/api/v1/dashboards/${enc(id)}/visuals/${enc(v.id)}/insights`, body);
      if (!current(view, gen) || !view.insights) return;
      if (view.handle && view.handle.chart) {
        const fmt = numberFormatter((v.options || {}).format || v.format);
        view.handle.setOption({ ...view.handle.baseOption(), ...insightsOption(ins, dim.granularity, fmt) });
      }
      view.narrative.hidden = false;
      view.narrative.replaceChildren(el('strong', {}, 'Insight: '), ins.narrative || 'No notable change.');
    } catch (e) {
      if (!current(view, gen) || !view.insights) return;
      view.narrative.hidden = false;
      view.narrative.replaceChildren(errorBox(e));
    }
  }

  function currentState() {
    return { parameters: state.parameters, filters: state.filters, drill: state.drill };
  }

  async function exportFile(format) {
    const box = root.exportError;
    box.replaceChildren(el('span', { class: 'muted' }, `Exporting ${format.toUpperCase()}…`));
    const url = `/api/v1/dashboards/${enc(id)}/export.${format}?state=${enc(JSON.stringify(currentState()))}`;
    try {
      downloadBlob(await getBlob(url), `${id}.${format}`);
      box.replaceChildren();
    } catch (e) {
      box.replaceChildren(errorBox(e));
    }
  }

  function writeUrl() {
    const s = JSON.stringify(currentState());
    const params = new URLSearchParams();
    params.set('s', s);
    if (sheet && sheets().length > 1 && sheet !== sheets()[0].id) params.set('sheet', sheet);
    if (print) params.set('print', '1');
    history.replaceState(null, '', `#/dashboards/${enc(id)}?${params.toString()}`);
  }
}

const FILTER_TYPES = new Set(['equals', 'in', 'range', 'dateRange', 'contains', 'topValues']);

function isScalar(v) {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** Why the URL filter f cannot be applied, or null when it has the shape its type needs. */
function filterProblem(f) {
  if (!f || typeof f !== 'object' || Array.isArray(f)) return `${JSON.stringify(f)} is not an object`;
  if (typeof f.field !== 'string' || !f.field) return `${JSON.stringify(f)} has no "field"`;
  const type = f.type === undefined ? 'equals' : f.type;
  const on = `the filter on '${f.field}'`;
  if (!FILTER_TYPES.has(type)) return `${on} has the unknown type ${JSON.stringify(type)}`;
  for (const k of ['label', 'dataset', 'source']) {
    if (f[k] !== undefined && typeof f[k] !== 'string') return `${on} has a "${k}" that is not text`;
  }
  const optional = (v, ok) => v === undefined || v === null || ok(v);
  switch (type) {
    case 'in':
      return Array.isArray(f.values) && f.values.every(isScalar) ? null : `${on} needs "values" as a list`;
    case 'range':
      return optional(f.min, Number.isFinite) && optional(f.max, Number.isFinite) ? null : `${on} needs numbers as "min" and "max"`;
    case 'dateRange': {
      const date = (v) => typeof v === 'string';
      return optional(f.from, date) && optional(f.to, date) ? null : `${on} needs dates as "from" and "to"`;
    }
    case 'topValues':
      return Number.isInteger(f.n) ? null : `${on} needs a whole number "n"`;
    default:
      return isScalar(f.value === undefined ? null : f.value) ? null : `${on} needs a single "value"`;
  }
}

/**
 * The URL state, or an empty one when s is missing or not JSON. Filters that do not have the shape
 * of their type are left out and described in ignored (the view shows them), so that a hand-edited
 * link opens the dashboard instead of breaking it.
 */
function readState(s) {
  const out = { parameters: {}, filters: [], drill: {}, ignored: [] };
  if (!s) return out;
  let j;
  try {
    j = JSON.parse(s);
  } catch (e) {
    out.ignored.push(`the state is not JSON (${e.message})`);
    return out;
  }
  if (!j || typeof j !== 'object') return out;
  if (j.parameters && typeof j.parameters === 'object' && !Array.isArray(j.parameters)) out.parameters = j.parameters;
  if (Array.isArray(j.filters)) {
    for (const f of j.filters) {
      const problem = filterProblem(f);
      if (problem) out.ignored.push(problem);
      else out.filters.push(f);
    }
  }
  if (j.drill && typeof j.drill === 'object') {
    for (const [k, v] of Object.entries(j.drill)) {
      if (v && Number.isInteger(v.level) && v.level > 0 && Array.isArray(v.path) && v.path.length === v.level
        && v.path.every(isScalar)) out.drill[k] = { level: v.level, path: v.path };
    }
  }
  return out;
}
