/**
 * Tool-call latency through the MCP gate versus straight to the MCP server, side by side in one run, calls interleaved
 * so both see the same machine. Two rows: a tool that touches nothing (an MCP SDK server's `echo`: the gate's own cost
 * — OAuth verification, session binding, policy, write-ahead of the call to Kafka, the delegated token, the relay and
 * the recorded answer) and the real kubernetes-mcp-server's `pods_list_in_namespace` (HTTP mode; direct: its own
 * service-account kubeconfig straight to the kube-apiserver; gated: the delegated token, its Kubernetes requests back
 * through the gateway's Kubernetes path with write-ahead and impersonation). The gateway runs as its own process.
 * Run: `NODE_EXTRA_CA_CERTS=$KUBE_STATE/pki/ca.crt npx tsx test/bench/mcp-tool-call-bench.ts` (BENCH_MCP_CALLS,
 * BENCH_MCP_KUBE_CALLS, BENCH_OUT: the shared results file), or as part of `npm run bench`. Reported, not gated.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { EnvReader } from '@auditgate/shared';
import { kubectl, newTestKey, readKubeCredentials, readStackEnv, startLocalIssuer, uniqueName } from '@auditgate/shared/testing';
import { createAgent } from '../integration/proxy/support/proxy-harness.js';
import { seedAgentNamespace } from '../integration/mcp/support/mcp-test-namespace.js';
import { stackSignedCert } from '../integration/mcp/support/mcp-gate-stack.js';
import { startKubernetesMcpHttp, writeKubeconfig, type KubernetesMcpHttp } from '../integration/mcp/support/kubernetes-mcp-http.js';
import { startProbeMcpServer } from '../integration/mcp/support/probe-mcp-server.js';
import { createBenchTopic } from './bench-topic.js';
import { freePort } from './free-port.js';
import { startProxyProcess, type ProxyProcess } from './proxy-process.js';
import { info, renderTable } from './report-table.js';
import { writeResultSection } from './results-file.js';

const say = (message: string) => process.stderr.write(`[mcp-bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const env = new EnvReader(process.env);
const CALLS = env.int('BENCH_MCP_CALLS', 300, { min: 20, max: 100_000 });
const KUBE_CALLS = env.int('BENCH_MCP_KUBE_CALLS', 100, { min: 10, max: 10_000 });
env.finish();

const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? Number.NaN;
const ms = (v: number): string => `${v.toFixed(2)} ms`;
/** p50, p95, p99 and the count of each side, in ms (the results file keeps these, not every sample). */
const summary = (r: { direct: number[]; gated: number[] }) => Object.fromEntries((['direct', 'gated'] as const).map((side) => [side, {
  p50: Number(percentile(r[side], 0.5).toFixed(3)), p95: Number(percentile(r[side], 0.95).toFixed(3)), p99: Number(percentile(r[side], 0.99).toFixed(3)), n: r[side].length,
}]));

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'auditgate-mcp-bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), token === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** Latencies (ms) of `n` calls of `tool` through `direct` and `gated`, alternating, after `warmup` of each. */
async function interleaved(direct: Client, gated: Client, tool: string, args: Record<string, unknown>, n: number, warmup = 10): Promise<{ direct: number[]; gated: number[] }> {
  const out = { direct: [] as number[], gated: [] as number[] };
  for (let i = 0; i < warmup + n; i += 1) {
    for (const [name, client] of (i % 2 === 0 ? [['direct', direct], ['gated', gated]] : [['gated', gated], ['direct', direct]]) as Array<['direct' | 'gated', Client]>) {
      const started = performance.now();
      const result = await client.callTool({ name: tool, arguments: args });
      const took = performance.now() - started;
      if (result.isError === true) throw new Error(`${name} ${tool} failed: ${JSON.stringify(result.content).slice(0, 300)}`);
      if (i >= warmup) out[name].push(took);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const ca = readFileSync(`${stack.kubeState}/pki/ca.crt`);
  const caFile = `${stack.kubeState}/pki/ca.crt`;
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-mcp-bench-'));
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const people = await startLocalIssuer();
    cleanup.push(() => people.close());
    const key = await newTestKey('ES256', 'bench-people');
    people.keys = [key];
    const [httpsPort, opsPort, gatedPort, directPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const gateway = `https://127.0.0.1:${httpsPort}`;
    const probe = await startProbeMcpServer({ gateway: () => gateway, ca });
    cleanup.push(() => probe.close());
    const tls = stackSignedCert(dir, stack.kubeState);
    writeFileSync(join(dir, 'delegation.key'), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const topic = `${uniqueName('mcp-bench')}.events`;
    cleanup.push(await createBenchTopic(stack.kafkaBrokers, topic));
    say('starting the gateway (its own process) with its MCP endpoint');
    const proxy: ProxyProcess = await startProxyProcess({
      name: 'mcp-gate', root, dir, stack, httpsPort, opsPort, auditEnabled: true, topic,
      env: {
        PROXY_IMPERSONATE: 'true', PROXY_TLS_CERT_FILE: tls.cert, PROXY_TLS_KEY_FILE: tls.key, PROXY_MCP_PUBLIC_URL: gateway,
        PROXY_MCP_DELEGATION_KEY_FILE: join(dir, 'delegation.key'),
        PROXY_MCP_SERVERS: JSON.stringify([{ name: 'kubernetes', url: `http://127.0.0.1:${gatedPort}/mcp` }, { name: 'probe', url: probe.url }]),
        PROXY_MCP_ISSUERS: JSON.stringify([{ issuer: people.issuer, usernamePrefix: 'oidc:' }]),
      },
    });
    cleanup.push(() => proxy.stop());
    const agent = await createAgent('mcp-bench');
    cleanup.push(() => kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']));
    await seedAgentNamespace(agent.namespace, agent.name);
    const person = `bench-${randomUUID().slice(0, 8)}`;
    await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'create', 'rolebinding', 'person', '--role', 'mcp-agent', `--user=oidc:${person}`]);
    // The direct server's own token, for the API server's default audience.
    const directToken = (await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'create', 'token', agent.name, '--duration', '1h'])).trim();
    // client-go's default client-side rate limit (5 requests/s, burst 10) would throttle the direct server's one shared
    // client after its burst while the gated server builds a client per delegated token: lift it on both.
    const unthrottled = { KUBE_CLIENT_QPS: '10000', KUBE_CLIENT_BURST: '10000' };
    const servers: KubernetesMcpHttp[] = [
      await startKubernetesMcpHttp({ port: gatedPort, dir, name: 'gated', kubeconfig: writeKubeconfig(join(dir, 'gated.kubeconfig'), gateway, caFile),
        oauth: { issuer: `${gateway}/mcp-delegation`, audience: 'auditgate-mcp:kubernetes', caFile }, env: unthrottled }),
      await startKubernetesMcpHttp({ port: directPort, dir, name: 'direct', kubeconfig: writeKubeconfig(join(dir, 'direct.kubeconfig'), stack.kubeApiserverUrl, caFile, directToken), env: unthrottled }),
    ];
    for (const s of servers) cleanup.push(() => s.stop());
    const now = Math.floor(Date.now() / 1000);
    const tokenFor = (server: string) => people.sign(key, { sub: person, aud: `${gateway}/mcp/${server}`, azp: 'mcp-bench', iat: now, exp: now + 3600 });
    const clients = {
      probeDirect: await connect(probe.url), probeGated: await connect(`${gateway}/mcp/probe`, await tokenFor('probe')),
      kubeDirect: await connect(servers[1]!.url), kubeGated: await connect(`${gateway}/mcp/kubernetes`, await tokenFor('kubernetes')),
    };
    for (const c of Object.values(clients)) cleanup.push(() => c.close());
    say(`${CALLS} echo calls each way (interleaved)`);
    const echo = await interleaved(clients.probeDirect, clients.probeGated, 'echo', { hello: 'world' }, CALLS);
    say(`${KUBE_CALLS} pods_list_in_namespace calls each way (interleaved)`);
    const kube = await interleaved(clients.kubeDirect, clients.kubeGated, 'pods_list_in_namespace', { namespace: agent.namespace }, KUBE_CALLS);
    const row = (label: string, r: { direct: number[]; gated: number[] }): string[] => {
      const [d50, g50, d95, g95] = [percentile(r.direct, 0.5), percentile(r.gated, 0.5), percentile(r.direct, 0.95), percentile(r.gated, 0.95)];
      return [label, ms(d50), ms(g50), `${g50 >= d50 ? '+' : '−'}${ms(Math.abs(g50 - d50))}`, `${(g50 / d50).toFixed(2)}×`, ms(d95), ms(g95), String(r.direct.length)];
    };
    process.stdout.write('\nMCP tool-call latency: straight to the MCP server vs through the Auditgate MCP gate (same run, interleaved)\n');
    process.stdout.write(`${renderTable(['tool call', 'direct p50', 'gate p50', 'added p50', 'ratio', 'direct p95', 'gate p95', 'calls'], [
      row('echo (SDK server, no Kubernetes)', echo),
      row('pods_list_in_namespace (kubernetes-mcp-server)', kube),
    ])}\n`);
    const added = (r: { direct: number[]; gated: number[] }): string => `${ms(percentile(r.gated, 0.5))} vs ${ms(percentile(r.direct, 0.5))} direct (p95 ${ms(percentile(r.gated, 0.95))} vs ${ms(percentile(r.direct, 0.95))})`;
    writeResultSection(process.env['BENCH_OUT'] ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json'), 'mcp tool calls', {
      settings: { calls: CALLS, kubeCalls: KUBE_CALLS },
      rows: [
        info('MCP tool call p50 through the gate, echo (no Kubernetes)', added(echo), 'the gate\'s own cost: OAuth, policy, write-ahead, delegated token, relay, record'),
        info('MCP tool call p50 through the gate, kubernetes-mcp-server pods_list_in_namespace', added(kube), 'gated: its Kubernetes requests through the gateway with the delegated token; direct: its own token to kube-apiserver'),
      ],
      latencyMs: { echo: summary(echo), kube: summary(kube) },
    });
    process.stdout.write('gate: OAuth bearer verified, session bound, policy, tools/call written ahead to Kafka (acks=all) before forwarding, ES256 delegated token minted, answer masked, bounded and recorded; kubernetes-mcp-server gated: its Kubernetes requests through the gateway (write-ahead, impersonation) with the delegated token; direct: its own token straight to kube-apiserver\n');
  } finally {
    for (const step of cleanup.reverse()) await step().catch((error: unknown) => say(`cleanup: ${(error as Error).message}`));
  }
}

main().catch((error: unknown) => { say(`failed: ${(error as Error).stack ?? String(error)}`); process.exit(1); });
