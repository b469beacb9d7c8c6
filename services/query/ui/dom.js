// DOM building without HTML parsing: every string becomes a text node or an attribute value, never markup.
// Event content is hostile (URIs, object names, response bodies): nothing here may use innerHTML.

/** Properties set on the element itself rather than as attributes. */
const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'open']);

/** An href is kept only when it is a same-origin path or a fragment, so data can never become a javascript: URL. */
export function safeHref(href) {
  const s = String(href);
  return (s.startsWith('/') && !s.startsWith('//')) || s.startsWith('#') ? s : '#';
}

/**
 * Creates `<tag>` with `attrs` (`class`, `on<event>` listeners, `dataset`, `style` object, boolean properties, other attributes)
 * and appends `children` (nodes, strings, numbers, arrays; null/undefined/false skipped), strings as text.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    // Through CSSOM, which the CSP allows (inline style attributes are blocked).
    else if (key === 'style') Object.assign(el.style, value);
    else if (PROPERTIES.has(key)) el[key] = value;
    else if (value === false) continue;
    else if (key === 'href') el.setAttribute('href', safeHref(value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children to `parent` as {@link h} does. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces every child of `parent` with `children`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A visually hidden text for screen readers. */
export function srOnly(text) {
  return h('span', { class: 'sr-only' }, text);
}
