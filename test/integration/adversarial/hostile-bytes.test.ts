/**
 * Issue #13, "The gate holds under hostile bytes": hundreds of hostile requests, written by hand and generated with a
 * fixed seed, sent as raw bytes over TLS to the gateway running as its own process with the example policy. Oracles over
 * the whole run: (a) the process never dies and no error reaches its last-resort handlers, (b) every request the API
 * server saw from the gateway's identity matches one audit event of ours, and no request of the run reached it under
 * any other identity than those the suite uses itself, (c) no byte of a test Secret's values comes back; plus every
 * answer audited, every refusal a Status, innocents answered as themselves, and the fixed gateway's stated contracts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditEvent } from '@auditgate/shared';
import { apiServerAuditSince, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createBenchTopic } from '../../bench/bench-topic.js';
import { freePort } from '../../bench/free-port.js';
import { EventCollector } from '../proxy/support/event-collector.js';
import { createAgentPool } from './agent-pool.js';
import { runCases, runOne, type CaseOutcome, type RunOptions } from './case-runner.js';
import { contentCases } from './cases-content.js';
import { framingCases } from './cases-framing.js';
import { generatedCases } from './cases-generated.js';
import { headerCases } from './cases-headers.js';
import { upgradeAndPathCases } from './cases-upgrade-paths.js';
import { checkContracts } from './contract-oracle.js';
import { createFixtures, type Fixtures } from './fixtures.js';
import { formatFindings, type Finding } from './findings.js';
import { startGateway, type GatewayProcess } from './gateway-process.js';
import { scanForLeaks, secretNeedles } from './leak-oracle.js';
import { createLivenessOracle } from './liveness-oracle.js';
import { writeEventLog, writeOutcomeLog } from './outcome-log.js';
import { auditIdsOf, checkResponses, type AuditIndex, type Tally } from './response-oracle.js';
import { matchUpstreamAudit, type KubeAuditEvent } from './upstream-audit-oracle.js';

/** The generator's seed: fixed, so every run sends the same generated cases. */
const SEED = 0x13adbee5;
const GENERATED = 170;
const AGENTS = 12;
/** Per agent, under the example policy's Secret limit (5/s, burst 10). */
const PACE_PER_SECOND = 4;
const PACE_BURST = 8;
const CONCURRENCY = 10;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the gateway's sources are run from: this checkout unless told (e.g. an export of another commit). */
const GATEWAY_ROOT = process.env['ADVERSARIAL_GATEWAY_ROOT'] ?? ROOT;

interface RunReport {
  tally: Tally;
  crashes: number;
  unmatched: Finding[];
  leaks: Finding[];
  crashFindings: Finding[];
  responseFindings: Finding[];
  contractFindings: Finding[];
  upstreamChecked: number;
}

