// Small DOM helpers shared by the pages. Everything that shows server data goes through
// textContent, never innerHTML, so names and values cannot inject markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function badge(state) {
  return el('span', { class: `badge ${state || ''}` }, state || '—');
}

export function errorBox(error) {
  return el('div', { class: 'error', role: 'alert' }, error && error.message ? error.message : String(error));
}

export function empty(text) {
  return el('div', { class: 'empty' }, text);
}

function cell(value) {
  if (value === null || value === undefined) return el('td', { class: 'null' }, 'null');
  if (typeof value === 'number') return el('td', { class: 'num' }, String(value));
  if (typeof value === 'object') return el('td', {}, JSON.stringify(value));
  return el('td', {}, String(value));
}

/**
 * A table of objects. columns: list of keys or {key, label, render}; onRow: click handler.
 */
export function objectTable(items, columns, onRow) {
  if (!items || items.length === 0) return empty('Nothing here yet.');
  const cols = (columns || Object.keys(items[0]).filter((k) => typeof items[0][k] !== 'object' || items[0][k] === null))
    .map((c) => (typeof c === 'string' ? { key: c, label: c } : c));
  const head = el('tr', {}, cols.map((c) => el('th', {}, c.label || c.key)));
  const rows = items.map((item) => {
    const tr = el('tr', { class: onRow ? 'clickable' : null, onclick: onRow ? () => onRow(item) : null },
      cols.map((c) => {
        if (c.render) return el('td', {}, c.render(item));
        return cell(item[c.key]);
      }));
    return tr;
  });
  return el('div', { class: 'grid-wrap' }, el('table', { class: 'grid' }, el('thead', {}, head), el('tbody', {}, rows)));
}

/** A result grid: columns [{name, type}], rows [[…]]. */
export function resultTable(columns, rows) {
  const head = el('tr', {}, columns.map((c) => el('th', { title: c.type }, c.name)));
  const body = rows.map((r) => el('tr', {}, r.map((v) => cell(v))));
  return el('table', { class: 'grid', id: 'result-grid' }, el('thead', {}, head), el('tbody', {}, body));
}

export function keyValues(object) {
  const dl = el('dl', { class: 'kv' });
  for (const [k, v] of Object.entries(object || {})) {
    if (v !== null && typeof v === 'object') continue;
    dl.append(el('dt', {}, k), el('dd', {}, v === null || v === undefined ? '—' : String(v)));
  }
  return dl;
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

/**
 * JSON.parse with a message a person can act on: where the text is wrong (line and column) and
 * that nothing was sent. Throws an Error; `label` names the text, e.g. "The dashboard JSON".
 */
export function parseJsonText(text, label) {
  try {
    return JSON.parse(text);
  } catch (e) {
    // Browsers word the error differently and not all give a position: find it ourselves.
    const at = jsonErrorOffset(text);
    const before = text.slice(0, at);
    const where = at >= text.length
      ? ` at line ${before.split('\n').length}, column ${at - before.lastIndexOf('\n')} (the end: something is not closed)`
      : ` at line ${before.split('\n').length}, column ${at - before.lastIndexOf('\n')}`;
    throw new Error(`${label} is not valid JSON${where}: ${e.message}. Nothing was sent; correct the text and try again.`);
  }
}

/** The offset of the first character where `text` stops being valid JSON. */
function jsonErrorOffset(text) {
  let i = 0;
  const fail = () => { throw i; };
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const literal = (word) => { if (text.startsWith(word, i)) i += word.length; else fail(); };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m[0].length;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string(); ws();
        if (text[i] !== ':') fail();
        i++; value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail();
      }
    } else if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    value(); ws();
    return i < text.length ? i : text.length;
  } catch (at) {
    return Math.min(typeof at === 'number' ? at : i, text.length);
  }
}

/** Makes the browser download {href} (same-origin URL) as {name}. */
export function download(href, name) {
  const a = el('a', { href, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
}

/** Makes the browser download a Blob as {name}. */
export function downloadBlob(blob, name) {
  const href = URL.createObjectURL(blob);
  download(href, name);
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
