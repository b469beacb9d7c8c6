import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parse, stringify } from 'yaml';
import { createProxyMetrics } from '../../../services/proxy/src/metrics/proxy-metrics.js';
import { createIndexerMetrics } from '../../../services/indexer/src/metrics/indexer-metrics.js';
import { createDetectorMetrics } from '../../../services/detector/src/metrics/detector-metrics.js';
import { createQueryMetrics } from '../../../services/query/src/http/query-metrics.js';
import { deployTool, runTool, TOOL_BUILD_TIMEOUT_MS } from './deploy-tools.js';
import { scrapeServices, seriesNames, SERVICES, type ExportedMetrics, type Service } from './service-metrics.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RULES = resolve(ROOT, 'k8s/monitoring/auditgate-rules.yaml');
const RULE_TESTS = resolve(ROOT, 'k8s/monitoring/auditgate-rules.test.yaml');
const DASHBOARD = resolve(ROOT, 'k8s/monitoring/auditgate-dashboard.json');
/** The alerts issue #20 asks for, each unit-tested in auditgate-rules.test.yaml. */
const REQUIRED_ALERTS = [
  'AuditgateProxySpoolNotDraining', 'AuditgateProxyWriteAheadFailing', 'AuditgateIndexerLagHigh',
  'AuditgateIndexerDeadLettersGrowing', 'AuditgateDetectorDeadLettersGrowing', 'AuditgateSinkDeliveryFailing', 'AuditgateProxyRestartLoop',
];

interface Rule { alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface Target { refId: string; expr: string; datasource?: { uid?: string } }
interface Panel { id: number; type: string; title: string; targets?: Target[]; datasource?: { uid?: string }; gridPos: { h: number; w: number; x: number; y: number } }
interface Dashboard { uid: string; panels: Panel[]; templating: { list: Array<{ name: string; type: string; query?: string | { query: string }; definition?: string }> } }

const rules = (): Rule[] => (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const dashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Dashboard;

/** Grafana's variables replaced by what Prometheus would see, so that promtool can parse the expression. */
function grafanaToPromQL(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h').replaceAll('$namespace', '.*');
}

/** Every metric name an expression uses (ours all start with `auditgate_`; quoted label values are skipped). */
function metricNames(expr: string): string[] {
  return [...expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/\bauditgate_[a-zA-Z0-9_]+\b/g)].map((m) => m[0]);
}

/** Every `metric{label…}` selector's label names. */
function selectorLabels(expr: string): Array<[string, string[]]> {
  return [...expr.matchAll(/\b(auditgate_[a-zA-Z0-9_]+)\s*\{([^}]*)\}/g)].map((m) => [m[1]!, [...m[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!)]);
}

/** Every dashboard query: panel title and refId → PromQL, the namespace variable's query too. */
function dashboardQueries(d: Dashboard): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const p of d.panels) for (const t of p.targets ?? []) out.push([`${p.title} / ${t.refId}`, t.expr]);
  for (const v of d.templating.list) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    const m = q === undefined ? null : /^label_values\((\w+),\s*\w+\)$/.exec(q);
    if (m !== null) out.push([`variable ${v.name}`, m[1]!]);
  }
  return out;
}

