// The dashboard editor (#/dashboards/{id}/edit, #/dashboards/new/edit): a form over the dashboard's
// JSON document (name, refresh, sheets, parameters, filters, text blocks, visuals with their field
// wells and a live preview), a JSON tab that edits the same document as text, and the version
// history. The server validates the document; its messages (which name the path at fault, such as
// visuals[1].measures[0].column) are shown as they are, next to the visual they name.
import { api, get, post, enc } from '../api.js';
import { el, empty, resultTable, when, parseJsonText, downloadBlob } from '../ui.js';
import { drawVisual, isNumericType } from '../charts.js';

export const VISUAL_TYPES = ['bar', 'line', 'area', 'combo', 'pie', 'donut', 'scatter', 'bubble', 'histogram',
  'boxplot', 'heatmap', 'table', 'pivot', 'kpi', 'gauge'];
const GRANULARITIES = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute'];
const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'count_distinct', 'median', 'percentile', 'none'];
const FILTER_TYPES = ['equals', 'in', 'range', 'dateRange', 'contains', 'topValues'];
const CONTROLS = ['dropdown', 'multiselect', 'dateRange', 'numericRange', 'text'];
const PARAMETER_TYPES = ['string', 'number', 'date'];
const PREVIEW_ROWS = 200;
const PREVIEW_DELAY_MS = 500;


