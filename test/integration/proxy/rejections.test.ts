import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { ErrorCodes, validateAuditEvent, type AuditEvent } from '@auditgate/shared';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { newTestKey, startLocalIssuer, type LocalIssuer, type TestKey } from '@auditgate/shared/testing';
import { EventCollector } from './support/event-collector.js';
import { ApiServerAuditTail, gatewayRequest, rawTlsExchange, type GatewayAnswer } from './support/gateway-client.js';
import { createAgent, startProxy, type ProxyHarness } from './support/proxy-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const SA_ISSUER = stack.kubeApiserverUrl;
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const policyYaml = (lines: string): string => `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
${lines}
auditLevels:
  - level: RequestResponse
`;

describe('bad input through the gateway: a Status answer and an audit record, never a crash', () => {
  let proxy: ProxyHarness;
  let issuer: LocalIssuer;
  let localKey: TestKey;
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let apiAudit: ApiServerAuditTail;
  const events = new EventCollector();
  const started: ProxyHarness[] = [];
  const ua = (what: string): string => uniqueName(`rejections-${what}`);
  const get = (path: string, token: string | undefined, what: string, headers: Record<string, string> = {}, port = proxy.httpsPort): Promise<GatewayAnswer> =>
    gatewayRequest(port, { path, headers: { 'user-agent': ua(what), ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers } });
  const nsPath = (rest: string): string => `/api/v1/namespaces/${agent.namespace}/${rest}`;

  /** The ResponseComplete event of one answer, found by the Audit-Id the gateway returned; checked against the schema. */
  async function completeOf(answer: GatewayAnswer): Promise<AuditEvent> {
    assert.match(answer.auditId, /^[0-9a-f-]{36}$/, 'every answer carries its Audit-Id');
    const [event] = await events.waitFor(`ResponseComplete of ${answer.auditId}`, (e) => e.auditID === answer.auditId && e.stage === 'ResponseComplete');
    return validateAuditEvent(event);
  }

  /**
   * Asserts a gateway refusal: a Kubernetes Status body with `code`, and its audit record with the same code and `errorCode`.
   * `decision` is the authorization annotation expected (none when refused before policy ran).
   */
  async function expectRefused(answer: GatewayAnswer, code: number, errorCode: string, decision?: 'allow' | 'forbid'): Promise<AuditEvent> {
    assert.equal(answer.status, code, answer.body.slice(0, 300));
    assert.match(String(answer.headers['content-type']), /application\/json/);
    const status = answer.json;
    assert.ok(status !== undefined, 'the body is JSON');
    assert.equal(status['kind'], 'Status');
    assert.equal(status['apiVersion'], 'v1');
    assert.equal(status['status'], 'Failure');
    assert.equal(status['code'], code);
    assert.ok(typeof status['reason'] === 'string' && status['reason'] !== '');
    assert.ok(typeof status['message'] === 'string' && status['message'] !== '');
    assert.equal((status['details'] as { causes?: Array<{ reason?: string }> } | undefined)?.causes?.[0]?.reason, errorCode);
    const event = await completeOf(answer);
    assert.equal(event.responseStatus?.code, code);
    assert.equal(event.responseStatus?.message, status['message']);
    assert.equal(event.auditgate.errorCode, errorCode);
    assert.equal(event.annotations?.['authorization.k8s.io/decision'], decision);
    return event;
  }

  async function expectUnauthenticated(answer: GatewayAnswer, reason: string): Promise<void> {
    const event = await expectRefused(answer, 401, ErrorCodes.UNAUTHENTICATED, 'forbid');
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="auditgate"');
    assert.equal(event.annotations?.['authorization.k8s.io/reason'], `unauthenticated: ${reason}`);
    assert.doesNotMatch(JSON.stringify(event), /eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/, 'no token in the audit record');
  }

  async function startOwnProxy(options: Parameters<typeof startProxy>[0]): Promise<ProxyHarness> {
    const p = await startProxy(options);
    started.push(p);
    return p;
  }

  before(async () => {
    await events.start();
    issuer = await startLocalIssuer();
    localKey = await newTestKey('RS256', 'local-1');
    issuer.keys = [localKey];
    agent = await createAgent('gw-reject');
    proxy = await startOwnProxy({ env: { PROXY_OIDC_ISSUER_URL: issuer.issuer, PROXY_OIDC_ISSUER_USERNAME_PREFIX: 'oidc:' } });
    apiAudit = new ApiServerAuditTail(creds.auditLog);
  });
  after(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']).catch(() => undefined);
    for (const p of started) await p.stop();
    await issuer?.close();
    await events.stop();
  });

  describe('authentication', () => {
    const signRs256 = (claims: Record<string, unknown>, kid: string): Promise<string> =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(localKey.privateKey);
    const saClaims = (): Record<string, unknown> => {
      const t = Math.floor(Date.now() / 1000);
      return { iss: SA_ISSUER, aud: ['auditgate'], sub: agent.username, iat: t, exp: t + 600,
        'kubernetes.io': { namespace: agent.namespace, serviceaccount: { name: 'agent', uid: '00000000-0000-0000-0000-000000000000' } } };
    };

    it('no token, Basic credentials, and a malformed JWT are 401', async () => {
      await expectUnauthenticated(await get(nsPath('pods'), undefined, 'none'), 'missing_token');
      await expectUnauthenticated(await get(nsPath('pods'), undefined, 'basic', { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` }), 'missing_token');
      await expectUnauthenticated(await get(nsPath('pods'), 'not-a-jwt', 'malformed'), 'malformed');
      await expectUnauthenticated(await get(nsPath('pods'), `${b64({ alg: 'RS256' })}.e30.c2ln`, 'no-iss'), 'missing_claim');
      await expectUnauthenticated(await get(nsPath('pods'), 'e30.e30.c2ln', 'no-alg'), 'alg_not_allowed');
      await expectUnauthenticated(await get(nsPath('pods'), 'bm90IGpzb24.bm90IGpzb24.c2ln', 'malformed3'), 'malformed');
    });

    it('alg none and HS256 (signed with arbitrary bytes) are refused whatever the claims say', async () => {
      await expectUnauthenticated(await get(nsPath('pods'), `${b64({ alg: 'none', typ: 'JWT' })}.${b64(saClaims())}.`, 'alg-none'), 'alg_not_allowed');
      const { kid } = decodeProtectedHeader(agent.token);
      const hs = await new SignJWT(saClaims()).setProtectedHeader({ alg: 'HS256', ...(kid === undefined ? {} : { kid }) }).sign(randomBytes(32));
      await expectUnauthenticated(await get(nsPath('pods'), hs, 'hs256'), 'alg_not_allowed');
    });

    it('a token signed by a key the issuer does not have: unknown kid, or the real kid with a bad signature', async () => {
      await expectUnauthenticated(await get(nsPath('pods'), await signRs256(saClaims(), 'no-such-kid'), 'unknown-kid'), 'unknown_kid');
      const { kid } = decodeProtectedHeader(agent.token);
      assert.ok(kid !== undefined, 'the API server names its key');
      await expectUnauthenticated(await get(nsPath('pods'), await signRs256(saClaims(), kid), 'forged'), 'bad_signature');
      const [header, payload] = agent.token.split('.');
      const tampered = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      await expectUnauthenticated(await get(nsPath('pods'), `${header}.${b64({ ...tampered, sub: 'system:serviceaccount:kube-system:admin' })}.${agent.token.split('.')[2]}`, 'tampered'), 'bad_signature');
    });

    it('a real token minted for another audience is 401', async () => {
      const other = (await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'create', 'token', 'agent', '--audience', 'other'])).trim();
      await expectUnauthenticated(await get(nsPath('pods'), other, 'audience'), 'wrong_audience');
    });

    it('an expired token from a trusted issuer is 401 expired (a fresh one from the same issuer is accepted)', async () => {
      const t = Math.floor(Date.now() / 1000);
      const fresh = await issuer.sign(localKey, { sub: 'alice', aud: 'auditgate', iat: t, exp: t + 300 });
      const accepted = await get('/version', fresh, 'oidc-fresh');
      assert.equal(accepted.status, 200, accepted.body);
      assert.equal((await completeOf(accepted)).auditgate.actor.username, 'oidc:alice');
      const expired = await issuer.sign(localKey, { sub: 'alice', aud: 'auditgate', iat: t - 7200, exp: t - 3600 });
      await expectUnauthenticated(await get('/version', expired, 'expired'), 'expired');
    });

    it('an oversized (20 KB) token is 401 too_large', async () => {
      const huge = `${'a'.repeat(7000)}.${'b'.repeat(7000)}.${'c'.repeat(6500)}`;
      await expectUnauthenticated(await get(nsPath('pods'), huge, 'huge-token'), 'too_large');
    });

    it('X-Auditgate-On-Behalf-Of with no on-behalf-of issuer configured is 401, even with a valid caller token', async () => {
      const answer = await get(nsPath('pods'), agent.token, 'obo', { 'x-auditgate-on-behalf-of': `Bearer ${agent.token}` });
      await expectUnauthenticated(answer, 'on_behalf_of_not_configured');
      assert.equal((await completeOf(answer)).auditgate.actor.username, agent.username, 'the caller was authenticated and is on the record');
    });
  });

  describe('policy', () => {
    it('a rule denying secrets in the agent namespace: 403 naming the rule, audited as forbid with the rule id', async () => {
      const p = await startOwnProxy({ policy: policyYaml(`defaultAction: allow
limits: { allowClusterWideLists: false }
rules:
  - id: no-agent-secrets
    action: deny
    reason: agents never read secrets
    match: { resources: [secrets], namespaces: ["${agent.namespace}"] }`) });
      const denied = await get(nsPath('secrets'), agent.token, 'deny-secrets', {}, p.httpsPort);
      const event = await expectRefused(denied, 403, ErrorCodes.FORBIDDEN, 'forbid');
      assert.equal(denied.json?.['reason'], 'Forbidden');
      assert.match(String(denied.json?.['message']), /no-agent-secrets/);
      assert.equal(event.auditgate.policy?.ruleId, 'no-agent-secrets');
      assert.equal(event.auditgate.policy?.decision, 'deny');
      assert.match(event.annotations?.['authorization.k8s.io/reason'] ?? '', /no-agent-secrets/);
      assert.equal(event.user.username, agent.username);

      const clusterWide = await get('/api/v1/pods', agent.token, 'cluster-wide', {}, p.httpsPort);
      const cw = await expectRefused(clusterWide, 403, ErrorCodes.FORBIDDEN, 'forbid');
      assert.equal(cw.auditgate.policy?.ruleId, 'global-limits');
      assert.equal(cw.verb, 'list');
      const namespaced = await get(nsPath('configmaps'), agent.token, 'namespaced', {}, p.httpsPort);
      assert.equal(namespaced.status, 200, 'a namespaced list is still allowed');
    });

    it('a default-deny policy refuses everything with rule "default"', async () => {
      const p = await startOwnProxy({ policy: policyYaml('defaultAction: deny\nrules: []') });
      const event = await expectRefused(await get(nsPath('configmaps'), agent.token, 'default-deny', {}, p.httpsPort), 403, ErrorCodes.FORBIDDEN, 'forbid');
      assert.equal(event.auditgate.policy?.ruleId, 'default');
    });

    it('rate limit 2/s burst 2: the third quick request is 429 with Retry-After', async () => {
      const p = await startOwnProxy({ policy: policyYaml('defaultAction: allow\nlimits: { ratePerActorPerSecond: 2, burst: 2 }\nrules: []') });
      assert.equal((await get('/version', agent.token, 'rate-1', {}, p.httpsPort)).status, 200);
      assert.equal((await get('/version', agent.token, 'rate-2', {}, p.httpsPort)).status, 200);
      const limited = await get('/version', agent.token, 'rate-3', {}, p.httpsPort);
      await expectRefused(limited, 429, ErrorCodes.RATE_LIMITED, undefined);
      assert.equal(limited.json?.['reason'], 'TooManyRequests');
      assert.match(String(limited.headers['retry-after']), /^\d+$/);
    });
  });

  describe('odd request targets', () => {
    it('an encoded ../ in a name is answered 4xx and audited, and never reaches secrets', async () => {
      const answer = await get(`${nsPath('pods')}/..%2f..%2fsecrets`, agent.token, 'traversal');
      assert.ok(answer.status >= 400 && answer.status < 500, `status ${answer.status}`);
      assert.equal(answer.json?.['kind'], 'Status', answer.body.slice(0, 300));
      assert.doesNotMatch(answer.body, /SecretList/);
      const event = await completeOf(answer);
      assert.equal(event.responseStatus?.code, answer.status);
      assert.notEqual(event.objectRef?.resource, 'secrets');
    });

    it('a 20 KB URL is 400', async () => {
      const answer = await get(`${nsPath('pods')}?labelSelector=${'a'.repeat(20 * 1024)}`, agent.token, 'long-url');
      const event = await expectRefused(answer, 400, ErrorCodes.BAD_REQUEST);
      assert.ok(event.requestURI.length < 17 * 1024, 'the recorded URI is bounded');
    });

    it('//api//v1 is answered with a clear 4xx and audited', async () => {
      const answer = await get('//api//v1', agent.token, 'double-slash');
      // The API server's own mux answers this one (plain-text 404); the gateway forwards and records it.
      assert.ok(answer.status >= 400 && answer.status < 500, `status ${answer.status}: ${answer.body.slice(0, 200)}`);
      const event = await completeOf(answer);
      assert.equal(event.responseStatus?.code, answer.status);
      assert.equal(event.requestURI, '//api//v1');
    });

    it('an absolute-form request target on a raw TLS socket is 400 and audited', async () => {
      const marker = ua('absolute');
      const raw = await rawTlsExchange(proxy.httpsPort, `GET http://evil/api/v1/pods HTTP/1.1\r\nHost: evil\r\nAuthorization: Bearer ${agent.token}\r\nUser-Agent: ${marker}\r\nConnection: close\r\n\r\n`);
      assert.match(raw, /^HTTP\/1\.1 400 /);
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      assert.equal(body['kind'], 'Status');
      assert.equal(body['code'], 400);
      const [event] = await events.waitFor('absolute-form', (e) => e.userAgent === marker && e.stage === 'ResponseComplete');
      assert.equal(event!.responseStatus?.code, 400);
      assert.equal(event!.auditgate.errorCode, ErrorCodes.BAD_REQUEST);
    });

    it('headers beyond the parser limit (40 KB) get a 431 Status and an audit record, not a bare reset', async () => {
      const raw = await rawTlsExchange(proxy.httpsPort, `GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(40 * 1024)}\r\nConnection: close\r\n\r\n`);
      assert.match(raw, /^HTTP\/1\.1 431 /);
      const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      assert.equal(body['kind'], 'Status');
      const auditId = /Audit-Id: ([0-9a-f-]+)/i.exec(raw)?.[1];
      const [event] = await events.waitFor('the 431 record', (e) => e.auditID === auditId && e.stage === 'ResponseComplete');
      assert.equal(event!.responseStatus?.code, 431);
    });

    for (const chunked of [false, true]) {
      it(`a 4 MiB body (${chunked ? 'chunked' : 'with Content-Length'}) is 413 and audited, and nothing is created`, async () => {
        const name = uniqueName('big');
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { blob: 'x'.repeat(4 * 1024 * 1024) } });
        const answer = await gatewayRequest(proxy.httpsPort, {
          method: 'POST', path: nsPath('configmaps'), body, chunked,
          headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json', 'user-agent': ua('big-body') },
        });
        await expectRefused(answer, 413, ErrorCodes.PAYLOAD_TOO_LARGE, 'allow');
        assert.equal(answer.json?.['reason'], 'RequestEntityTooLarge');
        await assert.rejects(kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'get', 'configmap', name]), /NotFound/);
      });
    }
  });

  describe('identity toward the API server', () => {
    const upstreamEvent = (match: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
      waitFor('the API server audit event', async () => apiAudit.find((e) => match(e) && e['stage'] === 'ResponseComplete')[0], 15_000);
    const userOf = (e: Record<string, unknown>): string | undefined => (e['user'] as { username?: string } | undefined)?.username;

    it('the client\'s Authorization never reaches the API server: it sees auditgate-gateway, not the service account', async () => {
      const answer = await get(nsPath('serviceaccounts/agent'), agent.token, 'identity');
      assert.equal(answer.status, 200);
      const marker = (await completeOf(answer)).userAgent;
      const upstream = await upstreamEvent((e) => e['userAgent'] === marker);
      assert.equal(userOf(upstream), 'auditgate-gateway');
      assert.equal(upstream['impersonatedUser'], undefined);
    });

    it('kubectl --as=someone: Impersonate-User is stripped and the attempt is on our record', async () => {
      const name = uniqueName('as-someone');
      const kubeconfig = proxy.kubeconfigFor(agent.token);
      await assert.rejects(kubectl(stack, kubeconfig, ['-n', agent.namespace, '--as=someone', '--as-group=system:masters', 'get', 'configmap', name]), /NotFound/);
      const [event] = await events.waitFor('the --as request', (e) => e.stage === 'ResponseComplete' && e.objectRef?.name === name);
      const stripped = JSON.parse(event!.annotations?.['auditgate.dev/stripped-impersonation'] ?? '{}') as { username?: string; groups?: string[] };
      assert.equal(stripped.username, 'someone');
      assert.deepEqual(stripped.groups, ['system:masters']);
      assert.equal(event!.impersonatedUser, undefined);
      assert.equal(event!.user.username, agent.username);
      const upstream = await upstreamEvent((e) => typeof e['requestURI'] === 'string' && e['requestURI'].endsWith(`/namespaces/${agent.namespace}/configmaps/${name}`));
      assert.equal(userOf(upstream), 'auditgate-gateway');
      assert.equal(upstream['impersonatedUser'], undefined, 'the API server saw no impersonation');
    });

    it('a malformed Impersonate-Extra-* name is stripped and recorded, not a 500', async () => {
      const answer = await get(nsPath('serviceaccounts/agent'), agent.token, 'bad-extra', { 'impersonate-extra-%zz': 'v', 'impersonate-user': 'someone' });
      assert.equal(answer.status, 200, answer.body.slice(0, 300));
      const event = await completeOf(answer);
      assert.match(event.annotations?.['auditgate.dev/stripped-impersonation'] ?? '', /someone/);
      const upstream = await upstreamEvent((e) => e['userAgent'] === event.userAgent);
      assert.equal(upstream['impersonatedUser'], undefined);
    });

    it('impersonation mode: the API server sees the service account and answers per its own RBAC (403, forwarded as is)', async () => {
      const p = await startOwnProxy({ env: { PROXY_IMPERSONATE: 'true' } });
      const answer = await get(nsPath('pods'), agent.token, 'impersonated', {}, p.httpsPort);
      assert.equal(answer.status, 403);
      assert.equal(answer.json?.['kind'], 'Status');
      assert.match(String(answer.json?.['message']), new RegExp(`User "${agent.username}" cannot list resource "pods"`));
      const event = await completeOf(answer);
      assert.equal(event.responseStatus?.code, 403);
      assert.equal(event.auditgate.errorCode, undefined, 'the API server refused, not the gateway');
      assert.equal(event.auditgate.upstream?.impersonated, true);
      const upstream = await upstreamEvent((e) => e['userAgent'] === event.userAgent);
      assert.equal(userOf(upstream), 'auditgate-gateway');
      assert.equal((upstream['impersonatedUser'] as { username?: string } | undefined)?.username, agent.username);
      assert.equal((upstream['responseStatus'] as { code?: number } | undefined)?.code, 403);
    });
  });

  it('after all of that, every proxy still answers a normal request and is ready', async () => {
    for (const p of started) {
      const answer = await get('/version', agent.token, 'still-alive', {}, p.httpsPort);
      assert.ok([200, 403].includes(answer.status), `status ${answer.status}`);
      const ready = await fetch(`http://127.0.0.1:${p.opsPort}/readyz`);
      assert.equal(ready.status, 200);
    }
    const answer = await get(nsPath('serviceaccounts/agent'), agent.token, 'final');
    assert.equal(answer.status, 200);
    assert.equal((answer.json?.['metadata'] as { name?: string } | undefined)?.name, 'agent');
  });
});
