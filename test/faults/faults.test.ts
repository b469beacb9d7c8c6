/**
 * Nothing lost under faults (#16). Steady mixed kubectl-like traffic goes through the gateway while one fault at a
 * time strikes the pipeline (proxy → Kafka → indexer → OpenSearch, detector → webhook), each row on its own topics and
 * indices, on a Kafka and an OpenSearch of the suite's own (the shared ones are never touched). The oracle is the
 * API server's own audit log, matched on our audit ID, plus the generator's record. Every row must show 0 lost and
 * 0 duplicated, its fault must have struck (fault-struck.ts: a row whose fault changed nothing proves nothing), and the
 * two oracles must agree (no upstream answer missing from the API server's log, no unreadable line in it); the table is
 * printed and written to test/faults/results/latest.json.
 *
 * FAULTS_PROFILE=full (`npm run faults`): ~200 req/s for 60 s, 20 s outages, all eight rows. The short form (default,
 * inside `npm test`): ~50 req/s for 25 s, 8 s outages, the rows in SHORT_ROWS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createKafka, createLogger } from '@auditgate/shared';
import { readStackEnv } from '@auditgate/shared/testing';
import type { Kafka } from 'kafkajs';
import { runFaultRow, type Profile, type RowSpec } from './fault-row.js';
import { alertsPending, bulkInFlight, failClosedRefused, indexerHeldUp, producerReplaced, requestsCut, spooled, spooledAtKill } from './fault-struck.js';
import { brokerRestartLostAcks, detectorKill, indexerKill, kafkaOutage, kafkaOutageWithProxyKill, openSearchOutage, proxyKill } from './faults.js';
import { startOwnStack, type OwnStack } from './own-stack.js';
import type { RowResult } from './reconcile-row.js';
import { formatTable, writeResults } from './results-table.js';

const PROFILES: Record<Profile['name'], Profile> = {
  full: { name: 'full', rate: 200, seconds: 60, faultAt: 15, outageMs: 20_000, catchUpMs: 240_000 },
  short: { name: 'short', rate: 50, seconds: 25, faultAt: 6, outageMs: 8000, catchUpMs: 150_000 },
};
const ROWS: RowSpec[] = [
  { id: 'kafka-fc', label: '1a Kafka stopped (fail-closed)', outageMode: 'fail-closed', fault: kafkaOutage, struck: failClosedRefused },
  { id: 'kafka-spool', label: '1b Kafka stopped (spool)', outageMode: 'spool', fault: kafkaOutage, struck: spooled },
  { id: 'kafka-spool-kill', label: '1c Kafka stopped, proxy SIGKILLed with spool not empty', outageMode: 'spool', fault: kafkaOutageWithProxyKill, struck: spooledAtKill },
  { id: 'opensearch', label: '2 OpenSearch stopped', outageMode: 'fail-closed', fault: openSearchOutage, struck: indexerHeldUp },
  { id: 'indexer-kill', label: '3 indexer SIGKILLed mid-batch', outageMode: 'fail-closed', fault: indexerKill, struck: bulkInFlight, bulkRelay: true },
  { id: 'detector-kill', label: '4 detector SIGKILLed, alerts pending, receiver 503', outageMode: 'fail-closed', fault: detectorKill, struck: alertsPending },
  { id: 'proxy-kill', label: '5 proxy SIGKILLed mid-requests', outageMode: 'fail-closed', fault: proxyKill, struck: requestsCut },
  { id: 'broker-restart', label: '6 broker restart, answers lost (OUT_OF_ORDER_SEQUENCE_NUMBER)', outageMode: 'fail-closed', fault: brokerRestartLostAcks, struck: producerReplaced },
];
/** The short form: the spool's drain across a proxy crash, the lost-acknowledgement broker restart, the detector crash. */
const SHORT_ROWS = ['kafka-spool-kill', 'broker-restart', 'detector-kill'];

