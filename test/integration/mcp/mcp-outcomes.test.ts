/**
 * How MCP messages end, as the audit trail records them, all real: an MCP SDK client → the gateway's MCP endpoint →
 * a real MCP SDK server (the probe) whose tools answer a tool error (`isError`) or a JSON-RPC error, and a configured
 * server at a port where nothing listens. Each outcome (`tool-error`, `jsonrpc-error`, `transport-error`) lands on
 * Kafka as its own; `initialize` and `tools/list` carry their results. A browser `Origin` that is not allowed is
 * refused (403) and audited. A second gateway whose write-ahead Kafka rejects (its events topic does not exist)
 * answers 503 and forwards nothing: the MCP server receives no message at all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { isMcpEvent, type GatewayEvent, type McpEvent } from '@auditgate/shared';
import { newTestKey, readStackEnv, startLocalIssuer, uniqueName, type LocalIssuer, type TestKey } from '@auditgate/shared/testing';
import { freePort } from '../../bench/free-port.js';
import { EventCollector } from '../proxy/support/event-collector.js';
import { startProxy, type ProxyHarness } from '../proxy/support/proxy-harness.js';
import { stackSignedCert } from './support/mcp-gate-stack.js';
import { PROBE_RPC_ERROR, startProbeMcpServer, type ProbeMcpServer } from './support/probe-mcp-server.js';

const stack = readStackEnv(process.env);
const ALLOWED_EXTRA_ORIGIN = 'http://localhost:6274';

describe('MCP outcomes, results and Origin on the audit trail; a failing write-ahead forwards nothing (real MCP SDK server, real Kafka)', () => {
  const events = new EventCollector();
  let people: LocalIssuer;
  let peopleKey: TestKey;
  let probe: ProbeMcpServer;
  let proxy: ProxyHarness;
  let failing: ProxyHarness;
  let gateway: string;
  let failingGateway: string;
  const sub = `olga-${randomUUID().slice(0, 8)}`;
  const mcpEvents = (): McpEvent[] => (events.events as unknown as GatewayEvent[]).filter(isMcpEvent);
  const complete = (what: string, match: (e: McpEvent) => boolean): Promise<McpEvent> => events.waitFor(what, (e) => isMcpEvent(e as unknown as GatewayEvent)
    && e.stage === 'ResponseComplete' && match(e as unknown as McpEvent), 1, 30_000).then((found) => found[0] as unknown as McpEvent);
  const tokenFor = async (base: string, server: string): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return people.sign(peopleKey, { sub, aud: `${base}/mcp/${server}`, azp: 'auditgate-outcomes-test', iat: now, exp: now + 600 });
  };
  const post = (base: string, server: string, token: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<Response> => fetch(`${base}/mcp/${server}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers },
  });
  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'outcomes-test', version: '1.0.0' } } };

  before(async () => {
    await events.start();
    people = await startLocalIssuer();
    peopleKey = await newTestKey('ES256', uniqueName('people'));
    people.keys = [peopleKey];
    probe = await startProbeMcpServer({ gateway: () => gateway, ca: readFileSync(`${stack.kubeState}/pki/ca.crt`) });
    const dir = mkdtempSync(join(tmpdir(), 'auditgate-mcp-outcomes-'));
    const tls = stackSignedCert(dir, stack.kubeState);
    const [port, failingPort, deadPort] = [await freePort(), await freePort(), await freePort()];
    gateway = `https://127.0.0.1:${port}`;
    failingGateway = `https://127.0.0.1:${failingPort}`;
    const mcpEnv = (base: string, httpsPort: number): Record<string, string> => ({
      PROXY_HTTPS_PORT: String(httpsPort), PROXY_TLS_CERT_FILE: tls.cert, PROXY_TLS_KEY_FILE: tls.key, PROXY_MCP_PUBLIC_URL: base,
      PROXY_MCP_SERVERS: JSON.stringify([{ name: 'probe', url: probe.url }, { name: 'dead', url: `http://127.0.0.1:${deadPort}/mcp` }]),
      PROXY_MCP_ISSUERS: JSON.stringify([{ issuer: people.issuer, usernamePrefix: 'oidc:' }]),
      PROXY_MCP_ALLOWED_ORIGINS: `${base},${ALLOWED_EXTRA_ORIGIN}`,
    });
    proxy = await startProxy({ env: mcpEnv(gateway, port) });
    // Kafka itself refuses this gateway's write-ahead: its events topic does not exist (and is never auto-created).
    failing = await startProxy({ env: { ...mcpEnv(failingGateway, failingPort), PROXY_EVENTS_TOPIC: `${uniqueName('no-such-topic')}.events`, PROXY_KAFKA_ACK_TIMEOUT_MS: '3000' } });
  });
  after(async () => {
    await failing?.stop().catch(() => undefined);
    await proxy?.stop().catch(() => undefined);
    await probe?.close().catch(() => undefined);
    await people?.close().catch(() => undefined);
    await events.stop();
  });

  it('a tool error, a JSON-RPC error and an unreachable server are three outcomes; initialize and tools/list carry their results', async () => {
    const client = new Client({ name: 'outcomes-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${gateway}/mcp/probe`), { requestInit: { headers: { authorization: `Bearer ${await tokenFor(gateway, 'probe')}` } } });
    await client.connect(transport);
    try {
      const sessionId = transport.sessionId!;
      const tools = await client.listTools();
      assert.ok(tools.tools.some((t) => t.name === 'fails'));
      const failed = await client.callTool({ name: 'fails', arguments: {} });
      assert.equal(failed.isError, true);
      await assert.rejects(client.callTool({ name: 'rpc_error', arguments: {} }), (error: unknown) => error instanceof McpError && error.code === PROBE_RPC_ERROR);

      const init = await complete('initialize', (e) => e.verb === 'initialize' && e.auditgate.mcp.server === 'probe' && e.auditgate.mcp.sessionId === sessionId);
      assert.equal(init.auditgate.mcp.outcome, 'ok');
      assert.equal((init.responseObject as { serverInfo?: { name?: string } }).serverInfo?.name, 'auditgate-probe', 'initialize records its result');
      assert.equal(init.auditgate.mcp.client?.name, 'outcomes-test');
      const list = await complete('tools/list', (e) => e.verb === 'tools/list' && e.auditgate.mcp.sessionId === sessionId);
      assert.equal(list.auditgate.mcp.outcome, 'ok');
      assert.deepEqual((list.responseObject as { tools: Array<{ name: string }> }).tools.map((t) => t.name).sort(),
        ['echo', 'fails', 'pods_list_in_namespace', 'rpc_error', 'slow', 'whoami'], 'tools/list records its result');
      const toolError = await complete('fails', (e) => e.auditgate.mcp.toolName === 'fails' && e.auditgate.mcp.sessionId === sessionId);
      assert.equal(toolError.auditgate.mcp.outcome, 'tool-error');
      assert.equal((toolError.responseObject as { isError?: boolean }).isError, true);
      const rpcError = await complete('rpc_error', (e) => e.auditgate.mcp.toolName === 'rpc_error' && e.auditgate.mcp.sessionId === sessionId);
      assert.equal(rpcError.auditgate.mcp.outcome, 'jsonrpc-error');
      assert.equal(rpcError.auditgate.mcp.error?.code, PROBE_RPC_ERROR);
      assert.equal(rpcError.auditgate.mcp.transport?.error, undefined, 'the transport worked');
    } finally {
      await client.close();
    }

    const res = await post(gateway, 'dead', await tokenFor(gateway, 'dead'), initialize);
    assert.equal(res.status, 502);
    assert.equal(((await res.json()) as { error: { message: string } }).error.message, 'the MCP server could not be reached');
    const dead = await complete('initialize to the dead server', (e) => e.auditgate.mcp.server === 'dead' && e.verb === 'initialize');
    assert.equal(dead.auditgate.mcp.outcome, 'transport-error');
    assert.match(dead.auditgate.mcp.transport?.error ?? '', /unreachable/);
    assert.equal(dead.auditgate.mcp.error?.code, -32010);
    assert.ok(mcpEvents().some((e) => e.auditID === dead.auditID && e.stage === 'RequestReceived'), 'written ahead before the attempt');
  });

  it('a request from a browser origin that is not allowed is refused with 403 and audited; allowed origins and no Origin pass', async () => {
    const token = await tokenFor(gateway, 'probe');
    const before = probe.received.length;
    const evil = await post(gateway, 'probe', token, initialize, { origin: 'http://attacker.example:8080' });
    assert.equal(evil.status, 403);
    const body = (await evil.json()) as { error: { code: number; message: string } };
    assert.match(body.error.message, /origin http:\/\/attacker\.example:8080 are not allowed/);
    const stream = await fetch(`${gateway}/mcp/probe`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', origin: 'null' } });
    assert.equal(stream.status, 403);
    await stream.arrayBuffer();
    assert.equal(probe.received.length, before, 'refused requests never reach the MCP server');
    const refused = await complete('the refused origin', (e) => e.auditgate.mcp.server === 'probe' && e.responseStatus?.code === 403 && e.verb === 'unknown');
    assert.equal(refused.auditgate.mcp.outcome, 'denied');
    assert.match(refused.auditgate.mcp.error?.message ?? '', /attacker\.example/);
    assert.equal(refused.auditgate.errorCode, 'AUDITGATE_E_FORBIDDEN');
    for (const origin of [gateway, ALLOWED_EXTRA_ORIGIN]) {
      const ok = await post(gateway, 'probe', token, initialize, { origin });
      assert.equal(ok.status, 200, origin);
      await ok.arrayBuffer();
    }
    assert.equal(probe.received.length, before + 2);
  });

  it('when Kafka cannot take the write-ahead, the gateway answers 503 with a JSON-RPC error and the MCP server receives nothing', async () => {
    const before = probe.received.length;
    const token = await tokenFor(failingGateway, 'probe');
    for (const message of [initialize, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { hello: 'world' } } }]) {
      const res = await post(failingGateway, 'probe', token, message);
      assert.equal(res.status, 503, message.method);
      const body = (await res.json()) as { id: unknown; error: { code: number; message: string } };
      assert.equal(body.id, message.id);
      assert.equal(body.error.code, -32010);
      assert.match(body.error.message, /audit log is unavailable/);
    }
    const stream = await fetch(`${failingGateway}/mcp/probe`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'mcp-session-id': randomUUID() } });
    assert.equal(stream.status, 503);
    await stream.arrayBuffer();
    assert.equal(probe.received.length, before, 'nothing was forwarded to the MCP server');
  });
});
