// The trail badge: whether the audit trail of the shown time range verifies (hash chains and signed checkpoints).
import { h, replaceChildren } from '../dom.js';

const KIND_LABELS = {
  changed: 'changed', deleted: 'deleted', 'deleted-tail': 'deleted at the end', reordered: 'reordered', inserted: 'inserted',
  'forged-checkpoint': 'forged checkpoint', 'missing-checkpoint': 'missing checkpoint', unterminated: 'stream stopped unsigned', 'broken-link': 'broken restart link',
};

/** A badge that asks `/verify` about `range` ({ from, to } or { since }) and shows the outcome; a problem list opens on demand. */
export function trailBadge(ctx, range) {
  const badge = h('span', { class: 'badge trail-pending', role: 'status' }, 'Trail: verifying…');
  const details = h('ul', { class: 'trail-problems', hidden: true });
  const box = h('div', { class: 'trail', 'aria-label': 'Tamper evidence of this time range' }, badge, details);
  ctx.api.get('/verify', range, ctx.signal).then((report) => {
    if (report.ok) {
      badge.className = 'badge trail-ok';
      badge.textContent = `Trail verified ✓ ${report.events} events · ${report.streams.length} stream${report.streams.length === 1 ? '' : 's'} · ${report.checkpoints} signed checkpoints`;
      badge.title = report.summary;
      return;
    }
    badge.className = 'badge trail-bad';
    const kinds = [...new Set(report.problems.map((p) => KIND_LABELS[p.kind] ?? p.kind))];
    badge.textContent = `Trail NOT verified: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} (${kinds.join(', ')})`;
    const toggle = h('button', { type: 'button', class: 'trail-toggle', 'aria-expanded': 'false', onclick: () => {
      details.hidden = !details.hidden;
      toggle.setAttribute('aria-expanded', String(!details.hidden));
    } }, 'details');
    box.insertBefore(toggle, details);
    replaceChildren(details, report.problems.slice(0, 50).map((p) => h('li', null,
      h('strong', null, KIND_LABELS[p.kind] ?? p.kind),
      p.seq === undefined ? '' : ` at ${p.seq}${p.seqTo !== undefined && p.seqTo !== p.seq ? `–${p.seqTo}` : ''}`,
      p.auditID ? [' ', h('a', { href: `/ui/events/${encodeURIComponent(p.auditID)}` }, p.auditID)] : '',
      p.stage ? ` ${p.stage}` : '', `: ${p.detail}`)));
  }).catch((error) => {
    if (error?.name === 'AbortError') return;
    badge.className = 'badge trail-unknown';
    badge.textContent = error?.status === 503 ? 'Trail: not verifiable here (no checkpoint keys configured)'
      : error?.status === 413 ? 'Trail: too many events to verify here (narrow the range, or run auditgate verify)' : 'Trail: verification failed';
    badge.title = error?.message ?? '';
  });
  return box;
}
