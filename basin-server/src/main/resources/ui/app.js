import { api, setSession, whenSignedOut } from './api.js';
import { errorBox } from './ui.js';

const pages = {
  dashboards: () => import('./pages/dashboards.js'),
  datasets: () => import('./pages/datasets.js'),
  sql: () => import('./pages/sql.js'),
  catalog: () => import('./pages/catalog.js'),
  jobs: () => import('./pages/jobs.js'),
  crawlers: () => import('./pages/crawlers.js'),
  streams: () => import('./pages/streams.js'),
  delivery: () => import('./pages/delivery.js'),
  buckets: () => import('./pages/buckets.js'),
};

const signin = document.getElementById('signin');
const shell = document.getElementById('shell');
const main = document.getElementById('page');
let current = null;

function showSignIn(message) {
  setSession(null);
  if (current && current.stop) current.stop();
  current = null;
  shell.hidden = true;
  signin.hidden = false;
  const box = document.getElementById('signin-error');
  box.hidden = !message;
  box.textContent = message || '';
  document.getElementById('access-key-id').focus();
}

// The console pages each role may open (the server enforces the same on the API); admins see all.
const rolePages = {
  AUTHOR: ['dashboards', 'datasets', 'sql', 'catalog'],
  READER: ['dashboards'],
};

function showShell(session) {
  setSession(session);
  const role = session.role || 'ADMIN';
  const name = document.getElementById('user-name');
  name.textContent = session.user || session.accessKeyId;
  name.title = `${role.toLowerCase()}${session.accessKeyId ? ' (access key pair)' : ''}`;
  name.dataset.role = role;
  const allowed = rolePages[role];
  for (const a of document.querySelectorAll('#nav a')) a.hidden = !!allowed && !allowed.includes(a.dataset.page);
  const page = ((location.hash || '#/sql').split('?')[0].split('/')[1]) || 'sql';
  if (allowed && !allowed.includes(page)) history.replaceState(null, '', `#/${allowed[0]}`);
  signin.hidden = true;
  shell.hidden = false;
  route();
}

let routeSeq = 0;

async function route() {
  if (shell.hidden) return;
  // #/<page>/<arg>/<arg>?<query>: the query (URL-encoded key=value pairs) carries page state, such
  // as a dashboard's filters, so that a copied URL opens the same view.
  const hash = location.hash || '#/sql';
  const q = hash.indexOf('?');
  const [, name = 'sql', ...rest] = (q < 0 ? hash : hash.slice(0, q)).split('/');
  const query = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  const load = pages[name] || pages.sql;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === name);
  if (current && current.stop) current.stop();
  current = null;
  // Each visit renders into its own container: a page still loading when the hash changes again
  // writes into a detached node and is stopped, instead of stacking onto the next page.
  const seq = ++routeSeq;
  const container = document.createElement('div');
  container.className = 'page-body';
  main.replaceChildren(container);
  let page = null;
  try {
    const module = await load();
    if (seq !== routeSeq) return;
    page = (await module.render(container, rest.map(decodePart), query)) || null;
  } catch (e) {
    if (seq === routeSeq) container.replaceChildren(errorBox(e));
    return;
  }
  if (seq !== routeSeq) {
    if (page && page.stop) page.stop();
    return;
  }
  current = page;
}

// A hand-typed hash may hold a stray '%': keep such a part as typed rather than failing the page.
function decodePart(part) {
  try {
    return decodeURIComponent(part);
  } catch (e) {
    return part;
  }
}

document.getElementById('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.getElementById('signin-button');
  button.disabled = true;
  const byUser = document.getElementById('signin-toggle').dataset.mode === 'user';
  try {
    const session = await api('POST', '/ui/api/session', byUser ? {
      user: document.getElementById('user-name-input').value,
      password: document.getElementById('password-input').value,
    } : {
      accessKeyId: document.getElementById('access-key-id').value,
      secretAccessKey: document.getElementById('secret-access-key').value,
    });
    document.getElementById('secret-access-key').value = '';
    document.getElementById('password-input').value = '';
    showShell(session);
  } catch (e) {
    showSignIn(e.message);
  } finally {
    button.disabled = false;
  }
});

// Two ways in: the server's key pair (an admin) or a named user; only the shown pair of fields is
// enabled, so the browser validates and submits just those.
document.getElementById('signin-toggle').addEventListener('click', (event) => {
  const toggle = event.currentTarget;
  const byUser = toggle.dataset.mode !== 'user';
  toggle.dataset.mode = byUser ? 'user' : 'keys';
  toggle.textContent = byUser ? 'Sign in with the access key pair' : 'Sign in with a user name';
  document.getElementById('signin-keys').hidden = byUser;
  document.getElementById('signin-user').hidden = !byUser;
  for (const id of ['access-key-id', 'secret-access-key']) document.getElementById(id).disabled = byUser;
  for (const id of ['user-name-input', 'password-input']) document.getElementById(id).disabled = !byUser;
  document.getElementById('signin-error').hidden = true;
  document.getElementById(byUser ? 'user-name-input' : 'access-key-id').focus();
});

document.getElementById('signout').addEventListener('click', async () => {
  try {
    await api('DELETE', '/ui/api/session');
  } finally {
    showSignIn('');
  }
});

whenSignedOut(() => showSignIn('Your session has ended; sign in again.'));
window.addEventListener('hashchange', route);

api('GET', '/ui/api/session').then(showShell, () => showSignIn(''));
