import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { JSONWebKeySet } from 'jose';
import type { Client } from '@opensearch-project/opensearch';
import type { Kafka } from 'kafkajs';
import { kubectl, readKubeCredentials, readStackEnv } from '@auditgate/shared/testing';
import type { IndexerApp } from '../../../services/indexer/src/app.js';
import { localKeySigner } from '../../../services/proxy/src/evidence/local-key-signer.js';
import { signCheckpoint } from '../../../services/proxy/src/evidence/checkpoint-signer.js';
import { runCli } from '../../../services/query/src/cli/run-cli.js';
import type { Problem } from '../../../services/query/src/evidence/verify-types.js';
import { testOpenSearch } from '../indexer/support/indexer-harness.js';
import { createAgent } from '../proxy/support/proxy-harness.js';
import { cloneEvidence, dropEvidence, type EvidenceIndices } from './support/clone-evidence.js';
import {
  evidenceKafka, newEvidenceNames, startEvidenceIndexer, startGateway, verifyIndexed, waitForSettled, writeCheckpointKey, type EvidenceNames, type Gateway,
} from './support/evidence-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);

type Doc = { _id: string; _index: string; _source: Record<string, any> };
/** A document's chained stages as [stage, seq], by position. */
const positions = (d: Doc): Array<[string, number]> => Object.entries(d._source['stages'] as Record<string, any>)
  .filter(([, s]) => s.chain !== undefined).map(([stage, s]) => [stage, s.chain.seq as number] as [string, number]).sort((a, b) => a[1] - b[1]);
const brief = (problems: Problem[]): string => problems.map((p) => `${p.kind}@${p.seq ?? '-'}${p.seqTo === undefined ? '' : `-${p.seqTo}`} ${p.auditID ?? ''} ${p.detail}`).join('\n');

