import { get, enc } from '../api.js';
import { el, errorBox, objectTable, keyValues, empty } from '../ui.js';

export function render(root, [db, table]) {
  const tree = el('ul', { id: 'catalog-tree', class: 'list' });
  const detail = el('section', { id: 'catalog-detail', class: 'stack' }, el('div', { class: 'card' }, empty('Choose a table.')));
  root.append(el('h1', {}, 'Catalog'), el('div', { class: 'layout' }, el('aside', { class: 'card' }, el('h2', {}, 'Databases'), tree), detail));

  (async () => {
    try {
      const { databases } = await get('/api/v1/catalog/databases');
      if (!databases.length) tree.append(empty('No databases yet.'));
      for (const d of databases) {
        tree.append(el('li', { class: d.name === db && !table ? 'selected' : null, onclick: () => { location.hash = `#/catalog/${enc(d.name)}`; } }, d.name));
        const { tables } = await get(`/api/v1/catalog/databases/${enc(d.name)}/tables`);
        for (const t of tables) {
          tree.append(el('li', {
            class: `sub ${d.name === db && t.name === table ? 'selected' : ''}`,
            'data-table': `${d.name}.${t.name}`,
            onclick: () => { location.hash = `#/catalog/${enc(d.name)}/${enc(t.name)}`; },
          }, t.name));
        }
      }
    } catch (e) {
      tree.replaceChildren(errorBox(e));
    }
  })();

  if (db && table) showTable(db, table);
  else if (db) showDatabase(db);

  async function showDatabase(name) {
    try {
      const d = await get(`/api/v1/catalog/databases/${enc(name)}`);
      const { tables } = await get(`/api/v1/catalog/databases/${enc(name)}/tables`);
      detail.replaceChildren(el('div', { class: 'card' }, el('h2', {}, `Database ${name}`), keyValues(d)),
        el('div', { class: 'card' }, el('h2', {}, 'Tables'), objectTable(tables, null, (t) => { location.hash = `#/catalog/${enc(name)}/${enc(t.name)}`; })));
    } catch (e) {
      detail.replaceChildren(errorBox(e));
    }
  }

  async function showTable(dbName, tableName) {
    const base = `/api/v1/catalog/databases/${enc(dbName)}/tables/${enc(tableName)}`;
    try {
      const t = await get(base);
      const cards = [
        el('div', { class: 'card' }, el('h2', {}, `${dbName}.${tableName}`), keyValues(t)),
        el('div', { class: 'card' }, el('h2', {}, 'Columns'), objectTable(t.columns || [], null)),
      ];
      if (t.partitionBy && t.partitionBy.length) cards.push(el('div', { class: 'card' }, el('h2', {}, 'Partitioned by'), el('div', {}, t.partitionBy.join(', '))));
      detail.replaceChildren(...cards);
      // Iceberg tables keep snapshots; external tables keep versions and partitions.
      const history = t.kind === 'ICEBERG' ? [['Snapshots', 'snapshots']]
        : [['Versions', 'versions'], ['Partitions', 'partitions']];
      for (const [title, key] of history) {
        const card = el('div', { class: 'card' }, el('h2', {}, title));
        detail.append(card);
        get(`${base}/${key}`).then((r) => card.append(objectTable(r[key] || [], null)), (e) => card.append(errorBox(e)));
      }
    } catch (e) {
      detail.replaceChildren(errorBox(e));
    }
  }
}
