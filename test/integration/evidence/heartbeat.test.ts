import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import type { JSONWebKeySet } from 'jose';
import { kubectl, readKubeCredentials, readStackEnv, waitFor } from '@auditgate/shared/testing';
import type { IndexerApp } from '../../../services/indexer/src/app.js';
import type { Problem } from '../../../services/query/src/evidence/verify-types.js';
import { testOpenSearch } from '../indexer/support/indexer-harness.js';
import { createAgent } from '../proxy/support/proxy-harness.js';
import { cloneEvidence, dropEvidence, type EvidenceIndices } from './support/clone-evidence.js';
import { evidenceKafka, newEvidenceNames, startEvidenceIndexer, verifyIndexed, writeCheckpointKey, type EvidenceNames } from './support/evidence-harness.js';
import { startGatewayChild, type GatewayChild } from './support/gateway-child.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
type Doc = { _id: string; _index: string; _source: Record<string, any> };
const brief = (problems: Problem[]): string => problems.map((p) => `${p.kind}@${p.seq ?? '-'}${p.seqTo === undefined ? '' : `-${p.seqTo}`} ${p.detail}`).join('\n');
const seqsOf = (d: Doc): number[] => Object.values(d._source['stages'] as Record<string, any>).filter((s) => s.chain !== undefined).map((s) => s.chain.seq as number);

/**
 * A silent stream's heartbeat is what locates a deleted tail: the gateway is SIGKILLed (no final checkpoint) after it
 * fell silent, the tail's events and the checkpoint signed right after them are deleted, and only the heartbeats (count
 * 0, signed every T while nothing happens) still sign the stream's real head.
 */
describe('heartbeat checkpoints of a silent stream catch a deleted tail after a crash (real stack, SIGKILL)', () => {
  let os: Client;
  let names: EvidenceNames;
  let indexer: IndexerApp;
  let gateway: GatewayChild | undefined;
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let jwks: JSONWebKeySet;
  let from: number;
  let stream: string;
  let head: number;
  const copies: EvidenceIndices[] = [];

  const checkpoints = async (index: string): Promise<Doc[]> => {
    await os.indices.refresh({ index: `${index}-*`, ignore_unavailable: true, allow_no_indices: true });
    const r = await os.search({ index, ignore_unavailable: true, allow_no_indices: true, body: { size: 1000, query: { match_all: {} }, sort: [{ time: 'asc' }] } });
    return r.body.hits.hits as unknown as Doc[];
  };

  before(async () => {
    os = testOpenSearch();
    names = await newEvidenceNames(evidenceKafka());
    indexer = await startEvidenceIndexer(names);
    agent = await createAgent('evidence-heartbeat');
    const dir = mkdtempSync(join(tmpdir(), 'evidence-heartbeat-'));
    from = Date.now() - 1000;
    // T = 1 s; N so large that no checkpoint is signed for a count of events: only time signs.
    gateway = await startGatewayChild(names, {
      instance: 'gw-heartbeat', dir,
      env: { PROXY_CHECKPOINT_KEY_FILE: writeCheckpointKey(dir), PROXY_CHECKPOINT_INTERVAL_MS: '1000', PROXY_CHECKPOINT_EVERY_EVENTS: '1000000' },
    });
    jwks = await gateway.jwks();
    const gw = gateway.kubeconfigFor(agent.token);
    for (const name of ['one', 'two', 'three']) await kubectl(stack, gw, ['-n', agent.namespace, 'create', 'configmap', name, '--from-literal=a=b']);
    await kubectl(stack, gw, ['-n', agent.namespace, 'get', 'configmaps']);
    // Silent now: wait for two heartbeats that sign the head, then kill the process without a word.
    await waitFor('two heartbeats signing the head', async () => {
      const cps = (await checkpoints(names.checkpointsIndex)).map((d) => d._source);
      const top = Math.max(0, ...cps.map((c) => c['seq'] as number));
      return top > 0 && cps.filter((c) => c['seq'] === top && c['count'] === 0).length >= 2 ? true : undefined;
    }, 30_000, 300);
    await gateway.kill();
    const cps = (await checkpoints(names.checkpointsIndex)).map((d) => d._source);
    stream = cps[0]!['stream'] as string;
    head = Math.max(...cps.map((c) => c['seq'] as number));
    assert.ok(cps.every((c) => c['final'] !== true), 'SIGKILL: no final checkpoint');
    await waitFor('every event indexed', async () => {
      await os.indices.refresh({ index: `${names.indexPrefix}-*` });
      const docs = (await os.search({ index: names.indexPrefix, body: { size: 100, query: { match_all: {} } } })).body.hits.hits as unknown as Doc[];
      return Math.max(0, ...docs.flatMap(seqsOf)) === head ? true : undefined;
    }, 30_000, 300);
  });
  after(async () => {
    await gateway?.kill();
    await indexer?.stop();
    for (const c of [...copies, names]) await dropEvidence(os, c);
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']).catch(() => undefined);
    await os.close();
  });

  /** A copy of the run with the tail exchange and every checkpoint that signs the head for a count of events deleted. */
  async function tailDeleted(alsoHeartbeats: boolean): Promise<{ copy: EvidenceIndices; lastKept: number }> {
    const copy = await cloneEvidence(os, names);
    copies.push(copy);
    const docs = copy.docs as Doc[];
    const tail = docs.find((d) => seqsOf(d).includes(head))!;
    await os.delete({ index: tail._index, id: tail._id, refresh: true });
    const signingHead = (copy.checkpoints as Doc[]).filter((c) => c._source['seq'] === head && (alsoHeartbeats || c._source['count'] !== 0));
    assert.ok(signingHead.some((c) => c._source['count'] !== 0), 'the checkpoint signed right after the tail (count > 0) is among those deleted');
    for (const c of signingHead) await os.delete({ index: c._index, id: c._id, refresh: true });
    return { copy, lastKept: Math.max(...docs.filter((d) => d !== tail).flatMap(seqsOf)) };
  }

  it('the heartbeats alone sign the deleted tail: verify names it, position by position', async () => {
    const { copy, lastKept } = await tailDeleted(false);
    const report = await verifyIndexed(os, copy, jwks, from, Date.now() + 1000);
    assert.equal(report.ok, false);
    const tail = report.problems.find((p) => p.kind === 'deleted-tail');
    assert.ok(tail !== undefined, brief(report.problems));
    assert.deepEqual([tail.stream, tail.seq, tail.seqTo], [stream, lastKept + 1, head], brief(report.problems));
  });

  it('control: without the heartbeats, the same deletion leaves no deleted tail to name', async () => {
    const { copy } = await tailDeleted(true);
    const report = await verifyIndexed(os, copy, jwks, from, Date.now() + 1000);
    assert.equal(report.problems.some((p) => p.kind === 'deleted-tail'), false, brief(report.problems));
  });
});
