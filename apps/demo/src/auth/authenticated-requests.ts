/** The requests that carried the right bearer token, as `BearerTokenGuard` found them. */
const authenticated = new WeakSet<object>();

/** Records that `request` carried the right bearer token. */
export function markAuthenticated(request: object): void {
  authenticated.add(request);
}

/**
 * Whether `request` carried the right bearer token, whatever its method: the guard lets GET
 * through without one, so handlers that sign something on a GET (the direct uploads' part URLs)
 * ask here.
 */
export function isAuthenticated(request: unknown): boolean {
  return typeof request === 'object' && request !== null && authenticated.has(request);
}
