/**
 * A named cluster's own trust, against the real kube-apiserver: its service-account issuer reached through the
 * gateway's upstream connection (the kubeconfig's CA and credentials, the API server's /openid/v1/jwks), and each new
 * service-account token confirmed with a TokenReview, so a deleted service account's token stops working within the
 * review cache time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ErrorCodes, type AppError } from '@auditgate/shared';
import { createTokenReviewer, createTokenVerifier, type TokenVerifier } from '@auditgate/shared/auth';
import { createKubeconfigConnection } from '@auditgate/shared/kube';
import { apiServerAuditSince, kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { EventCollector } from './support/event-collector.js';
import { gatewayRequest } from './support/gateway-client.js';
import { createAgent, startProxy, type ProxyHarness } from './support/proxy-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const gatewayKubeconfig = `${stack.kubeState}/gateway-upstream.kubeconfig`;
const k = (args: readonly string[]): Promise<string> => kubectl(stack, creds.adminKubeconfig, args);
const CACHE_MS = 2_000;

describe('a named cluster\'s own trust: issuer through the upstream, TokenReview of service-account tokens', () => {
  let proxy: ProxyHarness;
  const collector = new EventCollector();
  const verifiers: TokenVerifier[] = [];
  const namespaces: string[] = [];

  before(async () => {
    await collector.start();
    // As `npm start` runs it against a user's cluster: no issuer CA file, the issuer reached through the upstream.
    proxy = await startProxy({ env: { PROXY_SA_ISSUER_CA_FILE: '', PROXY_SA_ISSUER_TRUST: 'upstream', PROXY_SA_TOKEN_REVIEW_CACHE_MS: String(CACHE_MS) } });
  });
  after(async () => {
    await proxy?.stop();
    await collector.stop();
    await Promise.all(verifiers.map((v) => v.close()));
    for (const ns of namespaces) await k(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  });

  it('discovery and keys come from the API server with the kubeconfig\'s credentials; its CA, not the default trust, is what is trusted', async () => {
    const agent = await createAgent('ag-named-trust');
    namespaces.push(agent.namespace);
    const connection = await createKubeconfigConnection({ kubeconfigPath: gatewayKubeconfig });
    const offset = (await stat(creds.auditLog)).size;
    const verifier = createTokenVerifier({ issuers: [{ issuer: stack.kubeApiserverUrl, audiences: ['auditgate'], kind: 'serviceaccount', apiServer: connection }] });
    verifiers.push(verifier);
    assert.equal((await verifier.verify(agent.token)).username, agent.username);
    for (const uri of ['/.well-known/openid-configuration', '/openid/v1/jwks']) {
      const event = await waitFor(`${uri} fetched as the kubeconfig's user`, async () => (await apiServerAuditSince(creds.auditLog, offset))
        .find((e) => e.requestURI === uri && e.stage === 'ResponseComplete' && e.user?.username === 'auditgate-gateway'));
      assert.equal(event.responseStatus?.code, 200);
    }
    // Another trust anchor than the cluster's CA (a leaf it signed, which signed nothing): refused, although
    // NODE_EXTRA_CA_CERTS (set for these tests) makes the default trust accept the cluster.
    const otherCa = readFileSync(`${stack.kubeState}/pki/kwok-kubelet.crt`);
    const wrongCa = { target: () => ({ ...connection.target(), tls: { ...connection.target().tls, ca: otherCa } }), authorization: connection.authorization };
    const distrusting = createTokenVerifier({ issuers: [{ issuer: stack.kubeApiserverUrl, audiences: ['auditgate'], kind: 'serviceaccount', apiServer: wrongCa }] });
    verifiers.push(distrusting);
    await assert.rejects(distrusting.verify(agent.token), (e: AppError) => e.details['reason'] === 'jwks_unreachable');
  });

  it('the gateway records the review; a deleted service account\'s token is refused within the review cache time', async () => {
    const agent = await createAgent('ag-named-review');
    namespaces.push(agent.namespace);
    const get = () => gatewayRequest(proxy.httpsPort, { path: `/api/v1/namespaces/${agent.namespace}/configmaps`, headers: { authorization: `Bearer ${agent.token}` } });
    const first = await get();
    assert.equal(first.status, 200, first.body);
    const second = await get();
    assert.equal(second.status, 200, second.body);
    const [a, b] = await Promise.all([first, second].map(async (answer) =>
      (await collector.waitFor(`event ${answer.auditId}`, (e) => e.auditID === answer.auditId && e.stage === 'ResponseComplete'))[0]!));
    assert.deepEqual({ ...a!.auditgate.actor.review, at: undefined }, { checked: true, authenticated: true, at: undefined, cached: false });
    assert.equal(b!.auditgate.actor.review?.cached, true);
    assert.equal(b!.auditgate.actor.review?.at, a!.auditgate.actor.review?.at, 'the cached answer keeps the time the cluster gave it');

    await k(['-n', agent.namespace, 'delete', 'serviceaccount', 'agent']);
    // The API server itself keeps a successful authentication for 10 s (its token cache, not configurable): from the
    // moment it refuses the token, the gateway must refuse it within its own review cache time.
    const reviewer = createTokenReviewer({ apiServer: await createKubeconfigConnection({ kubeconfigPath: creds.adminKubeconfig }) });
    await waitFor('the API server to refuse the deleted service account\'s token', async () =>
      ((await reviewer.review(agent.token, ['auditgate'])).authenticated ? undefined : true), 15_000, 200);
    await reviewer.close();
    const clusterRefusedAt = Date.now();
    const refused = await waitFor('the gateway to refuse it', async () => {
      const answer = await get();
      return answer.status === 401 ? answer : undefined;
    }, CACHE_MS + 5_000, 100);
    const after = Date.now() - clusterRefusedAt;
    assert.ok(after <= CACHE_MS + 500, `refused ${after} ms after the cluster did; the review cache is ${CACHE_MS} ms`);
    assert.equal(refused.json?.['reason'], 'Unauthorized');
    assert.match(String(refused.json?.['message']), /the cluster refused the token \(TokenReview: .*\)/);
    const [event] = await collector.waitFor('the refusal\'s event', (e) => e.auditID === refused.auditId && e.stage === 'ResponseComplete');
    assert.equal(event!.responseStatus?.code, 401);
    assert.equal(event!.auditgate.errorCode, ErrorCodes.UNAUTHENTICATED);
    assert.equal(event!.auditgate.actor.username, agent.username, 'the record names whose token it was');
    assert.equal(event!.auditgate.actor.review?.authenticated, false);
    assert.equal(event!.annotations?.['authorization.k8s.io/reason'], 'unauthenticated: token_review_refused');
  });

  it('an upstream identity that may not create tokenreviews fails closed with a 503 that names the permission', async () => {
    const ns = uniqueName('ag-no-review');
    namespaces.push(ns);
    await k(['create', 'namespace', ns]);
    await k(['-n', ns, 'create', 'serviceaccount', 'weak']);
    const token = (await k(['-n', ns, 'create', 'token', 'weak', '--duration', '10m'])).trim();
    const connection = await createKubeconfigConnection({ kubeconfigYaml: JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: stack.kubeApiserverUrl, 'certificate-authority': `${stack.kubeState}/pki/ca.crt` } }],
      users: [{ name: 'weak', user: { token } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'weak' } }],
    }) });
    const reviewer = createTokenReviewer({ apiServer: connection });
    try {
      await assert.rejects(reviewer.review('any', ['auditgate']), (e: AppError) => {
        assert.equal(e.code, ErrorCodes.UPSTREAM_UNAVAILABLE);
        assert.equal(e.status, 503);
        assert.match(e.message, /may not create tokenreviews .*HTTP 403/);
        return true;
      });
    } finally {
      await reviewer.close();
    }
  });
});
