import { api, setSession, whenSignedOut } from './api.js';

const pages = {
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

function showShell(session) {
  setSession(session);
  document.getElementById('user-name').textContent = session.accessKeyId;
  signin.hidden = true;
  shell.hidden = false;
  route();
}

async function route() {
  if (shell.hidden) return;
  const [, name = 'sql', ...rest] = (location.hash || '#/sql').split('/');
  const load = pages[name] || pages.sql;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === name);
  if (current && current.stop) current.stop();
  main.replaceChildren();
  const module = await load();
  current = module.render(main, rest.map(decodeURIComponent)) || null;
}

document.getElementById('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const button = document.getElementById('signin-button');
  button.disabled = true;
  try {
    const session = await api('POST', '/ui/api/session', {
      accessKeyId: document.getElementById('access-key-id').value,
      secretAccessKey: document.getElementById('secret-access-key').value,
    });
    document.getElementById('secret-access-key').value = '';
    showShell(session);
  } catch (e) {
    showSignIn(e.message);
  } finally {
    button.disabled = false;
  }
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
