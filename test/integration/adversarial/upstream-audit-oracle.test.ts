/** Oracle (b) reports every identity a request of the run reached the API server under, other than the gateway's own. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent } from '@auditgate/shared';
import { matchUpstreamAudit, type KubeAuditEvent } from './upstream-audit-oracle.js';

const TAG = 'adv-t1';
const RUN = Date.parse('2026-12-05T05:00:00Z');
const at = (offsetMs: number): string => new Date(RUN + offsetMs).toISOString().replace('Z', '123Z');
const ua = (id: string): string => `adversarial/${TAG} case=${id}`;

function kube(id: string, username: string, extra: Partial<KubeAuditEvent> = {}): KubeAuditEvent {
  return {
    auditID: id, stage: 'ResponseComplete', verb: 'get', requestURI: `/api/v1/namespaces/${TAG}/secrets/s`, user: { username },
    requestReceivedTimestamp: at(1000), objectRef: { resource: 'secrets', namespace: TAG, name: 's' }, responseStatus: { code: 200 }, ...extra,
  };
}

function ours(id: string): AuditEvent {
  return { auditID: id, verb: 'get', user: { username: 'agent' }, objectRef: { resource: 'secrets', namespace: TAG, name: 's' }, auditgate: {} } as unknown as AuditEvent;
}

function run(events: KubeAuditEvent[], mine: AuditEvent[] = []): string[] {
  const result = matchUpstreamAudit({
    kubeEvents: events, ours: new Map(mine.map((e) => [e.auditID, [e]])), gatewayUsername: 'auditgate-gateway', tag: TAG,
    direct: [{ username: 'kubernetes-admin', until: RUN }], caseOf: (u) => /case=(\S+)/.exec(u ?? '')?.[1] ?? '-',
  });
  return result.findings.map((f) => `${f.caseId}: ${f.what}`);
}

describe('adversarial oracle (b): identities at the API server', () => {
  it('accepts the gateway matched by ours, the admin setup before the run, and controllers on the namespace', () => {
    assert.deepEqual(run([
      kube('g1', 'auditgate-gateway', { userAgent: ua('x') }),
      kube('a1', 'kubernetes-admin', { userAgent: 'kubectl/v1', requestReceivedTimestamp: at(-5000) }),
      kube('c1', 'system:serviceaccount:kube-system:root-ca-cert-publisher', { userAgent: 'kube-controller-manager/v1' }),
    ], [ours('g1')]), []);
  });

  it('reports a spoofed or smuggled identity of a case, whoever it names', () => {
    const found = run([
      kube('s1', 'system:admin', { userAgent: ua('headers/x-remote-masked') }),
      kube('s1', 'system:admin', { userAgent: ua('headers/x-remote-masked'), stage: 'RequestReceived' }),
      kube('s2', 'system:serviceaccount:kube-system:generic-garbage-collector', { userAgent: ua('headers/x-remote-dup-denied') }),
      kube('s3', '', { userAgent: ua('framing/smuggle') }),
    ]);
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found[0]!, /^headers\/x-remote-masked: .*"system:admin"/);
  });

  it('reports the admin identity once the run has begun', () => {
    assert.equal(run([kube('a2', 'kubernetes-admin', { userAgent: 'kubectl/v1', requestReceivedTimestamp: at(2000) })]).length, 1);
  });

  it('reports impersonated groups, uid or extra beyond our record', () => {
    const spoofed = (id: string, impersonatedUser: NonNullable<KubeAuditEvent['impersonatedUser']>): KubeAuditEvent => kube(id, 'auditgate-gateway', { userAgent: ua(id), impersonatedUser });
    const found = run([
      spoofed('i1', { username: 'system:admin' }),
      spoofed('i2', { username: '', groups: ['system:masters'] }),
      spoofed('i3', { username: '', uid: 'u-1' }),
      spoofed('i4', { username: '', extra: { scopes: ['all'] } }),
    ], ['i1', 'i2', 'i3', 'i4'].map(ours));
    assert.deepEqual(found.map((f) => f.split(':')[0]), ['i1', 'i2', 'i3', 'i4']);
  });
});