describe('adversarial: the gate holds under hostile bytes', () => {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-adversarial-'));
  const collector = new EventCollector();
  let fixtures: Fixtures | undefined;
  let gateway: GatewayProcess | undefined;
  let deleteTopic: (() => Promise<void>) | undefined;
  let report: RunReport;

  before(async () => {
    const auditOffset = statSync(creds.auditLog).size;
    const tag = uniqueName('adv');
    const topic = `auditgate.adversarial.${tag}`;
    deleteTopic = await createBenchTopic(stack.kafkaBrokers, topic);
    fixtures = await createFixtures(stack, tag, AGENTS);
    await collector.start(topic);
    gateway = await startGateway({
      root: GATEWAY_ROOT, dir, stack, topic, httpsPort: await freePort(), opsPort: await freePort(),
      policySource: join(ROOT, 'services/proxy/policy/example-policy.yaml'),
    });
    const cases = [...framingCases(), ...headerCases(), ...contentCases(), ...upgradeAndPathCases(), ...generatedCases(SEED, GENERATED)];
    const duplicates = cases.map((c) => c.id).filter((id, i, all) => all.indexOf(id) !== i);
    assert.deepEqual(duplicates, [], 'case ids are unique');
    console.log(`[adversarial] seed=0x${SEED.toString(16)} cases=${cases.length} (generated ${GENERATED}) tag=${tag} gateway=${GATEWAY_ROOT} log=${gateway.logFile}`);

    const pool = createAgentPool(fixtures.agents, PACE_PER_SECOND, PACE_BURST);
    let printed = 0;
    const options: RunOptions = {
      port: gateway.httpsPort, targets: fixtures, pool, concurrency: CONCURRENCY,
      afterBatch: (batch, batchCases) => liveness.afterBatch(batch, batchCases),
      onProgress: (done, total) => {
        if (Math.floor(done / 100) > printed) { printed = Math.floor(done / 100); console.log(`[adversarial] ${done}/${total} cases`); }
      },
    };
    const liveness = createLivenessOracle(gateway, (c, batch) => runOne(options, c, batch));
    const runStartedAt = Date.now();
    const outcomes = await runCases(cases, options);
    const everything: CaseOutcome[] = [...outcomes, ...liveness.replays];

    // Every answer's audit event, then the API server's log, are given time to land.
    const answered = everything.flatMap((o) => [...o.result.responses, ...(o.innocent?.result.responses ?? [])].flatMap(auditIdsOf));
    const ours = (): Map<string, AuditEvent[]> => {
      const map = new Map<string, AuditEvent[]>();
      for (const e of collector.events) map.set(e.auditID, [...(map.get(e.auditID) ?? []), e]);
      return map;
    };
    await waitFor('audit events of every answer', async () => {
      const index = ours();
      return answered.every((id) => index.has(id)) ? true : undefined;
    }, 30_000, 250).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2000));
    await liveness.afterRun();
    const kubeEvents = (await apiServerAuditSince(creds.auditLog, auditOffset)) as unknown as KubeAuditEvent[];

    const index: AuditIndex = { ours: ours(), kube: new Set(kubeEvents.map((e) => e.auditID)) };
    const upstream = matchUpstreamAudit({
      kubeEvents, ours: index.ours, gatewayUsername: fixtures.gatewayUsername, tag,
      // The suite's own direct use of the API server: the admin kubeconfig, for the fixtures, before the first case.
      direct: [{ username: fixtures.adminUsername, until: runStartedAt }],
      caseOf: (ua) => /case=(\S+)/.exec(ua ?? '')?.[1] ?? `(user-agent: ${(ua ?? '').slice(0, 60)})`,
    });
    const main = checkResponses(outcomes, index);
    const replayed = checkResponses(liveness.replays.map((o) => ({ ...o, testCase: { ...o.testCase, id: `${o.testCase.id}#replay` } })), index);
    const tally: Tally = {
      ...main.tally,
      unaudited: main.tally.unaudited + replayed.tally.unaudited,
      statusless: main.tally.statusless + replayed.tally.statusless,
      innocentsCrossed: main.tally.innocentsCrossed + replayed.tally.innocentsCrossed,
    };
    report = {
      tally, crashes: liveness.crashes(), unmatched: upstream.findings, upstreamChecked: upstream.checked,
      leaks: scanForLeaks(everything, secretNeedles(fixtures.secretValues)),
      crashFindings: liveness.findings,
      responseFindings: [...main.findings, ...replayed.findings],
      contractFindings: checkContracts(outcomes, index),
    };
    writeOutcomeLog(join(dir, 'outcomes.jsonl'), everything, index);
    writeEventLog(join(dir, 'events.jsonl'), collector.events);
    console.log(`[adversarial] every case's answers in ${join(dir, 'outcomes.jsonl')}, our audit events in ${join(dir, 'events.jsonl')}`);
    const all = [...report.crashFindings, ...report.unmatched, ...report.leaks, ...report.responseFindings, ...report.contractFindings];
    if (all.length > 0) console.log(`[adversarial] findings:\n${formatFindings(all)}`);
    console.log(`[adversarial] details: seed=0x${SEED.toString(16)} responses=${tally.responses} silent=${tally.silent} rate-limited-429=${tally.rateLimited} `
      + `upstream-requests-checked=${report.upstreamChecked} unaudited=${tally.unaudited} statusless=${tally.statusless} `
      + `innocents-crossed=${tally.innocentsCrossed} contract-violations=${report.contractFindings.length} replays=${liveness.replays.length}`);
    console.log(`adversarial: cases=${tally.cases} refused=${tally.refused} forwarded=${tally.forwarded} crashes=${report.crashes} unmatched=${report.unmatched.length} leaks=${report.leaks.length}`);
  });

  after(async () => {
    await gateway?.stop();
    await collector.stop().catch(() => undefined);
    await deleteTopic?.().catch(() => undefined);
    await fixtures?.remove();
  });

  it('ran at least 300 hostile cases', () => {
    assert.ok(report.tally.cases >= 300, `only ${report.tally.cases} cases`);
  });

  it('(a) the gateway process never died, /readyz answered 200 and no error reached a last-resort handler, after every batch', () => {
    assert.equal(report.crashes, 0, formatFindings(report.crashFindings));
  });

  it('(b) every request the API server logged from the gateway matches exactly one audit event of ours, and none of the run came under another identity', () => {
    assert.equal(report.unmatched.length, 0, formatFindings(report.unmatched));
  });

  it('(c) no byte of a test Secret value, plain or base64, in any answer', () => {
    assert.equal(report.leaks.length, 0, formatFindings(report.leaks));
  });

  it('every answer from the gateway has its audit event in Kafka', () => {
    assert.equal(report.tally.unaudited, 0, formatFindings(report.responseFindings.filter((f) => f.oracle === 'audited')));
  });

  it('every refusal carries a Kubernetes Status body', () => {
    assert.equal(report.tally.statusless, 0, formatFindings(report.responseFindings.filter((f) => f.oracle === 'status-body')));
  });

  it('an innocent request after each smuggling attempt gets its own answer', () => {
    assert.equal(report.tally.innocentsCrossed, 0, formatFindings(report.responseFindings.filter((f) => f.oracle === 'innocent')));
  });

  it('framing is refused with a 400, upgrades only where they belong, answers only in JSON or YAML', () => {
    assert.equal(report.contractFindings.length, 0, formatFindings(report.contractFindings));
  });
});
