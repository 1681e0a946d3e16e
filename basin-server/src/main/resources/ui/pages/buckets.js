// The Buckets page: the bucket list (create, delete), a browser of one bucket's objects by folder
// (delimiter '/', paged by continuation token) with upload, download, delete and each object's
// versions, the bucket's lifecycle rules (JSON, validated by the server) and the lifecycle history.
// Routes: #/buckets and #/buckets/{bucket}?prefix=<folder>.
import { api, get, post, del, enc, putBytes } from '../api.js';
import { el, errorBox, objectTable, empty, badge, when, parseJsonText } from '../ui.js';

const PAGE_SIZE = 100;

const RULE_EXAMPLE = {
  rules: [{
    id: 'expire-tmp', enabled: true, filter: { prefix: 'tmp/' }, expirationDays: 7,
  }],
};

export function render(root, args, query) {
  const bucket = args[0] || null;
  const prefix = (query && query.get('prefix')) || '';
  const bucketList = el('ul', { class: 'list', id: 'bucket-list' });
  const side = el('div', { class: 'card' },
    el('h2', {}, 'Buckets'), bucketList, createForm());
  const detail = el('section', { class: 'stack', id: 'bucket-detail' });
  root.append(el('h1', {}, 'Buckets'), el('div', { class: 'layout' }, side, detail));

  loadBuckets();
  if (bucket) showBucket();
  else detail.append(el('div', { class: 'card' }, el('p', { class: 'muted' },
    'Pick a bucket to browse its objects, or create one. Objects written here and through the S3 API ',
    '(aws s3 --endpoint-url …) are the same objects.')), historyCard(null));

  function go(name, folder) {
    const q = folder ? `?prefix=${enc(folder)}` : '';
    location.hash = name ? `#/buckets/${enc(name)}${q}` : '#/buckets';
  }

  async function loadBuckets() {
    try {
      const { buckets } = await get('/api/v1/buckets');
      if (!buckets.length) {
        bucketList.replaceChildren(el('li', { class: 'muted' }, 'No buckets yet.'));
        return;
      }
      bucketList.replaceChildren(...buckets.map((b) => el('li', {
        class: b.name === bucket ? 'selected' : null, 'data-bucket': b.name, title: `created ${when(b.created)}`,
        onclick: () => go(b.name, ''),
      }, b.name, b.versioning === 'ENABLED' ? el('span', { class: 'bk-tag' }, 'versioned') : null)));
    } catch (e) {
      bucketList.replaceChildren(el('li', {}, errorBox(e)));
    }
  }

  function createForm() {
    const name = el('input', { id: 'create-bucket-name', placeholder: 'new-bucket-name', autocomplete: 'off' });
    const versioned = el('input', { type: 'checkbox', id: 'create-bucket-versioning' });
    const message = el('div', { id: 'create-bucket-error' });
    const form = el('form', {
      class: 'bk-create',
      onsubmit: async (event) => {
        event.preventDefault();
        message.replaceChildren();
        try {
          const b = await post('/api/v1/buckets', { name: name.value.trim(), versioning: versioned.checked });
          name.value = '';
          go(b.name, '');
          if (b.name === bucket) loadBuckets();
        } catch (e) {
          message.replaceChildren(errorBox(e));
        }
      },
    },
    el('h2', {}, 'New bucket'),
    name,
    el('label', { class: 'bk-check' }, versioned, ' keep versions'),
    el('button', { class: 'primary', type: 'submit', id: 'create-bucket-button' }, 'Create bucket'),
    message);
    return form;
  }

  // ------------------------------------------------------------------ one bucket

  function showBucket() {
    const header = el('div', { class: 'card' });
    const tabButtons = {};
    const panes = {};
    const tabs = el('div', { class: 'tabs' });
    for (const [id, label] of [['objects', 'Objects'], ['lifecycle', 'Lifecycle rules'], ['history', 'Lifecycle history']]) {
      tabButtons[id] = el('button', { type: 'button', id: `tab-${id}`, onclick: () => select(id) }, label);
      tabs.append(tabButtons[id]);
    }
    panes.objects = objectsPane();
    panes.lifecycle = el('div', {});
    panes.history = el('div', {});
    const body = el('div', { class: 'card' }, tabs, panes.objects, panes.lifecycle, panes.history);
    detail.replaceChildren(header, body);
    loadHeader(header);
    select('objects');

    function select(id) {
      for (const [k, b] of Object.entries(tabButtons)) b.classList.toggle('active', k === id);
      for (const [k, p] of Object.entries(panes)) p.hidden = k !== id;
      if (id === 'lifecycle') lifecyclePane(panes.lifecycle);
      if (id === 'history') panes.history.replaceChildren(historyBox(bucket));
    }
  }

  async function loadHeader(header) {
    let info = null;
    try {
      const { buckets } = await get('/api/v1/buckets');
      info = buckets.find((b) => b.name === bucket);
    } catch (e) {
      header.replaceChildren(errorBox(e));
      return;
    }
    if (!info) {
      header.replaceChildren(el('h2', {}, bucket), errorBox(
        `Bucket '${bucket}' does not exist; pick one from the list or create it.`));
      return;
    }
    const message = el('div', {});
    const versioningButton = el('button', {
      type: 'button', id: 'versioning-toggle',
      onclick: async () => {
        message.replaceChildren();
        try {
          await api('PUT', `/api/v1/buckets/${enc(bucket)}/versioning`,
            { status: info.versioning === 'ENABLED' ? 'SUSPENDED' : 'ENABLED' });
          loadHeader(header);
          loadBuckets();
        } catch (e) {
          message.replaceChildren(errorBox(e));
        }
      },
    }, info.versioning === 'ENABLED' ? 'Suspend versioning' : 'Enable versioning');
    const deleteButton = el('button', {
      type: 'button', id: 'delete-bucket', class: 'bk-danger',
      onclick: async () => {
        if (!confirm(`Delete bucket '${bucket}'? It must be empty.`)) return;
        message.replaceChildren();
        try {
          await del(`/api/v1/buckets/${enc(bucket)}`);
          go(null);
        } catch (e) {
          message.replaceChildren(errorBox(e));
        }
      },
    }, 'Delete bucket');
    header.replaceChildren(
      el('div', { class: 'toolbar' },
        el('h2', { id: 'bucket-title', class: 'bk-title' }, bucket),
        el('span', { class: 'muted' }, `created ${when(info.created)}`),
        el('span', { id: 'bucket-versioning' }, badge(info.versioning)),
        el('span', { class: 'spacer' }), versioningButton, deleteButton),
      message);
  }

  // ------------------------------------------------------------------ objects

  function objectsPane() {
    const crumbs = el('nav', { class: 'bk-crumbs', id: 'breadcrumb' });
    const input = el('input', { type: 'file', id: 'upload-input', multiple: true, class: 'bk-file' });
    const uploadButton = el('button', { type: 'button', class: 'primary', onclick: () => input.click() }, 'Upload files');
    const uploads = el('ul', { class: 'bk-uploads', id: 'upload-status' });
    const listing = el('div', { id: 'objects' });
    const pager = el('div', { class: 'toolbar', id: 'objects-pager' });
    const details = el('div', { id: 'object-details' });
    const tokens = [null];
    let page = 0;
    // Sequence numbers of the listing and of the details pane: an answer to an older request than
    // the pane's latest is dropped, so a slow answer never replaces a newer one.
    let listSeq = 0;
    let detailSeq = 0;

    const parts = prefix.split('/').filter((p) => p);
    crumbs.append(el('a', { href: '#', onclick: (e) => { e.preventDefault(); go(bucket, ''); } }, bucket));
    let acc = '';
    for (const p of parts) {
      acc += `${p}/`;
      const target = acc;
      crumbs.append(el('span', { class: 'muted' }, ' / '),
        el('a', { href: '#', onclick: (e) => { e.preventDefault(); go(bucket, target); } }, p));
    }
    crumbs.append(el('span', { class: 'muted' }, ' /'));

    input.addEventListener('change', async () => {
      const files = [...input.files];
      input.value = '';
      if (!files.length) return;
      const rows = files.map((f) => {
        const state = el('span', { class: 'bk-state' }, 'waiting');
        const li = el('li', { 'data-file': f.name }, el('span', { class: 'bk-mono' }, prefix + f.name),
          el('span', { class: 'muted' }, ` ${size(f.size)} `), state);
        uploads.append(li);
        return { f, li, state };
      });
      const total = el('li', { class: 'bk-total' }, `0 of ${files.length} uploaded`);
      uploads.append(total);
      let done = 0;
      for (const { f, li, state } of rows) {
        state.textContent = 'uploading…';
        li.className = 'uploading';
        try {
          const r = await putBytes(`/api/v1/buckets/${enc(bucket)}/objects/content?key=${enc(prefix + f.name)}`, f);
          done++;
          state.textContent = r.versionId && r.versionId !== 'null' ? `done (version ${r.versionId})` : 'done';
          li.className = 'done';
        } catch (e) {
          state.textContent = `failed: ${e.message}`;
          li.className = 'failed';
        }
        total.textContent = `${done} of ${files.length} uploaded`;
      }
      load(tokens[page]);
    });

    async function load(token) {
      const seq = ++listSeq;
      // No paging until this page is in: a second click would count a page that was never shown.
      for (const b of pager.querySelectorAll('button')) b.disabled = true;
      const q = `prefix=${enc(prefix)}&delimiter=%2F&maxKeys=${PAGE_SIZE}${token ? `&continuationToken=${enc(token)}` : ''}`;
      let r;
      try {
        r = await get(`/api/v1/buckets/${enc(bucket)}/objects?${q}`);
      } catch (e) {
        if (seq !== listSeq) return;
        listing.replaceChildren(errorBox(e));
        showPager(null);
        return;
      }
      if (seq !== listSeq) return;
      const rows = [
        ...r.folders.map((f) => ({ folder: f })),
        ...r.objects,
      ];
      if (!rows.length) {
        listing.replaceChildren(empty(prefix ? 'This folder is empty.' : 'This bucket is empty: upload files to start.'));
      } else {
        listing.replaceChildren(objectsTable(rows));
      }
      showPager(r.nextContinuationToken || null);
    }

    function showPager(nextToken) {
      pager.replaceChildren(
        el('button', { type: 'button', id: 'objects-prev', disabled: page === 0, onclick: () => { page--; load(tokens[page]); } }, '‹ Previous'),
        el('span', { class: 'muted', id: 'objects-page' }, `page ${page + 1}`),
        el('button', {
          type: 'button', id: 'objects-next', disabled: !nextToken,
          onclick: () => { page++; tokens[page] = nextToken; load(tokens[page]); },
        }, 'Next ›'));
    }

    function closeDetails() {
      detailSeq++;
      details.replaceChildren();
    }

    function objectsTable(rows) {
      const head = el('tr', {}, ['Name', 'Size', 'Last modified', 'Storage class', ''].map((h) => el('th', {}, h)));
      const body = rows.map((row) => {
        if (row.folder) {
          const name = row.folder.slice(prefix.length);
          return el('tr', { class: 'clickable bk-folder', 'data-folder': row.folder, onclick: () => go(bucket, row.folder) },
            el('td', { class: 'bk-mono' }, el('span', { class: 'bk-icon folder' }), name), el('td', {}, '—'), el('td', {}, ''), el('td', {}, ''), el('td', {}, ''));
        }
        const name = row.key.slice(prefix.length);
        return el('tr', { class: 'clickable', 'data-key': row.key, onclick: () => showObject(row.key) },
          el('td', { class: 'bk-mono' }, el('span', { class: 'bk-icon file' }), name),
          el('td', { class: 'num' }, size(row.size)),
          el('td', {}, when(row.lastModified)),
          el('td', {}, row.storageClass || ''),
          el('td', {}, el('span', { class: 'bk-actions' },
            el('a', { href: contentUrl(row.key), download: name, class: 'bk-download', onclick: (e) => e.stopPropagation() }, 'Download'),
            el('button', {
              type: 'button', class: 'ghost bk-delete',
              onclick: (e) => { e.stopPropagation(); deleteObject(row.key, null); },
            }, 'Delete'))));
      });
      return el('div', { class: 'grid-wrap' }, el('table', { class: 'grid', id: 'objects-table' }, el('thead', {}, head), el('tbody', {}, body)));
    }

    async function deleteObject(key, versionId) {
      const what = versionId ? `version ${versionId} of '${key}' (permanently)` : `'${key}'`;
      if (!confirm(`Delete ${what}?`)) return;
      try {
        await del(`/api/v1/buckets/${enc(bucket)}/objects?key=${enc(key)}${versionId ? `&versionId=${enc(versionId)}` : ''}`);
        closeDetails();
        load(tokens[page]);
        if (versionId) showObject(key);
      } catch (e) {
        detailSeq++;
        details.replaceChildren(errorBox(e));
      }
    }

    // The object went away after the list was loaded (deleted here, through S3 or by a lifecycle rule).
    function showMissing(key, reason) {
      details.replaceChildren(el('div', { class: 'bk-details', id: 'object-missing' },
        errorBox(`${reason} It was deleted after the list was loaded: refresh the list.`),
        el('button', { type: 'button', onclick: () => { closeDetails(); load(tokens[page]); } }, 'Refresh the list')));
    }

    async function showObject(key) {
      const seq = ++detailSeq;
      for (const tr of listing.querySelectorAll('tr[data-key]')) tr.classList.toggle('bk-selected', tr.dataset.key === key);
      details.replaceChildren(el('div', { class: 'muted' }, 'Loading…'));
      let v;
      try {
        v = await get(`/api/v1/buckets/${enc(bucket)}/objects/versions?key=${enc(key)}`);
      } catch (e) {
        if (seq !== detailSeq) return;
        if (e.status === 404) showMissing(key, e.message);
        else details.replaceChildren(errorBox(e));
        return;
      }
      if (seq !== detailSeq) return;
      if (!Array.isArray(v.versions) || !v.versions.length) {
        showMissing(key, `'${key}' has no versions in '${bucket}'.`);
        return;
      }
      const current = v.versions.find((x) => x.latest) || v.versions[0];
      const kv = el('dl', { class: 'kv' });
      const add = (k, val) => kv.append(el('dt', {}, k), el('dd', {}, val === undefined || val === null ? '—' : String(val)));
      add('key', key);
      if (current.deleteMarker) add('state', 'deleted (the latest version is a delete marker)');
      else {
        add('size', `${size(current.size)} (${current.size} bytes)`);
        add('last modified', when(current.lastModified));
        add('etag', current.etag);
        add('storage class', current.storageClass);
        add('content type', current.contentType);
      }
      add('versioning', v.versioning);
      const versions = v.versioning === 'UNVERSIONED' ? null : objectTable(v.versions, [
        { key: 'versionId', label: 'Version', render: (x) => el('span', { class: 'bk-mono' }, x.versionId) },
        { key: 'latest', label: ' ', render: (x) => (x.latest ? badge('LATEST') : '') },
        { key: 'lastModified', label: 'Modified', render: (x) => when(x.lastModified) },
        { key: 'size', label: 'Size', render: (x) => (x.deleteMarker ? 'delete marker' : size(x.size)) },
        {
          key: 'actions', label: ' ', render: (x) => el('span', { class: 'bk-actions' },
            x.deleteMarker ? null : el('a', { href: contentUrl(key, x.versionId), download: key.split('/').pop(), class: 'bk-download' }, 'Download'),
            el('button', { type: 'button', class: 'ghost', onclick: () => deleteObject(key, x.versionId) },
              x.deleteMarker ? 'Remove marker' : 'Delete version')),
        },
      ]);
      if (versions) {
        const table = versions.querySelector('table');
        if (table) table.id = 'versions-table';
      }
      details.replaceChildren(el('div', { class: 'bk-details' },
        el('div', { class: 'toolbar' }, el('h2', {}, 'Object'), el('span', { class: 'spacer' }),
          current.deleteMarker ? null : el('a', { href: contentUrl(key), download: key.split('/').pop(), class: 'bk-download', id: 'details-download' }, 'Download'),
          el('button', { type: 'button', onclick: closeDetails }, 'Close')),
        kv,
        versions ? el('h2', { class: 'bk-sub' }, `Versions (${v.versions.length})`) : null,
        versions));
    }

    // A folder is only a key prefix: a new one exists once a file is uploaded into it.
    const folderName = el('input', { id: 'new-folder-name', placeholder: 'new folder', class: 'bk-folder-name', autocomplete: 'off' });
    const folderError = el('div', {});
    const newFolder = el('form', {
      class: 'bk-inline',
      onsubmit: (event) => {
        event.preventDefault();
        const name = folderName.value.trim().replace(/^\/+|\/+$/g, '');
        if (!name || name.split('/').some((p) => p === '.' || p === '..' || p === '')) {
          folderError.replaceChildren(errorBox('Type a folder name such as reports or 2024/06 (no empty, . or .. parts).'));
          return;
        }
        go(bucket, `${prefix}${name}/`);
      },
    }, folderName, el('button', { type: 'submit', id: 'new-folder-button' }, 'Open folder'));

    load(null);
    return el('div', {},
      el('div', { class: 'toolbar' }, crumbs, el('span', { class: 'spacer' }), newFolder, input, uploadButton,
        el('button', { type: 'button', onclick: () => load(tokens[page]) }, 'Refresh')),
      el('p', { class: 'muted bk-hint' }, `Uploads go into ${prefix ? `folder ${prefix}` : 'the bucket\u2019s top level'}.`),
      folderError, uploads, listing, pager, details);
  }

  function contentUrl(key, versionId) {
    return `/api/v1/buckets/${enc(bucket)}/objects/content?key=${enc(key)}${versionId ? `&versionId=${enc(versionId)}` : ''}`;
  }

  // ------------------------------------------------------------------ lifecycle

  async function lifecyclePane(pane) {
    const text = el('textarea', { id: 'lifecycle-json', class: 'bk-json', spellcheck: 'false', rows: 14 });
    const message = el('div', { id: 'lifecycle-message' });
    const rules = el('div', { id: 'lifecycle-rules' });
    const show = (list) => rules.replaceChildren(list.length ? objectTable(list.map(summary), null) : empty('No lifecycle rules.'));
    const save = el('button', {
      type: 'button', class: 'primary', id: 'lifecycle-save',
      onclick: async () => {
        message.replaceChildren();
        let doc;
        try {
          doc = parseJsonText(text.value, 'The lifecycle JSON');
        } catch (e) {
          message.replaceChildren(errorBox(e));
          return;
        }
        try {
          const r = await api('PUT', `/api/v1/buckets/${enc(bucket)}/lifecycle`, doc);
          show(r.rules);
          text.value = JSON.stringify({ rules: r.rules }, null, 2);
          message.replaceChildren(el('div', { class: 'ok' }, `Saved ${r.rules.length} rule(s).`));
        } catch (e) {
          message.replaceChildren(errorBox(e));
        }
      },
    }, 'Save rules');
    const remove = el('button', {
      type: 'button', id: 'lifecycle-delete',
      onclick: async () => {
        if (!confirm(`Remove every lifecycle rule of '${bucket}'?`)) return;
        message.replaceChildren();
        try {
          await del(`/api/v1/buckets/${enc(bucket)}/lifecycle`);
          show([]);
          text.value = JSON.stringify(RULE_EXAMPLE, null, 2);
          message.replaceChildren(el('div', { class: 'ok' }, 'All rules removed.'));
        } catch (e) {
          message.replaceChildren(errorBox(e));
        }
      },
    }, 'Remove all rules');
    pane.replaceChildren(el('div', { class: 'muted' }, 'Loading…'));
    let r;
    try {
      r = await get(`/api/v1/buckets/${enc(bucket)}/lifecycle`);
    } catch (e) {
      pane.replaceChildren(errorBox(e));
      return;
    }
    show(r.rules);
    text.value = JSON.stringify(r.rules.length ? { rules: r.rules } : RULE_EXAMPLE, null, 2);
    pane.replaceChildren(
      el('h2', {}, 'Rules'), rules,
      el('h2', { class: 'bk-sub' }, 'Edit'),
      el('p', { class: 'muted' },
        'A rule has id, enabled, filter {prefix, tags, sizeGreaterThan, sizeLessThan}, transitionDays with ',
        'transitionStorageClass, expirationDays, expiredObjectDeleteMarker, noncurrentDays, newerNoncurrentVersions, ',
        'noncurrentTransitionDays and abortIncompleteMultipartDays. Rules run in the background; the ',
        'history tab lists what they did.'),
      text, el('div', { class: 'toolbar' }, save, remove), message);
  }

  function summary(rule) {
    const actions = [];
    if (rule.transitionDays != null) actions.push(`to ${rule.transitionStorageClass} after ${rule.transitionDays}d`);
    if (rule.expirationDays != null) actions.push(`expire after ${rule.expirationDays}d`);
    if (rule.noncurrentTransitionDays != null) actions.push(`noncurrent to ${rule.transitionStorageClass} after ${rule.noncurrentTransitionDays}d`);
    if (rule.noncurrentDays != null) actions.push(`delete noncurrent after ${rule.noncurrentDays}d`);
    if (rule.newerNoncurrentVersions != null) actions.push(`keep ${rule.newerNoncurrentVersions} newer noncurrent`);
    if (rule.expiredObjectDeleteMarker) actions.push('remove expired delete markers');
    if (rule.abortIncompleteMultipartDays != null) actions.push(`abort uploads after ${rule.abortIncompleteMultipartDays}d`);
    const f = rule.filter || {};
    const filter = [f.prefix ? `prefix ${f.prefix}` : 'all objects',
      ...Object.entries(f.tags || {}).map(([k, v]) => `tag ${k}=${v}`),
      f.sizeGreaterThan != null ? `> ${f.sizeGreaterThan} B` : null,
      f.sizeLessThan != null ? `< ${f.sizeLessThan} B` : null].filter((x) => x).join(', ');
    return { id: rule.id, status: rule.enabled ? 'Enabled' : 'Disabled', filter, actions: actions.join('; ') || '—' };
  }

  // ------------------------------------------------------------------ history

  function historyCard(name) {
    return el('div', { class: 'card' }, el('h2', {}, 'Lifecycle history'), historyBox(name));
  }

  function historyBox(name) {
    const box = el('div', { id: 'lifecycle-history' }, el('div', { class: 'muted' }, 'Loading…'));
    get(`/api/v1/lifecycle/history${name ? `?bucket=${enc(name)}` : ''}`).then((r) => {
      const items = Array.isArray(r) ? r : (r.actions || []);
      box.replaceChildren(items.length ? objectTable(items, null) : empty('No lifecycle actions yet.'));
    }, (e) => box.replaceChildren(errorBox(e)));
    return box;
  }
}

function size(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
