import { get, post, enc } from '../api.js';
import { el, errorBox, objectTable, badge, when } from '../ui.js';

export function render(root, [name]) {
  const list = el('div', { id: 'crawlers-list' });
  const detail = el('section', { class: 'stack' });
  root.append(el('h1', {}, 'Crawlers'), el('div', { class: 'card' }, list), detail);

  get('/api/v1/crawlers').then(({ crawlers }) => {
    list.replaceChildren(objectTable(crawlers, null, (c) => { location.hash = `#/crawlers/${enc(c.name)}`; }));
  }, (e) => list.replaceChildren(errorBox(e)));

  if (name) show(name);

  async function show(crawler) {
    try {
      const c = await get(`/api/v1/crawlers/${enc(crawler)}`);
      const { runs } = await get(`/api/v1/crawlers/${enc(crawler)}/runs`);
      const start = el('button', { class: 'primary', onclick: async () => {
        try { await post(`/api/v1/crawlers/${enc(crawler)}/runs`, {}); show(crawler); } catch (e) { detail.prepend(errorBox(e)); }
      } }, 'Run now');
      detail.replaceChildren(
        el('div', { class: 'card' }, el('div', { class: 'toolbar' }, el('h2', {}, `Crawler ${crawler}`), el('span', { class: 'spacer' }), start),
          el('pre', { class: 'code' }, JSON.stringify(c, null, 2))),
        el('div', { class: 'card' }, el('h2', {}, 'Runs'), objectTable(runs, [
          'id', { key: 'state', render: (r) => badge(r.state) }, { key: 'startedAt', render: (r) => when(r.startedAt) },
          { key: 'completedAt', render: (r) => when(r.completedAt) }])),
        ...runs.slice(0, 1).map((r) => el('div', { class: 'card' }, el('h2', {}, `Latest run ${r.id}`), el('pre', { class: 'code' }, JSON.stringify(r, null, 2)))));
    } catch (e) {
      detail.replaceChildren(errorBox(e));
    }
  }
}