describe('k8s/monitoring: alert rules and dashboard, checked by the real promtool against what /metrics exports', () => {
  let promtool = '';
  let exported = new Map<Service, ExportedMetrics>();
  let known = new Set<string>();
  const dir = mkdtempSync(join(tmpdir(), 'ag-monitoring-'));

  before(async () => {
    promtool = await deployTool('promtool');
    exported = await scrapeServices();
    known = new Set([...exported.values()].flatMap((m) => [...seriesNames(m)]));
  }, { timeout: TOOL_BUILD_TIMEOUT_MS });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the services really export their own metrics (the scrape is not empty)', () => {
    for (const service of SERVICES) {
      const names = [...exported.get(service)!.keys()];
      assert.ok(names.some((n) => n.startsWith(`auditgate_${service}_`) && !n.includes('_process_') && !n.includes('_nodejs_')), `${service}: ${names.join(', ')}`);
      assert.ok(names.includes(`auditgate_${service}_process_start_time_seconds`), `${service} exports its process metrics`);
    }
  });

  it('promtool check rules accepts the rules file', async () => {
    const out = await runTool(promtool, ['check', 'rules', RULES]);
    assert.match(out, new RegExp(`SUCCESS: ${rules().length} rules found`), out);
  });

  it('promtool test rules: every alert fires on its fixture and stays quiet on the healthy one', async () => {
    const out = await runTool(promtool, ['test', 'rules', RULE_TESTS]);
    assert.match(out, /SUCCESS/, out);
    const tested = new Set((parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }> }).tests
      .flatMap((t) => t.alert_rule_test ?? []).filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname));
    const alerts = rules().flatMap((r) => r.alert ?? []);
    for (const name of REQUIRED_ALERTS) assert.ok(alerts.includes(name), `rule ${name} missing`);
    assert.deepEqual(alerts.filter((a) => !tested.has(a)), [], 'alerts without a firing fixture');
  });

  it('promtool really tests: a fixture that expects the wrong thing fails', async () => {
    const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as { rule_files: string[]; tests: Array<{ alert_rule_test?: Array<{ exp_alerts?: unknown[] }> }> };
    tests.rule_files = [RULES];
    const first = tests.tests.flatMap((t) => t.alert_rule_test ?? []).find((a) => (a.exp_alerts ?? []).length > 0)!;
    first.exp_alerts = [];
    const file = join(dir, 'broken.test.yaml');
    writeFileSync(file, stringify(tests));
    await assert.rejects(runTool(promtool, ['test', 'rules', file]), /FAILED/);
  });

  it('every rule has a severity, a summary and a description', () => {
    for (const r of rules().filter((x) => x.alert !== undefined)) {
      assert.match(r.labels?.['severity'] ?? '', /^(critical|warning)$/, r.alert);
      assert.ok((r.annotations?.['summary'] ?? '') !== '' && (r.annotations?.['description'] ?? '') !== '', r.alert);
    }
  });

  it('every metric the rules and the dashboard query is one the services export, with label names it has', () => {
    const queries: Array<[string, string]> = [...rules().map((r): [string, string] => [`rule ${r.alert ?? r.record}`, r.expr]), ...dashboardQueries(dashboard())];
    const missing: string[] = [];
    for (const [where, expr] of queries) {
      const names = metricNames(expr);
      if (names.length === 0) missing.push(`${where}: queries no auditgate metric`);
      for (const n of names) if (!known.has(n)) missing.push(`${where}: ${n}`);
    }
    assert.deepEqual(missing, [], `not exported by any service's /metrics (exported: ${[...known].filter((n) => !/_(process|nodejs)_/.test(n)).sort().join(', ')})`);
    // Label names in selectors: the metric's own labels (declared in each service's metrics module) or target labels.
    const targetLabels = ['namespace', 'pod', 'job', 'instance', 'service', 'container'];
    const labelNames = declaredLabelNames();
    const wrong: string[] = [];
    for (const [where, expr] of queries) {
      for (const [metric, labels] of selectorLabels(grafanaToPromQL(expr))) {
        const own = labelNames.get(metric.replace(/_(bucket|sum|count)$/, '')) ?? [];
        for (const l of labels) if (!targetLabels.includes(l) && !own.includes(l) && !(l === 'le' && metric.endsWith('_bucket'))) wrong.push(`${where}: ${metric}{${l}}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('the dashboard: valid panels, one Prometheus datasource variable, and PromQL that promtool parses', async () => {
    const d = dashboard();
    assert.equal(d.uid, 'auditgate-overview');
    assert.ok(d.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'));
    const ids = d.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    for (const p of d.panels) {
      assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} fits the 24-column grid`);
      if (p.type === 'row') continue;
      assert.ok((p.targets ?? []).length > 0, `${p.title} has queries`);
      assert.equal(p.datasource?.uid, '${datasource}', `${p.title} uses the datasource variable`);
    }
    // promtool parses every query, as a recording rule, with Grafana's variables replaced.
    const file = join(dir, 'dashboard-queries.yaml');
    const queries = dashboardQueries(d);
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: queries.map(([, expr], i) => ({ record: `auditgate:dashboard_query_${i}`, expr: grafanaToPromQL(expr) })) }] }));
    const out = await runTool(promtool, ['check', 'rules', file]);
    assert.match(out, new RegExp(`SUCCESS: ${queries.length} rules found`), out);
  });

  it('every metric the services export is on the dashboard', () => {
    const queried = new Set(dashboardQueries(dashboard()).flatMap(([, e]) => metricNames(e)).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const own = [...exported.values()].flatMap((m) => [...m.keys()]).filter((n) => !/_(process|nodejs)_/.test(n));
    assert.deepEqual(own.filter((n) => !queried.has(n)), [], 'service metrics the dashboard does not show');
  });
});

/**
 * Label names of every metric the services register: the metrics modules' read off a fresh registry, and any metric
 * registered elsewhere (the proxy's checkpoint counter) from its `new Counter({ name, …, labelNames })` in the source.
 */
function declaredLabelNames(): Map<string, string[]> {
  const registry = new Registry();
  createProxyMetrics(registry);
  createIndexerMetrics(registry);
  createDetectorMetrics(registry);
  createQueryMetrics(registry);
  const out = new Map(registry.getMetricsAsArray().map((m) => [m.name, [...((m as unknown as { labelNames?: string[] }).labelNames ?? [])]]));
  for (const service of SERVICES) {
    for (const file of readdirSync(resolve(ROOT, `services/${service}/src`), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      for (const m of readFileSync(resolve(ROOT, `services/${service}/src`, file), 'utf8').matchAll(/name: '(auditgate_[a-z0-9_]+)'[^\n]*?labelNames: \[([^\]]*)\]/g)) {
        if (!out.has(m[1]!)) out.set(m[1]!, [...m[2]!.matchAll(/'([^']+)'/g)].map((l) => l[1]!));
      }
    }
  }
  return out;
}
