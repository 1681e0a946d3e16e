// Datasets: the rows dashboards are built over. A dataset reads a catalog table or one SQL query,
// adds calculated fields, may restrict rows per user (row-level security) and cache results.
// The server validates everything; its error messages are shown next to the form as they are.
import { api, get, post, del, enc } from '../api.js';
import { el, errorBox, empty, resultTable, parseJsonText } from '../ui.js';

const PREVIEW_ROWS = 100;

export function render(main, [name]) {
  const root = el('div', { class: 'datasets-page' });
  main.append(root);
  const list = el('ul', { id: 'dataset-list', class: 'list' });
  const detail = el('section', { id: 'dataset-detail', class: 'stack' });
  const newButton = el('button', { id: 'dataset-new', class: 'primary', onclick: () => openForm(null) }, 'New dataset');
  root.append(
    el('h1', {}, 'Datasets'),
    el('div', { class: 'layout' },
      el('aside', { class: 'card' }, el('div', { class: 'toolbar' }, el('h2', {}, 'Datasets'), el('span', { class: 'spacer' }), newButton), list),
      detail));

  let datasets = [];
  loadList();
  if (name) {
    get(`/api/v1/datasets/${enc(name)}`).then(openForm, (e) => detail.replaceChildren(errorBox(e)));
  } else {
    detail.replaceChildren(el('div', { class: 'card' }, empty('Choose a dataset, or create one with “New dataset”.')));
  }

  async function loadList() {
    try {
      ({ datasets } = await get('/api/v1/datasets'));
      list.replaceChildren(...(datasets.length ? datasets.map((d) => el('li', {
        class: d.name === name ? 'selected' : null,
        'data-dataset': d.name,
        title: d.table || d.sql,
        onclick: () => { location.hash = `#/datasets/${enc(d.name)}`; },
      }, d.name, el('span', { class: 'muted ds-source' }, d.table ? ` · ${d.table}` : ' · SQL'))) : [empty('No datasets yet.')]));
    } catch (e) {
      list.replaceChildren(errorBox(e));
    }
  }

  function openForm(existing) {
    detail.replaceChildren(datasetForm(existing, {
      saved: (d) => { location.hash = `#/datasets/${enc(d.name)}`; if (existing) { loadList(); openForm(d); } },
      deleted: () => { location.hash = '#/datasets'; },
    }));
  }
}

/** A label and one chip per column ({name, type}); nothing when there are no columns. */
function columnChips(label, columns) {
  if (!columns || !columns.length) return [];
  return [label, ...columns.map((c) => el('span', { class: 'column-chip', title: c.type }, c.name, el('small', {}, ` ${c.type}`)))];
}