describe('tamper evidence: the chain and its signed checkpoints catch and locate every edit (real stack)', () => {
  let kafka: Kafka;
  let os: Client;
  let names: EvidenceNames;
  let indexer: IndexerApp;
  let gateway: Gateway;
  let jwks: JSONWebKeySet;
  let from: number;
  let to: number;
  let stream: string;
  const copies: EvidenceIndices[] = [];

  /** A fresh copy of the run's evidence, for one tamper. */
  async function copy(): Promise<EvidenceIndices & { docs: Doc[]; checkpoints: Doc[] }> {
    const c = await cloneEvidence(os, names);
    copies.push(c);
    return c as EvidenceIndices & { docs: Doc[]; checkpoints: Doc[] };
  }
  const verify = (indices: EvidenceIndices) => verifyIndexed(os, indices, jwks, from, to);

  before(async () => {
    kafka = evidenceKafka();
    os = testOpenSearch();
    names = await newEvidenceNames(kafka);
    indexer = await startEvidenceIndexer(names);
    from = Date.now() - 1000;
    const keyDir = mkdtempSync(join(tmpdir(), 'evidence-key-'));
    gateway = await startGateway(names, { instance: 'gw-tamper', env: { PROXY_CHECKPOINT_KEY_FILE: writeCheckpointKey(keyDir) } });
    jwks = await gateway.jwks();
    const agent = await createAgent('evidence');
    const kubeconfig = gateway.kubeconfigFor(agent.token);
    const gw = (args: string[]) => kubectl(stack, kubeconfig, ['-n', agent.namespace, ...args]);
    for (let i = 0; i < 4; i += 1) await gw(['create', 'configmap', `c${i}`, `--from-literal=k=${i}`]);
    await gw(['get', 'configmaps']);
    await gw(['get', 'configmap', 'c1', '-o', 'json']);
    await gw(['get', 'configmap', 'missing']).catch(() => undefined);
    await gw(['delete', 'configmap', 'c0']);
    await new Promise((r) => setTimeout(r, 1500)); // a heartbeat or two while silent
    await gw(['get', 'serviceaccounts']);
    await gateway.stop();
    to = Date.now() + 1000;
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']).catch(() => undefined);
    await waitForSettled(os, names, 1);
  });
  after(async () => {
    await gateway?.stop();
    await indexer?.stop();
    for (const c of [...copies, names]) await dropEvidence(os, c);
    await os.close();
  });

  it('a clean run verifies, from OpenSearch and from the Kafka topics (CLI), and the stream ends with its final checkpoint', async () => {
    const report = await verify(names);
    assert.equal(report.ok, true, brief(report.problems));
    assert.equal(report.streams.length, 1);
    const [s] = report.streams;
    stream = s!.stream;
    assert.match(stream, /^gw-tamper\//);
    assert.equal(s!.state, 'final');
    assert.equal(s!.origin, 'genesis');
    assert.equal(s!.firstSeq, 1);
    assert.equal(s!.signedSeq, s!.lastSeq, 'the final checkpoint signs the last event');
    assert.ok(s!.events >= 18, `every stage of every exchange is chained (${s!.events})`);
    assert.ok(report.checkpoints >= 3, 'count, interval and final checkpoints');

    const jwksFile = join(gateway.dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify(jwks));
    let out = '';
    const stdout = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } });
    const code = await runCli({
      argv: ['verify', '--source', 'kafka', '--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--jwks', jwksFile,
        '--events-topic', names.eventsTopic, '--checkpoints-topic', names.checkpointsTopic],
      env: { KAFKA_BROKERS: stack.kafkaBrokers.join(',') }, stdout, stderr: stdout, fetch,
    });
    assert.equal(code, 0, out);
    assert.match(out.trim().split('\n').at(-1)!, /^verified: [1-9]\d* events in 1 stream, [1-9]\d* checkpoints \(kafka,/);
  });

  it('an edited document is changed at the stage that wrote the field', async () => {
    const c = await copy();
    const target = c.docs.find((d) => d._source['verb'] === 'get' && d._source['responseStatus']?.code === 404)!;
    await os.update({ index: target._index, id: target._id, refresh: true, body: { doc: { responseStatus: { metadata: {}, code: 200 } } } });
    const report = await verify(c);
    assert.equal(report.ok, false);
    const complete = positions(target).find(([stage]) => stage === 'ResponseComplete')!;
    assert.deepEqual(report.problems.map((p) => [p.kind, p.seq, p.auditID, p.stage]), [['changed', complete[1], target._id, 'ResponseComplete']], brief(report.problems));
    assert.match(report.problems[0]!.detail, /responseStatus\.code/);
    assert.match(report.summary, /^NOT verified: 1 problem \(1 changed\)/);
  });

  it('a deleted document leaves its positions deleted', async () => {
    const c = await copy();
    const target = c.docs.find((d) => d._source['verb'] === 'create')!;
    await os.delete({ index: target._index, id: target._id, refresh: true });
    const report = await verify(c);
    const missing = report.problems.filter((p) => p.kind === 'deleted').flatMap((p) => Array.from({ length: p.seqTo! - p.seq! + 1 }, (_, i) => p.seq! + i));
    assert.deepEqual(missing, positions(target).map(([, seq]) => seq), brief(report.problems));
    assert.equal(report.problems.length, report.problems.filter((p) => p.kind === 'deleted').length, brief(report.problems));
  });

  it('a deleted tail is caught by the checkpoint that signs it', async () => {
    const c = await copy();
    const last = c.docs.reduce((a, b) => (Math.max(...positions(a).map(([, s]) => s)) > Math.max(...positions(b).map(([, s]) => s)) ? a : b));
    await os.delete({ index: last._index, id: last._id, refresh: true });
    const report = await verify(c);
    const lastSeq = Math.max(...positions(last).map(([, s]) => s));
    const tail = report.problems.find((p) => p.kind === 'deleted-tail');
    assert.ok(tail !== undefined, brief(report.problems));
    assert.equal(tail.seqTo, lastSeq);
    assert.equal(tail.stream, stream);
  });

  it('two swapped documents are a reordered pair', async () => {
    const c = await copy();
    const [a, b] = c.docs.filter((d) => d._source['verb'] === 'create').slice(0, 2);
    const chainA = a!._source['stages'].RequestReceived.chain;
    const chainB = b!._source['stages'].RequestReceived.chain;
    const swapped = (d: Doc, chain: unknown) => ({ stages: { RequestReceived: { chain, event: { ...d._source['stages'].RequestReceived.event, auditgate: { ...d._source['stages'].RequestReceived.event.auditgate, chain } } } } });
    await os.update({ index: a!._index, id: a!._id, refresh: true, body: { doc: swapped(a!, chainB) } });
    await os.update({ index: b!._index, id: b!._id, refresh: true, body: { doc: swapped(b!, chainA) } });
    const report = await verify(c);
    assert.deepEqual(report.problems.map((p) => [p.kind, p.seq, p.seqTo]), [['reordered', Math.min(chainA.seq, chainB.seq), Math.max(chainA.seq, chainB.seq)]], brief(report.problems));
  });

  it('an inserted document is named', async () => {
    const c = await copy();
    const source = c.docs.find((d) => d._source['verb'] === 'delete')!;
    const forged = '0badc0de-0000-4000-8000-000000000001';
    const doc = JSON.parse(JSON.stringify(source._source).replaceAll(source._id, forged)) as Record<string, any>;
    await os.index({ index: source._index, id: forged, refresh: true, body: doc });
    const report = await verify(c);
    assert.ok(report.problems.length > 0 && report.problems.every((p) => p.kind === 'inserted' && p.auditID === forged), brief(report.problems));
    assert.deepEqual(report.problems.map((p) => p.seq).sort((x, y) => x! - y!), positions(source).map(([, s]) => s));
  });

  it('a checkpoint signed by another key is forged', async () => {
    const c = await copy();
    const signer = await localKeySigner(generateKeyPairSync('ed25519').privateKey);
    const genuine = c.checkpoints.find((x) => x._source['final'] === true)!;
    const payload = { stream, seq: genuine._source['seq'] as number, hash: genuine._source['hash'] as string, time: new Date().toISOString(), count: 0, intervalMs: 1000 };
    const jws = await signCheckpoint(signer, payload);
    await os.index({ index: genuine._index, id: 'forged-checkpoint', refresh: true, body: { ...payload, final: false, kid: signer.kid, alg: signer.alg, jws } });
    const report = await verify(c);
    assert.deepEqual(report.problems.map((p) => [p.kind, p.stream, p.seq]), [['forged-checkpoint', stream, payload.seq]], brief(report.problems));
    assert.match(report.problems[0]!.detail, new RegExp(`not among the published keys \\(kid ${signer.kid}\\)`));
  });

  it('a checkpoint whose stored fields were edited no longer matches its signature', async () => {
    const c = await copy();
    const genuine = c.checkpoints.find((x) => x._source['final'] === true)!;
    await os.update({ index: genuine._index, id: genuine._id, refresh: true, body: { doc: { seq: 1 } } });
    const report = await verify(c);
    assert.ok(report.problems.some((p) => p.kind === 'forged-checkpoint' && /seq differ from the signed payload/.test(p.detail)), brief(report.problems));
  });
});
