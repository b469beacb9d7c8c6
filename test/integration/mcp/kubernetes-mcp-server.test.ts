/**
 * A real MCP server (kubernetes-mcp-server, the npm package's Go binary using client-go) driven by the MCP SDK's
 * client over stdio, with a kubeconfig that points at the gateway. The gateway runs in impersonation mode, so the API
 * server answers per the service account's own RBAC; each tool call is checked against the audit events on Kafka.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, type AuditEvent } from '@auditgate/shared';
import { kubectl, readApiServerAudit, readKubeCredentials, readStackEnv, waitFor } from '@auditgate/shared/testing';
import { EventCollector } from '../proxy/support/event-collector.js';
import { createAgent, startProxy, type ProxyHarness } from '../proxy/support/proxy-harness.js';
import { connectKubernetesMcpServer, type KubernetesMcpSession } from './support/kubernetes-mcp-session.js';
import { KWOK_NODE, seedAgentNamespace, type SeededNamespace } from './support/mcp-test-namespace.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const MARKER = /^\*\*\*masked:hmac-sha256:[0-9a-f]{16}\*\*\*$/;
const CLIENT_NAME = 'auditgate-integration-test';

const POLICY = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
rules:
  - id: mask-secrets
    action: mask
    reason: agents see secret keys, never values
    match:
      resources: [secrets]
  - id: no-pod-delete
    action: deny
    reason: agents may not delete pods
    match:
      verbs: [delete, deletecollection]
      resources: [pods]
auditLevels:
  - level: RequestResponse
`;

describe('kubernetes-mcp-server through the gateway (real MCP server, real kube-apiserver, real Kafka)', () => {
  let proxy: ProxyHarness;
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let seeded: SeededNamespace;
  let mcp: KubernetesMcpSession;
  let serverVersion: string;
  const events = new EventCollector();
  const mine = (e: AuditEvent) => e.auditgate.actor.username === agent.username;

  /** Both stages of one forwarded exchange after `since`, matched by auditID, with the checks every exchange shares. */
  async function exchange(what: string, since: number, match: (e: AuditEvent) => boolean): Promise<{ received: AuditEvent; complete: AuditEvent }> {
    const recent = (e: AuditEvent) => mine(e) && Date.parse(e.requestReceivedTimestamp) >= since - 1000 && match(e);
    const [complete] = await events.waitFor(what, (e) => recent(e) && e.stage === 'ResponseComplete');
    const [received] = await events.waitFor(`${what} (RequestReceived)`, (e) => e.auditID === complete!.auditID && e.stage === 'RequestReceived');
    assert.ok(Date.parse(received!.stageTimestamp) <= Date.parse(complete!.stageTimestamp));
    for (const e of [received!, complete!]) {
      assert.equal(e.user.username, agent.username);
      assert.equal(e.auditgate.actor.username, `system:serviceaccount:${agent.namespace}:${agent.name}`);
      assert.equal(e.auditgate.actor.tokenKind, 'serviceaccount');
      assert.equal(e.auditgate.upstream?.impersonated, true);
      assert.match(e.userAgent ?? '', /^kubernetes-mcp-server/, 'client-go of the MCP server');
    }
    return { received: received!, complete: complete! };
  }

  /** A tool call's exchange: its User-Agent is the one client-go of the MCP server sets for tool calls. */
  async function toolExchange(what: string, since: number, match: (e: AuditEvent) => boolean): Promise<{ received: AuditEvent; complete: AuditEvent }> {
    const found = await exchange(what, since, match);
    const userAgent = found.complete.userAgent ?? '';
    assert.ok(userAgent.startsWith(`kubernetes-mcp-server/${serverVersion} `), userAgent);
    assert.ok(userAgent.includes(CLIENT_NAME), `the MCP client's name is in ${userAgent}`);
    return found;
  }

  before(async () => {
    await events.start();
    proxy = await startProxy({ policy: POLICY, env: { PROXY_IMPERSONATE: 'true' } });
    agent = await createAgent('mcp-k8s');
    seeded = await seedAgentNamespace(agent.namespace, agent.name);
    mcp = await connectKubernetesMcpServer({ kubeconfig: proxy.kubeconfigFor(agent.token), dir: proxy.dir });
    serverVersion = mcp.client.getServerVersion()?.version ?? 'unknown';
  });
  after(async () => {
    // Each step runs even when an earlier one failed.
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['mcp', async () => mcp?.close()],
      ['namespace', async () => agent && kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false'])],
      ['proxy', async () => proxy?.stop()],
      ['events', async () => events.stop()],
    ];
    for (const [name, step] of steps) await step().catch((error: unknown) => console.error(`cleanup ${name}:`, error));
  });

  it('starts: its discovery goes through the gateway as the service account, and it lists its tools', async () => {
    assert.equal(mcp.client.getServerVersion()?.name, 'kubernetes-mcp-server');
    const { tools } = await mcp.client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ['pods_list_in_namespace', 'pods_get', 'resources_get', 'events_list', 'pods_delete', 'namespaces_list']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
    for (const path of ['/api', '/apis']) {
      const { complete } = await exchange(`discovery ${path}`, 0, (e) => e.verb === 'get' && e.requestURI.split('?')[0] === path);
      assert.equal(complete.responseStatus?.code, 200, 'system:discovery lets every authenticated caller read it');
      assert.equal(complete.objectRef, undefined, 'a non-resource request');
    }
  });

  it('pods_list_in_namespace lists the pod on the kwok node (list pods, 200)', async () => {
    const since = Date.now();
    const result = await mcp.call('pods_list_in_namespace', { namespace: agent.namespace });
    assert.equal(result.isError, false, result.text);
    assert.match(result.text, new RegExp(`\\b${seeded.pod}\\b`));
    const { complete } = await toolExchange('list pods', since, (e) => e.verb === 'list' && e.objectRef?.resource === 'pods');
    assert.equal(complete.objectRef?.namespace, agent.namespace);
    assert.equal(complete.objectRef?.name, undefined);
    assert.equal(complete.responseStatus?.code, 200);
    assert.equal(complete.auditgate.policy?.decision, 'allow');
  });

  it('pods_get returns the pod scheduled on the kwok node (get pods/<name>, 200)', async () => {
    const since = Date.now();
    const result = await mcp.call('pods_get', { namespace: agent.namespace, name: seeded.pod });
    assert.equal(result.isError, false, result.text);
    const pod = parseYaml(result.text) as { metadata: { name: string; namespace: string }; spec: { nodeName: string } };
    assert.equal(pod.metadata.name, seeded.pod);
    assert.equal(pod.spec.nodeName, KWOK_NODE);
    const { complete } = await toolExchange('get pod', since, (e) => e.verb === 'get' && e.objectRef?.resource === 'pods' && e.objectRef.name === seeded.pod);
    assert.equal(complete.objectRef?.namespace, agent.namespace);
    assert.equal(complete.responseStatus?.code, 200);
    assert.equal((complete.responseObject as { spec?: { nodeName?: string } } | undefined)?.spec?.nodeName, KWOK_NODE);
  });

  it('resources_get of the Secret: the tool shows masked data, never the plaintext; Kafka has it masked too', async () => {
    const since = Date.now();
    const result = await mcp.call('resources_get', { apiVersion: 'v1', kind: 'Secret', namespace: agent.namespace, name: seeded.secret });
    assert.equal(result.isError, false, result.text);
    const plain = [seeded.secretValue, Buffer.from(seeded.secretValue).toString('base64')];
    for (const form of plain) assert.equal(result.text.includes(form), false, 'the tool result carries the plaintext');
    const secret = parseYaml(result.text) as { kind: string; data?: Record<string, string> };
    assert.equal(secret.kind, 'Secret');
    const shown = secret.data?.['password'];
    assert.ok(shown !== undefined, 'the key name is kept');
    assert.match(Buffer.from(shown, 'base64').toString('utf8'), MARKER, 'data stays base64 and decodes to the mask marker');

    const { received, complete } = await toolExchange('get secret', since, (e) => e.verb === 'get' && e.objectRef?.resource === 'secrets' && e.objectRef.name === seeded.secret);
    assert.equal(complete.responseStatus?.code, 200);
    assert.equal(complete.auditgate.policy?.decision, 'mask');
    assert.equal(complete.auditgate.policy?.ruleId, 'mask-secrets');
    assert.ok(complete.auditgate.body?.response?.maskedPaths.includes('/data/password'));
    const recorded = (complete.responseObject as { data?: Record<string, string> } | undefined)?.data?.['password'] ?? '';
    assert.match(recorded, MARKER, 'the audit record holds the marker itself');
    assert.equal(Buffer.from(shown, 'base64').toString('utf8'), recorded, 'caller and audit see the same keyed digest');
    for (const form of plain) assert.equal(JSON.stringify([received, complete]).includes(form), false, 'the audit events carry the plaintext');
  });

  it('events_list in the namespace shows the event about the pod (list events, 200)', async () => {
    const since = Date.now();
    const result = await mcp.call('events_list', { namespace: agent.namespace });
    assert.equal(result.isError, false, result.text);
    assert.ok(result.text.includes(seeded.eventReason), result.text.slice(0, 500));
    const { complete } = await toolExchange('list events', since, (e) => e.verb === 'list' && e.objectRef?.resource === 'events');
    assert.equal(complete.objectRef?.namespace, agent.namespace);
    assert.equal(complete.responseStatus?.code, 200);
  });

  it('pods_delete is refused by the gateway policy: the tool reports the 403, the pod lives, Kafka records the deny', async () => {
    const since = Date.now();
    const result = await mcp.call('pods_delete', { namespace: agent.namespace, name: seeded.pod });
    assert.equal(result.isError, true, result.text);
    assert.match(result.text, /forbidden|denied|403/i);
    assert.match(result.text, /agents may not delete pods/);
    const stillThere = await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'get', 'pod', seeded.pod, '-o', 'jsonpath={.metadata.deletionTimestamp}']);
    assert.equal(stillThere, '', 'the pod was not deleted');
    // A refused request is never forwarded, so the gateway writes no write-ahead RequestReceived: one ResponseComplete.
    const [complete] = await events.waitFor('denied delete pod', (e) => mine(e) && e.stage === 'ResponseComplete' && e.verb === 'delete'
      && e.objectRef?.resource === 'pods' && e.objectRef.name === seeded.pod && Date.parse(e.requestReceivedTimestamp) >= since - 1000);
    assert.equal(complete!.user.username, agent.username);
    assert.equal(complete!.objectRef?.namespace, agent.namespace);
    assert.equal(complete!.responseStatus?.code, 403);
    assert.equal(complete!.auditgate.policy?.decision, 'deny');
    assert.equal(complete!.auditgate.policy?.ruleId, 'no-pod-delete');
    assert.equal(complete!.auditgate.errorCode, ErrorCodes.FORBIDDEN);
    assert.equal(complete!.annotations?.['authorization.k8s.io/decision'], 'forbid');
    assert.ok(complete!.userAgent?.startsWith(`kubernetes-mcp-server/${serverVersion} `), complete!.userAgent);
  });

  it('namespaces_list is forbidden by RBAC: the API server answers 403 to the impersonated service account', async () => {
    const since = Date.now();
    const result = await mcp.call('namespaces_list', {});
    assert.equal(result.isError, true, result.text);
    assert.match(result.text, /forbidden|403/i);
    assert.match(result.text, /cannot list resource "namespaces"/);
    const { complete } = await toolExchange('list namespaces', since, (e) => e.verb === 'list' && e.objectRef?.resource === 'namespaces');
    assert.equal(complete.responseStatus?.code, 403);
    assert.equal(complete.auditgate.policy?.decision, 'allow', 'the gateway let it through');
    assert.equal(complete.auditgate.errorCode, undefined, 'the API server refused, not the gateway');
    const upstream = await waitFor('the 403 in the API server audit log', async () => readApiServerAudit(creds.auditLog, (e) =>
      e['auditID'] !== undefined && e['stage'] === 'ResponseComplete' && e['userAgent'] === complete.userAgent
      && (e['impersonatedUser'] as { username?: string } | undefined)?.username === agent.username
      && (e['objectRef'] as { resource?: string } | undefined)?.resource === 'namespaces')[0]);
    assert.equal((upstream['responseStatus'] as { code?: number }).code, 403);
  });

  it('the MCP server sends no MCP correlation headers, so events carry no auditgate.mcp; Kafka has no plaintext', async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seen = events.events.filter(mine);
    assert.ok(seen.length >= 10, `${seen.length} events of the agent`);
    // kubernetes-mcp-server cannot add X-Auditgate-Mcp-* headers (a kubeconfig has no per-request headers); over stdio
    // there is no Mcp-Session-Id either. Its User-Agent names the MCP client, which is all the correlation there is.
    assert.deepEqual(seen.filter((e) => e.auditgate.mcp !== undefined).map((e) => e.auditgate.mcp), []);
    const all = events.raw.join('\n');
    for (const form of [seeded.secretValue, Buffer.from(seeded.secretValue).toString('base64')]) {
      assert.equal(all.includes(form), false, `plaintext form ${form.slice(0, 6)}… found in Kafka`);
    }
  });
});
