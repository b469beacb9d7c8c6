// Formatting of event fields for display: plain strings only (rendered with textContent by the views).

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** `2026-05-01 12:34:56.789Z` (UTC, like the logs responders compare with), or '—' when absent/invalid. */
export function formatTime(iso) {
  if (iso === undefined || iso === null || iso === '') return '—';
  const ms = Date.parse(String(iso).replace(/(\.\d{3})\d+/, '$1'));
  if (!Number.isFinite(ms)) return String(iso);
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} `
    + `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

/** `05-01 12:34:56Z` (UTC, no year or milliseconds), for dense lists; the full time belongs in a title. */
export function formatShortTime(iso) {
  const full = formatTime(iso);
  return /^\d{4}-/.test(full) ? `${full.slice(5, 19)}Z` : full;
}

/** Bytes as `1.2 KiB`. */
export function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** `pods/log` from an objectRef. */
export function formatResource(ref) {
  if (!ref || !ref.resource) return '—';
  const group = ref.apiGroup ? `.${ref.apiGroup}` : '';
  return `${ref.resource}${group}${ref.subresource ? `/${ref.subresource}` : ''}`;
}

/** `namespace/name`, `name`, or '—'. */
export function formatObjectName(ref) {
  if (!ref) return '—';
  if (ref.namespace && ref.name) return `${ref.namespace}/${ref.name}`;
  return ref.name ?? (ref.namespace ? `${ref.namespace}/` : '—');
}

/** The status code of an exchange document, or undefined while only RequestReceived is recorded. */
export function statusCode(doc) {
  const code = doc?.responseStatus?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A CSS class for an HTTP status code's class. */
export function statusClass(code) {
  if (code === undefined) return 'status-pending';
  if (code >= 500) return 'status-5xx';
  if (code >= 400) return 'status-4xx';
  return 'status-2xx';
}

/** A value as display text: strings as they are, the rest as JSON. */
export function text(value) {
  if (value === undefined || value === null || value === '') return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The actor username of an exchange document. */
export function actorOf(doc) {
  return doc?.auditgate?.actor?.username ?? doc?.user?.username ?? '';
}
