// Dashboards: the list (#/dashboards), a dashboard (#/dashboards/{id}) and, through the editor's
// module, #/dashboards/{id}/edit and #/dashboards/new/edit.
import { get, post, enc } from '../api.js';
import { el, errorBox, objectTable, when } from '../ui.js';

export function render(main, args, query) {
  const [id, sub] = args;
  if (sub === 'edit') return delegate(() => import('./dashboard-editor.js'), main, args, query);
  if (id) return delegate(() => import('./dashboard-view.js'), main, id, query);
  return renderList(main);
}

// Loads a page module and forwards stop() to whatever its render returns (an object or a promise).
function delegate(load, main, arg, query) {
  let inner = null;
  let stopped = false;
  load().then((m) => Promise.resolve(m.render(main, arg, query))).then((r) => {
    inner = r || null;
    if (stopped && inner && inner.stop) inner.stop();
  }, (e) => main.append(errorBox(e)));
  return { stop() { stopped = true; if (inner && inner.stop) inner.stop(); } };
}

function renderList(main) {
  const list = el('div', { id: 'dashboards-list' }, el('div', { class: 'empty' }, 'Loading…'));
  const message = el('div', { id: 'import-result' });
  const file = el('input', { type: 'file', id: 'import-file', accept: '.json,application/json', hidden: true });
  file.addEventListener('change', () => importBundle(file, message));
  main.append(
    el('div', { class: 'toolbar dash-list-head' },
      el('h1', {}, 'Dashboards'),
      el('span', { class: 'spacer' }),
      el('button', { id: 'import-dashboard', onclick: () => file.click() }, 'Import JSON…'),
      file,
      el('a', { class: 'button primary', id: 'new-dashboard', href: '#/dashboards/new/edit' }, 'New dashboard')),
    message,
    el('div', { class: 'card' }, list));
  load(list);
}

function load(list) {
  get('/api/v1/dashboards').then(({ dashboards }) => {
    if (!dashboards.length) {
      list.replaceChildren(el('div', { class: 'empty' }, 'No dashboards yet. Create one with "New dashboard" or import an exported JSON file.'));
      return;
    }
    list.replaceChildren(objectTable(dashboards, [
      { key: 'name', label: 'Name', render: (d) => el('a', { href: `#/dashboards/${enc(d.id)}`, class: 'dashboard-link' }, d.name) },
      { key: 'id', label: 'Id', render: (d) => el('code', {}, d.id) },
      { key: 'version', label: 'Version', render: (d) => String(d.version) },
      { key: 'savedBy', label: 'Saved by', render: (d) => d.savedBy || '—' },
      { key: 'savedAt', label: 'Saved at', render: (d) => when(d.savedAt) },
      { key: 'actions', label: 'Actions', render: (d) => el('span', { class: 'row-actions' },
        el('a', { href: `#/dashboards/${enc(d.id)}` }, 'View'), ' · ',
        el('a', { href: `#/dashboards/${enc(d.id)}/edit` }, 'Edit')) },
    ]));
  }, (e) => list.replaceChildren(errorBox(e)));
}

async function importBundle(file, message) {
  const f = file.files && file.files[0];
  file.value = '';
  if (!f) return;
  let bundle;
  try {
    bundle = JSON.parse(await f.text());
  } catch (e) {
    message.replaceChildren(errorBox(`${f.name} is not valid JSON (${e.message}); choose a file made by a dashboard's export.`));
    return;
  }
  try {
    const d = await post('/api/v1/dashboards/import', bundle);
    message.replaceChildren(el('div', { class: 'notice ok' }, `Imported dashboard '${d.name}' (version ${d.version}). `,
      el('a', { href: `#/dashboards/${enc(d.id)}` }, 'Open it')));
    load(document.getElementById('dashboards-list'));
  } catch (e) {
    message.replaceChildren(errorBox(`Import of ${f.name} failed: ${e.message}`));
  }
}
