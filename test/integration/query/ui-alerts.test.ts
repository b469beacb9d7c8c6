/**
 * The alert inbox in headless Chromium against a real query service on real OpenSearch: a responder acknowledges and
 * resolves (the UI updates in place and OpenSearch holds the triage), an analyst sees the buttons disabled.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { startUiSession, type UiSession } from './support/ui-session.js';
import { startQueryTestbed, type QueryTestbed } from './support/query-harness.js';
import { seedAuditId } from './support/seed-events.js';

let bed: QueryTestbed;
let ui: UiSession;
let alerts: Alert[];

async function storedTriage(id: string): Promise<{ status?: string; history?: Array<{ action: string; by: string; note?: string }> }> {
  await bed.refresh();
  const r = await bed.opensearch.search({ index: `${bed.indices.alerts}-*`, body: { query: { ids: { values: [id] } } } as never });
  const hit = r.body.hits.hits[0] as { _source?: { triage?: never } } | undefined;
  assert.ok(hit !== undefined, `alert ${id} is in OpenSearch`);
  return hit._source?.triage ?? {};
}

const statusCell = (page: Page, id: string): Promise<string | null> => page.textContent(`tr[data-alert-id="${id}"] .status-cell`);

before(async () => {
  bed = await startQueryTestbed();
  const now = Date.now();
  const at = (min: number): string => new Date(now - min * 60_000).toISOString();
  alerts = await bed.seedAlerts([
    { title: 'Burst of secret reads', severity: 'high', actor: 'system:serviceaccount:agents:mcp', onBehalfOf: 'bob@example.com', evidence: [seedAuditId(), seedAuditId()], firstSeen: at(40), lastSeen: at(30), count: 12 },
    { title: 'Interactive exec into a pod', rule: 'exec-into-pod', ruleSource: 'sigma', severity: 'critical', actor: 'dave@example.com', firstSeen: at(20), lastSeen: at(10), count: 4 },
    { title: 'Repeated denied deletes', rule: 'repeated-denials', severity: 'medium', actor: 'carol@example.com', firstSeen: at(90), lastSeen: at(80), count: 8 },
  ]);
  ui = await startUiSession(bed);
});

after(async () => {
  await ui?.close();
  await bed?.close();
});

test('a responder acknowledges then resolves an alert: the UI updates in place and OpenSearch holds the triage', async () => {
  const target = alerts[0] as Alert;
  const page = await ui.openAs(['responder'], '/ui/alerts', 'rita@example.com');
  await page.waitForSelector('table.alerts tbody tr');
  const listed = await page.$$eval('table.alerts tbody tr', (rows) => rows.map((r) => r.getAttribute('data-alert-id')));
  assert.deepEqual([...listed].sort(), alerts.map((a) => a.id).sort());
  const before = await ui.screenshot(page, 'alerts-list');
  await page.click(`tr[data-alert-id="${target.id}"] td.title a`);
  await page.waitForSelector('.alert-detail button.ack:enabled');
  assert.equal(new URL(page.url()).pathname, `/ui/alerts/${target.id}`);
  assert.deepEqual(await page.$$eval('.alert-detail ol.evidence a', (as) => as.map((a) => a.getAttribute('href'))),
    target.evidence.map((id) => `/ui/events/${id}`));
  assert.equal(await statusCell(page, target.id), 'open');

  await page.fill('#triage-note', 'looking into it');
  await page.click('.alert-detail button.ack');
  await page.waitForSelector('.alert-detail .alert-status .triage-acknowledged');
  assert.equal(await statusCell(page, target.id), 'acknowledged', 'the list row updates in place');
  assert.equal(await page.isDisabled('.alert-detail button.ack'), true);
  assert.match(await page.textContent('.alert-detail ol.history') ?? '', /acknowledge by rita@example\.com.*looking into it/);
  const stored = await storedTriage(target.id);
  assert.equal(stored.status, 'acknowledged');
  assert.deepEqual(stored.history?.map((h) => [h.action, h.by, h.note]), [['acknowledge', 'rita@example.com', 'looking into it']]);
  const acked = await ui.screenshot(page, 'alerts-acknowledged');
  assert.notEqual(acked, before);

  await page.click('.alert-detail button.resolve');
  await page.waitForSelector('.alert-detail .alert-status .triage-resolved');
  assert.equal(await statusCell(page, target.id), 'resolved');
  assert.equal(await page.isDisabled('.alert-detail button.resolve'), true);
  assert.equal((await storedTriage(target.id)).status, 'resolved');

  // The status filter reads the stored triage.
  await page.selectOption('#a-status', 'resolved');
  await page.waitForURL((url) => url.searchParams.get('status') === 'resolved');
  await page.waitForSelector('table.alerts tbody tr');
  assert.deepEqual(await page.$$eval('table.alerts tbody tr', (rows) => rows.map((r) => r.getAttribute('data-alert-id'))), [target.id]);
  await page.context().close();
});

test('an analyst sees the alert but Acknowledge and Resolve are disabled, with the reason', async () => {
  const target = alerts[1] as Alert;
  const page = await ui.openAs(['analyst'], `/ui/alerts/${target.id}`, 'ana@example.com');
  await page.waitForSelector('.alert-detail button.ack');
  assert.match(await page.textContent('.alert-detail h2') ?? '', /Interactive exec into a pod/);
  assert.equal(await page.isDisabled('.alert-detail button.ack'), true);
  assert.equal(await page.isDisabled('.alert-detail button.resolve'), true);
  assert.match(await page.textContent('.alert-detail .triage') ?? '', /Needs the responder role \(you have: analyst\)/);
  await ui.screenshot(page, 'alerts-analyst');
  // The API refuses anyway, and the UI would show its 403: call it from the page with the analyst's own token.
  const status = await page.evaluate(async (id) => (await fetch(`/api/v1/alerts/${id}/acknowledge`, {
    method: 'POST', headers: { authorization: `Bearer ${sessionStorage.getItem('auditgate.query.token') ?? ''}`, 'content-type': 'application/json' }, body: '{}',
  })).status, target.id);
  assert.equal(status, 403);
  assert.equal((await storedTriage(target.id)).status, undefined, 'nothing was written');
  await page.context().close();
});
