// The one way to talk to the server: bearer token, JSON, and errors that carry the HTTP status
// and the server's `detail`, so the sync engine can decide retry / attention / sign in again.

let token = null;
let onUnauthorized = () => {};

export const setToken = (value) => {
  token = value || null;
};
export const whenUnauthorized = (fn) => {
  onUnauthorized = fn;
};

export class ApiError extends Error {
  /** status 0 means the network failed (offline, timeout, connection refused). */
  constructor(status, detail, body = {}, retryAfter = null) {
    super(detail || `HTTP ${status}`);
    this.status = status;
    this.detail = detail || "";
    this.body = body || {};
    this.retryAfter = retryAfter;
  }
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/**
 * fetch with a timeout. `json` is sent as JSON, `body` as is. Resolves {status, data, headers}
 * for 2xx and 304; throws ApiError otherwise.
 */
export async function request(method, path, { json, body, headers = {}, timeout = 30000 } = {}) {
  const h = { Accept: "application/json", ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    h["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  let res;
  let data = null;
  try {
    res = await fetch(path, { method, headers: h, body, signal: abort.signal, cache: "no-store" });
    const type = res.headers.get("content-type") || "";
    if (method !== "HEAD" && type.includes("json")) data = await res.json().catch(() => null);
  } catch {
    throw new ApiError(0, "network");
  } finally {
    clearTimeout(timer);
  }
  if (res.ok || res.status === 304) return { status: res.status, data, headers: res.headers };
  if (res.status === 401 && path !== "/api/login") onUnauthorized();
  const wait = Number(res.headers.get("retry-after"));
  throw new ApiError(res.status, data && data.detail, data, Number.isFinite(wait) ? wait : null);
}

/** A binary GET with the token (an <img src> cannot send it): the server's photo thumbnails. */
export async function fetchBlob(path) {
  const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`);
  return res.blob();
}
