/**
 * The analyst UI in headless Chromium against a real query service on real OpenSearch data: sign-in, search,
 * event detail with masked secrets, actor timeline, error banners, hostile content, and checked screenshots.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '@auditgate/shared/testing';
import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { defaultSecretPatterns, maskKubernetesObject } from '../../../services/proxy/src/masking/index.js';
import { startUiSession, VIEWPORT, type UiSession } from './support/ui-session.js';
import { startQueryTestbed, type QueryTestbed, type StandardSeed } from './support/query-harness.js';
import { exchangeDocument, seedAuditEvents, seedAuditId } from './support/seed-events.js';

const HOSTILE = '<img src=x onerror=window.__pwned=1>';
const HOSTILE_URI = `/api/v1/namespaces/payments/secrets/db-creds?x=${HOSTILE}`;
const PLAINTEXT = `hunter2-${randomBytes(6).toString('hex')}`;

let bed: QueryTestbed;
let ui: UiSession;
let seed: StandardSeed;
let secretEvent: { auditID: string; marker: string };

/** Indexes one `get` of a Secret whose recorded response was masked by the gateway's own masker. */
async function seedMaskedSecretRead(): Promise<{ auditID: string; marker: string }> {
  const auditID = seedAuditId();
  const secret = {
    kind: 'Secret', apiVersion: 'v1', metadata: { name: 'db-creds', namespace: 'payments' }, type: 'Opaque',
    data: { password: Buffer.from(PLAINTEXT).toString('base64'), [HOSTILE]: Buffer.from('x').toString('base64') },
  };
  const masked = maskKubernetesObject(secret, { key: randomBytes(32), patterns: defaultSecretPatterns(), resourceHint: 'secrets' });
  assert.equal(masked.changed, true);
  const marker = (masked.object as { data: Record<string, string> }).data['password'] as string;
  const events = seedAuditEvents({
    auditID, actor: 'mallory@example.com', verb: 'get', resource: 'secrets', namespace: 'payments', name: 'db-creds',
    requestURI: HOSTILE_URI, decision: 'mask', ruleId: 'mask-secrets',
  });
  const body = JSON.stringify(secret);
  const terminal = events[1];
  assert.ok(terminal !== undefined);
  terminal.level = 'RequestResponse';
  terminal.responseObject = masked.object;
  terminal.auditgate = {
    ...terminal.auditgate,
    body: { response: { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), truncated: false, maskedPaths: masked.maskedPaths, contentType: 'application/json' } },
  };
  const doc = exchangeDocument(bed.indices.events, events);
  await bed.opensearch.index({ index: doc.index, id: doc.id, body: doc.doc as never, refresh: true });
  return { auditID, marker };
}

async function closePage(page: Page): Promise<void> {
  await page.context().close();
}

const rowIds = (page: Page): Promise<string[]> =>
  page.$$eval('table.events tbody tr', (rows) => rows.map((r) => r.getAttribute('data-audit-id') ?? ''));

const docsOf = (actor: string): Array<Record<string, unknown>> =>
  (seed.documents ?? []).filter((d) => (d['auditgate'] as { actor: { username: string } }).actor.username === actor);

before(async () => {
  bed = await startQueryTestbed();
  seed = await bed.seedStandard();
  secretEvent = await seedMaskedSecretRead();
  ui = await startUiSession(bed);
});

after(async () => {
  await ui?.close();
  await bed?.close();
});

