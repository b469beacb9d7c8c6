/**
 * The README's main command, end to end: `npm start` (test/stack/run-main.sh) starts all four services against the
 * local stack; kubectl reads a Secret through the gateway; the exchange reaches OpenSearch through Kafka and the
 * indexer, the detector raises SECRET_READ and pages Alertmanager, and the query service (API and UI) shows both to
 * the analyst whose token `npm start` printed. Ctrl-C then stops everything it started.
 * The same again in named-cluster mode (`AUDITGATE_KUBECONFIG=<kubeconfig> npm start`), with the local API server
 * behind a kubeconfig as a user's own cluster would be (CA as data, its issuer reached through it); and the
 * preflight of that mode, which starts nothing when the cluster cannot serve Auditgate and says what is missing.
 * In both modes an MCP client uses the kubernetes-mcp-server `npm start` fronts with the MCP gate: its tool call's
 * Kubernetes requests carry the call's verified id and person, and the query service shows the call with them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readKubeCredentials, readStackEnv, kubectl, uniqueName, waitFor } from '@auditgate/shared/testing';
import { trustingFetch } from '../integration/mcp/support/trusting-fetch.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const root = resolve(import.meta.dirname, '../..');
const SECRET_VALUE = `s3cr3t-${uniqueName('e2e')}`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

interface Started { child: ChildProcess; output: () => string; kubeconfig: string; uiUrl: string; token: string; queryUrl: string }

/** Ctrl-C to `npm start` (its whole process group), waited for; SIGKILL if it does not stop within a minute. */
async function interrupt(child: ChildProcess): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const exited = once(child, 'exit').then(() => true);
  process.kill(-child.pid!, 'SIGINT');
  const stopped = await Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), 60_000))]);
  if (!stopped) process.kill(-child.pid!, 'SIGKILL');
  return stopped;
}

/** `npm start` as a child process group, its output collected. */
function spawnMain(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn('bash', ['test/stack/run-main.sh'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => { text += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => { text += c.toString('utf8'); });
  return { child, output: () => text };
}

/** A user's own kubeconfig for the local API server: one context, the CA inline, as kind or kubeadm write it. */
function userKubeconfig(dir: string, user: Record<string, string>, server = stack.kubeApiserverUrl): string {
  const file = join(dir, `config-${uniqueName('kc')}`);
  writeFileSync(file, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'my-cluster',
    clusters: [{ name: 'my-cluster', cluster: { server, 'certificate-authority-data': creds.ca.toString('base64') } }],
    users: [{ name: 'me', user }],
    contexts: [{ name: 'my-cluster', context: { cluster: 'my-cluster', user: 'me' } }],
  }), { mode: 0o600 });
  return file;
}

