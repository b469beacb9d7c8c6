import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readApiServerLog, type ApiServerEvent } from './read-apiserver-log.js';
import { GATEWAY_OWN_AUDIT_ID_PREFIX, GATEWAY_OWN_USER_AGENT } from '@auditgate/shared/kube';
import { reconcile } from './reconcile.js';

const ev = (auditID: string, stage: string, extra: Partial<ApiServerEvent> = {}): Record<string, unknown> => ({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID, stage, verb: 'get', requestURI: `/api/v1/pods/${auditID}`,
  user: { username: 'gw' }, objectRef: { resource: 'pods', name: auditID, apiVersion: 'v1' }, requestReceivedTimestamp: '2026-03-14T10:00:00.000000Z',
  ...(stage === 'ResponseComplete' ? { responseStatus: { code: 200 } } : {}), ...extra,
});

test('the API server log is read plain, in CloudWatch envelopes, subscription records, exports and timestamp-prefixed lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
  const plain = join(dir, 'plain.log');
  writeFileSync(plain, `${JSON.stringify(ev('a1', 'ResponseComplete'))}\nnot json\n{"torn":`);
  const cw = join(dir, 'cw.jsonl');
  writeFileSync(cw, [
    JSON.stringify({ timestamp: 1, message: JSON.stringify(ev('a2', 'ResponseComplete')), logStreamName: 'kube-apiserver-audit-1' }),
    JSON.stringify({ messageType: 'DATA_MESSAGE', logEvents: [{ id: '1', timestamp: 1, message: JSON.stringify(ev('a3', 'RequestReceived')) }] }),
    `2026-03-14T10:00:01.000Z ${JSON.stringify(ev('a4', 'ResponseComplete'))}`,
  ].join('\n'));
  const exported = join(dir, 'export.json');
  writeFileSync(exported, JSON.stringify({ events: [{ message: JSON.stringify(ev('a5', 'ResponseComplete')) }] }, null, 2));
  assert.deepEqual((await readApiServerLog(plain)).map((e) => e.auditID), ['a1']);
  assert.deepEqual((await readApiServerLog(cw)).map((e) => e.auditID), ['a2', 'a3', 'a4']);
  assert.deepEqual((await readApiServerLog(exported)).map((e) => e.auditID), ['a5']);
});

test('reconcile: coverage, missing, disagreeing and unseen requests; identities learned from the shared audit IDs', () => {
  const at = Date.parse('2026-03-14T10:00:00Z');
  const apiServer = [
    ev('a1', 'RequestReceived'), ev('a1', 'ResponseComplete'),
    ev('a2', 'ResponseComplete', { verb: 'list' }),
    ev('a3', 'ResponseComplete', { impersonatedUser: { username: 'agent' } }),
    ev('x1', 'ResponseComplete', { user: { username: 'someone-else' } }),
  ] as unknown as ApiServerEvent[];
  const ours = [
    { auditID: 'a1', verb: 'get', requestURI: '/api/v1/pods/a1', objectRef: { resource: 'pods', name: 'a1', apiVersion: 'v1' }, code: 200, complete: true, receivedAt: at },
    { auditID: 'a2', verb: 'get', requestURI: '/api/v1/pods/a2', objectRef: { resource: 'pods', name: 'a2', apiVersion: 'v1' }, code: 200, complete: true, receivedAt: at },
    { auditID: 'o1', verb: 'get', requestURI: '/api/v1/pods/o1', code: 200, complete: true, receivedAt: at },
    { auditID: 'o2', verb: 'get', requestURI: '/api/v1/pods/o2', code: 403, complete: true, errorCode: 'AUDITGATE_E_FORBIDDEN', receivedAt: at },
  ];
  const r = reconcile({ apiServer, ours, from: at - 1000, to: at + 1000 });
  assert.deepEqual(r.identities, ['gw']);
  assert.equal(r.considered, 3);
  assert.equal(r.matched, 2);
  assert.equal(r.coverage, 66.66);
  assert.deepEqual(r.missing.map((m) => [m.auditID, m.impersonatedUser]), [['a3', 'agent']]);
  assert.deepEqual(r.disagreements, [{ auditID: 'a2', requestURI: '/api/v1/pods/a2', fields: ['verb: list ≠ get'] }]);
  assert.deepEqual(r.unseen.map((u) => u.auditID), ['o1'], 'a request the gateway refused itself claims no forwarding');
  assert.equal(r.ok, false);
  assert.match(r.summary, /^NOT reconciled: coverage 66\.66 %/);
});