const profile = PROFILES[(process.env['FAULTS_PROFILE'] ?? 'short') as Profile['name']] ?? PROFILES.short;
const only = process.env['FAULTS_ROWS']?.split(',').filter(Boolean);
const rows = ROWS.filter((r) => (only !== undefined ? only.includes(r.id) : profile.name === 'full' || SHORT_ROWS.includes(r.id)));
const log = (message: string): void => { process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${message}\n`); };

describe(`nothing lost under faults (${profile.name}: ${profile.rate} req/s for ${profile.seconds} s, ${rows.length} faults)`, { timeout: rows.length * 15 * 60_000 + 10 * 60_000 }, () => {
  const stack = readStackEnv(process.env);
  const runId = randomBytes(3).toString('hex');
  const root = `/var/tmp/auditgate/faults-${runId}`;
  const startedAt = new Date().toISOString();
  const results: RowResult[] = [];
  let own: OwnStack | undefined;
  let kafka: Kafka;
  const stopOwn = async (): Promise<void> => { const o = own; own = undefined; await o?.stop(); };
  const onSignal = (signal: NodeJS.Signals): void => { void stopOwn().finally(() => process.kill(process.pid, signal)); };

  before(async () => {
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    mkdirSync(root, { recursive: true });
    log(`run ${runId}: starting the suite's own Kafka and OpenSearch under ${root}`);
    own = await startOwnStack(root);
    log(`own Kafka at ${own.kafkaBrokers.join(',')} (pid ${own.kafka.pid()}), own OpenSearch at ${own.opensearchUrl} (pid ${own.opensearch.pid()})`);
    kafka = createKafka({ brokers: own.kafkaBrokers, clientId: `faults-${runId}`, logger: createLogger({ name: 'faults', level: 'silent' }), retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 5000 } });
  });

  after(async () => {
    await stopOwn();
    // The services' logs stay for a failed run (they are the evidence); a clean run leaves nothing behind.
    if (results.length === rows.length && results.every((r) => r.lost === 0 && r.duplicated === 0 && r.unexpected === 0 && r.oracleGaps === 0 && (r.details['struck'] as { ok: boolean }).ok)) rmSync(root, { recursive: true, force: true });
    else log(`services' logs kept in ${root}`);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (results.length === 0) return;
    log(`\n${formatTable(results)}\n`);
    log(`written to ${writeResults({ profile, runId, startedAt, finishedAt: new Date().toISOString(), rows: results })}`);
  });

  for (const spec of rows) {
    it(spec.label, async () => {
      const result = await runFaultRow(spec, profile, { runId, stack, own: own!, kafka, dir: root, log });
      results.push(result);
      log(`${spec.id}: ${JSON.stringify({ ...result, details: undefined })}`);
      const scan = result.details['plaintextScan'] as { leakCount: number; secretValues: number; kafkaRecordsScanned: number; documentsScanned: number };
      assert.ok(result.served > 0 && result.alertsExpected > 0, `the row exercised nothing: ${JSON.stringify(result)}`);
      const struck = result.details['struck'] as { ok: boolean; problems: string[] };
      assert.deepEqual(struck.problems, [], `the fault did not strike: ${struck.problems.join('; ')}`);
      assert.equal(result.oracleGaps, 0, `the oracles disagree: ${JSON.stringify(result.details['oracleBreakdown'])}`);
      assert.equal(result.lost, 0, `lost: ${JSON.stringify(result.details['lostBreakdown'])}`);
      assert.equal(result.duplicated, 0, `duplicated: ${JSON.stringify(result.details['duplicatedBreakdown'])}`);
      assert.equal(result.unexpected, 0, 'pages no recorded exchange explains');
      const logs = result.details['logs'] as Record<string, { unhandledErrors: number }>;
      assert.equal(logs['proxy']?.unhandledErrors, 0, 'errors reached the proxy\'s last-resort handler');
      assert.ok(scan.secretValues > 0 && scan.kafkaRecordsScanned > 0 && scan.documentsScanned > 0, `plaintext scan read nothing: ${JSON.stringify(scan)}`);
      assert.equal(scan.leakCount, 0, `Secret values in plaintext: ${JSON.stringify(result.details['plaintextScan'])}`);
    });
  }
});
