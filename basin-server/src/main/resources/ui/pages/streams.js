import { get, enc } from '../api.js';
import { el, errorBox, objectTable, keyValues } from '../ui.js';
import { rateChart, perSecond, lag } from '../live.js';

export function render(root, [name]) {
  const list = el('div', { id: 'streams-list' });
  const detail = el('section', { class: 'stack' });
  root.append(el('h1', {}, 'Streams'), el('div', { class: 'card' }, list), detail);
  const timers = [];
  let chart = null;

  const load = () => get('/api/v1/streams').then(({ streams }) => {
    list.replaceChildren(objectTable(streams, null, (s) => { location.hash = `#/streams/${enc(s.name)}`; }));
  }, (e) => list.replaceChildren(errorBox(e)));
  load();
  timers.push(setInterval(load, 10000));
  if (name) show();

  async function show() {
    const info = el('div', { class: 'card' }, el('h2', {}, `Stream ${name}`));
    const shards = el('div', { class: 'card' }, el('h2', {}, 'Shards'));
    const rate = el('span', { id: 'incoming-rate', class: 'muted' }, 'measuring…');
    const consumers = el('div', { id: 'stream-consumers' });
    chart = rateChart('stream-rate-chart', ['incoming records', 'outgoing records'], 'records/s');
    const tail = el('div', { id: 'tail', class: 'log' }, '(waiting for records)');
    detail.replaceChildren(
      info,
      el('div', { class: 'card' },
        el('div', { class: 'toolbar' }, el('h2', {}, 'Traffic'), el('span', { class: 'spacer' }), rate),
        chart.node,
        el('h3', {}, 'Delivery streams reading it (lag behind the newest record)'),
        consumers),
      shards,
      el('div', { class: 'card' }, el('h2', {}, 'Live tail'), tail));
    let s;
    try {
      s = await get(`/api/v1/streams/${enc(name)}`);
      info.append(keyValues(s));
      shards.append(objectTable(s.shards || [], null));
    } catch (e) {
      info.append(errorBox(e));
      return;
    }

    const traffic = async () => {
      try {
        const t = (await get(`/api/v1/streams/${enc(name)}`)).traffic || {};
        chart.add({ 'incoming records': t.incomingRecords, 'outgoing records': t.outgoingRecords, bytes: t.incomingBytes });
        const r = chart.rates();
        if (r['incoming records'] !== undefined) {
          rate.textContent = `${perSecond(r['incoming records'], ' records/s')} in · ${perSecond(r['outgoing records'], ' records/s')} out`;
        }
        const { deliveryStreams } = await get('/api/v1/delivery-streams');
        const readers = (deliveryStreams || []).filter((d) => d.config && d.config.source && d.config.source.stream === name);
        consumers.replaceChildren(readers.length
          ? objectTable(readers.map((d) => ({
            name: d.name, status: d.status, lag: lag(d.metrics && d.metrics.lagMillis),
            delivered: d.metrics ? d.metrics.recordsDelivered : null,
          })), null, (d) => { location.hash = `#/delivery/${enc(d.name)}`; })
          : el('p', { class: 'muted' }, 'No delivery stream reads this stream.'));
      } catch (e) {
        rate.textContent = e.message;
      }
    };
    traffic();
    timers.push(setInterval(traffic, 3000));

    const lines = [];
    const iterators = new Map();
    for (const shard of (s.shards || []).filter((x) => x.open)) iterators.set(shard.shardId, null);
    const poll = async () => {
      for (const [shardId, iterator] of iterators) {
        try {
          const q = iterator ? `iterator=${enc(iterator)}` : `shard=${enc(shardId)}&from=latest`;
          const r = await get(`/api/v1/streams/${enc(name)}/records?${q}&limit=100`);
          for (const rec of r.records || []) {
            lines.push(`${shardId} ${rec.sequenceNumber} ${rec.partitionKey}  ${rec.data ?? rec.dataBase64}`);
          }
          if (r.nextIterator) iterators.set(shardId, r.nextIterator);
        } catch (e) {
          tail.textContent = e.message;
          return;
        }
      }
      if (lines.length > 400) lines.splice(0, lines.length - 200);
      if (lines.length) {
        tail.textContent = lines.slice(-200).join('\n');
        tail.scrollTop = tail.scrollHeight;
      }
    };
    poll();
    timers.push(setInterval(poll, 2000));
  }
  return {
    stop: () => {
      timers.forEach(clearInterval);
      if (chart) chart.dispose();
    },
  };
}
