import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { kubectl, readKubeCredentials, readStackEnv } from '@auditgate/shared/testing';
import type { IndexerApp } from '../../../services/indexer/src/app.js';
import type { VerifyReport } from '../../../services/query/src/evidence/verify-types.js';
import { testOpenSearch } from '../indexer/support/indexer-harness.js';
import { createAgent } from '../proxy/support/proxy-harness.js';
import { startQueryTestbed, type QueryTestbed } from '../query/support/query-harness.js';
import { startUiSession, type UiSession } from '../query/support/ui-session.js';
import { dropEvidence } from './support/clone-evidence.js';
import { evidenceKafka, newEvidenceNames, startEvidenceIndexer, startGateway, waitForSettled, writeCheckpointKey, type EvidenceNames } from './support/evidence-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);

describe('the query service verifies the trail: /api/v1/verify and the analyst UI\'s badge (real stack, Chromium)', () => {
  let os: Client;
  let names: EvidenceNames;
  let indexer: IndexerApp;
  let bed: QueryTestbed;
  let ui: UiSession;
  let namespace: string;
  let jwksFile: string;

  const verify = async (): Promise<VerifyReport> => {
    const res = await fetch(`${bed.baseUrl}/api/v1/verify?since=1h`, { headers: { authorization: `Bearer ${await bed.tokenFor(['analyst'])}` } });
    assert.equal(res.status, 200);
    return (await res.json()) as VerifyReport;
  };

  before(async () => {
    os = testOpenSearch();
    names = await newEvidenceNames(evidenceKafka());
    indexer = await startEvidenceIndexer(names);
    const dir = mkdtempSync(join(tmpdir(), 'evidence-api-'));
    const gateway = await startGateway(names, { instance: 'gw-api', env: { PROXY_CHECKPOINT_KEY_FILE: writeCheckpointKey(dir) } });
    jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(await gateway.jwks()));
    const agent = await createAgent('evidence-api');
    namespace = agent.namespace;
    const kubeconfig = gateway.kubeconfigFor(agent.token);
    await kubectl(stack, kubeconfig, ['-n', namespace, 'create', 'configmap', 'one', '--from-literal=a=b']);
    await kubectl(stack, kubeconfig, ['-n', namespace, 'get', 'configmaps']);
    await gateway.stop();
    await waitForSettled(os, names, 1);
    bed = await startQueryTestbed({ env: { QUERY_EVENTS_INDEX: names.indexPrefix, QUERY_CHECKPOINTS_INDEX: names.checkpointsIndex, QUERY_CHECKPOINT_JWKS: jwksFile } });
    ui = await startUiSession(bed);
  });
  after(async () => {
    await ui?.close();
    await bed?.close();
    await indexer?.stop();
    await dropEvidence(os, names);
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    await os.close();
  });

  it('a clean trail: the API reports it verified and the search page shows a green badge', async () => {
    const report = await verify();
    assert.equal(report.ok, true, report.summary);
    assert.match(report.summary, /^verified: \d+ events in 1 stream/);
    const page = await ui.openAs(['analyst'], '/ui/search?since=1h');
    const badge = page.locator('.trail .badge.trail-ok');
    await badge.waitFor();
    assert.match(await badge.innerText(), /^Trail verified ✓ \d+ events · 1 stream · \d+ signed checkpoints$/);
    await ui.screenshot(page, 'trail-verified');
  });

  it('a window with more exchanges than QUERY_VERIFY_MAX_EVENTS answers 413 rather than reading them all', async () => {
    const small = await startQueryTestbed({ env: { QUERY_EVENTS_INDEX: names.indexPrefix, QUERY_CHECKPOINTS_INDEX: names.checkpointsIndex, QUERY_CHECKPOINT_JWKS: jwksFile, QUERY_VERIFY_MAX_EVENTS: '1' } });
    try {
      const res = await fetch(`${small.baseUrl}/api/v1/verify?since=1h`, { headers: { authorization: `Bearer ${await small.tokenFor(['analyst'])}` } });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'AUDITGATE_E_PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('a deleted document: the API names it and the badge turns red with the problem listed', async () => {
    await os.indices.refresh({ index: `${names.indexPrefix}-*` });
    const victim = (await os.search({ index: names.indexPrefix, body: { size: 1, query: { term: { verb: 'create' } } } })).body.hits.hits[0]!;
    await os.delete({ index: String(victim._index), id: String(victim._id), refresh: true });
    const report = await verify();
    assert.equal(report.ok, false);
    assert.ok(report.problems.every((p) => p.kind === 'deleted'), report.summary);
    const page = await ui.openAs(['analyst'], '/ui/search?since=1h');
    const badge = page.locator('.trail .badge.trail-bad');
    await badge.waitFor();
    assert.match(await badge.innerText(), /^Trail NOT verified: \d+ problems? \(deleted\)$/);
    await page.locator('.trail button.trail-toggle').click();
    assert.match(await page.locator('.trail-problems li').first().innerText(), /^deleted at \d+/);
    await ui.screenshot(page, 'trail-not-verified');
  });
});
