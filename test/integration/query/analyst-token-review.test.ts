/**
 * The query service's analyst sign-in with a cluster's service-account tokens, against the real kube-apiserver: the
 * issuer reached through a kubeconfig (its CA and credentials), each new token confirmed by a TokenReview cached for
 * QUERY_TOKEN_REVIEW_CACHE_MS. An analyst's token works; once their service account is deleted it is refused
 * (`token_review_refused`) within the cache time of the cluster refusing it; a cluster that cannot be asked (an
 * identity without `create tokenreviews`) gives 503, fail closed, not a 401 that would blame the token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { createLogger, createMetricsRegistry } from '@auditgate/shared';
import { createTokenReviewer } from '@auditgate/shared/auth';
import { createKubeconfigConnection, type ApiServerConnection } from '@auditgate/shared/kube';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createApp, type QueryApp } from '../../../services/query/src/app.js';
import { loadConfig } from '../../../services/query/src/config/load-config.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const k = (args: readonly string[]): Promise<string> => kubectl(stack, creds.adminKubeconfig, args);
const AUDIENCE = 'auditgate-query';
const CACHE_MS = 2_000;

/** A query service trusting the cluster's service-account issuer through `kubeconfig`; `analyst` bound to `analysts`. */
async function startQuery(kubeconfig: string, analysts: readonly string[]): Promise<{ app: QueryApp; base: string; ops: string }> {
  const prefix = uniqueName('agq-review');
  const config = loadConfig({
    QUERY_PORT: '0', QUERY_OPS_PORT: '0', LOG_LEVEL: 'error', OPENSEARCH_URL: stack.opensearchUrl,
    QUERY_EVENTS_INDEX: `${prefix}-events`, QUERY_ALERTS_INDEX: `${prefix}-alerts`, QUERY_AUDIT_INDEX: `${prefix}-audit`,
    QUERY_OIDC_ISSUERS: JSON.stringify([{ issuer: stack.kubeApiserverUrl, audiences: [AUDIENCE], kind: 'serviceaccount', kubeconfig }]),
    QUERY_ROLE_BINDINGS: `analyst=${analysts.join(',')}`,
    QUERY_TOKEN_REVIEW_CACHE_MS: String(CACHE_MS),
    QUERY_SHUTDOWN_TIMEOUT_MS: '2000',
  });
  const issuerConnections = new Map<string, ApiServerConnection>([[stack.kubeApiserverUrl, await createKubeconfigConnection({ kubeconfigPath: kubeconfig })]]);
  const app = createApp(config, {
    logger: createLogger({ name: 'query-review-test', level: config.logLevel }), registry: createMetricsRegistry('query'),
    opensearch: new Client({ node: stack.opensearchUrl }), issuerConnections,
  });
  const { port, ops } = await app.start();
  return { app, base: `http://127.0.0.1:${port}`, ops: `http://127.0.0.1:${ops}` };
}

async function refusals(ops: string, reason: string): Promise<number> {
  const text = await (await fetch(`${ops}/metrics`)).text();
  return Number(new RegExp(`^auditgate_query_auth_failures_total\\{[^}]*reason="${reason}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

describe('analyst sign-in with a cluster\'s service-account tokens, confirmed by TokenReview (real kube-apiserver)', () => {
  const ns = uniqueName('ag-analyst-review').toLowerCase();
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-analyst-review-'));
  const apps: QueryApp[] = [];
  const user = (sa: string): string => `system:serviceaccount:${ns}:${sa}`;
  const tokenOf = async (sa: string): Promise<string> => (await k(['-n', ns, 'create', 'token', sa, '--audience', AUDIENCE, '--duration', '10m'])).trim();
  const whoami = (base: string, token: string): Promise<Response> => fetch(`${base}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    await k(['create', 'namespace', ns]);
    for (const sa of ['analyst', 'other', 'weak']) await k(['-n', ns, 'create', 'serviceaccount', sa]);
  });
  after(async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    await k(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  });

  it('an analyst\'s token is accepted; once the service account is deleted it is refused (token_review_refused) within the review cache time', async () => {
    const query = await startQuery(`${stack.kubeState}/gateway-upstream.kubeconfig`, [user('analyst')]);
    apps.push(query.app);
    const token = await tokenOf('analyst');
    const first = await whoami(query.base, token);
    assert.equal(first.status, 200, await first.clone().text());
    const me = (await first.json()) as { username: string; roles: string[]; issuer: string };
    assert.deepEqual([me.username, me.roles, me.issuer], [user('analyst'), ['analyst'], stack.kubeApiserverUrl]);
    assert.equal((await whoami(query.base, token)).status, 200, 'the cached answer');

    await k(['-n', ns, 'delete', 'serviceaccount', 'analyst']);
    // The API server keeps a successful authentication for 10 s of its own: measure from when it refuses the token.
    const reviewer = createTokenReviewer({ apiServer: await createKubeconfigConnection({ kubeconfigPath: creds.adminKubeconfig }) });
    try {
      await waitFor('the API server to refuse the deleted service account\'s token', async () =>
        ((await reviewer.review(token, [AUDIENCE])).authenticated ? undefined : true), 15_000, 200);
    } finally {
      await reviewer.close();
    }
    const clusterRefusedAt = Date.now();
    const before = await refusals(query.ops, 'token_review_refused');
    const refused = await waitFor('the query service to refuse it', async () => {
      const answer = await whoami(query.base, token);
      return answer.status === 401 ? answer : (await answer.arrayBuffer(), undefined);
    }, CACHE_MS + 5_000, 100);
    const after = Date.now() - clusterRefusedAt;
    assert.ok(after <= CACHE_MS + 500, `refused ${after} ms after the cluster did; the review cache is ${CACHE_MS} ms`);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'AUDITGATE_E_UNAUTHENTICATED');
    assert.equal(await refusals(query.ops, 'token_review_refused'), before + 1, 'refused for token_review_refused');
  });

  it('when the cluster cannot be asked (no permission for tokenreviews), sign-in fails closed with 503, not 401', async () => {
    const weakKubeconfig = join(dir, 'weak.kubeconfig');
    writeFileSync(weakKubeconfig, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: stack.kubeApiserverUrl, 'certificate-authority': `${stack.kubeState}/pki/ca.crt` } }],
      users: [{ name: 'weak', user: { token: (await k(['-n', ns, 'create', 'token', 'weak', '--duration', '10m'])).trim() } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'weak' } }],
    }), { mode: 0o600 });
    const query = await startQuery(weakKubeconfig, [user('other')]);
    apps.push(query.app);
    const answer = await whoami(query.base, await tokenOf('other'));
    const body = (await answer.json()) as { error: { code: string; message: string } };
    assert.equal(answer.status, 503, JSON.stringify(body));
    assert.equal(body.error.code, 'AUDITGATE_E_UPSTREAM_UNAVAILABLE');
    assert.match(body.error.message, /cannot be checked now/);
    assert.equal(answer.headers.get('retry-after'), '5');
    assert.equal(await refusals(query.ops, 'token_review_unavailable'), 1);
  });
});