export function render(main, args) {
  const id = args[0];
  const isNew = !id || id === 'new';
  const root = el('div', { id: 'dashboard-editor', class: 'dashboard-editor', 'data-state': 'loading' });
  main.append(root);
  const timers = new Set();
  let stopped = false;

  let doc = null; // the document being edited
  let version = null; // the saved version it started from (null: new)
  let datasets = {}; // name → [{name, type}]
  let tab = 'form';
  let visualErrors = {}; // visual index → message from the last save

  const status = el('span', { id: 'ed-status', class: 'muted status' });
  const error = el('div', { id: 'ed-error', class: 'error', role: 'alert', hidden: true });
  const formPane = el('div', { id: 'ed-form', class: 'editor-form stack' });
  const jsonText = el('textarea', { id: 'ed-json-text', class: 'code-input json-text', spellcheck: 'false', rows: 30 });
  const jsonPane = el('div', { id: 'ed-json', class: 'card', hidden: true },
    el('p', { class: 'muted' }, 'The whole dashboard document. Edit it here or in the form; switching tabs carries the changes over.'),
    jsonText);
  const historyPane = el('div', { id: 'ed-history', class: 'stack', hidden: true });
  const tabs = {
    form: el('button', { id: 'ed-tab-form', class: 'active', onclick: () => switchTab('form') }, 'Form'),
    json: el('button', { id: 'ed-tab-json', onclick: () => switchTab('json') }, 'JSON'),
    history: el('button', { id: 'ed-tab-history', disabled: isNew ? true : null, onclick: () => switchTab('history') }, 'Version history'),
  };
  const title = el('h1', {}, isNew ? 'New dashboard' : `Edit dashboard ${id}`);
  const saveButton = el('button', { id: 'ed-save', class: 'primary', onclick: save }, 'Save');
  root.append(
    title,
    el('div', { class: 'toolbar' },
      el('div', { class: 'tabs editor-tabs' }, tabs.form, tabs.json, tabs.history),
      el('span', { class: 'spacer' }), status,
      el('button', { id: 'ed-export', onclick: exportJson }, 'Export JSON'),
      el('a', { id: 'ed-cancel', class: 'button-link', href: isNew ? '#/dashboards' : `#/dashboards/${enc(id)}` }, 'Cancel'),
      saveButton),
    error, formPane, jsonPane, historyPane);

  load();
  return {
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      disposePreviews(formPane);
    },
  };

  async function load() {
    try {
      const list = await get('/api/v1/datasets');
      if (stopped) return;
      datasets = Object.fromEntries(list.datasets.map((d) => [d.name, d.columns || []]));
      if (isNew) {
        doc = { id: '', name: '', refreshSeconds: 0, sheets: [], parameters: [], filters: [], texts: [], visuals: [] };
        version = null;
      } else {
        const r = await get(`/api/v1/dashboards/${enc(id)}`);
        if (stopped) return;
        doc = stripServerMembers(r.document);
        version = r.version;
        title.textContent = `Edit dashboard ${r.name}`;
        status.textContent = `version ${version}`;
      }
      renderForm();
      root.dataset.state = 'ready';
    } catch (e) {
      if (stopped) return;
      showError(e);
      root.dataset.state = 'error';
    }
  }

  function stripServerMembers(d) {
    const out = JSON.parse(JSON.stringify(d));
    delete out.version;
    delete out.savedAt;
    delete out.savedBy;
    return out;
  }

  function showError(e) {
    error.hidden = !e;
    error.replaceChildren(e ? e.message || String(e) : '');
  }

  function switchTab(next) {
    if (next === tab) return;
    if (tab === 'json') {
      try {
        doc = parseJsonText(jsonText.value, 'The dashboard JSON');
      } catch (e) {
        showError(e);
        return;
      }
    }
    showError(null);
    tab = next;
    for (const [name, button] of Object.entries(tabs)) button.classList.toggle('active', name === tab);
    formPane.hidden = tab !== 'form';
    jsonPane.hidden = tab !== 'json';
    historyPane.hidden = tab !== 'history';
    if (tab === 'json') jsonText.value = JSON.stringify(doc, null, 2);
    if (tab === 'form') renderForm();
    if (tab === 'history') renderHistory();
  }

  // ---------------------------------------------------------------- saving

  async function save() {
    showError(null);
    visualErrors = {};
    if (tab === 'json') {
      try {
        doc = parseJsonText(jsonText.value, 'The dashboard JSON');
      } catch (e) {
        showError(e);
        return;
      }
    }
    if (doc && typeof doc === 'object' && !Array.isArray(doc) && !doc.id && doc.name) doc.id = slug(doc.name);
    saveButton.disabled = true;
    status.textContent = 'Saving…';
    try {
      // A new dashboard is a POST, which the server refuses (409 DASHBOARD_EXISTS) when the id is taken.
      const saved = isNew ? await post('/api/v1/dashboards', doc)
        : await api('PUT', `/api/v1/dashboards/${enc(id)}?expectedVersion=${version}`, doc);
      // The user has left the editor meanwhile: the save stands, but do not pull them back.
      if (stopped) return;
      status.textContent = `Saved version ${saved.version}.`;
      location.hash = `#/dashboards/${enc(saved.id)}`;
    } catch (e) {
      if (stopped) return;
      status.textContent = '';
      showSaveError(e);
    } finally {
      saveButton.disabled = false;
    }
  }

  function showSaveError(e) {
    showError(e);
    if (e.status === 409 && e.code === 'DASHBOARD_EXISTS') {
      const taken = doc && typeof doc.id === 'string' ? doc.id : '';
      error.append(' Nothing was saved: change the Id above and save again',
        ...(taken ? [', or ', el('a', { id: 'ed-existing', href: `#/dashboards/${enc(taken)}/edit` }, `edit '${taken}'`), ' instead'] : []),
        '.');
      return;
    }
    if (e.status === 409) {
      error.append(' ', el('button', { id: 'ed-reload', onclick: reloadLatest }, 'Reload the latest version (drops your changes)'));
      return;
    }
    const m = /^visuals\[(\d+)\]/.exec(e.message || '');
    if (m) {
      // Show the message next to the visual it names (the document parsed, so the form can show it).
      visualErrors[Number(m[1])] = e.message;
      if (tab === 'form') renderForm();
      else switchTab('form');
      showError(e);
      const card = formPane.querySelector(`.visual-editor[data-index="${Number(m[1])}"]`);
      if (card) card.scrollIntoView({ block: 'nearest' });
    }
  }

  async function reloadLatest() {
    showError(null);
    root.dataset.state = 'loading';
    await load();
    if (stopped) return;
    if (tab === 'json') jsonText.value = JSON.stringify(doc, null, 2);
    if (tab === 'history') renderHistory();
  }

  async function exportJson() {
    try {
      const body = isNew ? { format: 'basin-dashboard/1', dashboard: currentDoc(), datasets: [] }
        : await get(`/api/v1/dashboards/${enc(id)}/export`);
      if (stopped) return;
      const name = (isNew ? currentDoc().id || 'dashboard' : id) + '.json';
      downloadBlob(new Blob([JSON.stringify(body, null, 2)], { type: 'application/json' }), name);
    } catch (e) {
      showError(e);
    }
  }

  function currentDoc() {
    return tab === 'json' ? parseJsonText(jsonText.value, 'The dashboard JSON') : doc;
  }

  // ---------------------------------------------------------------- history

  async function renderHistory() {
    historyPane.replaceChildren(el('div', { class: 'card' }, el('div', { class: 'muted' }, 'Loading versions…')));
    try {
      const { versions } = await get(`/api/v1/dashboards/${enc(id)}/versions`);
      if (stopped) return;
      const viewer = el('div', { id: 'ed-version-view' });
      const rows = versions.map((v) => el('tr', { class: 'version-row', 'data-version': v.version },
        el('td', { class: 'num' }, String(v.version)),
        el('td', {}, when(v.savedAt)),
        el('td', {}, v.savedBy || '—'),
        el('td', {}, v.name),
        el('td', { class: 'actions' },
          el('button', { class: 'version-open', onclick: () => openVersion(v.version, viewer) }, 'Open'),
          v.version === version ? el('span', { class: 'muted' }, ' current')
            : el('button', { class: 'version-restore', onclick: () => restore(v.version) }, 'Restore'))));
      historyPane.replaceChildren(
        el('div', { class: 'card' }, el('h2', {}, 'Saved versions'),
          el('table', { class: 'grid', id: 'ed-versions' },
            el('thead', {}, el('tr', {}, ['Version', 'Saved', 'By', 'Name', ''].map((h) => el('th', {}, h)))),
            el('tbody', {}, rows))),
        viewer);
    } catch (e) {
      historyPane.replaceChildren(el('div', { class: 'error' }, e.message));
    }
  }

  async function openVersion(n, viewer) {
    try {
      const r = await get(`/api/v1/dashboards/${enc(id)}/versions/${n}`);
      if (stopped) return;
      const text = el('textarea', { class: 'code-input json-text', readonly: true, rows: 24, id: 'ed-version-json' });
      text.value = JSON.stringify(r.document, null, 2);
      viewer.replaceChildren(el('div', { class: 'card' },
        el('h2', {}, `Version ${n} (read-only)`, el('span', { class: 'muted' }, ` saved ${when(r.savedAt)} by ${r.savedBy}`)), text));
    } catch (e) {
      viewer.replaceChildren(el('div', { class: 'error' }, e.message));
    }
  }

  async function restore(n) {
    if (!confirm(`Save version ${n}'s document as a new version of '${id}'?`)) return;
    showError(null);
    try {
      const old = await get(`/api/v1/dashboards/${enc(id)}/versions/${n}`);
      const saved = await api('PUT', `/api/v1/dashboards/${enc(id)}?expectedVersion=${version}`, stripServerMembers(old.document));
      if (stopped) return;
      doc = stripServerMembers(saved.document);
      version = saved.version;
      status.textContent = `Restored version ${n} as version ${saved.version}.`;
      renderHistory();
    } catch (e) {
      if (stopped) return;
      showSaveError(e);
    }
  }

  // ---------------------------------------------------------------- the form

  function renderForm() {
    if (tab !== 'form' || !doc) return;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    disposePreviews(formPane);
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      formPane.replaceChildren(el('div', { class: 'error' }, 'The document is not a JSON object; fix it in the JSON tab.'));
      return;
    }
    for (const key of ['sheets', 'parameters', 'filters', 'texts', 'visuals']) {
      if (!Array.isArray(doc[key])) doc[key] = [];
    }
    formPane.replaceChildren(
      generalCard(),
      parametersCard(),
      filtersCard(),
      el('div', { class: 'section-head' }, el('h2', {}, 'Visuals'), el('span', { class: 'spacer' }),
        el('button', { id: 'ed-add-visual', class: 'primary', onclick: addVisual }, '+ Add visual')),
      el('div', { id: 'ed-visuals', class: 'visual-editors' },
        doc.visuals.length ? doc.visuals.map((v, i) => visualCard(v, i)) : [empty('No visuals yet: add one.')]),
      textsCard());
  }

  function generalCard() {
    return el('div', { class: 'card' }, el('h2', {}, 'Dashboard'),
      el('div', { class: 'row-fields' },
        el('label', {}, 'Id', bound(doc, 'id', { id: 'ed-id', readonly: isNew ? null : true, placeholder: 'sales-overview (from the name when empty)', spellcheck: 'false' })),
        el('label', { class: 'grow' }, 'Name', bound(doc, 'name', { id: 'ed-name', placeholder: 'Sales overview' })),
        el('label', {}, 'Auto-refresh (seconds, 0 = off)', bound(doc, 'refreshSeconds', { id: 'ed-refresh', type: 'number', min: 0 }, toInt))),
      el('label', {}, 'Description', bound(doc, 'description', { id: 'ed-description' })),
      el('h3', {}, 'Sheets'),
      el('div', { id: 'ed-sheets', class: 'rows' }, doc.sheets.map((s, i) => el('div', { class: 'sheet-row row-fields' },
        bound(s, 'id', { class: 'sheet-id', placeholder: 'id', spellcheck: 'false' }),
        bound(s, 'name', { class: 'sheet-name grow', placeholder: 'name' }),
        removeButton(() => { doc.sheets.splice(i, 1); renderForm(); })))),
      el('button', { id: 'ed-add-sheet', onclick: () => { doc.sheets.push({ id: uniqueId('s', doc.sheets.map((s) => s.id)), name: `Sheet ${doc.sheets.length + 1}` }); renderForm(); } }, '+ Add sheet'));
  }

  function parametersCard() {
    return el('div', { class: 'card' }, el('h2', {}, 'Parameters'),
      el('p', { class: 'muted' }, 'Values the viewer chooses with a control; filters use them. The default applies until a viewer changes it.'),
      el('div', { id: 'ed-parameters', class: 'rows' }, doc.parameters.map((p, i) => el('div', { class: 'param-row row-fields' },
        el('label', {}, 'Name', bound(p, 'name', { class: 'p-name', spellcheck: 'false' })),
        el('label', {}, 'Type', choice(p, 'type', PARAMETER_TYPES, { class: 'p-type' }, 'string')),
        el('label', {}, 'Control', choice(p, 'control', CONTROLS, { class: 'p-control' }, 'dropdown')),
        el('label', { class: 'grow' }, 'Default', parameterValue(p, 'default', { class: 'p-default' })),
        el('label', { class: 'grow' }, 'Choices (comma-separated, optional)', listInput(p, 'values', { class: 'p-values' })),
        removeButton(() => { doc.parameters.splice(i, 1); renderForm(); })))),
      el('button', { id: 'ed-add-parameter', onclick: () => { doc.parameters.push({ name: uniqueId('param', doc.parameters.map((p) => p.name)).replace('-', '_'), control: 'dropdown' }); renderForm(); } }, '+ Add parameter'));
  }

  function filtersCard() {
    const allColumns = [...new Set(Object.values(datasets).flat().map((c) => c.name))];
    const listId = 'ed-all-columns';
    return el('div', { class: 'card' }, el('h2', {}, 'Filters'),
      el('p', { class: 'muted' }, 'A filter restricts the visuals it targets (all visuals when none is ticked), with a fixed value or a parameter\'s value.'),
      el('datalist', { id: listId }, allColumns.map((c) => el('option', { value: c }))),
      el('div', { id: 'ed-filters', class: 'rows' }, doc.filters.map((f, i) => {
        const values = el('span', { class: 'filter-values row-fields' });
        const showValues = () => values.replaceChildren(...(f.parameter ? [el('span', { class: 'muted' }, `value from parameter ${f.parameter}`)] : filterValueInputs(f)));
        showValues();
        return el('div', { class: 'filter-row' },
          el('div', { class: 'row-fields' },
            el('label', {}, 'Id', bound(f, 'id', { class: 'f-id', spellcheck: 'false' })),
            el('label', {}, 'Field', bound(f, 'field', { class: 'f-field', list: listId, spellcheck: 'false' })),
            el('label', {}, 'Type', choice(f, 'type', FILTER_TYPES, { class: 'f-type' }, 'equals', showValues)),
            el('label', {}, 'Parameter', choice(f, 'parameter', doc.parameters.map((p) => p.name), { class: 'f-parameter' }, '', showValues, '— none —')),
            values,
            removeButton(() => { doc.filters.splice(i, 1); renderForm(); })),
          el('div', { class: 'f-targets' }, 'Targets: ', doc.visuals.map((v) => el('label', { class: 'check' },
            el('input', {
              type: 'checkbox', class: 'f-target', value: v.id,
              checked: Array.isArray(f.visuals) && f.visuals.includes(v.id) ? true : null,
              onchange: (ev) => {
                const set = new Set(Array.isArray(f.visuals) ? f.visuals : []);
                if (ev.target.checked) set.add(v.id); else set.delete(v.id);
                if (set.size) f.visuals = doc.visuals.map((x) => x.id).filter((x) => set.has(x)); else delete f.visuals;
                refreshSoon();
              },
            }), ' ', v.id))));
      })),
      el('button', { id: 'ed-add-filter', onclick: () => { doc.filters.push({ id: uniqueId('f', doc.filters.map((f) => f.id)), field: '', type: 'equals' }); renderForm(); } }, '+ Add filter'));
  }

  function filterValueInputs(f) {
    const lab = (text, input) => el('label', {}, text, input);
    switch (f.type || 'equals') {
      case 'in': return [lab('Values (comma-separated)', listInput(f, 'values', { class: 'f-value' }))];
      case 'range': return [lab('Min', parameterValue(f, 'min', { class: 'f-min' })), lab('Max', parameterValue(f, 'max', { class: 'f-max' }))];
      case 'dateRange': return [lab('From', bound(f, 'from', { class: 'f-from', type: 'date' })), lab('To', bound(f, 'to', { class: 'f-to', type: 'date' }))];
      case 'topValues': return [lab('N', bound(f, 'n', { class: 'f-n', type: 'number', min: 1 }, toInt))];
      default: return [lab('Value', bound(f, 'value', { class: 'f-value' }))];
    }
  }

  function textsCard() {
    return el('div', { class: 'card' }, el('h2', {}, 'Text blocks'),
      el('div', { id: 'ed-texts', class: 'rows' }, doc.texts.map((t, i) => {
        const text = el('textarea', { class: 't-text code-input', rows: 3, placeholder: 'Markdown text' });
        text.value = t.text || '';
        text.addEventListener('input', () => { t.text = text.value; });
        return el('div', { class: 'text-row' },
          el('div', { class: 'row-fields' },
            el('label', {}, 'Id', bound(t, 'id', { class: 't-id', spellcheck: 'false' })),
            doc.sheets.length ? el('label', {}, 'Sheet', choice(t, 'sheet', doc.sheets.map((s) => s.id), { class: 't-sheet' }, '', null, '— first —')) : null,
            el('label', {}, 'Width (of 12)', layoutInput(t, 'w', 't-w')),
            el('label', {}, 'Height', layoutInput(t, 'h', 't-h')),
            removeButton(() => { doc.texts.splice(i, 1); renderForm(); })),
          text);
      })),
      el('button', { id: 'ed-add-text', onclick: () => { doc.texts.push({ id: uniqueId('text', allIds()), text: '' }); renderForm(); } }, '+ Add text block'));
  }

  function allIds() {
    return [...doc.visuals.map((v) => v.id), ...doc.texts.map((t) => t.id)];
  }

  function addVisual() {
    const dataset = Object.keys(datasets)[0] || '';
    const cols = datasets[dataset] || [];
    const dim = cols.find((c) => !isNumericType(c.type)) || cols[0];
    doc.visuals.push({
      id: uniqueId('v', allIds()), type: 'bar', dataset,
      dimensions: dim ? [dim.name] : [], measures: [{ aggregation: 'count' }],
      layout: { w: 6, h: 4 },
    });
    renderForm();
    const cards = formPane.querySelectorAll('.visual-editor');
    if (cards.length) cards[cards.length - 1].scrollIntoView({ block: 'nearest' });
  }

  // ---------------------------------------------------------------- one visual

  function visualCard(v, index) {
    const preview = el('div', { class: 'v-preview', 'data-state': 'loading' });
    const vError = el('div', { class: 'error visual-error', role: 'alert', hidden: visualErrors[index] ? null : true }, visualErrors[index] || '');
    const card = el('section', { class: 'card visual-editor', 'data-index': index, 'data-visual-id': v.id || '' });
    const refresh = () => schedulePreview(v, preview, vError, card);
    const cols = datasets[v.dataset] || [];
    const colNames = cols.map((c) => c.name);
    const rerender = () => {
      if (card.previewTimer) {
        clearTimeout(card.previewTimer);
        timers.delete(card.previewTimer);
      }
      disposePreviews(card);
      card.replaceWith(visualCard(v, index));
    };
    if (!Array.isArray(v.dimensions)) v.dimensions = [];
    if (!Array.isArray(v.measures)) v.measures = [];

    const move = (delta) => {
      const j = index + delta;
      if (j < 0 || j >= doc.visuals.length) return;
      [doc.visuals[index], doc.visuals[j]] = [doc.visuals[j], doc.visuals[index]];
      renderForm();
    };
    const idInput = bound(v, 'id', { class: 'v-id', spellcheck: 'false' }, null, refresh);
    const oldId = v.id;
    idInput.addEventListener('change', () => {
      // Keep the filters that target this visual pointing at it.
      for (const f of doc.filters) {
        if (Array.isArray(f.visuals)) f.visuals = f.visuals.map((x) => (x === oldId ? v.id : x));
      }
      renderForm();
    });

    const options = v.options && typeof v.options === 'object' ? v.options : {};
    const optionsCheck = (key, label) => el('label', { class: 'check' }, el('input', {
      type: 'checkbox', class: `v-opt-${key}`, checked: options[key] ? true : null,
      onchange: (ev) => { setOption(v, key, ev.target.checked || undefined); refresh(); },
    }), ` ${label}`);

    const fieldSelect = (obj, key, cls, allowEmpty, onChange) => choice(obj, key, colNames, { class: cls }, '', () => { if (onChange) onChange(); refresh(); }, allowEmpty);

    const dimensions = el('div', { class: 'rows' }, v.dimensions.map((raw, i) => {
      const d = typeof raw === 'string' ? { field: raw } : { ...raw };
      const write = () => { v.dimensions[i] = d.granularity || d.alias ? compact(d) : d.field; };
      return el('div', { class: 'dim-row row-fields' },
        fieldSelect(d, 'field', 'dim-field', null, write),
        choice(d, 'granularity', GRANULARITIES, { class: 'dim-granularity' }, '', () => { write(); refresh(); }, 'no date granularity'),
        bound(d, 'alias', { class: 'dim-alias', placeholder: 'alias' }, null, () => { write(); refresh(); }),
        removeButton(() => { v.dimensions.splice(i, 1); rerender(); }));
    }));
    const levels = v.drillDown && Array.isArray(v.drillDown.levels) ? v.drillDown.levels : [];
    const drill = el('div', { class: 'rows' }, levels.map((raw, i) => {
      const d = typeof raw === 'string' ? { field: raw } : { ...raw };
      const write = () => { levels[i] = d.granularity ? compact(d) : d.field; };
      return el('div', { class: 'drill-row row-fields' }, el('span', { class: 'muted' }, `${i + 1}.`),
        fieldSelect(d, 'field', 'drill-field', null, write),
        choice(d, 'granularity', GRANULARITIES, { class: 'drill-granularity' }, '', () => { write(); refresh(); }, 'no date granularity'),
        removeButton(() => { levels.splice(i, 1); if (!levels.length) delete v.drillDown; rerender(); }));
    }));
    const measures = el('div', { class: 'rows' }, v.measures.map((m, i) => el('div', { class: 'measure-row row-fields' },
      fieldSelect(m, 'column', 'm-column', '(rows)'),
      choice(m, 'aggregation', AGGREGATIONS, { class: 'm-aggregation' }, m.column ? 'sum' : 'count', () => { rerender(); }),
      m.aggregation === 'percentile' ? bound(m, 'percentile', { class: 'm-percentile', type: 'number', step: '0.01', min: 0, max: 1, placeholder: '0.9' }, toNumber, refresh) : null,
      bound(m, 'alias', { class: 'm-alias', placeholder: 'alias' }, null, refresh),
      removeButton(() => { v.measures.splice(i, 1); rerender(); }))));
    const sortList = Array.isArray(v.sort) ? v.sort : [];
    const outputs = outputNames(v);
    const sortListId = `ed-outputs-${index}`;
    const sorts = el('div', { class: 'rows' }, el('datalist', { id: sortListId }, outputs.map((o) => el('option', { value: o }))),
      sortList.map((s, i) => el('div', { class: 'sort-row row-fields' },
        bound(s, 'field', { class: 's-field', list: sortListId, placeholder: 'output column' }, null, refresh),
        choice(s, 'direction', ['asc', 'desc'], { class: 's-direction' }, 'asc', refresh),
        removeButton(() => { sortList.splice(i, 1); if (!sortList.length) delete v.sort; rerender(); }))));
    const topN = v.topN && typeof v.topN === 'object' ? v.topN : {};
    const topNInput = el('input', { class: 'v-topn', type: 'number', min: 1, value: topN.n || '', placeholder: 'all' });
    const topNBy = el('input', { class: 'v-topn-by', list: sortListId, value: topN.by || '', placeholder: 'by (first measure)' });
    const topNOther = el('input', { type: 'checkbox', class: 'v-topn-other', checked: topN.other ? true : null });
    const writeTopN = () => {
      const n = toInt(topNInput.value);
      if (!n) delete v.topN;
      else v.topN = compact({ n, by: topNBy.value.trim(), other: topNOther.checked || undefined });
      refresh();
    };
    topNInput.addEventListener('input', writeTopN);
    topNBy.addEventListener('input', writeTopN);
    topNOther.addEventListener('change', writeTopN);

    const typeSpecific = [];
    if (v.type === 'histogram') {
      const bins = v.bins && typeof v.bins === 'object' ? v.bins : (v.bins = { count: 20 });
      typeSpecific.push(el('div', { class: 'row-fields' }, el('label', {}, 'Bin field', fieldSelect(bins, 'field', 'v-bins-field', '—')),
        el('label', {}, 'Bins', bound(bins, 'count', { class: 'v-bins-count', type: 'number', min: 1, max: 1000 }, toInt, refresh))));
    }
    if (v.type === 'kpi') {
      const cmp = v.comparison && typeof v.comparison === 'object' ? { ...v.comparison } : {};
      const write = () => { if (cmp.field) v.comparison = compact(cmp); else delete v.comparison; };
      typeSpecific.push(el('div', { class: 'row-fields' },
        el('label', {}, 'Compare by date field', fieldSelect(cmp, 'field', 'v-cmp-field', '— no comparison —', write)),
        el('label', {}, 'Period', choice(cmp, 'period', GRANULARITIES, { class: 'v-cmp-period' }, 'month', () => { write(); refresh(); }))));
    }

    card.append(
      el('div', { class: 'visual-head' },
        el('strong', {}, `${index + 1}. `, v.title || v.id || 'visual'), el('span', { class: 'muted' }, ` ${v.type || ''}`),
        el('span', { class: 'spacer' }),
        el('button', { class: 'ghost v-up', title: 'Move up', disabled: index === 0 ? true : null, onclick: () => move(-1) }, '↑'),
        el('button', { class: 'ghost v-down', title: 'Move down', disabled: index === doc.visuals.length - 1 ? true : null, onclick: () => move(1) }, '↓'),
        el('button', { class: 'ghost v-remove', title: 'Remove this visual', onclick: () => {
          doc.visuals.splice(index, 1);
          for (const f of doc.filters) {
            if (Array.isArray(f.visuals)) {
              f.visuals = f.visuals.filter((x) => x !== v.id);
              if (!f.visuals.length) delete f.visuals;
            }
          }
          renderForm();
        } }, 'Remove')),
      vError,
      el('div', { class: 'visual-body' },
        el('div', { class: 'visual-fields' },
          el('div', { class: 'row-fields' },
            el('label', {}, 'Id', idInput),
            el('label', {}, 'Type', choice(v, 'type', VISUAL_TYPES, { class: 'v-type' }, 'bar', rerender)),
            el('label', {}, 'Dataset', choice(v, 'dataset', Object.keys(datasets), { class: 'v-dataset' }, '', rerender, '— choose —')),
            doc.sheets.length ? el('label', {}, 'Sheet', choice(v, 'sheet', doc.sheets.map((s) => s.id), { class: 'v-sheet' }, '', null, '— first —')) : null),
          el('div', { class: 'row-fields' },
            el('label', { class: 'grow' }, 'Title', bound(v, 'title', { class: 'v-title' }, null, refresh)),
            el('label', {}, 'Number format', optionInput(v, 'format', { class: 'v-format', placeholder: '0,0.00 · percent · currency' }, refresh)),
            el('label', {}, 'Width (of 12)', layoutInput(v, 'w', 'v-w')),
            el('label', {}, 'Height', layoutInput(v, 'h', 'v-h'))),
          ['bar', 'area', 'combo'].includes(v.type) ? el('div', { class: 'row-fields' }, optionsCheck('stacked', 'stacked'), v.type === 'bar' ? optionsCheck('horizontal', 'horizontal') : null) : null,
          el('h3', {}, 'Dimensions'), dimensions,
          el('button', { class: 'v-add-dimension', onclick: () => { v.dimensions.push(colNames.find((c) => !v.dimensions.includes(c)) || colNames[0] || ''); rerender(); } }, '+ Dimension'),
          el('h3', {}, 'Measures'), measures,
          el('button', { class: 'v-add-measure', onclick: () => { const c = cols.find((x) => isNumericType(x.type)); v.measures.push(c ? { column: c.name, aggregation: 'sum' } : { aggregation: 'count' }); rerender(); } }, '+ Measure'),
          typeSpecific,
          el('h3', {}, 'Sort and top-N'), sorts,
          el('div', { class: 'row-fields' },
            el('button', { class: 'v-add-sort', onclick: () => { v.sort = [...sortList, { field: outputs[outputs.length - 1] || '', direction: 'desc' }]; rerender(); } }, '+ Sort'),
            el('label', {}, 'Top N', topNInput), el('label', {}, 'By', topNBy), el('label', { class: 'check' }, topNOther, ' group the rest as “Other”')),
          el('h3', {}, 'Drill-down levels'),
          el('p', { class: 'muted' }, 'At least two, e.g. order date by year → month → day.'), drill,
          el('button', { class: 'v-add-level', onclick: () => {
            if (!v.drillDown || !Array.isArray(v.drillDown.levels)) v.drillDown = { levels: [] };
            const first = v.dimensions[0];
            const field = first ? (typeof first === 'string' ? first : first.field) : colNames[0] || '';
            const used = v.drillDown.levels.map((l) => (typeof l === 'string' ? '' : l.granularity || ''));
            const g = ['year', 'month', 'day'].find((x) => !used.includes(x));
            v.drillDown.levels.push(g ? { field, granularity: g } : field);
            rerender();
          } }, '+ Level')),
        el('div', { class: 'visual-preview-pane' }, el('div', { class: 'muted small' }, 'Preview'), preview)));
    refresh();
    return card;
  }

  function schedulePreview(v, preview, vError, card) {
    if (card.previewTimer) {
      clearTimeout(card.previewTimer);
      timers.delete(card.previewTimer);
    }
    preview.dataset.state = 'loading';
    card.previewTimer = setTimeout(() => {
      timers.delete(card.previewTimer);
      runPreview(v, preview, vError, card);
    }, PREVIEW_DELAY_MS);
    timers.add(card.previewTimer);
  }

  async function runPreview(v, preview, vError, card) {
    const seq = (card.previewSeq = (card.previewSeq || 0) + 1);
    const parameters = {};
    for (const p of doc.parameters) if (p.name && p.default !== undefined) parameters[p.name] = p.default;
    const filters = doc.filters.filter((f) => f.field && (Array.isArray(f.visuals) ? f.visuals.includes(v.id)
      : !f.dataset || f.dataset === v.dataset));
    try {
      const data = await post('/api/v1/visuals/preview', { visual: v, parameters, filters });
      // A card that was re-rendered or removed meanwhile is detached: drawing there would leak a chart.
      if (stopped || seq !== card.previewSeq || !card.isConnected) return;
      if (!visualErrors[Number(card.dataset.index)]) vError.hidden = true;
      renderPreview(preview, v, data);
      preview.dataset.state = 'ready';
    } catch (e) {
      if (stopped || seq !== card.previewSeq || !card.isConnected) return;
      vError.hidden = false;
      // A message from the last save names the document path; keep it rather than the preview's.
      if (!visualErrors[Number(card.dataset.index)]) vError.textContent = e.message;
      preview.drawn?.dispose();
      preview.drawn = null;
      preview.replaceChildren(el('div', { class: 'muted' }, 'No preview: see the message above.'));
      preview.dataset.state = 'error';
    }
  }

  // ---------------------------------------------------------------- small form helpers

  /** An input bound to obj[key]: typing updates the document (an empty value removes the key). */
  function bound(obj, key, attrs = {}, convert = null, onChange = null) {
    const value = obj[key];
    const input = el('input', { ...attrs, value: value === undefined || value === null ? '' : String(value) });
    input.addEventListener('input', () => {
      const v = convert ? convert(input.value) : input.value;
      if (v === undefined || v === '' || v === null) delete obj[key];
      else obj[key] = v;
      if (onChange) onChange();
    });
    return input;
  }

  /** A select bound to obj[key]; `empty` adds a first option that removes the key. */
  function choice(obj, key, values, attrs, fallback, onChange = null, emptyLabel = null) {
    const current = obj[key] === undefined || obj[key] === null ? '' : String(obj[key]);
    const all = [...values];
    if (current && !all.includes(current)) all.push(current); // keep what the document says, even if unknown
    const select = el('select', attrs,
      emptyLabel !== null ? el('option', { value: '' }, emptyLabel) : null,
      all.map((x) => el('option', { value: x }, x)));
    select.value = current || (emptyLabel !== null ? '' : fallback);
    select.addEventListener('change', () => {
      if (select.value === '' || (emptyLabel === null && select.value === fallback && obj[key] === undefined)) delete obj[key];
      else obj[key] = select.value;
      if (onChange) onChange();
    });
    return select;
  }

  /** A comma-separated list bound to obj[key] as an array. */
  function listInput(obj, key, attrs) {
    const input = el('input', { ...attrs, value: Array.isArray(obj[key]) ? obj[key].join(', ') : (obj[key] ?? '') });
    input.addEventListener('input', () => {
      const items = input.value.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length) obj[key] = items; else delete obj[key];
      refreshSoon();
    });
    return input;
  }

  /** A parameter default or range bound: numbers stay numbers, lists and objects are JSON. */
  function parameterValue(obj, key, attrs) {
    const v = obj[key];
    const input = el('input', { ...attrs, value: v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v) });
    input.addEventListener('input', () => {
      const text = input.value;
      if (text === '') delete obj[key];
      else if (/^\s*[[{]/.test(text)) {
        try { obj[key] = JSON.parse(text); } catch (e) { obj[key] = text; }
      } else if (obj.control === 'multiselect') obj[key] = text.split(',').map((s) => s.trim()).filter(Boolean);
      else if ((obj.type === 'number' || 'min' in obj || 'max' in obj || key === 'min' || key === 'max') && text.trim() !== '' && !isNaN(Number(text))) obj[key] = Number(text);
      else obj[key] = text;
      refreshSoon();
    });
    return input;
  }

  function optionInput(v, key, attrs, onChange) {
    const input = el('input', { ...attrs, value: v.options && v.options[key] !== undefined ? String(v.options[key]) : '' });
    input.addEventListener('input', () => { setOption(v, key, input.value || undefined); onChange(); });
    return input;
  }

  function layoutInput(item, key, cls) {
    const input = el('input', { class: cls, type: 'number', min: 1, max: key === 'w' ? 12 : 40, value: item.layout && item.layout[key] ? item.layout[key] : '' });
    input.addEventListener('input', () => {
      const n = toInt(input.value);
      const layout = item.layout && typeof item.layout === 'object' ? item.layout : {};
      if (n) layout[key] = n; else delete layout[key];
      if (Object.keys(layout).length) item.layout = layout; else delete item.layout;
    });
    return input;
  }

  function removeButton(onclick) {
    return el('button', { class: 'ghost row-remove', title: 'Remove', onclick }, '✕');
  }

  function refreshSoon() {
    const t = setTimeout(() => { timers.delete(t); refreshPreviewsOnly(); }, PREVIEW_DELAY_MS);
    timers.add(t);
  }

  // Parameters and filters change every visual's data: re-run the previews without rebuilding inputs.
  function refreshPreviewsOnly() {
    formPane.querySelectorAll('.visual-editor').forEach((card) => {
      const v = doc.visuals[Number(card.dataset.index)];
      if (v) runPreview(v, card.querySelector('.v-preview'), card.querySelector('.visual-error'), card);
    });
  }
}

