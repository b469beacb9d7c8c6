// Client-side routes under /ui (the server answers index.html for all of them).

const decode = (s) => {
  try { return decodeURIComponent(s); } catch { return s; }
};

/** The route of a pathname: `{ name: 'search'|'overview'|'event'|'actor'|'call'|'alerts'|'not-found', param? }`. */
export function parseRoute(pathname) {
  const path = pathname.replace(/^\/ui(?=\/|$)/, '').replace(/\/+$/, '');
  if (path === '' || path === '/search') return { name: 'search' };
  if (path === '/overview') return { name: 'overview' };
  let m = /^\/events\/([^/]+)$/.exec(path);
  if (m) return { name: 'event', param: decode(m[1]) };
  m = /^\/actors\/([^/]+)$/.exec(path);
  if (m) return { name: 'actor', param: decode(m[1]) };
  m = /^\/calls\/([^/]+)$/.exec(path);
  if (m) return { name: 'call', param: decode(m[1]) };
  if (path === '/alerts') return { name: 'alerts' };
  m = /^\/alerts\/([^/]+)$/.exec(path);
  if (m) return { name: 'alerts', param: decode(m[1]) };
  return { name: 'not-found' };
}

/** The UI path of an event detail. */
export const eventPath = (auditID) => `/ui/events/${encodeURIComponent(auditID)}`;
/** The UI path of an actor timeline. */
export const actorPath = (username) => `/ui/actors/${encodeURIComponent(username)}`;
/** The UI path of an MCP tool call (with its Kubernetes requests). */
export const callPath = (callId) => `/ui/calls/${encodeURIComponent(callId)}`;
/** The UI path of an alert. */
export const alertPath = (id) => `/ui/alerts/${encodeURIComponent(id)}`;
