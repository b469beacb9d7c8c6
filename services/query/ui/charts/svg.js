// SVG elements built like dom.js builds HTML ones: attributes and text only, never markup.

const NS = 'http://www.w3.org/2000/svg';

/** Creates the SVG element `<tag>` with `attrs` (class, dataset, other attributes) and `children` (nodes or text). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
