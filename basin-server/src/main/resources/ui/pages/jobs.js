import { get, post, enc } from '../api.js';
import { el, errorBox, objectTable, badge, when, empty } from '../ui.js';

export function render(root, [name, runId]) {
  const list = el('div', { id: 'jobs-list' });
  const detail = el('section', { id: 'job-detail', class: 'stack' });
  root.append(el('h1', {}, 'Jobs'), el('div', { class: 'card' }, list), detail);

  get('/api/v1/jobs').then(({ jobs }) => {
    list.replaceChildren(objectTable(jobs, null, (j) => { location.hash = `#/jobs/${enc(j.name)}`; }));
  }, (e) => list.replaceChildren(errorBox(e)));

  if (name) showJob(name);

  async function showJob(job) {
    try {
      const j = await get(`/api/v1/jobs/${enc(job)}`);
      const runButton = el('button', { class: 'primary', onclick: async () => {
        try { await post(`/api/v1/jobs/${enc(job)}/runs`, {}); showJob(job); } catch (e) { detail.prepend(errorBox(e)); }
      } }, 'Start run');
      const { runs } = await get(`/api/v1/jobs/${enc(job)}/runs`);
      detail.replaceChildren(
        el('div', { class: 'card' }, el('div', { class: 'toolbar' }, el('h2', {}, `Job ${job}`), el('span', { class: 'spacer' }), runButton),
          el('pre', { class: 'code' }, JSON.stringify(j, null, 2))),
        el('div', { class: 'card' }, el('h2', {}, 'Runs'), objectTable(runs, [
          'id', { key: 'state', render: (r) => badge(r.state) }, { key: 'startedAt', render: (r) => when(r.startedAt) },
          { key: 'completedAt', render: (r) => when(r.completedAt) }, 'error'],
        (r) => { location.hash = `#/jobs/${enc(job)}/${enc(r.id)}`; })));
      const chosen = runId || (runs[0] && runs[0].id);
      if (chosen) showRun(job, chosen);
    } catch (e) {
      detail.replaceChildren(errorBox(e));
    }
  }

  async function showRun(job, id) {
    const card = el('div', { class: 'card', id: 'job-run' }, el('h2', {}, `Run ${id}`));
    detail.append(card);
    try {
      const run = await get(`/api/v1/jobs/${enc(job)}/runs/${enc(id)}`);
      const quality = run.quality;
      card.append(el('pre', { class: 'code' }, JSON.stringify({ ...run, quality: undefined }, null, 2)));
      card.append(el('h2', {}, 'Data quality'));
      if (quality && (Array.isArray(quality) ? quality.length : Object.keys(quality).length)) {
        card.append(Array.isArray(quality) ? objectTable(quality, null) : el('pre', { class: 'code' }, JSON.stringify(quality, null, 2)));
      } else {
        card.append(empty('No data-quality rules ran.'));
      }
      const { logs } = await get(`/api/v1/jobs/${enc(job)}/runs/${enc(id)}/logs`);
      card.append(el('h2', {}, 'Logs'), el('div', { class: 'log' },
        logs.length ? logs.map((l) => (typeof l === 'string' ? l : `${l.time || l.timestamp || ''} ${l.level || ''} ${l.message || JSON.stringify(l)}`)).join('\n') : '(no log lines)'));
    } catch (e) {
      card.append(errorBox(e));
    }
  }
}
