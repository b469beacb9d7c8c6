import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@opensearch-project/opensearch';
import { alertsIndexMappings, alertsTemplateName } from '@auditgate/shared';
import { readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { createOpenSearchAlertSink } from '../../../services/detector/src/sinks/opensearch-alert-sink.js';
import { createAlertStore } from '../../../services/query/src/alerts/alert-store.js';

const stack = readStackEnv(process.env);

type Install = (client: Client, prefix: string) => Promise<void>;
/** The detector's own path: its OpenSearch sink installs the template on start. */
const detector: Install = (client, prefix) => createOpenSearchAlertSink(client, prefix).start!();
/** The query service's own path: its alert store installs the template on start. */
const query: Install = (client, prefix) => createAlertStore(client, prefix, Date.now).ensureTemplate();

/** What OpenSearch holds after an install order: every template of the prefix, and a fresh index's mapping and settings. */
interface Installed {
  readonly templates: Array<{ name: string; index_template: Record<string, unknown> }>;
  readonly mappings: unknown;
  readonly settings: { number_of_shards?: string; query?: unknown };
}

/** Replaces the test's unique prefix, so results of different prefixes compare. */
const neutral = (value: unknown, prefix: string): unknown => JSON.parse(JSON.stringify(value).replaceAll(prefix, '<prefix>'));

describe('the alerts index template (one definition in @auditgate/shared, installed by the detector and the query service)', () => {
  const client = new Client({ node: stack.opensearchUrl });
  const prefixes: string[] = [];
  after(async () => {
    for (const prefix of prefixes) {
      await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
      await client.indices.deleteIndexTemplate({ name: alertsTemplateName(prefix) }).catch(() => undefined);
    }
    await client.close();
  });

  /** Runs `installs` in order (each step's installs at once) on a fresh prefix; reads back the result. */
  async function install(steps: Install[][]): Promise<Installed & { prefix: string }> {
    const prefix = `${uniqueName('agtpl')}-alerts`;
    prefixes.push(prefix);
    let previous: unknown;
    for (const step of steps) {
      await Promise.all(step.map((i) => i(client, prefix)));
      const now = (await client.indices.getIndexTemplate({ name: alertsTemplateName(prefix) })).body;
      if (previous !== undefined) assert.deepEqual(now, previous, 'a later install changed nothing');
      previous = now;
    }
    const all = await client.indices.getIndexTemplate({ name: `${prefix}*` });
    const templates = (all.body as unknown as { index_templates: Installed['templates'] }).index_templates;
    const index = `${prefix}-2026.01`;
    await client.indices.create({ index });
    const mapping = await client.indices.getMapping({ index });
    const settings = await client.indices.getSettings({ index });
    // Only what the template decides: an index's uuid and creation time are its own.
    const { uuid: _uuid, creation_date: _created, ...decided } = (settings.body as unknown as Record<string, { settings: { index: Installed['settings'] & { uuid?: string; creation_date?: string } } }>)[index]!.settings.index;
    return { prefix, templates, mappings: (mapping.body as unknown as Record<string, { mappings: unknown }>)[index]!.mappings, settings: decided };
  }

  it('detector then query, query then detector, and both at once leave one identical template and mapping', async () => {
    const results = [await install([[detector], [query]]), await install([[query], [detector]]), await install([[detector, query]])];
    for (const r of results) {
      assert.deepEqual(r.templates.map((t) => t.name), [alertsTemplateName(r.prefix)], 'exactly one template covers the alert indices');
      const template = r.templates[0]!.index_template;
      assert.deepEqual(template['index_patterns'], [`${r.prefix}-*`]);
      assert.equal(template['priority'], 200);
      assert.deepEqual((template['template'] as { mappings: unknown }).mappings, alertsIndexMappings(), 'the template holds the shared mappings');
      assert.equal(r.settings.number_of_shards, '1');
      assert.deepEqual(r.settings.query, { default_field: ['summary', 'title', 'actor', 'rule'] });
    }
    const [first, ...rest] = results.map((r) => neutral({ templates: r.templates, mappings: r.mappings, settings: r.settings }, r.prefix));
    for (const other of rest) assert.deepEqual(other, first, 'the same template and fresh-index mapping whichever service installed first');
  });

  it('a fresh index maps what both services rely on', async () => {
    const { mappings } = await install([[query], [detector]]);
    type Field = { type?: string; index?: boolean; dynamic?: string | boolean; enabled?: boolean; fields?: Record<string, { type: string }>; properties?: Record<string, Field> };
    const m = mappings as { dynamic: string; properties: Record<string, Field> };
    const p = m.properties;
    assert.equal(String(m.dynamic), 'false', 'unknown top-level fields stay unindexed');
    // The query service filters, sorts and aggregates on these.
    for (const key of ['severity', 'rule', 'actor']) assert.equal(p[key]?.type, 'keyword', key);
    assert.equal(p['lastSeen']?.type, 'date');
    assert.equal(p['triage']?.properties?.['status']?.type, 'keyword');
    assert.equal(String(p['triage']?.dynamic), 'true', 'the query service may add triage fields');
    // Both title sub-fields the two former copies had.
    assert.deepEqual(Object.keys(p['title']?.fields ?? {}).sort(), ['keyword', 'raw']);
    // The detector's fields.
    assert.equal(p['count']?.type, 'integer');
    assert.equal(p['technique']?.properties?.['id']?.type, 'keyword');
    assert.equal(p['details']?.enabled, false);
    assert.equal(p['link']?.index, false);
  });
});
