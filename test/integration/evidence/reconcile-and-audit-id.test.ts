import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Client } from '@opensearch-project/opensearch';
import { GATEWAY_OWN_AUDIT_ID_PREFIX } from '@auditgate/shared/kube';
import { apiServerAuditSince, kubectl, readKubeCredentials, readStackEnv, waitFor, type ApiServerAuditEvent } from '@auditgate/shared/testing';
import type { IndexerApp } from '../../../services/indexer/src/app.js';
import { runCli } from '../../../services/query/src/cli/run-cli.js';
import type { ReconcileReport } from '../../../services/query/src/evidence/reconcile/reconcile.js';
import { testOpenSearch } from '../indexer/support/indexer-harness.js';
import { createAgent } from '../proxy/support/proxy-harness.js';
import { cloneEvidence, dropEvidence, type EvidenceIndices } from './support/clone-evidence.js';
import { dedicatedUpstream, evidenceKafka, newEvidenceNames, startEvidenceIndexer, startGateway, verifyIndexed, waitForSettled, type EvidenceNames } from './support/evidence-harness.js';
import type { JSONWebKeySet } from 'jose';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
type Doc = { _id: string; _index: string; _source: Record<string, any> };

/** Runs the CLI in this process; resolves with its exit code and output. */
async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } });
  const code = await runCli({ argv, env: { OPENSEARCH_URL: stack.opensearchUrl }, stdout: sink, stderr: sink, fetch });
  return { code, out };
}

