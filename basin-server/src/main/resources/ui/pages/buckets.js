import { get } from '../api.js';
import { el, errorBox, objectTable } from '../ui.js';

export function render(root) {
  const history = el('div', { id: 'lifecycle-history' });
  root.append(el('h1', {}, 'Buckets'),
    el('div', { class: 'card' }, el('p', { class: 'muted' },
      'Objects are reached through the S3 API (aws s3 --endpoint-url …) and the CLI (basin s3 …). ',
      'The native API exposes the lifecycle rules\u2019 history, shown here.')),
    el('div', { class: 'card' }, el('h2', {}, 'Lifecycle history'), history));
  get('/api/v1/lifecycle/history').then((r) => {
    const items = Array.isArray(r) ? r : (r.actions || r.history || r.runs || []);
    history.replaceChildren(objectTable(items, null));
  }, (e) => history.replaceChildren(errorBox(e)));
}
