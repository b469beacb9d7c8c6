import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@opensearch-project/opensearch';
import { ErrorCodes, isAppError } from '@auditgate/shared';
import { readStackEnv } from '@auditgate/shared/testing';
import { createEventSearch } from '../../../services/query/src/search/event-search.js';
import { opensearchError } from '../../../services/query/src/search/opensearch-error.js';

describe('OpenSearch failures as the caller sees them', () => {
  it('OpenSearch down: a retriable 503 OPENSEARCH_UNAVAILABLE that names no address', async () => {
    const client = new Client({ node: 'http://127.0.0.1:9', maxRetries: 0, requestTimeout: 2000 });
    try {
      const search = createEventSearch(client, 'agq-nowhere', '1m');
      await assert.rejects(search.page({ filters: { from: 0, to: 1 }, size: 1, order: 'asc' }), (e: unknown) => {
        assert.ok(isAppError(e));
        assert.equal(e.code, ErrorCodes.OPENSEARCH_UNAVAILABLE);
        assert.equal(e.status, 503);
        assert.equal(e.retriable, true);
        assert.doesNotMatch(e.message, /127\.0\.0\.1|ECONNREFUSED|:9\b/);
        assert.ok(e.cause !== undefined, 'the cause is kept for the log');
        return true;
      });
    } finally { await client.close(); }
  });

  it('a query OpenSearch refuses: a 500 INTERNAL without OpenSearch\'s reason', async () => {
    const client = new Client({ node: readStackEnv(process.env).opensearchUrl });
    try {
      const refusal = await client.search({ index: 'agq-none-*', body: { query: { no_such_query: {} } } as never }).then(() => undefined, (e: unknown) => e);
      const e = opensearchError(refusal, 'event search');
      assert.equal(e.status, 500);
      assert.equal(e.code, ErrorCodes.INTERNAL);
      assert.doesNotMatch(e.message, /no_such_query|parsing_exception/);
    } finally { await client.close(); }
  });
});
