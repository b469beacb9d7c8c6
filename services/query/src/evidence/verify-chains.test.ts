import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chainHash, HashChain, type AuditEvent, type Checkpoint } from '@auditgate/shared';
import { verifyChains } from './verify-chains.js';
import type { ChainedRecord, VerifiedCheckpoint } from './verify-types.js';

const T0 = Date.parse('2026-03-14T10:00:00.000Z');
const window = { from: T0, to: T0 + 3_600_000, now: T0 + 3_600_000, graceMs: 15_000, countChecks: true };

function event(i: number, at: number): AuditEvent {
  return {
    apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'Metadata', auditID: `a${String(i).padStart(7, '0')}`, stage: 'RequestReceived',
    requestURI: `/api/v1/namespaces/demo/pods/p${i}`, verb: 'get', user: { username: 'agent' },
    requestReceivedTimestamp: new Date(at).toISOString(), stageTimestamp: new Date(at).toISOString(),
    auditgate: { schemaVersion: 2, gateway: { instance: 'gw', version: '1' }, actor: { issuer: 'i', subject: 's', username: 'agent', groups: [], tokenKind: 'serviceaccount' }, cluster: { name: 'c' } },
  };
}

/** A stream of `n` events 1 s apart, with a checkpoint every 5 and a final one. */
function stream(name: string, n: number, prevHash?: string): { records: ChainedRecord[]; checkpoints: VerifiedCheckpoint[] } {
  const chain = new HashChain(name, prevHash === undefined ? undefined : { prevHash });
  const records: ChainedRecord[] = [];
  const checkpoints: VerifiedCheckpoint[] = [];
  const cp = (seq: number, hash: string, at: number, count: number, final = false): void => {
    const payload: Checkpoint = { stream: name, seq, hash, time: new Date(at).toISOString(), count, intervalMs: 10_000, ...(final ? { final: true as const } : {}) };
    checkpoints.push({ payload, kid: 'k', where: `cp/${name}/${seq}/${at}` });
  };
  cp(0, chain.head().hash, T0 + 60_000, 0);
  let last = 0;
  for (let i = 1; i <= n; i += 1) {
    const at = T0 + 60_000 + i * 1000;
    const e = event(records.length + 1 + name.length * 1000, at);
    const link = chain.linkAndSerialize(e).link;
    records.push({ link, event: JSON.parse(JSON.stringify(e)) as AuditEvent, problems: [], auditID: e.auditID, stage: e.stage, where: `idx/${e.auditID}`, time: at });
    if (i % 5 === 0) { cp(i, link.hash, at + 1, i - last); last = i; }
  }
  cp(n, chain.head().hash, T0 + 60_000 + n * 1000 + 2, n - last, true);
  return { records, checkpoints };
}

const kinds = (r: ReturnType<typeof verifyChains>): string[] => r.problems.map((p) => `${p.kind}@${p.seq ?? '-'}${p.seqTo === undefined ? '' : `-${p.seqTo}`}`);

test('a clean stream verifies and ends final', () => {
  const s = stream('gw/1', 12);
  const r = verifyChains(s, window);
  assert.deepEqual(kinds(r), []);
  assert.equal(r.streams[0]!.state, 'final');
  assert.equal(r.streams[0]!.origin, 'genesis');
});

test('an edited event is changed at its position', () => {
  const s = stream('gw/1', 12);
  const r4 = s.records[3]!;
  s.records[3] = { ...r4, event: { ...r4.event!, verb: 'delete' } };
  assert.deepEqual(kinds(verifyChains(s, window)), ['changed@4']);
});

test('an event edited to hold what has no canonical JSON (a lone surrogate) is changed at its position, not a crash of verify', () => {
  const s = stream('gw/1', 12);
  const r4 = s.records[3]!;
  s.records[3] = { ...r4, event: { ...r4.event!, verb: 'get\ud800' } };
  assert.deepEqual(kinds(verifyChains(s, window)), ['changed@4']);
});

test('an edited and rehashed event is still caught by its successor and checkpoint', () => {
  const s = stream('gw/1', 12);
  const r4 = s.records[3]!;
  const edited = { ...r4.event!, verb: 'delete' } as AuditEvent;
  const hash = chainHash(edited);
  edited.auditgate = { ...edited.auditgate, chain: { ...r4.link, hash } };
  s.records[3] = { ...r4, event: edited, link: { ...r4.link, hash } };
  assert.deepEqual(kinds(verifyChains(s, window)), ['changed@4']);
});

test('deleted events and a deleted tail', () => {
  const s = stream('gw/1', 12);
  s.records.splice(5, 2);
  assert.deepEqual(kinds(verifyChains(s, window)), ['deleted@6-7']);
  const t = stream('gw/1', 12);
  t.records.splice(10, 2);
  assert.deepEqual(kinds(verifyChains(t, window)), ['deleted-tail@11-12']);
});

test('two swapped positions are one reordered pair', () => {
  const s = stream('gw/1', 12);
  const a = s.records[2]!;
  const b = s.records[3]!;
  const swap = (r: ChainedRecord, link: ChainedRecord['link']): ChainedRecord => ({ ...r, link, event: { ...r.event!, auditgate: { ...r.event!.auditgate, chain: link } } });
  s.records[2] = swap(a, b.link);
  s.records[3] = swap(b, a.link);
  assert.deepEqual(kinds(verifyChains(s, window)), ['reordered@3-4']);
});

test('an inserted copy claiming a taken position, and an event after the final checkpoint', () => {
  const s = stream('gw/1', 12);
  const copy = s.records[4]!;
  s.records.push({ ...copy, auditID: 'forged01', event: { ...copy.event!, auditID: 'forged01' }, where: 'idx/forged01' });
  assert.deepEqual(kinds(verifyChains(s, window)), ['inserted@5']);
});

test('a deleted checkpoint is missing; a stream without its final checkpoint is unterminated', () => {
  const s = stream('gw/1', 12);
  s.checkpoints.splice(1, 1);
  assert.deepEqual(kinds(verifyChains(s, window)), ['missing-checkpoint@0-10']);
  const t = stream('gw/1', 12);
  t.checkpoints.pop();
  assert.deepEqual(kinds(verifyChains(t, window)), ['unterminated@12']);
});

test('a restart: the new stream names the old one\'s last hash and the old one is succeeded', () => {
  const a = stream('gw/1', 7);
  a.checkpoints.pop();
  const b = stream('gw/2', 3, a.records.at(-1)!.link.hash);
  const r = verifyChains({ records: [...a.records, ...b.records], checkpoints: [...a.checkpoints, ...b.checkpoints] }, window);
  assert.deepEqual(kinds(r), []);
  assert.deepEqual(r.streams.map((s) => [s.stream, s.state, s.origin]), [['gw/1', 'succeeded', 'genesis'], ['gw/2', 'final', 'gw/1#7']]);
});