function setOption(v, key, value) {
  const options = v.options && typeof v.options === 'object' ? v.options : {};
  if (value === undefined) delete options[key]; else options[key] = value;
  if (Object.keys(options).length) v.options = options; else delete v.options;
}

/** Disposes the preview charts (ECharts instances and their resize observers) under node. */
function disposePreviews(node) {
  for (const p of node.querySelectorAll('.v-preview')) {
    p.drawn?.dispose();
    p.drawn = null;
  }
}

/** The preview of one visual's data: a chart where the type has one, the rows as a table. */
function renderPreview(container, v, data) {
  const notes = [el('span', {}, `${data.rowCount} row${data.rowCount === 1 ? '' : 's'} · ${data.serverMillis} ms${data.cached ? ' · cached' : ''}`)];
  if (data.truncated) {
    notes.push(el('div', { class: 'truncated-note' },
      `Truncated: the result has more than ${data.rowLimit} rows and only the first ${data.rowLimit} are shown to the visual. Narrow it with a filter or a top-N.`));
  }
  const rows = data.rows.slice(0, PREVIEW_ROWS);
  container.drawn?.dispose();
  container.drawn = null;
  const parts = [el('div', { class: 'muted small preview-notes' }, notes)];
  // Tables and pivots are the grid below; every other type is drawn as the dashboard draws it.
  const chart = ['table', 'pivot'].includes(v.type) ? null : el('div', { class: 'v-chart' });
  if (chart) parts.push(chart);
  parts.push(el('div', { class: 'grid-wrap preview-grid' }, resultTable(data.columns, rows)));
  if (data.rows.length > rows.length) parts.push(el('div', { class: 'muted small' }, `First ${rows.length} of ${data.rowCount} rows shown here.`));
  container.replaceChildren(...parts);
  if (chart) {
    try {
      container.drawn = drawVisual(chart, { visual: v, data, drillLevel: 0, print: false });
    } catch (e) {
      chart.replaceChildren(el('div', { class: 'error' }, `The chart cannot be drawn: ${e.message}`));
    }
  }
}

/** The names of a visual's output columns (dimensions then measures), as sort and top-N use them. */
function outputNames(v) {
  const out = [];
  for (const d of v.dimensions || []) {
    if (typeof d === 'string') out.push(d);
    else if (d && d.field) out.push(d.alias || (d.granularity ? `${d.field}_${d.granularity}` : d.field));
  }
  for (const m of v.measures || []) {
    if (m.alias) out.push(m.alias);
    else if (!m.column) out.push('count');
    else out.push((m.aggregation || 'sum') === 'none' ? m.column : `${m.aggregation || 'sum'}_${m.column}`);
  }
  return [...new Set(out)];
}

function compact(o) {
  const out = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null && v !== '') out[k] = v;
  return out;
}

function toInt(text) {
  const n = parseInt(text, 10);
  return Number.isNaN(n) ? undefined : n;
}

function toNumber(text) {
  const n = Number(text);
  return text === '' || Number.isNaN(n) ? undefined : n;
}

function uniqueId(prefix, used) {
  const taken = new Set(used);
  for (let i = 1; ; i++) if (!taken.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

function slug(name) {
  return String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'dashboard';
}
