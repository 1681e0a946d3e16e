import { get, post, del, enc } from '../api.js';
import { el, errorBox, resultTable, empty, badge, when } from '../ui.js';
import { highlight } from '../sql-highlight.js';

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export function render(root) {
  let stopped = false;
  let execution = null;
  let pageTokens = [null];
  let pageIndex = 0;
  let lastPage = null;
  let chart = null;

  const textarea = el('textarea', { id: 'sql-input', spellcheck: 'false', 'aria-label': 'SQL' });
  const mirror = el('pre', { 'aria-hidden': 'true' });
  const sync = () => {
    mirror.innerHTML = highlight(textarea.value);
    mirror.scrollTop = textarea.scrollTop;
  };
  textarea.addEventListener('input', sync);
  textarea.addEventListener('scroll', () => { mirror.scrollTop = textarea.scrollTop; });
  textarea.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); run(); }
  });
  textarea.value = localStorage.getItem('basin.sql') || 'SELECT 42 AS answer';
  sync();

  const database = el('select', { id: 'sql-database', title: 'Default database' }, el('option', { value: '' }, '(no database)'));
  const pageSize = el('select', { id: 'page-size', title: 'Rows per page' },
    [10, 100, 1000].map((n) => el('option', { value: n, selected: n === 100 }, `${n} rows`)));
  const runButton = el('button', { id: 'run', class: 'primary', onclick: () => run() }, 'Run');
  const cancelButton = el('button', { id: 'cancel', disabled: true, onclick: () => cancel() }, 'Cancel');
  const saveButton = el('button', { id: 'save', onclick: () => save() }, 'Save…');
  const status = el('div', { id: 'query-status', class: 'status muted' }, 'Ctrl+Enter runs the query.');
  const prev = el('button', { id: 'prev-page', disabled: true, onclick: () => showPage(pageIndex - 1) }, '‹ Previous');
  const next = el('button', { id: 'next-page', disabled: true, onclick: () => showPage(pageIndex + 1) }, 'Next ›');
  const pageInfo = el('span', { id: 'page-info', class: 'muted' });
  const csv = el('a', { id: 'download-csv', hidden: true }, el('button', {}, 'Download CSV'));
  const tableTab = el('button', { id: 'tab-table', class: 'active', onclick: () => showTab('table') }, 'Results');
  const chartTab = el('button', { id: 'tab-chart', onclick: () => showTab('chart') }, 'Chart');
  const chartKind = el('select', { id: 'chart-kind', onchange: () => drawChart() },
    el('option', { value: 'bar' }, 'Bar'), el('option', { value: 'line' }, 'Line'));
  const gridHolder = el('div', { id: 'results', class: 'grid-wrap' }, empty('Run a query to see results.'));
  const chartHolder = el('div', { id: 'chart-panel', hidden: true },
    el('div', { class: 'toolbar' }, el('span', { class: 'muted' }, 'First column on the x axis, second on the y axis.'), el('span', { class: 'spacer' }), chartKind),
    el('div', { id: 'chart', class: 'chart' }));
  const history = el('ul', { id: 'history', class: 'list history' });
  const saved = el('ul', { id: 'saved-queries', class: 'list' });

  root.append(el('div', { class: 'layout' },
    el('aside', { class: 'stack' },
      el('div', { class: 'card' }, el('h2', {}, 'Saved queries'), saved),
      el('div', { class: 'card' }, el('h2', {}, 'History'), history)),
    el('section', { class: 'stack' },
      el('div', { class: 'card' },
        el('div', { class: 'editor' }, mirror, textarea),
        el('div', { class: 'toolbar' }, runButton, cancelButton, saveButton, database, el('span', { class: 'spacer' }), status)),
      el('div', { class: 'card' },
        el('div', { class: 'tabs' }, tableTab, chartTab),
        el('div', { id: 'table-panel' },
          el('div', { class: 'toolbar' }, prev, next, pageInfo, el('span', { class: 'spacer' }), pageSize, csv),
          gridHolder),
        chartHolder))));

  get('/api/v1/catalog/databases').then((r) => {
    for (const d of r.databases) database.append(el('option', { value: d.name }, d.name));
    database.value = localStorage.getItem('basin.database') || '';
  }).catch(() => {});
  database.addEventListener('change', () => localStorage.setItem('basin.database', database.value));
  loadHistory();
  loadSaved();

  function setStatus(...parts) {
    status.replaceChildren(...parts);
  }

  async function run() {
    const sql = textarea.value.trim();
    if (!sql) return;
    localStorage.setItem('basin.sql', textarea.value);
    runButton.disabled = true;
    cancelButton.disabled = false;
    setStatus('Submitting…');
    try {
      execution = await post('/api/v1/queries', { sql, database: database.value || undefined });
      while (!FINAL.has(execution.state) && !stopped) {
        setStatus(badge(execution.state), ` ${execution.id}`);
        execution = await get(`/api/v1/queries/${enc(execution.id)}?waitSeconds=1`);
      }
      if (stopped) return;
      showExecution();
    } catch (e) {
      setStatus(errorBox(e));
    } finally {
      runButton.disabled = false;
      cancelButton.disabled = true;
      loadHistory();
    }
  }

  async function cancel() {
    if (!execution) return;
    try {
      await del(`/api/v1/queries/${enc(execution.id)}`);
    } catch (e) {
      setStatus(errorBox(e));
    }
  }

  function showExecution() {
    const s = execution.statistics || {};
    if (execution.state !== 'SUCCEEDED') {
      setStatus(badge(execution.state));
      gridHolder.replaceChildren(errorBox({ message: (execution.error && execution.error.message) || execution.stateChangeReason || execution.state }));
      csv.hidden = true;
      return;
    }
    setStatus(badge('SUCCEEDED'), ` ${s.rows ?? 0} rows in ${s.totalMillis ?? 0} ms`);
    csv.href = `/api/v1/queries/${enc(execution.id)}/results.csv`;
    csv.setAttribute('download', `${execution.id}.csv`);
    csv.hidden = false;
    pageTokens = [null];
    showPage(0);
  }

  async function showPage(index) {
    if (!execution || index < 0 || index >= pageTokens.length) return;
    const size = Number(pageSize.value);
    const token = pageTokens[index];
    try {
      const page = await get(`/api/v1/queries/${enc(execution.id)}/results?maxResults=${size}` +
        (token ? `&nextToken=${enc(token)}` : ''));
      pageIndex = index;
      lastPage = page;
      if (page.nextToken) pageTokens[index + 1] = page.nextToken;
      else pageTokens.length = index + 1;
      const from = index * size + 1;
      pageInfo.textContent = page.rows.length
        ? `Rows ${from}–${from + page.rows.length - 1}` : 'No rows';
      prev.disabled = index === 0;
      next.disabled = !page.nextToken;
      gridHolder.replaceChildren(page.columns.length ? resultTable(page.columns, page.rows)
        : empty(page.updateCount >= 0 ? `${page.updateCount} rows changed.` : 'Done.'));
      if (!chartHolder.hidden) drawChart();
    } catch (e) {
      gridHolder.replaceChildren(errorBox(e));
    }
  }
  pageSize.addEventListener('change', () => { if (execution && execution.state === 'SUCCEEDED') { pageTokens = [null]; showPage(0); } });

  function showTab(which) {
    tableTab.classList.toggle('active', which === 'table');
    chartTab.classList.toggle('active', which === 'chart');
    document.getElementById('table-panel').hidden = which !== 'table';
    chartHolder.hidden = which !== 'chart';
    if (which === 'chart') drawChart();
  }

  function drawChart() {
    const target = document.getElementById('chart');
    if (!window.echarts) {
      target.replaceChildren(errorBox({ message: 'The chart library did not load.' }));
      return;
    }
    if (!lastPage || lastPage.columns.length < 2) {
      if (chart) { chart.dispose(); chart = null; }
      target.replaceChildren(empty('Charts need a result with at least two columns.'));
      return;
    }
    if (!chart) {
      target.replaceChildren();
      chart = window.echarts.init(target);
    }
    const [x, y] = lastPage.columns;
    chart.setOption({
      color: ['#2563eb'],
      tooltip: { trigger: 'axis' },
      grid: { left: 56, right: 24, top: 24, bottom: 40 },
      xAxis: { type: 'category', name: x.name, nameLocation: 'middle', nameGap: 28, data: lastPage.rows.map((r) => String(r[0])) },
      yAxis: { type: 'value', name: y.name },
      series: [{ type: chartKind.value, name: y.name, data: lastPage.rows.map((r) => r[1]), smooth: chartKind.value === 'line' }],
    }, true);
    chart.resize();
  }

  async function save() {
    const name = prompt('Name of the saved query');
    if (!name) return;
    try {
      await post('/api/v1/named-queries', { name, database: database.value || 'default', sql: textarea.value });
      loadSaved();
    } catch (e) {
      setStatus(errorBox(e));
    }
  }

  async function loadHistory() {
    try {
      const r = await get('/api/v1/queries?limit=20');
      history.replaceChildren(...(r.queries.length ? r.queries.map((q) => el('li', {
        title: `${q.state} · ${when(q.submittedAt)}`,
        onclick: () => { textarea.value = q.query; sync(); },
      }, q.query)) : [empty('No queries yet.')]));
    } catch (e) {
      history.replaceChildren(errorBox(e));
    }
  }

  async function loadSaved() {
    try {
      const r = await get('/api/v1/named-queries?limit=100');
      saved.replaceChildren(...(r.namedQueries.length ? r.namedQueries.map((q) => el('li', {
        title: q.description || q.sql,
        onclick: () => { textarea.value = q.sql; if (q.database) database.value = q.database; sync(); },
      }, q.name)) : [empty('None saved.')]));
    } catch (e) {
      saved.replaceChildren(errorBox(e));
    }
  }

  return {
    stop() {
      stopped = true;
      if (chart) chart.dispose();
    },
  };
}