const OWN = `${GATEWAY_OWN_AUDIT_ID_PREFIX}0b0e`;
const tokenReview = { userAgent: GATEWAY_OWN_USER_AGENT, verb: 'create', requestURI: '/apis/authentication.k8s.io/v1/tokenreviews',
  objectRef: { resource: 'tokenreviews', apiGroup: 'authentication.k8s.io', apiVersion: 'v1' } };

test('the gateway\'s own calls (TokenReview, issuer JWKS) are set aside by their audit ID; a copied User-Agent hides nothing', () => {
  const at = Date.parse('2026-03-14T10:00:00Z');
  const apiServer = [
    ev(`${OWN}-r1`, 'ResponseComplete', tokenReview), ev(`${OWN}-j1`, 'ResponseComplete', { userAgent: GATEWAY_OWN_USER_AGENT, requestURI: '/openid/v1/jwks', objectRef: {} }),
    ev('x1', 'ResponseComplete', { userAgent: GATEWAY_OWN_USER_AGENT }), ev('m1', 'ResponseComplete'),
    // A client's TokenReview through the gateway, its User-Agent copied: the gateway sent its own UUID as the audit ID.
    ev('c1', 'ResponseComplete', tokenReview),
  ] as unknown as ApiServerEvent[];
  const ours = [{ auditID: 'm1', verb: 'get', requestURI: '/api/v1/pods/m1', objectRef: { resource: 'pods', name: 'm1', apiVersion: 'v1' }, receivedAt: at, complete: true, code: 200 }];
  const r = reconcile({ apiServer, ours: ours as never, from: at - 1000, to: at + 1000, identities: ['gw'] });
  assert.equal(r.ownCalls, 2);
  assert.deepEqual(r.missing.map((m) => m.auditID), ['x1', 'c1'], 'requests with the gateway\'s User-Agent but a forwarded audit ID are still missing');
  assert.equal(r.coverage, 33.33);
});

test('reconcile refuses (AUDITGATE_E_RECONCILE_NO_IDENTITY) when nothing names the gateway: an emptied index is not 100 %', () => {
  const at = Date.parse('2026-03-14T10:00:00Z');
  const apiServer = [ev('a1', 'ResponseComplete'), ev('a2', 'ResponseComplete', { verb: 'list' })] as unknown as ApiServerEvent[];
  const before = reconcile({ apiServer, ours: [{ auditID: 'a1', verb: 'get', requestURI: '/api/v1/pods/a1', objectRef: { resource: 'pods', name: 'a1', apiVersion: 'v1' }, code: 200, complete: true, receivedAt: at }], from: at - 1000, to: at + 1000 });
  assert.deepEqual([before.identities, before.identitySource, before.identityEvidence], [['gw'], 'learned', { gw: { ownCalls: 0, sharedAuditIDs: 1 } }]);
  assert.throws(() => reconcile({ apiServer, ours: [], from: at - 1000, to: at + 1000 }), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'AUDITGATE_E_RECONCILE_NO_IDENTITY');
    assert.match(e.message, /2 in the window.*--upstream-user/s);
    return true;
  });
  const named = reconcile({ apiServer, ours: [], from: at - 1000, to: at + 1000, identities: ['gw'] });
  assert.deepEqual([named.ok, named.coverage, named.missing.length, named.identitySource], [false, 0, 2, 'named']);
  // The gateway's own calls name it even when the index holds nothing.
  const learned = reconcile({ apiServer: [...apiServer, ev(`${OWN}-r2`, 'ResponseComplete', tokenReview)] as unknown as ApiServerEvent[], ours: [], from: at - 1000, to: at + 1000 });
  assert.deepEqual([learned.ok, learned.identities, learned.missing.length, learned.ownCalls], [false, ['gw'], 2, 1]);
  // A copied User-Agent without the own-call audit ID names nobody.
  assert.throws(() => reconcile({ apiServer: [...apiServer, ev('c2', 'ResponseComplete', tokenReview)] as unknown as ApiServerEvent[], ours: [], from: at - 1000, to: at + 1000 }), /could not be established/);
});
