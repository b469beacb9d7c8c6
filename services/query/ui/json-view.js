// Pretty-printed JSON built from DOM nodes, with the gateway's masking markers highlighted (never parsed as HTML).

import { h } from './dom.js';

/** The gateway's masking marker (`***masked:hmac-sha256:<hex>***`), alone or inside a longer string. */
const MASK_MARKER = /\*\*\*masked:[a-z0-9-]+:[0-9a-f]+\*\*\*/;

/** True when `value` carries a masking marker. */
export function isMasked(value) {
  return typeof value === 'string' && MASK_MARKER.test(value);
}

/** A `<pre>` with `value` pretty-printed as JSON (2-space indent); masked strings get class `masked`. */
export function jsonView(value, label) {
  const code = h('code');
  write(code, value, 0);
  return h('pre', { class: 'json', tabindex: 0, 'aria-label': label }, code);
}

function write(out, value, depth) {
  const indent = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return out.append('[]');
    out.append('[\n');
    value.forEach((item, i) => {
      out.append(indent);
      write(out, item, depth + 1);
      out.append(i < value.length - 1 ? ',\n' : '\n');
    });
    return out.append(`${close}]`);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return out.append('{}');
    out.append('{\n');
    entries.forEach(([key, item], i) => {
      out.append(indent, h('span', { class: 'j-key' }, JSON.stringify(key)), ': ');
      write(out, item, depth + 1);
      out.append(i < entries.length - 1 ? ',\n' : '\n');
    });
    return out.append(`${close}}`);
  }
  if (typeof value === 'string') {
    const masked = isMasked(value);
    return out.append(h('span', { class: masked ? 'j-str masked' : 'j-str', title: masked ? 'masked by the gateway' : undefined },
      JSON.stringify(value)));
  }
  return out.append(h('span', { class: value === null ? 'j-null' : `j-${typeof value}` }, JSON.stringify(value) ?? 'undefined'));
}
