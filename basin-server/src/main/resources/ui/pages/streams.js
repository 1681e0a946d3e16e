import { get, enc } from '../api.js';
import { el, errorBox, objectTable, keyValues, empty } from '../ui.js';

export function render(root, [name]) {
  const list = el('div', { id: 'streams-list' });
  const detail = el('section', { class: 'stack' });
  root.append(el('h1', {}, 'Streams'), el('div', { class: 'card' }, list), detail);
  const timers = [];
  let previous = null;

  const load = () => get('/api/v1/streams').then(({ streams }) => {
    list.replaceChildren(objectTable(streams, null, (s) => { location.hash = `#/streams/${enc(s.name)}`; }));
  }, (e) => list.replaceChildren(errorBox(e)));
  load();
  timers.push(setInterval(load, 10000));
  if (name) show();

  async function show() {
    const info = el('div', { class: 'card' }, el('h2', {}, `Stream ${name}`));
    const shards = el('div', { class: 'card' }, el('h2', {}, 'Shards'));
    const rate = el('span', { id: 'incoming-rate', class: 'muted' });
    const tail = el('div', { id: 'tail', class: 'log' }, '(waiting for records)');
    detail.replaceChildren(info, shards, el('div', { class: 'card' }, el('div', { class: 'toolbar' }, el('h2', {}, 'Live tail'), el('span', { class: 'spacer' }), rate), tail));
    let s;
    try {
      s = await get(`/api/v1/streams/${enc(name)}`);
      info.append(keyValues(s));
      shards.append(objectTable(s.shards || [], null));
    } catch (e) {
      info.append(errorBox(e));
      return;
    }
    const lines = [];
    const iterators = new Map();
    for (const shard of (s.shards || []).filter((x) => x.open)) iterators.set(shard.shardId, null);
    const poll = async () => {
      let count = 0;
      for (const [shardId, iterator] of iterators) {
        try {
          const q = iterator ? `iterator=${enc(iterator)}` : `shard=${enc(shardId)}&from=latest`;
          const r = await get(`/api/v1/streams/${enc(name)}/records?${q}&limit=100`);
          for (const rec of r.records || []) {
            lines.push(`${shardId} ${rec.sequenceNumber} ${rec.partitionKey}  ${rec.data ?? rec.dataBase64}`);
          }
          count += (r.records || []).length;
          if (r.nextIterator) iterators.set(shardId, r.nextIterator);
        } catch (e) {
          tail.textContent = e.message;
          return;
        }
      }
      const now = Date.now();
      if (previous) rate.textContent = `${(count / ((now - previous) / 1000)).toFixed(1)} records/s incoming`;
      previous = now;
      if (lines.length) tail.textContent = lines.slice(-200).join('\n');
    };
    poll();
    timers.push(setInterval(poll, 2000));
  }
  return { stop: () => timers.forEach(clearInterval) };
}
