// Names and colour classes of chart series (the colours live in charts.css, so the CSP needs no inline styles).

const VERB_CLASSES = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** A series of the histogram API (`allow/2xx`, a verb, `other`) as `{ key, label, cls }` for a legend and its bars. */
export function describeSeries(stack, key) {
  if (stack === 'outcome') {
    const [decision, cls] = String(key).split('/');
    return { key, label: `${decision} · ${cls}`, cls: `s-${decision}-${cls}` };
  }
  if (stack === 'verb') return { key, label: key, cls: VERB_CLASSES.includes(key) ? `s-verb-${key}` : key === 'other' ? 's-other' : 's-verb-more' };
  return { key, label: key, cls: 's-events' };
}
