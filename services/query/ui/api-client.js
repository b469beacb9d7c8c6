// The query service's /api/v1 client: bearer token on every call, JSON errors turned into ApiError.

/** An API failure: `status` (0 when the service could not be reached), `code`, `message`, `parameter` (400s). */
export class ApiError extends Error {
  constructor(status, code, message, parameter) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.parameter = parameter;
  }
}

/** `params` as a query string, skipping empty values. */
export function toQuery(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    q.set(key, String(value));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A client of `/api/v1` on this origin; `getToken()` gives the current bearer token. */
export function createApiClient({ getToken, fetchImpl = globalThis.fetch.bind(globalThis) }) {
  async function request(method, path, { params, body, signal } = {}) {
    const headers = { accept: 'application/json' };
    const token = getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetchImpl(`/api/v1${path}${toQuery(params)}`, {
        method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (error?.name === 'AbortError') throw error;
      throw new ApiError(0, 'NETWORK', `The query service cannot be reached (${error?.message ?? error}).`);
    }
    const raw = await res.text();
    let json;
    try { json = raw ? JSON.parse(raw) : undefined; } catch { json = undefined; }
    if (!res.ok) {
      const err = json?.error ?? {};
      const message = typeof err.message === 'string' ? err.message : (raw.slice(0, 300) || res.statusText);
      throw new ApiError(res.status, typeof err.code === 'string' ? err.code : `HTTP_${res.status}`, message,
        typeof err.parameter === 'string' ? err.parameter : undefined);
    }
    return json;
  }
  return {
    /** GET `/api/v1<path>?<params>`. */
    get: (path, params, signal) => request('GET', path, { params, signal }),
    /** POST `body` as JSON to `/api/v1<path>`. */
    post: (path, body, signal) => request('POST', path, { body, signal }),
  };
}

/** `segment` encoded for a path (auditIDs, usernames such as `system:serviceaccount:ns:sa`, alert ids). */
export const seg = (segment) => encodeURIComponent(String(segment));
