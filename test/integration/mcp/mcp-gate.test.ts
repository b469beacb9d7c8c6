/**
 * The MCP gate end to end, all real: an MCP SDK client over Streamable HTTP → the gateway's MCP endpoint (OAuth
 * bearer of a person, policy, write-ahead to Kafka) → the real kubernetes-mcp-server (HTTP mode, OAuth required,
 * verifying the gateway's delegated token) → its client-go, with that token, back through the gateway → the real
 * kube-apiserver, impersonating the person. Each tool call's Kubernetes events carry the call's verified id and person.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { McpError, ProgressNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { isMcpEvent, validateGatewayEvent, type AuditEvent, type GatewayEvent, type McpEvent } from '@auditgate/shared';
import { kubectl, readApiServerAudit, readKubeCredentials, readStackEnv, waitFor } from '@auditgate/shared/testing';
import { EventCollector } from '../proxy/support/event-collector.js';
import { createAgent } from '../proxy/support/proxy-harness.js';
import { seedAgentNamespace, type SeededNamespace } from './support/mcp-test-namespace.js';
import { startMcpGateStack, type McpGateStack, type Person } from './support/mcp-gate-stack.js';
import { kubeGet } from './support/probe-mcp-server.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);

const POLICY = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
rules: []
auditLevels:
  - level: RequestResponse
mcp:
  defaultAction: allow
  rules:
    - id: no-pod-delete-tool
      action: deny
      reason: agents may not delete pods through MCP
      match:
        tools: [pods_delete, resources_delete]
    - id: no-kube-system
      action: deny
      reason: kube-system is off limits to agents
      match:
        kubernetes:
          namespaces: [kube-system]
    - id: one-echo
      action: allow
      reason: echo is rationed
      match:
        servers: [probe]
        tools: [echo]
      budget:
        callsPerSession: 1
`;

type Text = { content?: Array<{ type: string; text?: string }>; isError?: boolean };
const textOf = (r: unknown): string => ((r as Text).content ?? []).filter((c) => c.type === 'text').map((c) => c.text ?? '').join('\n');

describe('the MCP gate (real kubernetes-mcp-server in HTTP mode, real kube-apiserver, real Kafka)', () => {
  let gate: McpGateStack;
  let seeded: SeededNamespace;
  let namespace: string;
  let alice: Person;
  let token: string;
  const events = new EventCollector();
  const all = (): GatewayEvent[] => events.events as unknown as GatewayEvent[];
  const mcpEvents = (): McpEvent[] => all().filter(isMcpEvent);
  const kubeEvents = (): AuditEvent[] => all().filter((e): e is AuditEvent => !isMcpEvent(e));
  const callEvents = async (what: string, tool: string, since: number): Promise<{ received: McpEvent; complete: McpEvent }> => {
    const [complete] = await events.waitFor(`${what}: ResponseComplete`, (e) => isMcpEvent(e as GatewayEvent) && (e as unknown as McpEvent).auditgate.mcp.toolName === tool
      && e.stage === 'ResponseComplete' && Date.parse(e.requestReceivedTimestamp) >= since - 1000, 1, 60_000) as unknown as McpEvent[];
    const received = mcpEvents().find((e) => e.auditID === complete!.auditID && e.stage === 'RequestReceived');
    return { received: received!, complete: complete! };
  };

  before(async () => {
    await events.start();
    gate = await startMcpGateStack({ policy: POLICY });
    const agent = await createAgent('mcp-gate');
    namespace = agent.namespace;
    seeded = await seedAgentNamespace(namespace, agent.name);
    alice = { sub: `alice-${randomUUID().slice(0, 8)}`, username: '', groups: ['sre'] };
    alice = { ...alice, username: `oidc:${alice.sub}` };
    // Kubernetes RBAC for the person herself: the API server sees her (impersonated) on every request of her tool calls.
    await kubectl(stack, creds.adminKubeconfig, ['-n', namespace, 'create', 'rolebinding', 'alice', '--role', 'mcp-agent', `--user=${alice.username}`]);
    token = await gate.tokenFor(alice, 'kubernetes');
  });
  after(async () => {
    await gate?.stop();
    if (namespace !== undefined) await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    await events.stop();
  });

  it('asks for a token with an RFC 9728 challenge and serves the protected-resource metadata naming the IdP', async () => {
    const res = await fetch(`${gate.gateway}/mcp/kubernetes`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }) });
    assert.equal(res.status, 401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer resource_metadata="([^"]+)"/);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1]!;
    assert.equal(metadataUrl, `${gate.gateway}/.well-known/oauth-protected-resource/mcp/kubernetes`);
    const metadata = await (await fetch(metadataUrl)).json() as Record<string, unknown>;
    assert.equal(metadata['resource'], `${gate.gateway}/mcp/kubernetes`);
    assert.deepEqual(metadata['authorization_servers'], [gate.people.issuer]);
    const refused = await events.waitFor('the refused message', (e) => isMcpEvent(e as GatewayEvent) && e.verb === 'initialize' && (e as unknown as McpEvent).auditgate.mcp.outcome === 'denied');
    assert.equal(refused[0]!.auditgate.actor.username, 'system:anonymous');
  });

  it('a tool call runs as the person: its Kubernetes requests carry the verified call id and person, the API server sees her', async () => {
    const { client } = await gate.connect('kubernetes', token);
    try {
      const since = Date.now();
      const result = await client.callTool({ name: 'pods_list_in_namespace', arguments: { namespace } });
      assert.notEqual(result.isError, true, textOf(result));
      assert.match(textOf(result), new RegExp(`\\b${seeded.pod}\\b`));
      const { received, complete } = await callEvents('pods_list_in_namespace', 'pods_list_in_namespace', since);
      assert.ok(received, 'the call was written ahead (RequestReceived)');
      const callId = complete.auditgate.mcp.callId!;
      assert.ok(callId);
      assert.equal(complete.auditgate.mcp.outcome, 'ok');
      assert.equal(complete.auditgate.actor.username, alice.username);
      assert.equal(complete.auditgate.mcp.agent, 'auditgate-test-agent');
      assert.deepEqual(complete.auditgate.mcp.scope, { namespace, resource: 'pods' });
      assert.deepEqual((received.requestObject as { arguments: unknown }).arguments, { namespace });
      const kube = await waitFor('the call\'s Kubernetes requests', async () => {
        const found = kubeEvents().filter((e) => e.auditgate.mcp?.callId === callId && e.stage === 'ResponseComplete');
        return found.some((e) => e.objectRef?.resource === 'pods') ? found : undefined;
      }, 30_000);
      for (const e of kube) {
        assert.equal(e.auditgate.mcp?.caller, 'verified');
        assert.equal(e.auditgate.mcp?.server, 'kubernetes');
        assert.equal(e.auditgate.mcp?.toolName, 'pods_list_in_namespace');
        assert.equal(e.auditgate.mcp?.sessionId, complete.auditgate.mcp.sessionId);
        assert.equal(e.auditgate.onBehalfOf?.username, alice.username);
        assert.equal(e.auditgate.onBehalfOf?.issuer, gate.people.issuer);
        assert.equal(e.user.username, alice.username);
        assert.equal(e.auditgate.upstream?.impersonated, true);
        assert.ok(Date.parse(e.requestReceivedTimestamp) >= Date.parse(received.stageTimestamp), 'the call was recorded before its Kubernetes requests');
      }
      const list = kube.find((e) => e.objectRef?.resource === 'pods')!;
      assert.equal(list.responseStatus?.code, 200);
      const upstream = await waitFor('the impersonated person in the API server\'s audit log', async () => readApiServerAudit(creds.auditLog, (e) =>
        e['auditID'] === list.auditID && e['stage'] === 'ResponseComplete')[0]);
      assert.equal((upstream['impersonatedUser'] as { username?: string }).username, alice.username);
      for (const e of [received, complete]) assert.deepEqual(validateGatewayEvent(JSON.parse(JSON.stringify(e))), e);
    } finally {
      await client.close();
    }
  });

  it('a denied tool never reaches the MCP server: the client gets a JSON-RPC error, the refusal is audited', async () => {
    const { client } = await gate.connect('kubernetes', token);
    try {
      const since = Date.now();
      await assert.rejects(client.callTool({ name: 'pods_delete', arguments: { namespace, name: seeded.pod } }), (error: unknown) => {
        assert.ok(error instanceof McpError, String(error));
        assert.equal(error.code, -32003);
        assert.match(error.message, /no-pod-delete-tool/);
        return true;
      });
      const { received, complete } = await callEvents('denied pods_delete', 'pods_delete', since);
      assert.equal(received, undefined, 'a refused call is never forwarded, so nothing is written ahead for it');
      assert.equal(complete.auditgate.mcp.outcome, 'denied');
      assert.equal(complete.auditgate.policy?.ruleId, 'no-pod-delete-tool');
      assert.equal(complete.auditgate.policy?.decision, 'deny');
      assert.equal(complete.auditgate.mcp.delegation, undefined, 'no delegated token was minted');
      const stillThere = await kubectl(stack, creds.adminKubeconfig, ['-n', namespace, 'get', 'pod', seeded.pod, '-o', 'jsonpath={.metadata.name}']);
      assert.equal(stillThere, seeded.pod);
      assert.equal(kubeEvents().some((e) => e.auditgate.mcp?.callId === complete.auditgate.mcp.callId), false);
      // A call whose arguments mean kube-system is refused the same way (the Kubernetes meaning of the arguments).
      await assert.rejects(client.callTool({ name: 'pods_list_in_namespace', arguments: { namespace: 'kube-system' } }), /no-kube-system/);
      // The MCP server's own log never saw a pods_delete call.
      const { readFileSync } = await import('node:fs');
      assert.equal(/mcp\.client\.method="tools\/call"[^\n]*pods_delete/.test(readFileSync(gate.kubernetesMcpLog, 'utf8')), false);
    } finally {
      await client.close();
    }
  });

  it('a Secret read: the tool answers what the API server sent, the MCP events hold no Secret value in plaintext', async () => {
    const { client } = await gate.connect('kubernetes', token);
    try {
      const since = Date.now();
      const result = await client.callTool({ name: 'resources_get', arguments: { apiVersion: 'v1', kind: 'Secret', namespace, name: seeded.secret } });
      assert.notEqual(result.isError, true, textOf(result));
      const { complete } = await callEvents('resources_get Secret', 'resources_get', since);
      assert.deepEqual(complete.auditgate.mcp.scope, { namespace, resource: 'secrets', apiGroup: '', name: seeded.secret });
      assert.ok((complete.auditgate.body?.response?.maskedPaths.length ?? 0) > 0, 'the result was masked');
      const plain = [seeded.secretValue, Buffer.from(seeded.secretValue).toString('base64')];
      const mine = events.raw.filter((r) => r.includes(complete.auditgate.mcp.callId!));
      assert.ok(mine.length >= 2);
      for (const raw of events.raw) for (const form of plain) assert.equal(raw.includes(form), false, 'an event on Kafka holds the plaintext');
    } finally {
      await client.close();
    }
  });

  it('a delegated token works during its call only: replayed after it, expired, unknown, or for another MCP server, it is refused', async () => {
    const probeToken = await gate.tokenFor(alice, 'probe');
    const { client } = await gate.connect('probe', probeToken);
    try {
      const before = gate.probe.calls.length;
      const result = await client.callTool({ name: 'whoami', arguments: { namespace } });
      assert.equal(textOf(result), 'HTTP 200', 'during the call its token is accepted');
      const call = gate.probe.calls[before]!;
      const replay = await kubeGet(gate.gateway, `/api/v1/namespaces/${namespace}/pods`, call.token, gate.ca);
      assert.equal(replay.status, 401, replay.body);
      assert.match(replay.body, /has ended/);
      // Signed by the gateway's own key, but never issued for a call (or already expired): refused.
      const key = createPrivateKey(gate.delegationKeyPem);
      const claims = JSON.parse(Buffer.from(call.token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      const header = JSON.parse(Buffer.from(call.token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string };
      const now = Math.floor(Date.now() / 1000);
      const forge = (extra: Record<string, unknown>) => new SignJWT({ ...claims, ...extra }).setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'JWT' }).sign(key);
      const unknown = await kubeGet(gate.gateway, `/api/v1/namespaces/${namespace}/pods`, await forge({ jti: randomUUID(), iat: now, nbf: now, exp: now + 60 }), gate.ca);
      assert.equal(unknown.status, 401);
      assert.match(unknown.body, /no tool call of this gateway/);
      const expired = await kubeGet(gate.gateway, `/api/v1/namespaces/${namespace}/pods`, await forge({ iat: now - 600, nbf: now - 600, exp: now - 300 }), gate.ca);
      assert.equal(expired.status, 401);
      assert.match(expired.body, /expired/);
      // A delegated token is no caller token for the MCP endpoint either.
      const asCaller = await fetch(`${gate.gateway}/mcp/probe`, { method: 'POST', headers: { authorization: `Bearer ${call.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }) });
      assert.equal(asCaller.status, 401);
    } finally {
      await client.close();
    }
    // The sidecar server's Kubernetes access is not fronted here: its tokens are refused even while its call runs.
    const sidecar = await gate.connect('sidecar', await gate.tokenFor(alice, 'sidecar'));
    try {
      const result = await sidecar.client.callTool({ name: 'whoami', arguments: { namespace } });
      assert.equal(textOf(result), 'HTTP 401');
      assert.match(gate.probe.calls.at(-1)!.kube[0]!.body, /not meant for this audience/);
    } finally {
      await sidecar.client.close();
    }
  });

  it('kubernetes-mcp-server refuses a delegated token minted for another MCP server (its oauth_audience): the binding the Kubernetes path cannot check', async () => {
    const { client } = await gate.connect('probe', await gate.tokenFor(alice, 'probe'));
    let probeToken: string;
    try {
      const before = gate.probe.calls.length;
      assert.equal(textOf(await client.callTool({ name: 'echo', arguments: {} })), '{}');
      probeToken = gate.probe.calls[before]!.token;
    } finally {
      await client.close();
    }
    const claims = JSON.parse(Buffer.from(probeToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.equal(claims['aud'], 'auditgate-mcp:probe', 'the gate minted it for the probe');
    const initialize = (bearer: string) => fetch(gate.kubernetesMcpUrl, {
      method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'aud-test', version: '1' } } }),
    });
    const refused = await initialize(probeToken);
    assert.equal(refused.status, 401, await refused.text());
    // The same claims for its own audience, signed by the gate's key, are accepted: the audience alone made the difference.
    const header = JSON.parse(Buffer.from(probeToken.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string };
    const own = await new SignJWT({ ...claims, aud: 'auditgate-mcp:kubernetes' }).setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'JWT' }).sign(createPrivateKey(gate.delegationKeyPem));
    const accepted = await initialize(own);
    const answer = await accepted.text();
    assert.equal(accepted.status, 200, answer);
    assert.match(answer, /"serverInfo"/);
  });

  it('progress notifications and cancellation pass through; a cancelled call\'s token is refused from then on', async () => {
    const { client } = await gate.connect('probe', await gate.tokenFor(alice, 'probe'));
    try {
      const progress: unknown[] = [];
      const controller = new AbortController();
      const before = gate.probe.calls.length;
      const since = Date.now();
      const pending = client.callTool({ name: 'slow', arguments: { ms: 20_000 } }, undefined, {
        signal: controller.signal, onprogress: (p) => { progress.push(p); },
      });
      await waitFor('the progress notification', async () => (progress.length > 0 ? true : undefined), 15_000);
      const call = await waitFor('the slow call at the probe', async () => gate.probe.calls[before], 15_000);
      assert.equal((await kubeGet(gate.gateway, `/api/v1/namespaces/${namespace}/pods`, call.token, gate.ca)).status, 200, 'live while running');
      controller.abort('the person changed their mind');
      await assert.rejects(pending);
      const { complete } = await callEvents('cancelled slow', 'slow', since);
      assert.equal(complete.auditgate.mcp.outcome, 'cancelled');
      const cancel = await events.waitFor('the cancellation', (e) => isMcpEvent(e as GatewayEvent) && e.verb === 'notifications/cancelled' && e.stage === 'ResponseComplete');
      assert.equal((cancel[0] as unknown as McpEvent).auditgate.mcp.cancels?.requestId, complete.auditgate.mcp.requestId);
      const progressEvent = await events.waitFor('the progress notification event', (e) => isMcpEvent(e as GatewayEvent) && e.verb === 'notifications/progress');
      assert.equal((progressEvent[0] as unknown as McpEvent).auditgate.mcp.direction, 'server');
      assert.equal((await kubeGet(gate.gateway, `/api/v1/namespaces/${namespace}/pods`, call.token, gate.ca)).status, 401, 'refused once cancelled');
      void ProgressNotificationSchema;
    } finally {
      await client.close();
    }
  });

  it('a per-session budget: the second echo of a session is refused with a JSON-RPC error; the session\'s stream and its end are audited', async () => {
    const { client, transport } = await gate.connect('probe', await gate.tokenFor(alice, 'probe'));
    try {
      const received = gate.probe.received.filter((m) => m === 'tools/call').length;
      await client.callTool({ name: 'echo', arguments: { n: 1 } });
      await assert.rejects(client.callTool({ name: 'echo', arguments: { n: 2 } }), /budget of 1 tool call/);
      assert.equal(gate.probe.received.filter((m) => m === 'tools/call').length, received + 1, 'the refused call never reached the server');
      const sessionId = transport.sessionId!;
      await events.waitFor('the session\'s SSE stream (GET), written ahead', (e) => isMcpEvent(e as GatewayEvent) && e.verb === 'stream'
        && (e as unknown as McpEvent).auditgate.mcp.sessionId === sessionId && e.stage === 'RequestReceived');
      await transport.terminateSession();
      const [ended] = await events.waitFor('the session\'s end (DELETE)', (e) => isMcpEvent(e as GatewayEvent) && e.verb === 'session/delete'
        && (e as unknown as McpEvent).auditgate.mcp.sessionId === sessionId && e.stage === 'ResponseComplete');
      assert.equal((ended as unknown as McpEvent).auditgate.mcp.outcome, 'ok');
    } finally {
      await client.close();
    }
  });

  it('every MCP event on Kafka is a valid, schema-versioned MCP event', async () => {
    assert.ok(mcpEvents().length > 10);
    for (const e of mcpEvents()) {
      assert.equal(e.auditgate.schemaVersion, 3);
      assert.ok(e.auditgate.chain !== undefined, 'linked into the gateway\'s hash chain');
      validateGatewayEvent(JSON.parse(JSON.stringify(e)));
    }
  });
});