async function startMain(ports: Record<string, number>, onSpawn: (child: ChildProcess) => void, extraEnv: NodeJS.ProcessEnv = {}): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  for (const [name, value] of Object.entries(extraEnv)) if (value === undefined) delete env[name];
  for (const [name, port] of Object.entries(ports)) env[name] = String(port);
  const { child, output } = spawnMain(env);
  onSpawn(child);
  let text = '';
  const refresh = (): string => { text = output(); return text; };
  await waitFor('npm start to print "Auditgate is running"', async () => {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${refresh()}`);
    return refresh().includes('Press Ctrl-C to stop everything') ? true : undefined;
  }, 240_000, 500);
  const kubeconfig = /export KUBECONFIG=(\S+)/.exec(text)?.[1];
  const ui = /Analyst UI .*?: (http:\/\/\S+\/ui\/#token=(\S+))/.exec(text);
  assert.ok(kubeconfig, `no kubeconfig in the output:\n${text}`);
  assert.ok(ui, `no UI address in the output:\n${text}`);
  return { child, output, kubeconfig, uiUrl: ui[1]!, token: ui[2]!, queryUrl: `http://127.0.0.1:${ports['QUERY_PORT']}` };
}

async function freePorts(): Promise<Record<string, number>> {
  return {
    PROXY_HTTPS_PORT: await freePort(), PROXY_OPS_PORT: await freePort(), INDEXER_OPS_PORT: await freePort(),
    DETECTOR_OPS_PORT: await freePort(), QUERY_PORT: await freePort(), QUERY_OPS_PORT: await freePort(), KUBERNETES_MCP_PORT: await freePort(),
  };
}

for (const mode of ['local', 'named'] as const) describe(mode === 'local'
  ? 'npm start: the whole pipeline on the local stack'
  : 'npm start against a named cluster (AUDITGATE_KUBECONFIG, the local API server as the user\'s own cluster): the whole pipeline', { timeout: 600_000 }, () => {
  let main: Started;
  let child: ChildProcess | undefined;
  const namespace = uniqueName('e2e').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const dir = mkdtempSync(join(tmpdir(), 'ag-e2e-'));

  before(async () => {
    // As kind and kubeadm write it: an admin client certificate (group system:masters) and key, inline.
    const pki = (name: string): string => readFileSync(join(stack.kubeState, 'pki', name)).toString('base64');
    const admin = { 'client-certificate-data': pki('kubelet-client.crt'), 'client-key-data': pki('kubelet-client.key') };
    // A user's machine does not trust the cluster's private CA: only the kubeconfig does (these tests set it globally).
    const env = mode === 'local' ? {} : { AUDITGATE_KUBECONFIG: userKubeconfig(dir, admin), NODE_EXTRA_CA_CERTS: undefined };
    main = await startMain(await freePorts(), (c) => { child = c; }, env);
    await kubectl(stack, creds.adminKubeconfig, ['create', 'namespace', namespace]);
    await kubectl(stack, creds.adminKubeconfig, ['-n', namespace, 'create', 'secret', 'generic', 'db', `--from-literal=password=${SECRET_VALUE}`]);
  });

  after(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    if (child !== undefined) await interrupt(child);
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${main.queryUrl}${path}`, { headers: { authorization: `Bearer ${main.token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  let auditID = '';
  it('kubectl through the gateway reads the Secret masked', async () => {
    const out = await kubectl(stack, main.kubeconfig, ['-n', namespace, 'get', 'secret', 'db', '-o', 'json']);
    assert.ok(!out.includes(SECRET_VALUE) && !out.includes(Buffer.from(SECRET_VALUE).toString('base64')), 'the plaintext reached the agent');
    assert.match(out, /"password"/);
  });

  it('the query service finds the exchange, indexed with both stages and enriched', async () => {
    const q = `/api/v1/events?since=1h&namespace=${namespace}&resource=secrets&verb=get`;
    const found = await waitFor('the Secret read in the query service', async () => {
      const r = await api(q);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const events = r.body['events'] as Array<Record<string, unknown>>;
      return events.length > 0 && (events[0]!['complete'] === true) ? events : undefined;
    }, 60_000, 1000);
    assert.equal(found.length, 1);
    auditID = String(found[0]!['auditID']);
    const one = await api(`/api/v1/events/${encodeURIComponent(auditID)}`);
    assert.equal(one.status, 200);
    const stages = one.body['stages'] as Record<string, unknown>;
    assert.ok(stages['RequestReceived'] !== undefined && stages['ResponseComplete'] !== undefined, JSON.stringify(stages));
    const ag = one.body['auditgate'] as { actor: { username: string; review?: { checked: boolean; authenticated: boolean } }; enrichment: { secretAccess: boolean }; policy: { decision: string } };
    assert.equal(ag.actor.username, 'system:serviceaccount:auditgate-agents:mcp-agent');
    assert.equal(ag.actor.review?.checked, true, 'the agent\'s token was confirmed with the cluster (TokenReview)');
    assert.equal(ag.actor.review?.authenticated, true);
    assert.equal(ag.enrichment.secretAccess, true);
    assert.equal(ag.policy.decision, 'mask');
    assert.ok(!JSON.stringify(one.body).includes(SECRET_VALUE), 'the plaintext reached OpenSearch');
  });

  it('the detector raises SECRET_READ with the exchange as evidence, visible in the alert inbox and at Alertmanager', async () => {
    const alert = await waitFor('the SECRET_READ alert in the query service', async () => {
      const r = await api('/api/v1/alerts?rule=SECRET_READ&actor=system:serviceaccount:auditgate-agents:mcp-agent&size=100');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body['alerts'] as Array<Record<string, unknown>>).find((a) => (a['evidence'] as string[]).includes(auditID));
    }, 60_000, 1000);
    assert.equal(alert['severity'], 'low', 'read through the example policy\'s mask rule (SECRET_READ severityOverrides)');
    assert.match(String(alert['link']), new RegExp(`^${main.queryUrl}/ui/events/`));
    const page = await fetch(String(alert['link']));
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    await waitFor('the alert at Alertmanager', async () => {
      const res = await fetch(`${stack.alertmanagerUrl}/api/v2/alerts?filter=${encodeURIComponent('alertname="SECRET_READ"')}`);
      const alerts = (await res.json()) as Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
      return alerts.find((a) => JSON.stringify(a).includes(String(alert['id']))) ?? undefined;
    }, 60_000, 1000);
  });

  it('an MCP client through the printed MCP gate: its tool call\'s Kubernetes requests carry the call\'s verified id and person', async () => {
    const text = main.output();
    const url = /MCP gate \(Streamable HTTP, OAuth 2\.1\): (https:\/\/\S+) fronts/.exec(text)?.[1];
    const tokenFile = /the bearer token in (\S+mcp-person\.token)/.exec(text)?.[1];
    const caFile = /and trust (\S+proxy\.crt)/.exec(text)?.[1];
    assert.ok(url && tokenFile && caFile, `no MCP gate in the output:\n${text}`);
    const person = 'system:serviceaccount:auditgate-people:developer';
    const client = new Client({ name: 'auditgate-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` } }, fetch: trustingFetch(readFileSync(caFile)),
    }));
    try {
      const result = await client.callTool({ name: 'pods_list_in_namespace', arguments: { namespace } });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
    } finally {
      await client.close();
    }
    const call = await waitFor('the tool call in the query service', async () => {
      const r = await api(`/api/v1/mcp/calls?since=1h&actor=${encodeURIComponent(person)}&tool=pods_list_in_namespace&size=10`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const found = (r.body['calls'] as Array<Record<string, any>>).find((c) => c['auditgate']?.['mcp']?.['scope']?.['namespace'] === namespace);
      return found !== undefined && found['kubernetesRequests'] > 0 ? found : undefined;
    }, 60_000, 1000);
    const callId = String(call['auditgate']['mcp']['callId']);
    const events = await api(`/api/v1/events?since=1h&call=${encodeURIComponent(callId)}&size=100`);
    const list = (events.body['events'] as Array<Record<string, any>>).find((e) => e['verb'] === 'list' && e['objectRef']?.['resource'] === 'pods');
    assert.ok(list, JSON.stringify(events.body).slice(0, 500));
    assert.equal(list['objectRef']['namespace'], namespace);
    for (const e of events.body['events'] as Array<Record<string, any>>) {
      assert.equal(e['auditgate']['mcp']['caller'], 'verified');
      assert.equal(e['auditgate']['onBehalfOf']['username'], person);
    }
  });

  it('Ctrl-C stops every service it started', async () => {
    assert.equal(await interrupt(main.child), true, `npm start did not stop within a minute:\n${main.output()}`);
    const ready = await fetch(`${main.queryUrl}/api/v1/whoami`).then(() => true, () => false);
    assert.equal(ready, false, 'the query service still answers after Ctrl-C');
  });
});

describe('npm start against a named cluster that cannot serve Auditgate: nothing starts, and it says what is missing', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ag-e2e-preflight-'));
  const namespace = uniqueName('e2e-weak').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  after(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs npm start to its end; it must fail before starting any service. */
  async function refused(kubeconfig: string): Promise<string> {
    const { child, output } = spawnMain({ ...process.env, ...(await freePorts()), AUDITGATE_KUBECONFIG: kubeconfig });
    const [code] = await once(child, 'exit') as [number | null];
    assert.notEqual(code, 0, output());
    assert.ok(!/starting (proxy|indexer|detector|query)|Auditgate is running/.test(output()), `something was started:\n${output()}`);
    return output();
  }

  it('an unreachable API server', async () => {
    const out = await refused(userKubeconfig(dir, { token: creds.adminToken }, 'https://127.0.0.1:1'));
    assert.match(out, /the API server https:\/\/127\.0\.0\.1:1 cannot be reached with this kubeconfig/);
  });

  it('an issuer that cannot be reached: the API server answers, but not the service-account issuer\'s discovery', async () => {
    // A real identity of the cluster (a client certificate its CA signed) outside system:serviceaccounts, so the
    // default binding of system:service-account-issuer-discovery does not cover it: /version answers, discovery is 403.
    const key = join(dir, 'outsider.key');
    const csr = join(dir, 'outsider.csr');
    const cert = join(dir, 'outsider.crt');
    execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${namespace}-outsider`, '-keyout', key, '-out', csr], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', `${stack.kubeState}/pki/ca.crt`, '-CAkey', `${stack.kubeState}/pki/ca.key`,
      '-CAserial', join(dir, 'ca.srl'), '-CAcreateserial', '-days', '1', '-out', cert], { stdio: 'ignore' });
    const out = await refused(userKubeconfig(dir, {
      'client-certificate-data': readFileSync(cert).toString('base64'), 'client-key-data': readFileSync(key).toString('base64'),
    }));
    assert.doesNotMatch(out, /cannot be reached with this kubeconfig/, 'the API server itself answered');
    assert.match(out, /not ready for Auditgate with kubeconfig user "me"\. Missing:/);
    assert.match(out, /the service-account issuer's discovery \(GET \/\.well-known\/openid-configuration\) is refused: .*Forbidden.* — this identity needs the ClusterRole system:service-account-issuer-discovery/);
    assert.match(out, /Nothing was started/);
  });

  it('an identity without TokenReview and TokenRequest permissions', async () => {
    await kubectl(stack, creds.adminKubeconfig, ['create', 'namespace', namespace]);
    await kubectl(stack, creds.adminKubeconfig, ['-n', namespace, 'create', 'serviceaccount', 'weak']);
    const token = (await kubectl(stack, creds.adminKubeconfig, ['-n', namespace, 'create', 'token', 'weak', '--duration', '10m'])).trim();
    const out = await refused(userKubeconfig(dir, { token }));
    assert.match(out, /not ready for Auditgate with kubeconfig user "me"\. Missing:/);
    assert.match(out, /permission to create tokenreviews/);
    assert.match(out, /permission to create serviceaccounts\/token in namespace auditgate-agents/);
    assert.match(out, /Nothing was started/);
  });
});
