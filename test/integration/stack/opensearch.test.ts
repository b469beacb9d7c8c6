import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@opensearch-project/opensearch';
import { readStackEnv, uniqueName } from '@auditgate/shared/testing';

const stack = readStackEnv(process.env);

it('the OpenSearch client creates an index template, bulk-indexes and searches on the real node', async () => {
  const client = new Client({ node: stack.opensearchUrl });
  const prefix = uniqueName('test-os');
  await client.indices.putIndexTemplate({
    name: prefix,
    body: {
      index_patterns: [`${prefix}-*`],
      template: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: { dynamic: 'strict', properties: { verb: { type: 'keyword' }, at: { type: 'date' }, uri: { type: 'text' } } },
      },
    },
  });
  const index = `${prefix}-000001`;
  const body = [
    { index: { _index: index, _id: 'a' } }, { verb: 'get', at: '2026-01-01T00:00:00Z', uri: '/api/v1/namespaces/x/secrets/db' },
    { index: { _index: index, _id: 'b' } }, { verb: 'list', at: '2026-01-01T00:00:01Z', uri: '/api/v1/pods' },
    { index: { _index: index, _id: 'a' } }, { verb: 'get', at: '2026-01-01T00:00:00Z', uri: '/api/v1/namespaces/x/secrets/db' },
  ];
  const bulk = await client.bulk({ body, refresh: 'true' });
  assert.equal(bulk.body.errors, false);

  const mapping = await client.indices.getMapping({ index });
  const props = (mapping.body[index]?.mappings.properties ?? {}) as Record<string, { type?: string }>;
  assert.equal(props['verb']?.type, 'keyword', 'the template applied');

  const found = await client.search({ index, body: { query: { term: { verb: 'get' } } } });
  const total = found.body.hits.total;
  assert.equal(typeof total === 'number' ? total : total?.value, 1, 'the same id twice is one document');

  const strict = await client.index({ index, body: { unknown: 1 } }).then(() => 'indexed', (e: unknown) => String(e));
  assert.match(strict, /strict_dynamic_mapping_exception/);
  await client.indices.delete({ index });
  await client.indices.deleteIndexTemplate({ name: prefix });
});
