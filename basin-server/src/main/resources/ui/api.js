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

/**
 * One request to the server. body: a value sent as JSON; options.raw: a Blob sent as it is (with
 * its own type); options.blob: answer the response body as a Blob instead of parsed JSON. Errors
 * become ApiError with the server's {"error": {code, message}}; a 401 signs the console out.
 */
export async function api(method, path, body, options = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) headers['X-Basin-Csrf'] = csrfToken;
  }
  const init = { method, headers, credentials: 'same-origin' };
  if (options.raw !== undefined) {
    if (options.raw && options.raw.type) headers['Content-Type'] = options.raw.type;
    init.body = options.raw;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.ok && options.blob) return response.blob();
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

// PUTs raw bytes (a File or Blob) with the CSRF header, for uploads: the body is sent as is, with
// the file's own content type. Answers the parsed JSON; throws ApiError like api().
/** PUT of a file or other Blob as the raw request body (e.g. an object upload). */
export const putBytes = (path, blob) => api('PUT', path, undefined, { raw: blob });
/** GET of a binary answer (e.g. an exported PNG) as a Blob. */
export const getBlob = (path) => api('GET', path, undefined, { blob: true });
