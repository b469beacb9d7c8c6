// Readable actor names: a service account shows as `namespace/name`, the full username on hover; a long name is cut in
// the middle, at a part it shares with the other names shown beside it, never at the part that tells them apart.

import { h } from './dom.js';
import { actorPath } from './router.js';

const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):(.+)$/;
const SEPARATORS = new Set(['/', '-', '_', '.', ':', '@', ' ']);
/** Characters a cut name may show, by default (table cells and lists). */
export const NAME_MAX = 34;

/** `namespace/name` for a service account (`system:serviceaccount:<ns>:<name>`), any other username as it is. */
export function displayName(username) {
  const m = SERVICE_ACCOUNT.exec(String(username ?? ''));
  return m ? `${m[1]}/${m[2]}` : String(username ?? '');
}

const commonPrefix = (a, b) => { let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i += 1; return i; };

/** [start, end) of the token (between separators) around `i`. */
function tokenAt(label, i) {
  let start = i;
  while (start > 0 && !SEPARATORS.has(label[start - 1])) start -= 1;
  let end = i + 1;
  while (end < label.length && !SEPARATORS.has(label[end])) end += 1;
  return [start, end];
}

/** The spans of `label` a cut may remove: everything outside the first token that differs from each of `others`. */
function cuttableGaps(label, others) {
  const keep = new Array(label.length).fill(false);
  for (const other of others) {
    // Where the two first differ; a name that is a prefix of another differs by its end.
    const at = Math.min(commonPrefix(label, other), label.length - 1);
    const [start, end] = tokenAt(label, at);
    for (let i = start; i < end; i += 1) keep[i] = true;
  }
  const gaps = [];
  for (let i = 0; i < label.length;) {
    if (keep[i]) { i += 1; continue; }
    let j = i;
    while (j < label.length && !keep[j]) j += 1;
    gaps.push([i, j]);
    i = j;
  }
  return gaps;
}

/**
 * The span of `n` (or a few more) characters to remove from the middle of gap [g0, g1) of `label`: centred, then widened
 * to drop a stub of at most 3 characters left of a token boundary on either side (`m…-reader` becomes `…-reader`).
 */
function cutSpan(label, [g0, g1], n) {
  let start = g0 + Math.floor((g1 - g0 - n) / 2);
  let end = start + n;
  let k = start;
  while (k > g0 && !SEPARATORS.has(label[k - 1])) k -= 1;
  if (start - k <= 3 && (k > g0 || g0 === 0 || SEPARATORS.has(label[g0 - 1]))) start = k;
  let m = end;
  while (m < g1 && !SEPARATORS.has(label[m])) m += 1;
  if (m - end <= 3 && (m < g1 || g1 === label.length || SEPARATORS.has(label[g1]))) end = m;
  return [start, end];
}

/**
 * `label` cut to at most `max` characters with `…` in one or two shared spans, so it stays distinct from `others`
 * (the labels shown beside it); unchanged when it fits, or when no cut could spare the parts that differ.
 */
export function shortenName(label, others = [], max = NAME_MAX) {
  if (label.length <= max) return label;
  const gaps = cuttableGaps(label, others.filter((o) => o !== label)).sort((a, b) => (b[1] - b[0]) - (a[1] - a[0]));
  const one = label.length - max + 1;
  if (gaps[0] && gaps[0][1] - gaps[0][0] >= one) {
    const [s, e] = cutSpan(label, gaps[0], one);
    return `${label.slice(0, s)}…${label.slice(e)}`;
  }
  const two = label.length - max + 2;
  const [a, b] = gaps;
  if (a && b && (a[1] - a[0]) + (b[1] - b[0]) >= two) {
    const fromA = Math.min(a[1] - a[0], Math.ceil(two * (a[1] - a[0]) / ((a[1] - a[0]) + (b[1] - b[0]))));
    const cuts = [cutSpan(label, a, fromA), cutSpan(label, b, two - fromA)].sort((x, y) => x[0] - y[0]);
    return `${label.slice(0, cuts[0][0])}…${label.slice(cuts[0][1], cuts[1][0])}…${label.slice(cuts[1][1])}`;
  }
  return label;
}

/** The display labels of `usernames` (service accounts as `namespace/name`), each cut as {@link shortenName} among the others. */
export function shortLabels(usernames, max = NAME_MAX) {
  const labels = new Map([...new Set(usernames)].map((u) => [u, displayName(u)]));
  const all = [...new Set(labels.values())];
  return new Map([...labels].map(([u, label]) => [u, shortenName(label, all, max)]));
}

/** An actor's name: a link to their timeline (or a span), titled with the full username; {@link fitNames} cuts it. */
export function actorName(username, { link = true, className } = {}) {
  const full = String(username ?? '');
  const attrs = { class: ['actor-name', className], title: full || undefined, dataset: { actor: full } };
  if (!full) return h('span', attrs, '—');
  return link ? h('a', { ...attrs, href: actorPath(full) }, displayName(full)) : h('span', attrs, displayName(full));
}

/** Cuts every {@link actorName} inside `root` among the others shown there; call it again after adding rows. */
export function fitNames(root, max = NAME_MAX) {
  const els = [...root.querySelectorAll('.actor-name[data-actor]')].filter((el) => el.dataset.actor);
  const labels = shortLabels(els.map((el) => el.dataset.actor), max);
  for (const el of els) {
    const label = labels.get(el.dataset.actor);
    if (el.textContent !== label) el.textContent = label;
  }
  return root;
}
