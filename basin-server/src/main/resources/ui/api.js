// The console's only way to the server: same-origin fetches that carry the session cookie and,
// on state-changing requests, the session's CSRF token.
let csrfToken = null;
let onUnauthenticated = () => {};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function setSession(session) {
  csrfToken = session ? session.csrfToken : null;
}

export function whenSignedOut(callback) {
  onUnauthenticated = callback;
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) headers['X-Basin-Csrf'] = csrfToken;
  }
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch (e) {
      json = { raw: text };
    }
  }
  if (!response.ok) {
    const err = (json && json.error) || {};
    if (response.status === 401 && !path.startsWith('/ui/api/session')) onUnauthenticated();
    throw new ApiError(response.status, err.code || String(response.status),
      err.message || `${method} ${path} failed with HTTP ${response.status}`);
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
export const del = (path) => api('DELETE', path);
export const enc = encodeURIComponent;
