import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { ErrorCodes } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createTokenVerifier, type TokenVerifier } from '../../../services/proxy/src/auth/index.js';

const stack = readStackEnv(process.env);
const caFile = join(stack.kubeState, 'pki', 'ca.crt');
const issuer = 'https://127.0.0.1:6443';

interface AuditLine { verb?: string; objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string }; user?: { username?: string }; responseStatus?: { code?: number } }

describe('service-account tokens minted by the real kube-apiserver', () => {
  let agent: Agent;
  let adminToken: string;
  let verifier: TokenVerifier;
  const namespace = uniqueName('ag-auth');
  const serviceAccount = uniqueName('agent');

  const kube = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await undiciFetch(`${stack.kubeApiserverUrl}${path}`, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const mint = async (audiences: string[]): Promise<string> => {
    const { status, json } = await kube('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences, expirationSeconds: 600 },
    });
    assert.equal(status, 201);
    const token = (json['status'] as { token?: unknown } | undefined)?.token;
    assert.equal(typeof token, 'string');
    return token as string;
  };

  before(async () => {
    agent = new Agent({ connect: { ca: await readFile(caFile, 'utf8') } });
    const csv = await readFile(join(stack.kubeState, 'tokens.csv'), 'utf8');
    const line = csv.split('\n').map((l) => l.split(',')).find((cols) => cols[1] === 'auditgate-admin');
    assert.ok(line?.[0], 'admin token in tokens.csv');
    adminToken = line[0];
    assert.equal((await kube('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })).status, 201);
    const created = await kube('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount } });
    assert.equal(created.status, 201);
    verifier = createTokenVerifier({ issuers: [{ issuer, audiences: ['auditgate'], kind: 'serviceaccount', caFile }] });
  });

  after(async () => {
    await verifier?.close();
    if (adminToken !== undefined) await kube('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
    await agent?.close();
  });

  it('verifies a TokenRequest token through discovery + JWKS and maps it to the service account', async () => {
    const token = await mint(['auditgate']);
    const identity = await verifier.verify(token);
    assert.equal(identity.issuer, issuer);
    assert.equal(identity.tokenKind, 'serviceaccount');
    assert.equal(identity.username, `system:serviceaccount:${namespace}:${serviceAccount}`);
    assert.equal(identity.subject, identity.username);
    assert.deepEqual(identity.groups, ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated']);
    assert.equal(identity.serviceAccount?.namespace, namespace);
    assert.equal(identity.serviceAccount?.name, serviceAccount);
    assert.match(identity.serviceAccount?.uid ?? '', /^[0-9a-f-]{36}$/);
    const remaining = identity.expiresAt - Date.now();
    assert.ok(remaining > 500_000 && remaining <= 601_000, `expires in ~600 s, got ${remaining} ms`);
  });

  it('rejects a token minted for another audience with wrong_audience', async () => {
    const token = await mint(['kubernetes-other']);
    await assert.rejects(verifier.verify(token), (error: Error & { code?: string; details?: Record<string, unknown> }) => {
      assert.equal(error.code, ErrorCodes.UNAUTHENTICATED);
      assert.equal(error.details?.['reason'], 'wrong_audience');
      assert.ok(!error.message.includes(token));
      return true;
    });
  });

  it('trusts only the configured CA file for the issuer', async () => {
    const token = await mint(['auditgate']);
    const other = createTokenVerifier({
      issuers: [{ issuer, audiences: ['auditgate'], kind: 'serviceaccount', caFile: '/etc/ssl/certs/ca-certificates.crt' }],
      fetchTimeoutMs: 2000,
    });
    try {
      await assert.rejects(other.verify(token), (error: Error & { details?: Record<string, unknown>; retriable?: boolean }) => {
        assert.equal(error.details?.['reason'], 'jwks_unreachable');
        assert.equal(error.retriable, true);
        return true;
      });
    } finally {
      await other.close();
    }
  });

  it('finds the TokenRequest in the API server audit log', async () => {
    const found = await waitFor('TokenRequest in the kube-apiserver audit log', async () => {
      const text = await readFile(join(stack.kubeState, 'audit.log'), 'utf8');
      for (const raw of text.split('\n')) {
        if (!raw.includes(namespace)) continue;
        const event = JSON.parse(raw) as AuditLine;
        const ref = event.objectRef;
        if (event.verb === 'create' && ref?.resource === 'serviceaccounts' && ref.subresource === 'token'
          && ref.namespace === namespace && ref.name === serviceAccount && event.responseStatus?.code === 201) return event;
      }
      return undefined;
    }, 30_000);
    assert.equal(found.user?.username, 'auditgate-admin');
  });
});
