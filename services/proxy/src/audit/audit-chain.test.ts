import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURRENT_SCHEMA_VERSION, GENESIS_HASH } from '@auditgate/shared';
import { AuditChain } from './audit-chain.js';
import { buildAuditEvent, type GatewayFacts } from './exchange-record.js';

const FACTS: GatewayFacts = { instance: 'gw', version: '1', cluster: { name: 'c' }, upstream: () => ({ mode: 'kubeconfig' }), schemaVersion: CURRENT_SCHEMA_VERSION };
const event = (i: number) => buildAuditEvent(FACTS, { auditID: `0000000${i}-aaaa`, receivedAt: 0, requestURI: '/api', verb: 'get', sourceIP: '127.0.0.1', level: 'Metadata' }, 'RequestReceived', 0);

test('the durable head advances only over consecutive durable events, whatever order they are acknowledged in', () => {
  const chain = new AuditChain('gw/boot');
  assert.throws(() => chain.linkAndSerialize(event(1)).link, /not begun/);
  chain.begin({ prevHash: GENESIS_HASH });
  const heads: number[] = [];
  chain.onAdvance((h) => heads.push(h.seq));
  const links = [1, 2, 3, 4].map((i) => chain.linkAndSerialize(event(i)).link);
  assert.deepEqual(chain.head(), { seq: 0, hash: GENESIS_HASH });
  chain.durable(2);
  chain.durable(3);
  assert.equal(chain.head().seq, 0, 'seq 1 is not durable yet');
  chain.durable(1);
  assert.deepEqual(chain.head(), { seq: 3, hash: links[2]!.hash });
  chain.durable(4);
  assert.deepEqual(heads, [3, 4]);
  assert.deepEqual(chain.linkedHead(), { seq: 4, hash: links[3]!.hash });
  assert.throws(() => chain.begin({ prevHash: GENESIS_HASH }), /already begun/);
});
