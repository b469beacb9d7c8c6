import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { auditgateTemplates } from '../../../services/init/src/opensearch/auditgate-templates.js';
import { putIndexTemplates } from '../../../services/init/src/opensearch/put-index-templates.js';
import { checkFieldRefs, parseNdjson, queryFields, savedObjectFieldRefs, type FieldCaps, type SavedObject } from './saved-object-fields.js';

const stack = readStackEnv(process.env);
const NDJSON = new URL('../../../services/query/dashboards/auditgate.ndjson', import.meta.url);
const objects = parseNdjson(readFileSync(NDJSON, 'utf8'));

async function os(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(path, stack.opensearchUrl), {
    method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await response.json() as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function fieldCaps(index: string): Promise<FieldCaps> {
  const caps = await os('GET', `/${index}/_field_caps?fields=*`) as { fields: Record<string, Record<string, { searchable: boolean; aggregatable: boolean }>> };
  const searchable = new Set<string>(), aggregatable = new Set<string>();
  for (const [name, byType] of Object.entries(caps.fields)) {
    if (name.startsWith('_')) continue;
    const types = Object.values(byType);
    if (types.some((t) => t.searchable)) searchable.add(name);
    if (types.length > 0 && types.every((t) => t.aggregatable)) aggregatable.add(name);
  }
  return { searchable, aggregatable };
}

describe('OpenSearch Dashboards saved objects (services/query/dashboards/auditgate.ndjson)', () => {
  const prefix = uniqueName('agdash');
  const eventsPrefix = `${prefix}-events`;
  const alertsPrefix = `${prefix}-alerts`;
  const capsByPattern = new Map<string, FieldCaps>();

  before(async () => {
    // The real templates, as the init job installs them, under a unique prefix; an index created from each.
    await putIndexTemplates(fetch, stack.opensearchUrl, auditgateTemplates({ eventsPrefix, alertsPrefix, shards: 1, replicas: 0, refreshInterval: '1s' }));
    await os('PUT', `/${eventsPrefix}-2026.01.01`);
    await os('PUT', `/${alertsPrefix}-2026.01`);
    capsByPattern.set('auditgate-events*', await fieldCaps(`${eventsPrefix}-2026.01.01`));
    capsByPattern.set('auditgate-alerts*', await fieldCaps(`${alertsPrefix}-2026.01`));
  });

  after(async () => {
    await os('DELETE', `/${eventsPrefix}-*,${alertsPrefix}-*`).catch(() => undefined);
    await os('DELETE', `/_index_template/${eventsPrefix}-template`).catch(() => undefined);
    await os('DELETE', `/_index_template/${alertsPrefix}-template`).catch(() => undefined);
  });

  it('is a well-formed Dashboards 2.x export: unique ids, migrationVersion, resolvable references', () => {
    const ids = new Set(objects.map((o) => `${o.type}:${o.id}`));
    assert.equal(ids.size, objects.length, 'duplicate type:id');
    const types = new Set(objects.map((o) => o.type));
    for (const t of ['index-pattern', 'search', 'visualization', 'dashboard']) assert.ok(types.has(t), `no ${t}`);
    for (const o of objects) {
      assert.equal(typeof o.attributes['title'], 'string', `${o.id}: title`);
      assert.ok(o.migrationVersion?.[o.type] !== undefined, `${o.id}: migrationVersion.${o.type}`);
      assert.ok(Array.isArray(o.references), `${o.id}: references`);
      for (const r of o.references ?? []) assert.ok(ids.has(`${r.type}:${r.id}`), `${o.id}: dangling reference ${r.type}:${r.id}`);
    }
    const dashboard = objects.find((o) => o.type === 'dashboard') as SavedObject;
    const panels = JSON.parse(String(dashboard.attributes['panelsJSON'])) as Array<{ panelRefName: string }>;
    for (const p of panels) assert.ok(dashboard.references?.some((r) => r.name === p.panelRefName), `panel ${p.panelRefName} has no reference`);
  });

  it('uses the agreed time fields and queries', () => {
    const pattern = (title: string): SavedObject | undefined => objects.find((o) => o.type === 'index-pattern' && o.attributes['title'] === title);
    assert.equal(pattern('auditgate-events*')?.attributes['timeFieldName'], 'requestReceivedTimestamp');
    assert.equal(pattern('auditgate-alerts*')?.attributes['timeFieldName'], '@timestamp');
    const queries = objects.filter((o) => o.type === 'search').map((o) => JSON.parse(String((o.attributes['kibanaSavedObjectMeta'] as { searchSourceJSON: string }).searchSourceJSON)).query.query as string);
    for (const q of ['auditgate.enrichment.secretAccess:true', 'auditgate.policy.decision:deny']) assert.ok(queries.includes(q), q);
    assert.ok(queries.some((q) => q.startsWith('auditgate.enrichment.clusterWide:true and verb:')));
  });

  it('references only fields that exist in the real index mappings, aggregatable where aggregated or sorted', () => {
    const refs = savedObjectFieldRefs(objects);
    assert.ok(refs.length >= 20, `only ${refs.length} field references found: the parser misses some`);
    assert.ok(refs.some((r) => r.where.startsWith('visState')) && refs.some((r) => r.where === 'query') && refs.some((r) => r.where === 'columns'));
    assert.deepEqual(checkFieldRefs(refs, (p) => capsByPattern.get(p)), []);
  });

  it('the checker fails on a wrong field, a text field aggregated on, and a field of the other index', () => {
    const broken: SavedObject[] = [
      ...objects.filter((o) => o.type === 'index-pattern'),
      { type: 'search', id: 'bad', attributes: { title: 'bad', columns: ['auditgate.actor.usernme'], sort: [['requestURI', 'desc']], kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: 'severity:high and verb:get', language: 'kuery' } }) } }, references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: 'auditgate-events-pattern' }] },
    ];
    const problems = checkFieldRefs(savedObjectFieldRefs(broken), (p) => capsByPattern.get(p));
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems.join('\n'), /usernme.*not a mapped/);
    assert.match(problems.join('\n'), /"requestURI".*not aggregatable/);
    assert.match(problems.join('\n'), /"severity".*not a mapped/);
  });

  it('extracts fields from KQL and Lucene queries, ignoring quoted values', () => {
    assert.deepEqual(queryFields('a.b:true and verb:(list or watch) and not c:"x:y" or d >= 3'), ['a.b', 'verb', 'c', 'd']);
    assert.deepEqual(queryFields('@timestamp:[now-1d TO now] AND user.username:admin'), ['@timestamp', 'user.username']);
  });
});
