import { get, enc } from '../api.js';
import { el, errorBox, objectTable } from '../ui.js';

export function render(root, [name]) {
  const list = el('div', { id: 'delivery-list' });
  const detail = el('section', { class: 'stack' });
  root.append(el('h1', {}, 'Delivery streams'), el('div', { class: 'card' }, list), detail);
  const load = () => get('/api/v1/delivery-streams').then(({ deliveryStreams }) => {
    list.replaceChildren(objectTable(deliveryStreams, null, (d) => { location.hash = `#/delivery/${enc(d.name)}`; }));
  }, (e) => list.replaceChildren(errorBox(e)));
  load();
  const show = () => name && get(`/api/v1/delivery-streams/${enc(name)}`).then((d) => {
    detail.replaceChildren(el('div', { class: 'card' }, el('h2', {}, `Delivery stream ${name}`), el('pre', { class: 'code' }, JSON.stringify(d, null, 2))));
  }, (e) => detail.replaceChildren(errorBox(e)));
  show();
  const timer = setInterval(() => { load(); show(); }, 5000);
  return { stop: () => clearInterval(timer) };
}
