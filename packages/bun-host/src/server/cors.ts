/**
 * Which browser origins may call the host's HTTP API and load bundles across origins (a Vite
 * dev server on another port, for example). The default admits loopback origins only.
 */

/** Allowed origins: exact origins (`http://localhost:5173`) or a predicate. */
export type OriginPolicy = readonly string[] | ((origin: string) => boolean);

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

/** True for `http(s)://localhost`, `127.x.x.x` and `[::1]` on any port. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return LOOPBACK_HOSTS.has(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname);
}

/** Whether `origin` may talk to the host under `policy` (loopback only when absent). */
export function originAllowed(policy: OriginPolicy | undefined, origin: string): boolean {
  if (policy === undefined) return isLoopbackOrigin(origin);
  if (typeof policy === 'function') return policy(origin);
  return policy.includes(origin);
}

/** CORS response headers for a request from `origin` (none when absent or not allowed). */
export function corsHeaders(
  origin: string | null,
  policy: OriginPolicy | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { Vary: 'Origin' };
  if (origin === null || !originAllowed(policy, origin)) return headers;
  headers['Access-Control-Allow-Origin'] = origin;
  headers['Access-Control-Allow-Methods'] = 'GET, HEAD, OPTIONS';
  headers['Access-Control-Allow-Headers'] = 'Authorization, Content-Type, If-None-Match';
  headers['Access-Control-Expose-Headers'] = 'ETag';
  headers['Access-Control-Max-Age'] = '600';
  return headers;
}
