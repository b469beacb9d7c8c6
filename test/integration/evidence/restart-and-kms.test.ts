import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Client } from '@opensearch-project/opensearch';
import type { Kafka } from 'kafkajs';
import { parseCheckpointJws, type SendingProducer } from '@auditgate/shared';
import { kubectl, readKubeCredentials, readStackEnv } from '@auditgate/shared/testing';
import type { IndexerApp } from '../../../services/indexer/src/app.js';
import type { Problem } from '../../../services/query/src/evidence/verify-types.js';
import { testOpenSearch } from '../indexer/support/indexer-harness.js';
import { createAgent } from '../proxy/support/proxy-harness.js';
import { dropEvidence } from './support/clone-evidence.js';
import {
  evidenceKafka, newEvidenceNames, startEvidenceIndexer, startGateway, verifyIndexed, waitForSettled, writeCheckpointKey, type EvidenceNames,
} from './support/evidence-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const brief = (problems: Problem[]): string => problems.map((p) => `${p.kind}@${p.seq ?? '-'} ${p.stream ?? ''} ${p.detail}`).join('\n');

describe('restarts and KMS keys (real stack)', () => {
  let kafka: Kafka;
  let os: Client;
  let agent: Awaited<ReturnType<typeof createAgent>>;
  const runs: Array<{ names: EvidenceNames; indexer: IndexerApp }> = [];

  async function run(): Promise<{ names: EvidenceNames; indexer: IndexerApp }> {
    const names = await newEvidenceNames(kafka);
    const r = { names, indexer: await startEvidenceIndexer(names) };
    runs.push(r);
    return r;
  }
  const traffic = async (kubeconfig: string, label: string): Promise<void> => {
    await kubectl(stack, kubeconfig, ['-n', agent.namespace, 'create', 'configmap', label, '--from-literal=a=b']);
    await kubectl(stack, kubeconfig, ['-n', agent.namespace, 'get', 'configmaps']);
    await kubectl(stack, kubeconfig, ['-n', agent.namespace, 'delete', 'configmap', label]);
  };

  before(async () => {
    kafka = evidenceKafka();
    os = testOpenSearch();
    agent = await createAgent('evidence-restart');
  });
  after(async () => {
    for (const r of runs) { await r.indexer.stop(); await dropEvidence(os, r.names); }
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']).catch(() => undefined);
    await os.close();
  });

  it('a restart after a clean stop: the new stream names the final checkpoint\'s hash, and verification crosses the link', async () => {
    const { names } = await run();
    const key = writeCheckpointKey(mkdtempSync(join(tmpdir(), 'evidence-key-')));
    const from = Date.now() - 1000;
    const first = await startGateway(names, { instance: 'gw-restart', env: { PROXY_CHECKPOINT_KEY_FILE: key } });
    const jwks = await first.jwks();
    await traffic(first.kubeconfigFor(agent.token), 'before');
    await first.stop();
    const second = await startGateway(names, { instance: 'gw-restart', env: { PROXY_CHECKPOINT_KEY_FILE: key } });
    await traffic(second.kubeconfigFor(agent.token), 'after');
    await second.stop();
    const to = Date.now() + 1000;
    await waitForSettled(os, names, 2);
    const report = await verifyIndexed(os, names, jwks, from, to);
    assert.equal(report.ok, true, brief(report.problems));
    const [a, b] = [...report.streams].sort((x, y) => (x.origin === 'genesis' ? -1 : y.origin === 'genesis' ? 1 : 0));
    assert.equal(a!.origin, 'genesis');
    assert.equal(a!.state, 'final');
    assert.equal(b!.origin, `${a!.stream}#${a!.lastSeq}`, 'the second stream starts where the first ended');
    assert.equal(b!.state, 'final');
  });

  it('a restart after a crash (no final checkpoint): the new stream names the last event read back from Kafka', async () => {
    const { names } = await run();
    const key = writeCheckpointKey(mkdtempSync(join(tmpdir(), 'evidence-key-')));
    const from = Date.now() - 1000;
    let crashed = false;
    // The crashed process never gets its final checkpoint out: its checkpoint sends fail from the "crash" on.
    const dying = (real: SendingProducer): SendingProducer => ({
      send: (record) => (crashed && record.topic === names.checkpointsTopic ? Promise.reject(new Error('process gone')) : real.send(record)),
    });
    const first = await startGateway(names, { instance: 'gw-crash', env: { PROXY_CHECKPOINT_KEY_FILE: key, PROXY_CHECKPOINT_INTERVAL_MS: '60000', PROXY_CHECKPOINT_EVERY_EVENTS: '1000' }, producer: dying });
    const jwks = await first.jwks();
    await new Promise((r) => setTimeout(r, 300)); // the first checkpoint (seq 0) is out
    crashed = true;
    await traffic(first.kubeconfigFor(agent.token), 'unsigned');
    await first.stop();
    const second = await startGateway(names, { instance: 'gw-crash', env: { PROXY_CHECKPOINT_KEY_FILE: key } });
    await traffic(second.kubeconfigFor(agent.token), 'after-crash');
    await second.stop();
    const to = Date.now() + 1000;
    await waitForSettled(os, names, 1);
    const report = await verifyIndexed(os, names, jwks, from, to);
    assert.equal(report.ok, true, brief(report.problems));
    const crashedStream = report.streams.find((s) => s.origin === 'genesis')!;
    const next = report.streams.find((s) => s !== crashedStream)!;
    assert.equal(crashedStream.signedSeq, 0, 'nothing of the crashed stream was signed by itself');
    assert.ok(crashedStream.lastSeq >= 6);
    assert.equal(crashedStream.state, 'succeeded', 'its successor vouches for its end');
    assert.equal(next.origin, `${crashedStream.stream}#${crashedStream.lastSeq}`);
  });

  it('a key rotation across a restart: the retired key stays published (PROXY_CHECKPOINT_PREVIOUS_JWKS), and the old stream verifies against the new gateway\'s JWKS', async () => {
    const { names } = await run();
    const dir = mkdtempSync(join(tmpdir(), 'evidence-rotation-'));
    const from = Date.now() - 1000;
    const first = await startGateway(names, { instance: 'gw-rotate', env: { PROXY_CHECKPOINT_KEY_FILE: writeCheckpointKey(dir) } });
    const retired = await first.jwks();
    await traffic(first.kubeconfigFor(agent.token), 'old-key');
    await first.stop();
    const retiredFile = join(dir, 'retired-jwks.json');
    writeFileSync(retiredFile, JSON.stringify(retired));
    const second = await startGateway(names, { instance: 'gw-rotate', env: { PROXY_CHECKPOINT_KEY_FILE: writeCheckpointKey(dir), PROXY_CHECKPOINT_PREVIOUS_JWKS: retiredFile } });
    const published = await second.jwks();
    await traffic(second.kubeconfigFor(agent.token), 'new-key');
    await second.stop();
    const to = Date.now() + 1000;
    await waitForSettled(os, names, 2);
    assert.equal(published.keys.length, 2);
    assert.equal(published.keys[1]!.kid, retired.keys[0]!.kid, 'the retired key is published after the current one');
    assert.notEqual(published.keys[0]!.kid, retired.keys[0]!.kid);
    const report = await verifyIndexed(os, names, published, from, to);
    assert.equal(report.ok, true, brief(report.problems));
    assert.equal(report.streams.length, 2);
    // Without the retired key, every checkpoint of the first stream would pass for forged.
    const currentOnly = await verifyIndexed(os, names, { keys: [published.keys[0]!] }, from, to);
    assert.ok(currentOnly.problems.some((p) => p.kind === 'forged-checkpoint'), brief(currentOnly.problems));
  });

  it('checkpoints signed by an AWS KMS key (moto) verify against the published key', async () => {
    const { names } = await run();
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'eu-west-1' });
    const kms = new KMSClient({ region: 'eu-west-1', endpoint: stack.motoUrl });
    const key = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'auditgate checkpoints (test)' }));
    const from = Date.now() - 1000;
    const gateway = await startGateway(names, {
      instance: 'gw-kms',
      env: { PROXY_CHECKPOINT_SIGNER: 'kms', PROXY_CHECKPOINT_KMS_KEY_ID: key.KeyMetadata!.Arn!, PROXY_CHECKPOINT_KMS_REGION: 'eu-west-1', PROXY_CHECKPOINT_KMS_ENDPOINT: stack.motoUrl },
    });
    const jwks = await gateway.jwks();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.alg, 'ES256');
    assert.equal(jwks.keys[0]!.crv, 'P-256');
    assert.equal(jwks.keys[0]!.d, undefined, 'no private part is published');
    await traffic(gateway.kubeconfigFor(agent.token), 'kms');
    await gateway.stop();
    const to = Date.now() + 1000;
    await waitForSettled(os, names, 1);
    const report = await verifyIndexed(os, names, jwks, from, to);
    assert.equal(report.ok, true, brief(report.problems));
    assert.ok(report.checkpoints >= 2);
    const stored = (await os.search({ index: names.checkpointsIndex, body: { size: 1, query: { term: { final: true } } } })).body.hits.hits[0]!._source as { jws: string };
    const parsed = parseCheckpointJws(stored.jws);
    assert.equal(parsed.header.alg, 'ES256');
    assert.equal(parsed.header.kid, jwks.keys[0]!.kid);
  });
});