describe('one audit ID on both sides: the API server\'s own log, and reconcile against it (real stack)', () => {
  let os: Client;
  let names: EvidenceNames;
  let indexer: IndexerApp;
  let dir: string;
  let gatewayUser: string;
  let gatewayNamespace: string;
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let from: number;
  let to: number;
  let logOffset: number;
  let docs: Doc[];
  let apiServer: ApiServerAuditEvent[];
  let jwks: JSONWebKeySet;
  const copies: EvidenceIndices[] = [];

  const ours = (match: (d: Doc) => boolean, what: string): Doc => {
    const found = docs.find(match);
    assert.ok(found !== undefined, `our record of ${what}`);
    return found;
  };
  const theirs = (auditID: string): ApiServerAuditEvent[] => apiServer.filter((e) => e.auditID === auditID);

  before(async () => {
    os = testOpenSearch();
    names = await newEvidenceNames(evidenceKafka());
    indexer = await startEvidenceIndexer(names);
    dir = mkdtempSync(join(tmpdir(), 'evidence-reconcile-'));
    const upstream = await dedicatedUpstream(dir);
    gatewayUser = upstream.username;
    gatewayNamespace = upstream.namespace;
    agent = await createAgent('evidence-rec');
    const admin = (args: string[]) => kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, ...args]);
    await admin(['create', 'rolebinding', 'agent-admin', '--clusterrole=admin', `--serviceaccount=${agent.namespace}:agent`]);
    await admin(['create', 'deployment', 'web', '--image=nginx']);
    logOffset = statSync(creds.auditLog).size;
    from = Date.now() - 1000;
    // One gateway reviews its callers' tokens (its own TokenReviews are served to its identity, and must be set aside), one does not.
    const plain = await startGateway(names, { instance: 'gw-reconcile', upstreamKubeconfig: upstream.kubeconfig, env: { PROXY_SA_TOKEN_REVIEW: 'true' }, dir: mkdtempSync(join(dir, 'a-')) });
    const impersonating = await startGateway(names, { instance: 'gw-impersonating', upstreamKubeconfig: upstream.kubeconfig, env: { PROXY_SA_TOKEN_REVIEW: 'false', PROXY_IMPERSONATE: 'true' }, dir: mkdtempSync(join(dir, 'b-')) });
    jwks = { keys: [...(await plain.jwks()).keys, ...(await impersonating.jwks()).keys] };
    const gw = (args: string[], input?: string) => kubectl(stack, plain.kubeconfigFor(agent.token), ['-n', agent.namespace, ...args], input);
    const asCaller = (args: string[]) => kubectl(stack, impersonating.kubeconfigFor(agent.token), ['-n', agent.namespace, ...args]);
    await gw(['get', 'serviceaccount', 'agent']);
    await gw(['get', 'configmaps']);
    await gw(['create', 'configmap', 'written', '--from-literal=a=b']);
    await gw(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { x: 'y' } }));
    await gw(['get', 'configmaps', '--watch', '--request-timeout=2s']).catch(() => '');
    await waitFor('a running pod', async () => ((await gw(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.phase}'])).includes('Running') ? true : undefined), 60_000);
    await gw(['exec', 'deploy/web', '--', 'echo', 'hi']);
    await gw(['logs', 'deploy/web', '--tail=1']).catch(() => '');
    await gw(['delete', 'configmap', 'written']);
    await gw(['get', 'secret', 'missing']).catch(() => '');
    await asCaller(['get', 'configmaps']);
    await asCaller(['create', 'configmap', 'impersonated', '--from-literal=c=d']);
    await asCaller(['get', 'nodes']).catch(() => ''); // forbidden for the caller: the API server answers 403 itself
    await plain.stop();
    await impersonating.stop();
    to = Date.now() + 1000;
    await waitForSettled(os, names, 2);
    await os.indices.refresh({ index: `${names.indexPrefix}-*` });
    docs = (await os.search({ index: names.indexPrefix, body: { size: 1000, query: { match_all: {} } } })).body.hits.hits as unknown as Doc[];
    apiServer = await apiServerAuditSince(creds.auditLog, logOffset);
  });
  after(async () => {
    await indexer?.stop();
    for (const c of [...copies, names]) await dropEvidence(os, c);
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, gatewayNamespace, '--wait=false']).catch(() => undefined);
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'clusterrolebinding', gatewayNamespace]).catch(() => undefined);
    await os.close();
  });

  it('the API server logs our audit ID for gets, lists, watches, writes, exec and impersonated requests', () => {
    const cases: Array<[string, (d: Doc) => boolean]> = [
      ['get', (d) => d._source['verb'] === 'get' && d._source['objectRef']?.resource === 'serviceaccounts'],
      ['list', (d) => d._source['verb'] === 'list' && d._source['objectRef']?.resource === 'configmaps'],
      ['watch', (d) => d._source['verb'] === 'watch'],
      ['create', (d) => d._source['verb'] === 'create' && d._source['objectRef']?.name === 'written'],
      ['apply (patch or create)', (d) => ['patch', 'create'].includes(d._source['verb']) && d._source['objectRef']?.name === 'applied'],
      ['delete', (d) => d._source['verb'] === 'delete'],
      ['exec', (d) => d._source['objectRef']?.subresource === 'exec'],
    ];
    for (const [what, match] of cases) {
      const doc = ours(match, what);
      const seen = theirs(doc._id);
      assert.ok(seen.length > 0, `the API server logged ${what} under our audit ID ${doc._id}`);
      assert.equal(seen[0]!.verb, doc._source['verb'], `${what}: same verb`);
      assert.equal(seen[0]!.user?.username, gatewayUser);
    }
    const impersonated = docs.filter((d) => d._source['auditgate']?.upstream?.impersonated === true && d._source['verb'] === 'create');
    assert.equal(impersonated.length, 1);
    // The API server resolves impersonation after its RequestReceived stage: the completed stage names the caller.
    const seen = theirs(impersonated[0]!._id).find((e) => e.stage === 'ResponseComplete');
    assert.ok(seen !== undefined, 'impersonated request logged under our audit ID');
    assert.equal(seen.user?.username, gatewayUser);
    assert.equal(seen.impersonatedUser?.username, agent.username);
  });

  it('two gateways at once keep a stream each, and both verify', async () => {
    const report = await verifyIndexed(os, names, jwks, from, to);
    assert.equal(report.ok, true, report.problems.map((p) => `${p.kind}@${p.seq} ${p.detail}`).join('\n'));
    assert.deepEqual(report.streams.map((s) => [s.stream.split('/')[0], s.state, s.origin]).sort(), [['gw-impersonating', 'final', 'genesis'], ['gw-reconcile', 'final', 'genesis']]);
  });

  it('reconcile reports 100 % over the mixed session, from the local log and from a CloudWatch export of it', async () => {
    const window = ['--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--index', names.indexPrefix];
    const local = await cli(['reconcile', '--apiserver-audit-log', creds.auditLog, ...window, '--json']);
    const report = JSON.parse(local.out) as ReconcileReport;
    assert.deepEqual(report.identities, [gatewayUser]);
    assert.ok(report.considered >= 14, `the session's requests are considered (${report.considered})`);
    assert.deepEqual({ missing: report.missing, disagreements: report.disagreements, unseen: report.unseen }, { missing: [], disagreements: [], unseen: [] });
    assert.equal(report.coverage, 100);
    assert.equal(local.code, 0);
    assert.ok(report.ownCalls >= 1, `the gateway's own TokenReviews are set aside by their audit ID (${report.ownCalls})`);
    assert.ok(apiServer.some((e) => e.auditID?.startsWith(GATEWAY_OWN_AUDIT_ID_PREFIX) === true && e.user?.username === gatewayUser), 'the API server logs the own-call audit ID');

    const tail = readFileSync(creds.auditLog, 'utf8').slice(logOffset).split('\n').filter((l) => l.startsWith('{'));
    const exported = join(dir, 'cloudwatch.jsonl');
    writeFileSync(exported, tail.map((message, i) => JSON.stringify({
      timestamp: Date.now(), message, logStreamName: 'kube-apiserver-audit-0123456789abcdef', ingestionTime: Date.now(), eventId: String(i),
    })).join('\n'));
    const cw = await cli(['reconcile', '--apiserver-audit-log', exported, ...window]);
    assert.equal(cw.code, 0, cw.out);
    assert.match(cw.out.trim().split('\n').at(-1)!, /^reconciled: coverage 100\.00 % \(\d+ of \d+ requests served to system:serviceaccount:/);
  });

  it('reconcile names each request the test removes from the index', async () => {
    const copy = await cloneEvidence(os, names);
    copies.push(copy);
    const removed = (copy.docs as Doc[]).filter((d) => ['create', 'delete', 'watch'].includes(d._source['verb'])).slice(0, 3);
    assert.equal(removed.length, 3);
    for (const d of removed) await os.delete({ index: d._index, id: d._id, refresh: true });
    const { code, out } = await cli(['reconcile', '--apiserver-audit-log', creds.auditLog, '--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--index', copy.indexPrefix, '--json']);
    const report = JSON.parse(out) as ReconcileReport;
    assert.equal(code, 1);
    assert.deepEqual(report.missing.map((m) => m.auditID).sort(), removed.map((d) => d._id).sort());
    for (const m of report.missing) assert.equal(m.verb, removed.find((d) => d._id === m.auditID)!._source['verb']);
    assert.ok(report.coverage < 100);
    assert.match(report.summary, /^NOT reconciled: coverage \d+\.\d\d % .*3 missing/);
  });

  it('reconcile over an emptied index is not ok: every request missing when the own calls name the gateway, else exit 2', async () => {
    const copy = await cloneEvidence(os, names);
    copies.push(copy);
    const deletes = (copy.docs as Doc[]).map((d) => JSON.stringify({ delete: { _index: d._index, _id: d._id } }));
    await os.bulk({ refresh: 'true', body: `${deletes.join('\n')}\n` as never });
    const window = ['--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--index', copy.indexPrefix, '--json'];
    const withOwnCalls = await cli(['reconcile', '--apiserver-audit-log', creds.auditLog, ...window]);
    const report = JSON.parse(withOwnCalls.out) as ReconcileReport;
    assert.equal(withOwnCalls.code, 1);
    // Learned from its own calls (other gateways using the shared stack in the window are named too: their requests count as missing).
    assert.deepEqual([report.ok, report.identitySource, report.matched, report.coverage], [false, 'learned', 0, 0]);
    assert.ok(report.identities.includes(gatewayUser) && report.identityEvidence[gatewayUser]!.ownCalls >= 1, JSON.stringify(report.identityEvidence));
    const oursMissing = report.missing.filter((m) => m.user === gatewayUser);
    assert.ok(oursMissing.length >= 14, `${oursMissing.length} of the session's requests missing`);

    // Without the gateway's own calls in the log (a gateway that reviews no tokens), nothing names the identity: refused.
    const tail = readFileSync(creds.auditLog, 'utf8').slice(logOffset).split('\n').filter((l) => l.startsWith('{') && !l.includes(GATEWAY_OWN_AUDIT_ID_PREFIX));
    const noOwnCalls = join(dir, 'no-own-calls.log');
    writeFileSync(noOwnCalls, tail.join('\n'));
    const refused = await cli(['reconcile', '--apiserver-audit-log', noOwnCalls, ...window]);
    assert.equal(refused.code, 2, refused.out);
    assert.match(refused.out, /upstream identity could not be established.*--upstream-user/s);
    const named = await cli(['reconcile', '--apiserver-audit-log', noOwnCalls, ...window, '--upstream-user', gatewayUser]);
    assert.equal(named.code, 1);
    assert.equal((JSON.parse(named.out) as ReconcileReport).coverage, 0);
  });
});
