import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, createLocalJWKSet } from 'jose';
import { CHECKPOINT_TYP, createLogger, type Checkpoint, type SendingProducer } from '@auditgate/shared';
import type { ChainHead } from '../audit/audit-chain.js';
import { Checkpointer } from './checkpointer.js';
import { derToJose } from './kms-signer.js';
import { ephemeralSigner, localKeySigner } from './local-key-signer.js';

/** An in-memory producer (the checkpointer's test double): records what was sent, refuses while `down`. */
function memoryProducer(): SendingProducer & { sent: Array<{ key: string; value: string }>; down: boolean } {
  const p = {
    sent: [] as Array<{ key: string; value: string }>, down: false,
    async send(record: { topic: string; messages: Array<{ key?: unknown; value: unknown }> }) {
      if (p.down) throw new Error('broker down');
      for (const m of record.messages) p.sent.push({ key: String(m.key), value: String(m.value) });
      return [];
    },
  };
  return p as never;
}

test('checkpoints: the origin first, every N events, heartbeats while silent, a final one; count since the last produced', async () => {
  const signer = await ephemeralSigner();
  const producer = memoryProducer();
  let head: ChainHead = { seq: 0, hash: 'a'.repeat(64) };
  const cp = new Checkpointer({ stream: 'gw/1', head: () => head, signer, producer, topic: 't', everyEvents: 3, intervalMs: 60_000, logger: createLogger({ name: 't', level: 'silent' }) });
  cp.start();
  await new Promise((r) => setTimeout(r, 20));
  head = { seq: 3, hash: 'b'.repeat(64) };
  cp.advanced(head);
  await new Promise((r) => setTimeout(r, 20));
  producer.down = true;
  head = { seq: 6, hash: 'c'.repeat(64) };
  cp.advanced(head);
  await new Promise((r) => setTimeout(r, 20));
  producer.down = false;
  head = { seq: 7, hash: 'd'.repeat(64) };
  await cp.close();
  await cp.close();
  const keys = createLocalJWKSet({ keys: [signer.publicJwk] });
  const payloads: Checkpoint[] = [];
  for (const m of producer.sent) {
    assert.equal(m.key, 'gw/1');
    const { payload, protectedHeader } = await compactVerify(m.value, keys);
    assert.equal(protectedHeader.typ, CHECKPOINT_TYP);
    assert.equal(protectedHeader.kid, signer.kid);
    payloads.push(JSON.parse(new TextDecoder().decode(payload)) as Checkpoint);
  }
  assert.deepEqual(payloads.map((p) => [p.seq, p.count, p.final ?? false]), [[0, 0, false], [3, 3, false], [7, 4, true]], 'the refused one at 6 is covered by the next');
});

test('local keys: Ed25519 signs EdDSA, P-256 signs ES256, anything else is refused; DER ECDSA converts to r‖s', async () => {
  assert.equal((await localKeySigner(generateKeyPairSync('ed25519').privateKey)).alg, 'EdDSA');
  const es = await localKeySigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  assert.equal(es.alg, 'ES256');
  assert.equal((await es.sign(Buffer.from('x'))).length, 64);
  await assert.rejects(localKeySigner(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey), /Ed25519 or EC P-256/);
  const der = Buffer.from('3045022100' + 'ff'.repeat(32) + '0220' + '01'.repeat(32), 'hex');
  assert.equal(derToJose(der).toString('hex'), 'ff'.repeat(32) + '01'.repeat(32));
});

test('a silent stream signs heartbeats: with no traffic, every T a signed count-0 checkpoint of the unchanged head', async () => {
  const signer = await ephemeralSigner();
  const producer = memoryProducer();
  const head: ChainHead = { seq: 4, hash: 'e'.repeat(64) };
  const reasons: string[] = [];
  let clock = Date.parse('2026-03-14T10:00:00Z');
  const cp = new Checkpointer({
    stream: 'gw/silent', head: () => head, signer, producer, topic: 't', everyEvents: 1000, intervalMs: 40,
    logger: createLogger({ name: 't', level: 'silent' }), now: () => (clock += 40), onCheckpoint: (reason, outcome) => reasons.push(`${reason}:${outcome}`),
  });
  cp.start();
  await new Promise((r) => setTimeout(r, 400));
  await cp.close();
  const keys = createLocalJWKSet({ keys: [signer.publicJwk] });
  const payloads: Checkpoint[] = [];
  for (const m of producer.sent) payloads.push(JSON.parse(new TextDecoder().decode((await compactVerify(m.value, keys)).payload)) as Checkpoint);
  const heartbeats = payloads.filter((_, i) => reasons[i] === 'heartbeat:ok');
  assert.ok(heartbeats.length >= 4, `heartbeats while silent (${reasons.join(', ')})`);
  for (const p of heartbeats) assert.deepEqual([p.stream, p.seq, p.hash, p.count, p.intervalMs, p.final ?? false], ['gw/silent', 4, 'e'.repeat(64), 0, 40, false]);
  assert.equal(reasons[0], 'interval:ok', 'the first checkpoint names the origin');
  assert.equal(reasons.at(-1), 'final:ok');
  assert.deepEqual(payloads.map((p) => p.count), payloads.map((_, i) => (i === 0 ? 4 : 0)), 'only the first counts events (the origin head); none since');
  const times = payloads.map((p) => Date.parse(p.time));
  assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]!), 'each signed later than the one before');
});