/** The create/edit form of one dataset; `existing` is the dataset as the API returns it, or null. */
function datasetForm(existing, { saved, deleted }) {
  const d = existing || { name: '', calculatedFields: [] };
  const error = el('div', { id: 'ds-error', class: 'error', role: 'alert', hidden: true });
  const status = el('span', { id: 'ds-status', class: 'muted status' });

  const nameInput = el('input', { id: 'ds-name', value: d.name, placeholder: 'sales', spellcheck: 'false', readonly: existing ? true : null });
  const description = el('input', { id: 'ds-description', value: d.description || '', placeholder: 'What the rows are' });

  // Source: a catalog table (database → table) or one SQL query.
  const sourceKind = el('select', { id: 'ds-source-kind' },
    el('option', { value: 'table' }, 'Catalog table'), el('option', { value: 'sql' }, 'SQL query'));
  sourceKind.value = d.sql ? 'sql' : 'table';
  const [tableDb, tableName] = (d.table || '').includes('.') ? d.table.split('.') : ['', d.table || ''];
  const dbSelect = el('select', { id: 'ds-database' });
  const tableSelect = el('select', { id: 'ds-table' });
  const sourceColumns = el('div', { id: 'ds-source-columns', class: 'columns-list muted' });
  const sql = el('textarea', { id: 'ds-sql', class: 'code-input', rows: 6, spellcheck: 'false', placeholder: 'SELECT region, amount FROM shop.sales' });
  sql.value = d.sql || '';
  const tablePane = el('div', { class: 'ds-table-pane row-fields' },
    el('label', {}, 'Database', dbSelect), el('label', {}, 'Table', tableSelect));
  const sqlPane = el('div', { class: 'ds-sql-pane' }, el('label', {}, 'Query (one SELECT)', sql));
  const showSource = () => {
    tablePane.hidden = sourceKind.value !== 'table';
    sourceColumns.hidden = sourceKind.value !== 'table';
    sqlPane.hidden = sourceKind.value !== 'sql';
  };
  sourceKind.addEventListener('change', showSource);
  showSource();
  // Each database or table choice starts a new load; an answer to an older one is dropped, so
  // switching quickly never mixes two databases' tables or shows another table's columns.
  let sourceSeq = 0;
  loadDatabases();

  async function loadDatabases() {
    try {
      const { databases } = await get('/api/v1/catalog/databases');
      dbSelect.replaceChildren(el('option', { value: '' }, '— database —'), ...databases.map((x) => el('option', { value: x.name }, x.name)));
      if (tableDb) dbSelect.value = tableDb;
      await loadTables(tableName);
    } catch (e) {
      sourceColumns.replaceChildren(errorBox(e));
    }
  }

  async function loadTables(select) {
    const seq = ++sourceSeq;
    const db = dbSelect.value;
    const placeholder = el('option', { value: '' }, '— table —');
    tableSelect.replaceChildren(placeholder);
    sourceColumns.replaceChildren();
    if (!db) return;
    let tables;
    try {
      ({ tables } = await get(`/api/v1/catalog/databases/${enc(db)}/tables`));
    } catch (e) {
      if (seq === sourceSeq) sourceColumns.replaceChildren(errorBox(e));
      return;
    }
    if (seq !== sourceSeq) return;
    tableSelect.replaceChildren(placeholder, ...tables.map((t) => el('option', { value: t.name }, t.name)));
    if (select) tableSelect.value = select;
    await showColumns();
  }

  async function showColumns() {
    const seq = ++sourceSeq;
    const db = dbSelect.value;
    const table = tableSelect.value;
    sourceColumns.replaceChildren();
    if (!db || !table) return;
    try {
      const t = await get(`/api/v1/catalog/databases/${enc(db)}/tables/${enc(table)}`);
      if (seq !== sourceSeq) return;
      sourceColumns.replaceChildren(...columnChips('Columns: ', t.columns));
    } catch (e) {
      if (seq !== sourceSeq) return;
      sourceColumns.replaceChildren(errorBox(e));
    }
  }
  dbSelect.addEventListener('change', () => loadTables(null));
  tableSelect.addEventListener('change', showColumns);

  // Calculated fields: name + SQL expression rows.
  const calcRows = el('div', { id: 'ds-calculated', class: 'rows' });
  const addCalc = (f = { name: '', expression: '' }) => {
    const row = el('div', { class: 'calc-row row-fields' },
      el('input', { class: 'calc-name', value: f.name, placeholder: 'name', spellcheck: 'false' }),
      el('input', { class: 'calc-expr grow', value: f.expression, placeholder: 'SQL expression, e.g. amount * 1.2', spellcheck: 'false' }),
      el('button', { class: 'ghost calc-remove', title: 'Remove this field', onclick: () => row.remove() }, '✕'));
    calcRows.append(row);
  };
  (d.calculatedFields || []).forEach(addCalc);

  // Row-level security.
  const rls = d.rowLevelSecurity || null;
  const rlsEnabled = el('input', { type: 'checkbox', id: 'ds-rls-enabled', checked: rls ? true : null });
  const rlsColumn = el('input', { id: 'ds-rls-column', value: rls ? rls.column : '', placeholder: 'department', spellcheck: 'false' });
  const rlsRules = el('textarea', { id: 'ds-rls-rules', class: 'code-input', rows: 4, spellcheck: 'false', placeholder: '{"alice": ["Sales"], "bob": ["HR", "IT"]}' });
  rlsRules.value = rls && rls.rules && Object.keys(rls.rules).length ? JSON.stringify(rls.rules, null, 2) : '';
  const rlsTable = el('input', { id: 'ds-rls-table', value: rls && rls.ruleTable ? rls.ruleTable : '', placeholder: 'db.rules (columns user_name, value)', spellcheck: 'false' });
  const rlsAllowAll = el('input', { id: 'ds-rls-allow-all', value: rls && rls.allowAll ? rls.allowAll.join(', ') : '', placeholder: 'admin, auditor', spellcheck: 'false' });
  const rlsDefault = el('select', { id: 'ds-rls-default' }, el('option', { value: 'deny' }, 'no rows'), el('option', { value: 'all' }, 'all rows'));
  rlsDefault.value = rls && rls.default === 'all' ? 'all' : 'deny';
  const rlsBody = el('div', { class: 'rls-body' },
    el('div', { class: 'row-fields' }, el('label', {}, 'Column', rlsColumn), el('label', {}, 'Rule table', rlsTable)),
    el('label', {}, 'Rules (JSON: user → allowed values)', rlsRules),
    el('div', { class: 'row-fields' }, el('label', {}, 'Users who see all rows', rlsAllowAll), el('label', {}, 'Users without a rule see', rlsDefault)));
  const toggleRls = () => { rlsBody.hidden = !rlsEnabled.checked; };
  rlsEnabled.addEventListener('change', toggleRls);
  toggleRls();

  // Cache: kept as JSON so that new members (extract refresh) work without a form change.
  const cache = el('textarea', { id: 'ds-cache', class: 'code-input', rows: 3, spellcheck: 'false', placeholder: '{"maxAgeSeconds": 300}  (empty: no cache)' });
  cache.value = d.cache ? JSON.stringify(d.cache, null, 2) : '';

  const preview = el('div', { id: 'ds-preview', class: 'ds-preview' });
  const savedColumns = el('div', { id: 'ds-columns', class: 'columns-list muted' });
  const showSavedColumns = (cols) => savedColumns.replaceChildren(...columnChips('Dataset columns: ', cols));
  showSavedColumns(d.columns);

  function definition() {
    const out = { name: nameInput.value.trim() };
    if (description.value.trim()) out.description = description.value.trim();
    if (sourceKind.value === 'table') {
      if (!dbSelect.value || !tableSelect.value) throw new Error('Choose a database and a table for the source, or switch the source to a SQL query.');
      out.table = `${dbSelect.value}.${tableSelect.value}`;
    } else {
      out.sql = sql.value;
    }
    out.calculatedFields = [...calcRows.querySelectorAll('.calc-row')]
      .map((r) => ({ name: r.querySelector('.calc-name').value.trim(), expression: r.querySelector('.calc-expr').value }))
      .filter((f) => f.name || f.expression.trim());
    if (rlsEnabled.checked) {
      const r = { column: rlsColumn.value.trim(), default: rlsDefault.value };
      if (rlsRules.value.trim()) r.rules = parseJsonText(rlsRules.value, 'Row-level security rules');
      if (rlsTable.value.trim()) r.ruleTable = rlsTable.value.trim();
      const allowAll = rlsAllowAll.value.split(',').map((s) => s.trim()).filter(Boolean);
      if (allowAll.length) r.allowAll = allowAll;
      out.rowLevelSecurity = r;
    }
    if (cache.value.trim()) out.cache = parseJsonText(cache.value, 'Cache settings');
    return out;
  }

  const showError = (e) => {
    error.hidden = !e;
    error.textContent = e ? e.message || String(e) : '';
  };

  async function save() {
    showError(null);
    let body;
    try {
      body = definition();
    } catch (e) {
      showError(e);
      return;
    }
    saveButton.disabled = true;
    status.textContent = 'Saving…';
    try {
      const result = existing
        ? await api('PUT', `/api/v1/datasets/${enc(existing.name)}`, body)
        : await post('/api/v1/datasets', body);
      status.textContent = `Saved ${result.name}.`;
      showSavedColumns(result.columns);
      saved(result);
    } catch (e) {
      status.textContent = '';
      showError(e);
    } finally {
      saveButton.disabled = false;
    }
  }

  async function runPreview() {
    showError(null);
    const dsName = existing ? existing.name : nameInput.value.trim();
    preview.replaceChildren(el('div', { class: 'muted' }, 'Loading preview…'));
    try {
      const ds = await get(`/api/v1/datasets/${enc(dsName)}`);
      const visual = {
        id: 'preview', type: 'table', dataset: ds.name,
        measures: ds.columns.map((c) => ({ column: c.name, aggregation: 'none' })),
      };
      const data = await post('/api/v1/visuals/preview', { visual });
      const rows = data.rows.slice(0, PREVIEW_ROWS);
      preview.replaceChildren(
        el('div', { class: 'muted status' }, data.rowCount > rows.length
          ? `First ${rows.length} of ${data.rowCount} rows${data.truncated ? ' (more exist: the result was truncated)' : ''} · saved definition`
          : `${data.rowCount} rows · saved definition`),
        el('div', { class: 'grid-wrap' }, resultTable(data.columns, rows)));
    } catch (e) {
      preview.replaceChildren();
      showError(e);
    }
  }

  async function remove() {
    if (!confirm(`Delete dataset '${existing.name}'? Dashboards that use it must be changed first.`)) return;
    try {
      await del(`/api/v1/datasets/${enc(existing.name)}`);
      deleted();
    } catch (e) {
      showError(e);
    }
  }

  const saveButton = el('button', { id: 'ds-save', class: 'primary', onclick: save }, existing ? 'Save' : 'Create dataset');
  return el('div', { class: 'card dataset-form' },
    el('h2', {}, existing ? `Dataset ${existing.name}` : 'New dataset'),
    el('div', { class: 'row-fields' }, el('label', {}, 'Name', nameInput), el('label', { class: 'grow' }, 'Description', description)),
    el('h3', {}, 'Source'),
    el('label', {}, 'Read rows from', sourceKind),
    tablePane, sourceColumns, sqlPane,
    el('h3', {}, 'Calculated fields'),
    calcRows,
    el('button', { id: 'ds-add-field', onclick: () => addCalc() }, '+ Add field'),
    el('h3', {}, 'Row-level security'),
    el('label', { class: 'check' }, rlsEnabled, ' Restrict rows by the signed-in user'),
    rlsBody,
    el('h3', {}, 'Cache'),
    cache,
    error,
    el('div', { class: 'toolbar' }, saveButton,
      el('button', { id: 'ds-preview-button', disabled: existing ? null : true, title: existing ? 'Shows the saved definition' : 'Save the dataset first', onclick: runPreview }, 'Preview rows'),
      existing ? el('button', { id: 'ds-delete', class: 'danger', onclick: remove }, 'Delete') : null,
      status),
    savedColumns,
    preview);
}
