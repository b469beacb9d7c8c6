import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import { kubectl, readKubeCredentials, readStackEnv, waitFor } from '@auditgate/shared/testing';
import type { IndexerApp } from '../../../services/indexer/src/app.js';
import { stallableKafka } from '../proxy/support/test-kafka.js';
import { loadFromKafka } from '../../../services/query/src/evidence/kafka-evidence.js';
import { runVerify } from '../../../services/query/src/evidence/run-verify.js';
import type { Problem } from '../../../services/query/src/evidence/verify-types.js';
import { testOpenSearch } from '../indexer/support/indexer-harness.js';
import { createAgent } from '../proxy/support/proxy-harness.js';
import { dropEvidence } from './support/clone-evidence.js';
import {
  evidenceKafka, newEvidenceNames, startEvidenceIndexer, startGateway, verifyIndexed, waitForSettled, writeCheckpointKey, type EvidenceNames,
} from './support/evidence-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const brief = (problems: Problem[]): string => problems.map((p) => `${p.kind}@${p.seq ?? '-'} ${p.detail}`).join('\n');

describe('spool mode keeps the chain intact (real stack, Kafka stalled under traffic)', () => {
  let os: Client;
  let names: EvidenceNames;
  let indexer: IndexerApp;
  let namespace: string;

  before(async () => {
    os = testOpenSearch();
    names = await newEvidenceNames(evidenceKafka());
    indexer = await startEvidenceIndexer(names);
  });
  after(async () => {
    await indexer?.stop();
    await dropEvidence(os, names);
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    await os.close();
  });

  it('events spooled while Kafka stalls keep their places: the chain verifies from OpenSearch and from Kafka', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evidence-spool-'));
    const network = stallableKafka();
    const from = Date.now() - 1000;
    const gateway = await startGateway(names, {
      instance: 'gw-spool', dir, producerKafka: network.kafka,
      env: { PROXY_KAFKA_OUTAGE_MODE: 'spool', PROXY_KAFKA_ACK_TIMEOUT_MS: '500', PROXY_CHECKPOINT_KEY_FILE: writeCheckpointKey(dir) },
    });
    const jwks = await gateway.jwks();
    const agent = await createAgent('evidence-spool');
    namespace = agent.namespace;
    const gw = (args: string[]) => kubectl(stack, gateway.kubeconfigFor(agent.token), ['-n', namespace, ...args]);
    await gw(['create', 'configmap', 'before', '--from-literal=a=b']);
    network.stall();
    await gw(['create', 'configmap', 'during', '--from-literal=a=b']);
    await gw(['get', 'configmaps']);
    const spooled = readdirSync(join(dir, 'spool')).filter((f) => f.endsWith('.spool'));
    assert.ok(spooled.length > 0, 'the events went to the spool');
    network.resume();
    await waitFor('the spool to drain', async () => (readdirSync(join(dir, 'spool')).some((f) => f.endsWith('.spool')) ? undefined : true), 30_000, 200);
    await gw(['delete', 'configmap', 'during']);
    await gateway.stop();
    const to = Date.now() + 1000;
    await waitForSettled(os, names, 1);
    const indexed = await verifyIndexed(os, names, jwks, from, to);
    assert.equal(indexed.ok, true, brief(indexed.problems));
    assert.equal(indexed.streams[0]!.state, 'final');
    const fromKafka = await runVerify({
      source: 'kafka', from, to, now: Date.now(), jwks,
      load: () => loadFromKafka({ kafka: evidenceKafka(), eventsTopic: names.eventsTopic, checkpointsTopic: names.checkpointsTopic, from, to, slackMs: 60_000 }),
    });
    assert.equal(fromKafka.ok, true, brief(fromKafka.problems));
    assert.equal(fromKafka.streams[0]!.lastSeq, indexed.streams[0]!.lastSeq);
  });
});
