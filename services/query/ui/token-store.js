// The analyst's bearer token: kept in sessionStorage (gone with the tab), taken from `#token=…` when present.

const KEY = 'auditgate.query.token';

/** A token store over `storage` (sessionStorage in the page). */
export function createTokenStore(storage) {
  return {
    get: () => storage.getItem(KEY) ?? undefined,
    set: (token) => storage.setItem(KEY, token),
    clear: () => storage.removeItem(KEY),
  };
}

/**
 * The token in the URL fragment `#token=…`, if any, after removing the fragment from the address bar (and history
 * entry) so it is not bookmarked, shared or left on screen.
 */
export function takeFragmentToken(location, history) {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (!hash) return undefined;
  const token = new URLSearchParams(hash).get('token');
  if (token === null) return undefined;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  return token.trim() || undefined;
}
