// A tiny SQL highlighter: keywords, strings, numbers, comments, function calls.
const KEYWORDS = new Set(('select from where group by order having limit offset join left right full inner outer cross on as and or not ' +
  'in is null like ilike between case when then else end distinct union all except intersect with insert into values update set delete ' +
  'create table view database schema drop alter add column if exists replace materialized partitioned asc desc true false cast ' +
  'over partition rows range unnest show describe explain using interval date timestamp').split(' '));

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const TOKEN = /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g;

export function highlight(sql) {
  let out = '';
  let last = 0;
  for (const m of sql.matchAll(TOKEN)) {
    out += escapeHtml(sql.slice(last, m.index));
    const [all, comment, str, ident, num, word, paren] = m;
    if (comment) out += `<span class="tok-com">${escapeHtml(comment)}</span>`;
    else if (str) out += `<span class="tok-str">${escapeHtml(str)}</span>`;
    else if (ident) out += escapeHtml(ident);
    else if (num) out += `<span class="tok-num">${num}</span>`;
    else if (KEYWORDS.has(word.toLowerCase())) out += `<span class="tok-kw">${word}</span>${paren || ''}`;
    else if (paren) out += `<span class="tok-fn">${word}</span>${paren}`;
    else out += word;
    last = m.index + all.length;
  }
  // A trailing newline needs a character after it to be shown by the <pre>.
  return out + escapeHtml(sql.slice(last)) + '\n';
}
