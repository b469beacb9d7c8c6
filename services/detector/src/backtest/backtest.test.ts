import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { exchangeDocument, mergePartial, type AuditEvent } from '@auditgate/shared';
import { auditEvent, TEST_T0, type EventSpec } from '../engine/event-factory.test-helper.js';
import { DetectionEngine } from '../engine/detection-engine.js';
import { compileRuleText, loadRules } from '../rules/load-rules.js';
import { parseBacktestArgs, parseTime } from './backtest-args.js';
import { formatBacktest } from './format-backtest.js';
import { runBacktest } from './run-backtest.js';
import { eventFromDocument } from './stored-event.js';

const builtin = loadRules([fileURLToPath(new URL('../../rules', import.meta.url))]);
const stagesOf = (spec: EventSpec): AuditEvent[] => {
  const auditID = spec.auditID ?? crypto.randomUUID();
  return (['RequestReceived', 'ResponseComplete'] as const).map((stage) => auditEvent({ ...spec, auditID, stage }));
};
/** The stored document of an exchange, as the indexer merges its stages. */
const stored = (spec: EventSpec): Record<string, unknown> => stagesOf(spec).map(exchangeDocument).reduce(mergePartial, {});
async function* iterate(events: readonly AuditEvent[]): AsyncGenerator<AuditEvent> { yield* events; }

describe('stored exchange → the event the detector saw', () => {
  const spec: EventSpec = { uri: '/api/v1/secrets?limit=500', verb: 'list', ref: { resource: 'secrets', namespace: '' }, code: 403, decision: 'forbid',
    policy: { decision: 'deny', ruleId: 'mask-secrets' }, requestObject: { kind: 'X' } };
  it('rebuilds the final stage with the fields rules read, without enrichment', () => {
    const base = stored(spec);
    const doc: Record<string, unknown> = { ...base, auditgate: { ...(base['auditgate'] as object), enrichment: { secretAccess: true } } };
    const event = eventFromDocument(doc)!;
    const [, live] = stagesOf({ ...spec, auditID: String(doc['auditID']) });
    assert.equal(event.stage, 'ResponseComplete');
    for (const key of ['auditID', 'requestURI', 'verb', 'objectRef', 'responseStatus', 'annotations', 'requestObject', 'requestReceivedTimestamp', 'user'] as const) {
      assert.deepEqual(event[key], live![key], key);
    }
    assert.deepEqual(event.auditgate.policy, live!.auditgate.policy);
    assert.equal((event.auditgate as { enrichment?: unknown }).enrichment, undefined);
  });
  it('gives every live alert again, with the same ids', () => {
    const specs = [0, 1, 2].map((i): EventSpec => ({ ...spec, at: TEST_T0 + i * 1000 }));
    const live = new DetectionEngine({ rules: builtin, queryUrl: 'http://q' });
    const replayed = new DetectionEngine({ rules: builtin, queryUrl: 'http://q' });
    const a = specs.flatMap((s) => stagesOf(s)).flatMap((e) => live.process(e)).map((x) => `${x.id}:${x.count}`);
    const b = specs.map(stored).map((d) => eventFromDocument(d)!).flatMap((e) => replayed.process(e)).map((x) => `${x.id}:${x.count}`);
    assert.deepEqual(b, a);
  });
  it('skips a document with only RequestReceived; a streaming one is its ResponseStarted', () => {
    assert.equal(eventFromDocument(exchangeDocument(auditEvent({ ...spec, stage: 'RequestReceived' }))), undefined);
    assert.equal(eventFromDocument(exchangeDocument(auditEvent({ ...spec, stage: 'ResponseStarted' })))?.stage, 'ResponseStarted');
  });
});

describe('runBacktest', () => {
  it('reports alerts, events, actors and samples per rule, including rules that fire nothing', async () => {
    const problems: string[] = [];
    const rules = [...compileRuleText('id: CM_READ\ntitle: ConfigMap read\nseverity: low\ntechnique: T1613\nmatch: { verb: get, objectRef.resource: configmaps }\nscope: [objectRef.name]\n', 'new.yaml', problems),
      ...builtin.filter((r) => r.id === 'SECRET_LIST_CLUSTERWIDE')];
    assert.deepEqual(problems, []);
    const cm = (actor: string, name: string, at: number): EventSpec => ({ uri: `/api/v1/namespaces/p/configmaps/${name}`, verb: 'get', ref: { resource: 'configmaps', namespace: 'p', name }, actor, at });
    const events = [cm('alice', 'a', TEST_T0), cm('alice', 'a', TEST_T0 + 1000), cm('alice', 'b', TEST_T0 + 2000), cm('bob', 'a', TEST_T0 + 3000)].flatMap(stagesOf);
    const report = await runBacktest({ rules, events: iterate(events), samples: 1 });
    assert.equal(report.eventsScanned, 8);
    const [read, secrets] = report.rules;
    assert.equal(read?.alerts, 3);
    assert.equal(read?.events, 4);
    assert.deepEqual(read?.actors, [{ actor: 'alice', alerts: 2, events: 3 }, { actor: 'bob', alerts: 1, events: 1 }]);
    assert.equal(read?.samples.length, 1);
    assert.equal(read?.samples[0]?.count, 2);
    assert.equal(read?.samples[0]?.sampleEvents.length, 2);
    assert.equal(read?.technique, 'T1613 Container and Resource Discovery');
    assert.equal(secrets?.alerts, 0);
    const text = formatBacktest(report, { files: ['new.yaml'], index: 'auditgate-events-*', from: 'a', to: 'b' });
    assert.match(text, /CM_READ .*\n  would fire: 3 alerts \(3 low\) over 4 events\n  actors \(2\): alice ×2, bob ×1/);
    assert.match(text, /SECRET_LIST_CLUSTERWIDE .*\n  would fire: nothing/);
    assert.match(text, /dry run: nothing is paged or stored/);
  });
});

describe('auditgate rules test arguments', () => {
  const now = Date.parse('2026-05-04T12:00:00Z');
  it('reads files, times (ISO, now, now-<duration>) and options', () => {
    const a = parseBacktestArgs(['test', 'r.yaml', 'more/', '--from', 'now-24h', '--index', 'x-*', '--samples', '2', '--json'], { OPENSEARCH_URL: 'http://os:9200' }, now);
    assert.deepEqual(a, { files: ['r.yaml', 'more/'], fromMs: now - 86_400_000, toMs: now, opensearch: 'http://os:9200', index: 'x-*', samples: 2, json: true });
    assert.equal(parseTime('2026-05-04T10:00:00Z', now), Date.parse('2026-05-04T10:00:00Z'));
    assert.equal(parseTime('yesterday', now), undefined);
  });
  it('says what is wrong', () => {
    const bad = (argv: string[], message: RegExp) => assert.throws(() => parseBacktestArgs(argv, {}, now), message);
    bad(['lint', 'r.yaml'], /unknown subcommand "lint"/);
    bad(['test', '--from', 'now-1h'], /at least one RULE_FILE/);
    bad(['test', 'r.yaml'], /--from is required/);
    bad(['test', 'r.yaml', '--from', 'now', '--to', 'now-1h'], /--from is after --to/);
    bad(['test', 'r.yaml', '--from', 'now-1h', '--bogus'], /unknown option --bogus/);
  });
});
