import { get, enc } from '../api.js';
import { el, errorBox, objectTable, keyValues, badge, when } from '../ui.js';
import { rateChart, perSecond, lag } from '../live.js';

function destination(d) {
  const c = (d.config && d.config.destination) || {};
  if (c.type === 'iceberg') return `iceberg ${c.database}.${c.table}`;
  if (c.type === 'objects' || c.type === 's3') return `s3://${c.bucket}/${c.prefix || ''}`;
  return c.type || '—';
}

function failures(d) {
  const f = (d.metrics && d.metrics.failures) || {};
  return Object.values(f).reduce((a, b) => a + b, 0);
}

export function render(root, [name]) {
  const list = el('div', { id: 'delivery-list' });
  const detail = el('section', { class: 'stack' });
  root.append(el('h1', {}, 'Delivery streams'), el('div', { class: 'card' }, list), detail);
  let chart = null;

  const load = () => get('/api/v1/delivery-streams').then(({ deliveryStreams }) => {
    list.replaceChildren(objectTable(deliveryStreams.map((d) => ({
      name: d.name,
      status: d.status,
      source: d.config && d.config.source ? (d.config.source.stream || d.config.source.type) : '—',
      destination: destination(d),
      delivered: d.metrics ? d.metrics.recordsDelivered : null,
      lag: lag(d.metrics && d.metrics.lagMillis),
      failures: failures(d),
    })), [
      'name', { key: 'status', render: (d) => badge(d.status) }, 'source', 'destination',
      'delivered', 'lag', 'failures',
    ], (d) => { location.hash = `#/delivery/${enc(d.name)}`; }));
  }, (e) => list.replaceChildren(errorBox(e)));
  load();

  let show = () => {};
  if (name) {
    chart = rateChart('delivery-rate-chart', ['records delivered'], 'records/s');
    const head = el('div', { class: 'kv-wrap' });
    const problems = el('div', { id: 'delivery-failures' });
    const config = el('pre', { class: 'code' });
    detail.replaceChildren(
      el('div', { class: 'card' }, el('h2', {}, `Delivery stream ${name}`), head),
      el('div', { class: 'card' }, el('h2', {}, 'Throughput'), chart.node),
      el('div', { class: 'card' }, el('h2', {}, 'Errors'), problems),
      el('div', { class: 'card' }, el('h2', {}, 'Configuration'), config));
    show = () => get(`/api/v1/delivery-streams/${enc(name)}`).then((d) => {
      const m = d.metrics || {};
      chart.add({ 'records delivered': m.recordsDelivered });
      head.replaceChildren(keyValues({
        status: d.status,
        created: when(d.createdAt),
        destination: destination(d),
        'records delivered': m.recordsDelivered,
        'bytes delivered': m.bytesDelivered,
        commits: m.commits,
        'last commit': when(m.lastCommitAt),
        lag: lag(m.lagMillis),
        rate: perSecond(chart.rates()['records delivered'], ' records/s'),
        'records dropped': m.recordsDropped,
      }));
      const rows = Object.entries(m.failures || {}).map(([kind, count]) => ({ kind, count }));
      problems.replaceChildren(
        d.failure ? errorBox(d.failure) : '',
        rows.some((r) => r.count > 0) ? objectTable(rows, null) : el('p', { class: 'muted' }, 'No failed records.'));
      config.textContent = JSON.stringify(d.config, null, 2);
    }, (e) => head.replaceChildren(errorBox(e)));
    show();
  }
  const timer = setInterval(() => { load(); show(); }, 3000);
  return {
    stop: () => {
      clearInterval(timer);
      if (chart) chart.dispose();
    },
  };
}
