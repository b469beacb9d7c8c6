// A ranked list with horizontal bars (HTML, so labels stay links and text): the overview's top-N figures.

import { h } from '../dom.js';

/**
 * An `<ol class="barlist">` of `items` ({ key, label: node|text, count, href?, detail?: node, cls? }), bars scaled to
 * the largest count; each item carries `data-key` and `data-count`. `empty` is shown when there are no items.
 */
export function barList(items, { empty = 'Nothing in this range', label } = {}) {
  if (items.length === 0) return h('p', { class: 'muted barlist-empty' }, empty);
  const max = Math.max(1, ...items.map((i) => i.count));
  return h('ol', { class: 'barlist', 'aria-label': label },
    items.map((item) => h('li', { dataset: { key: item.key, count: String(item.count) } },
      h('div', { class: 'bl-row' },
        h('span', { class: 'bl-label' }, item.href ? h('a', { href: item.href }, item.label) : item.label),
        h('span', { class: 'bl-count num' }, String(item.count))),
      h('div', { class: 'bl-track', 'aria-hidden': 'true' },
        h('span', { class: ['bl-bar', item.cls], style: { width: `${((item.count / max) * 100).toFixed(2)}%` } })),
      item.detail ? h('div', { class: 'bl-detail' }, item.detail) : null)));
}
