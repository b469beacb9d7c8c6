/**
 * The relay in front of OpenSearch that makes "indexer SIGKILLed mid-batch" certain: it forwards everything, and while
 * holding it keeps back only the answers to `_bulk` requests, after the upstream has them. The upstream here is a
 * plain HTTP server that records what reached it (the relay is HTTP plumbing; the row runs it before real OpenSearch).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBulkRelay, type BulkRelay } from './bulk-relay.js';

describe('bulk relay', () => {
  const received: string[] = [];
  let upstream: Server;
  let relay: BulkRelay;

  before(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${Buffer.concat(chunks).length}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    relay = await startBulkRelay(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  after(async () => {
    await relay.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  const bulkBody = (docs: number): string => Array.from({ length: docs }, (_, i) => `${JSON.stringify({ update: { _index: 'i', _id: `d${i}` } })}\n${JSON.stringify({ doc: { n: i }, doc_as_upsert: true })}\n`).join('');

  it('forwards requests and answers while not holding', async () => {
    const res = await fetch(`${relay.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: bulkBody(2) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { path: '/_bulk' });
    assert.equal(relay.bulksInFlight, 0);
    assert.equal(relay.held.bulks, 0);
  });

  it('while holding, a bulk reaches the upstream but its answer is kept back; other requests pass', async () => {
    relay.hold = true;
    const before = received.length;
    const aborter = new AbortController();
    const bulk = fetch(`${relay.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: bulkBody(3), signal: aborter.signal }).then(() => 'answered', () => 'cut');
    for (let i = 0; i < 200 && relay.held.bulks === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(relay.held, { bulks: 1, docs: 3 });
    assert.equal(relay.bulksInFlight, 1);
    assert.equal(received.length, before + 1, 'the held bulk reached the upstream');
    const search = await fetch(`${relay.url}/events-*/_search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(search.status, 200, 'a search is answered while bulks are held');
    relay.hold = false;
    relay.dropHeld();
    assert.equal(await bulk, 'cut', 'the held bulk was never answered');
    for (let i = 0; i < 100 && relay.bulksInFlight > 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    assert.equal(relay.bulksInFlight, 0);
    assert.equal(relay.held.bulks, 0);
  });
});