test('the query service serves the UI with its strict headers, and client routes get the page', async () => {
  for (const path of ['/ui/', `/ui/events/${secretEvent.auditID}`, '/ui/actors/alice%40example.com', '/ui/alerts']) {
    const res = await fetch(`${bed.baseUrl}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(await res.text(), /<script type="module" src="\/ui\/app.js">/, path);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, `${path}: served by createUiRouter`);
  }
  assert.equal((await fetch(`${bed.baseUrl}/ui/no-such-module.js`)).status, 404);
});

test('sign-in through #token: the token leaves the address bar, whoami shows the user and roles', async () => {
  const page = await ui.openAs(['analyst'], '/ui/', 'alice@example.com');
  await page.waitForSelector('#whoami .user');
  assert.equal(await page.textContent('#whoami .user'), 'alice@example.com');
  assert.deepEqual(await page.$$eval('#whoami .role', (els) => els.map((e) => e.textContent)), ['analyst']);
  assert.equal(new URL(page.url()).hash, '');
  assert.ok((await page.evaluate(() => sessionStorage.getItem('auditgate.query.token')))?.startsWith('ey'));
  // A reload keeps the session (sessionStorage), without the fragment.
  await page.reload();
  await page.waitForSelector('table.events');
  await page.click('#whoami button');
  await page.waitForSelector('form.sign-in');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('auditgate.query.token')), null);
  await closePage(page);
});

test('search with filters from the form shows exactly the matching seeded rows, shareable by URL', async () => {
  const page = await ui.openAs(['analyst'], '/ui/search');
  await page.waitForSelector('table.events');
  const empty = await (async () => {
    await page.fill('#f-actor', 'nobody@example.com');
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector('.results .empty-state');
    return ui.screenshot(page, 'search-empty');
  })();
  await page.fill('#f-actor', seed.actors.carol);
  await page.selectOption('#f-decision', 'deny');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('table.events tbody tr');
  const expected = docsOf(seed.actors.carol).filter((d) => (d['auditgate'] as { policy: { decision: string } }).policy.decision === 'deny');
  assert.equal(expected.length, 8);
  assert.deepEqual((await rowIds(page)).sort(), expected.map((d) => d['auditID'] as string).sort());
  assert.equal(await page.textContent('.results .summary'), '8 events · showing 8');
  const times = await page.$$eval('table.events tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
  assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
  const url = new URL(page.url());
  assert.equal(url.pathname, '/ui/search');
  assert.equal(url.searchParams.get('actor'), seed.actors.carol);
  assert.equal(url.searchParams.get('decision'), 'deny');
  const results = await ui.screenshot(page, 'search-results');
  assert.notEqual(results, empty, 'the results screenshot differs from the empty state');

  // The same URL in a fresh tab gives the same rows and the form filled in.
  const shared = await ui.openAs(['analyst'], `${url.pathname}${url.search}`);
  await shared.waitForSelector('table.events tbody tr');
  assert.deepEqual((await rowIds(shared)).sort(), expected.map((d) => d['auditID'] as string).sort());
  assert.equal(await shared.inputValue('#f-actor'), seed.actors.carol);
  await closePage(shared);
  await closePage(page);
});

test('"Load more" pages through every event with the cursor', async () => {
  const page = await ui.openAs(['analyst'], '/ui/search?since=24h');
  await page.waitForSelector('table.events tbody tr');
  const total = (seed.documents ?? []).length + 1;
  assert.equal((await rowIds(page)).length, 50);
  assert.equal(await page.textContent('.results .summary'), `${total} events · showing 50`);
  await page.click('button.load-more');
  // A locator poll, not waitForFunction: the UI's CSP forbids evaluating strings.
  await waitFor('every row loaded', async () => ((await page.locator('table.events tbody tr').count()) === total ? true : undefined));
  const ids = await rowIds(page);
  assert.equal(new Set(ids).size, total, 'no duplicates across pages');
  assert.equal(await page.isHidden('button.load-more'), true);
  await closePage(page);
});

test('clicking an actor opens the timeline: oldest first, below an activity strip', async () => {
  const page = await ui.openAs(['analyst'], `/ui/search?actor=${encodeURIComponent(seed.actors.dave)}`);
  await page.waitForSelector('table.events tbody tr');
  await page.click('table.events tbody tr:first-child a.actor-link');
  await page.waitForSelector('.activity-strip[data-ready] figure.chart');
  await page.waitForSelector('table.events tbody tr');
  assert.equal(new URL(page.url()).pathname, `/ui/actors/${encodeURIComponent(seed.actors.dave)}`);
  const expected = docsOf(seed.actors.dave).map((d) => ({ id: d['auditID'] as string, at: d['requestReceivedTimestamp'] as string }))
    .sort((a, b) => a.at.localeCompare(b.at));
  assert.deepEqual(await rowIds(page), expected.map((e) => e.id), 'chronological order');
  const counts = await page.$$eval('.activity-strip g.bucket', (gs) => gs.map((g) => Number(g.getAttribute('data-count'))));
  assert.ok(counts.length >= 288 && counts.length <= 290, `one bar per 5 minutes of the last 24 hours (${counts.length})`);
  assert.equal(counts.reduce((a, b) => a + b, 0), expected.length);
  await ui.screenshot(page, 'timeline');
  // A row opens the event detail.
  await page.click('table.events tbody tr:first-child td:nth-child(3)');
  await page.waitForSelector('.detail-head');
  assert.equal(new URL(page.url()).pathname, `/ui/events/${expected[0]?.id ?? ''}`);
  await closePage(page);
});

test('event detail shows the masked Secret as recorded and hostile content as inert text', async () => {
  const page = await ui.openAs(['analyst'], `/ui/search?actor=mallory%40example.com`);
  await page.waitForSelector('table.events tbody tr');
  assert.equal(await page.textContent('table.events tbody tr td.uri'), HOSTILE_URI);
  await page.click('table.events tbody tr td.uri');
  await page.waitForSelector('pre.json .masked');
  assert.equal(new URL(page.url()).pathname, `/ui/events/${secretEvent.auditID}`);
  assert.match(secretEvent.marker, /^\*\*\*masked:hmac-sha256:[0-9a-f]{16}\*\*\*$/);
  const masked = await page.$$eval('pre.json .masked', (els) => els.map((e) => e.textContent));
  assert.ok(masked.includes(JSON.stringify(secretEvent.marker)), `masked values shown as recorded: ${masked.join(' ')}`);
  assert.equal(await page.textContent('.detail-head .uri'), HOSTILE_URI);
  const text = await page.textContent('main') ?? '';
  assert.ok(text.includes(JSON.stringify(HOSTILE)), 'the hostile Secret key is rendered as JSON text');
  assert.ok(!text.includes(PLAINTEXT) && !text.includes(Buffer.from(PLAINTEXT).toString('base64')));
  assert.match(text, /\/data\/password/, 'masked paths listed');
  assert.equal(await page.locator('main img').count(), 0, 'no element was made from event content');
  assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
  const stages = await page.$$eval('#sec-stages ~ table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.deepEqual(stages, ['RequestReceived', 'ResponseComplete']);
  await ui.screenshot(page, 'event-detail');
  await closePage(page);
});

test('a bad token shows the sign-in with a 401 banner; a bad filter a 400 banner naming the parameter', async () => {
  const context = await ui.browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.goto(`${bed.baseUrl}/ui/search#token=not-a-jwt`);
  await page.waitForSelector('form.sign-in');
  assert.match(await page.textContent('#banner') ?? '', /Sign-in required/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('auditgate.query.token')), null);
  await ui.screenshot(page, 'sign-in');
  // Signing in through the form works from there.
  await page.fill('#token', await bed.tokenFor(['analyst']));
  await page.click('form.sign-in button[type=submit]');
  await page.waitForSelector('table.events');
  assert.equal(await page.isHidden('#banner'), true);
  await page.goto(`${bed.baseUrl}/ui/search?status=abc`);
  await page.waitForSelector('#banner:not([hidden])');
  assert.match(await page.textContent('#banner') ?? '', /Bad request.*status/);
  assert.equal(await page.getAttribute('#f-status', 'aria-invalid'), 'true');
  await context.close();
});
