/**
 * The analyst UI's charts in headless Chromium against a real query service on real OpenSearch data: the search
 * histogram (stacked by decision and status class, drag or click to narrow), the overview's figures and their links,
 * the timeline's activity strip (requests per minute by verb), readable actor names, and the overview at 1280×800.
 * Every number drawn is compared with the query API's own aggregation for the same filter.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { mcpIndexFor } from '@auditgate/shared';
import { indexNameFor } from '../../../services/indexer/src/search/build-document.js';
import { mcpIndexTemplate } from '../../../services/indexer/src/search/mcp-index-template.js';
import { callApi } from './support/api-client.js';
import { startQueryTestbed, type QueryTestbed, type SeedEventSpec, type StandardSeed } from './support/query-harness.js';
import { readOverviewLayout } from './support/overview-layout.js';
import { startUiSession, VIEWPORT, type UiSession } from './support/ui-session.js';

const MIN = 60_000;
const sa = (name: string): string => `system:serviceaccount:agents-production:${name}`;
const READER = sa('mcp-kubernetes-payments-reader-7f9c4d');
const WRITER = sa('mcp-kubernetes-payments-writer-7f9c4d');
const CALL_ID = 'call-7f9c4d-0001';

let bed: QueryTestbed;
let ui: UiSession;
let seed: StandardSeed;
// A fixed range, so the page and the API aggregate exactly the same filter.
let range: { from: string; to: string };

before(async () => {
  bed = await startQueryTestbed();
  seed = await bed.seedStandard();
  const now = Date.now();
  const at = (m: number): Date => new Date(now - m * MIN);
  const extra: SeedEventSpec[] = [
    ...Array.from({ length: 6 }, (_, i) => ({ at: at(20 + i * 7), actor: READER, onBehalfOf: 'erin@example.com', session: 'sess-long-0003', tool: 'resources_list', verb: 'list', resource: 'secrets', namespace: 'billing' })),
    ...Array.from({ length: 4 }, (_, i) => ({ at: at(25 + i * 9), actor: WRITER, verb: 'patch', resource: 'deployments', apiGroup: 'apps', namespace: 'billing', name: 'api' })),
    // Allowed by the policy, refused by the API server's RBAC: a refusal without a deny.
    { at: at(45), actor: 'erin@example.com', verb: 'list', resource: 'secrets', namespace: 'kube-system', code: 403, decision: 'allow' },
    // Answered with masked fields: a `mask` decision, 200.
    { at: at(50), actor: 'erin@example.com', verb: 'get', resource: 'configmaps', namespace: 'payments', name: 'api-settings', code: 200, decision: 'mask' },
  ];
  await bed.seedEvents(extra);
  await bed.seedAlerts([
    { title: 'Secrets listed by an agent', rule: 'SECRET_LIST', severity: 'high', actor: READER, lastSeen: at(20).toISOString() },
    { title: 'Deployment patched by an agent', rule: 'PATCH', severity: 'low', actor: WRITER, lastSeen: at(25).toISOString() },
  ]);
  await seedToolCall(at(30));
  range = { from: new Date(now - 4 * 60 * MIN).toISOString(), to: new Date(now).toISOString() };
  ui = await startUiSession(bed);
});

after(async () => {
  await ui?.close();
  await bed?.opensearch.indices.deleteIndexTemplate({ name: `${mcpIndexFor(bed.indices.events)}-template` }).catch(() => undefined);
  await bed?.close();
});

/** One `tools/call` record in the testbed's MCP index (the indexer's layout), made by READER for erin. */
async function seedToolCall(at: Date): Promise<void> {
  const prefix = mcpIndexFor(bed.indices.events);
  await bed.opensearch.indices.putIndexTemplate({ name: `${prefix}-template`, body: mcpIndexTemplate({ indexPrefix: bed.indices.events, mcpIndexPrefix: prefix, refreshInterval: '1s', shards: 1, replicas: 0 }) as never });
  const received = at.toISOString();
  await bed.opensearch.index({
    index: indexNameFor(prefix, received), id: `${CALL_ID}-call`, refresh: true,
    body: {
      '@timestamp': received, requestReceivedTimestamp: received, verb: 'tools/call', stage: 'ResponseComplete', complete: true,
      auditgate: {
        actor: { username: 'erin@example.com', issuer: 'https://idp.example', tokenKind: 'oidc' },
        mcp: { callId: CALL_ID, server: 'kubernetes', toolName: 'resources_list', outcome: 'ok', agent: READER, scope: { namespace: 'billing', resource: 'secrets' } },
      },
    } as never,
  });
}

const qs = (params: Record<string, string>): string => new URLSearchParams(params).toString();
const api = async (path: string): Promise<any> => {
  const r = await callApi(bed, path);
  assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
  return r.body;
};

/** The buckets a chart drew: `{ t, count, stacks }` from its SVG (bars carry their series and count). */
function drawnBuckets(page: Page, scope: string): Promise<Array<{ t: string; count: number; stacks: Record<string, number> }>> {
  return page.$$eval(`${scope} figure.chart g.bucket`, (groups) => groups.map((g) => ({
    t: g.getAttribute('data-t') ?? '', count: Number(g.getAttribute('data-count')),
    stacks: Object.fromEntries([...g.querySelectorAll('rect')].map((r) => [r.getAttribute('data-series') ?? '', Number(r.getAttribute('data-count'))])),
  })));
}
const legendOf = (page: Page, scope: string): Promise<Array<{ key: string; count: number }>> =>
  page.$$eval(`${scope} .legend li`, (lis) => lis.map((li) => ({ key: li.getAttribute('data-series') ?? '', count: Number(li.getAttribute('data-count')) })));
const itemsOf = (page: Page, figure: string): Promise<Array<[string, number]>> =>
  page.$$eval(`.fig-${figure} .barlist > li`, (lis) => lis.map((li) => [li.getAttribute('data-key') ?? '', Number(li.getAttribute('data-count'))] as [string, number]));
const summaryTotal = async (page: Page): Promise<number> => Number(/^(\d+) event/.exec(await page.textContent('.results .summary') ?? '')?.[1]);

/** Drags across `plot` from the middle of bucket `a` to the middle of bucket `b` (indices into the drawn buckets). */
async function dragBuckets(page: Page, scope: string, a: number, b: number): Promise<void> {
  const plot = page.locator(`${scope} .chart-plot`);
  const box = await plot.boundingBox();
  assert.ok(box !== null);
  const n = await page.locator(`${scope} g.bucket`).count();
  const x = (i: number): number => box.x + ((i + 0.5) / n) * box.width;
  await page.mouse.move(x(a), box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(x(b), box.y + box.height / 2, { steps: 6 });
  await page.mouse.up();
}

test('search: the histogram of the matching events is the API\'s, stacked by decision and status class', async () => {
  const filter = { ...range, cluster: 'prod-eu' };
  const page = await ui.openAs(['analyst'], `/ui/search?${qs(filter)}`);
  await page.waitForSelector('.search-histogram[data-ready] figure.chart');
  const h = await api(`/api/v1/aggregations/histogram?${qs({ ...filter, stack: 'outcome' })}`);
  assert.equal(h.interval, '1m');
  assert.deepEqual(await drawnBuckets(page, '.search-histogram'), h.buckets, 'every bucket and every stacked bar, as the API counts them');
  assert.deepEqual(await legendOf(page, '.search-histogram'), h.series);
  assert.deepEqual(h.series.map((s: any) => s.key), ['allow/2xx', 'allow/4xx', 'allow/5xx', 'allow/pending', 'mask/2xx', 'deny/4xx'], 'the seed has each of them (allow, mask, deny)');
  assert.equal(await page.getAttribute('.search-histogram figure.chart', 'data-total'), String(h.total));
  assert.equal(await summaryTotal(page), h.total, 'the chart counts the events the table lists');
  // Bars are coloured by series and titled with their bucket's numbers.
  const deny = page.locator('.search-histogram rect[data-series="deny/4xx"]').first();
  assert.equal(await deny.getAttribute('class'), 's-deny-4xx');
  assert.match(await deny.locator('xpath=..').locator('title').textContent() ?? '', /^\d\d-\d\d \d\d:\d\d–\d\d:\d\dZ: \d+ events — .*deny · 4xx \d+/);
  // The masked answer: its own stack, in its own colour, in the bucket the API puts it in.
  const masked = h.buckets.filter((b: any) => (b.stacks['mask/2xx'] ?? 0) > 0);
  assert.deepEqual(masked.map((b: any) => b.stacks['mask/2xx']), [1]);
  const mask = page.locator(`.search-histogram g.bucket[data-t="${masked[0].t}"] rect[data-series="mask/2xx"]`);
  assert.equal(await mask.getAttribute('data-count'), '1');
  assert.equal(await mask.getAttribute('class'), 's-mask-2xx');
  const fill = (el: unknown): string => (globalThis as unknown as { getComputedStyle: (e: unknown) => { fill: string } }).getComputedStyle(el).fill;
  assert.notEqual(await mask.evaluate(fill), await deny.evaluate(fill));
  assert.match(await mask.locator('xpath=..').locator('title').textContent() ?? '', /mask · 2xx 1/);
  await page.context().close();
});

test('search: dragging across the histogram narrows the range to the buckets it covers; a click to one bucket', async () => {
  const page = await ui.openAs(['analyst'], `/ui/search?${qs(range)}`);
  await page.waitForSelector('.search-histogram[data-ready] figure.chart');
  const drawn = await drawnBuckets(page, '.search-histogram');
  const first = drawn.findIndex((b) => b.count > 0);
  const last = first + 60;
  assert.ok(first > 0 && last < drawn.length);
  await dragBuckets(page, '.search-histogram', first, last);
  const from = drawn[first]!.t;
  const to = new Date(Date.parse(drawn[last]!.t) + MIN - 1).toISOString();
  await page.waitForURL((u) => u.searchParams.get('from') === from);
  assert.equal(new URL(page.url()).searchParams.get('to'), to);
  await page.waitForSelector('.search-histogram[data-ready] figure.chart');
  await page.waitForSelector('.results .summary');
  const expected = await api(`/api/v1/events?${qs({ from, to, size: '1' })}`);
  assert.ok(expected.total > 0);
  assert.equal(await summaryTotal(page), expected.total);
  assert.equal(await page.getAttribute('.search-histogram figure.chart', 'data-total'), String(expected.total));
  assert.equal(await page.locator('.search-histogram g.bucket').count(), 61, 'the narrowed chart shows just those buckets');
  assert.equal(await page.inputValue('#f-from'), from, 'the form shows the narrowed range');

  // A click (no drag) narrows to the one bucket under the pointer; the browser's back button undoes it.
  const now = await drawnBuckets(page, '.search-histogram');
  const busy = now.findIndex((b) => b.count > 0);
  await dragBuckets(page, '.search-histogram', busy, busy);
  await page.waitForURL((u) => u.searchParams.get('from') === now[busy]!.t);
  await page.waitForSelector('.search-histogram[data-ready] figure.chart');
  await page.waitForSelector('.results .summary');
  assert.equal(await summaryTotal(page), now[busy]!.count);
  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('from') === from);
  await page.context().close();
});

test('overview: each figure is the API\'s aggregation for the range, and links to the search that produced it', async () => {
  const page = await ui.openAs(['analyst'], `/ui/overview?${qs(range)}`);
  await page.waitForSelector('.fig-refusals .histogram[data-ready] figure.chart');
  for (const f of ['alerts', 'actors', 'secrets', 'sessions']) await page.waitForSelector(`.fig-${f}[data-ready]`);

  // A figure a third of the page wide asks for at most 120 bars: 5-minute ones over 4 hours.
  const refusals = await api(`/api/v1/aggregations/histogram?${qs({ ...range, refused: 'true', stack: 'outcome', interval: '5m' })}`);
  assert.equal(refusals.total, 9);
  assert.equal(await page.getAttribute('.fig-refusals figure.chart', 'data-interval-ms'), String(5 * MIN));
  assert.deepEqual(await drawnBuckets(page, '.fig-refusals'), refusals.buckets);
  assert.deepEqual(await legendOf(page, '.fig-refusals'), [{ key: 'allow/4xx', count: 1 }, { key: 'deny/4xx', count: 8 }]);

  const actors = await api(`/api/v1/aggregations/terms?${qs({ ...range, field: 'actor', by: 'onBehalfOf', size: '6', bySize: '3' })}`);
  assert.deepEqual(await itemsOf(page, 'actors'), actors.buckets.map((b: any) => [b.key, b.count]));
  const obo = await page.$$eval('.fig-actors .barlist > li', (lis) => lis.map((li) => [...li.querySelectorAll('a[data-obo]')].map((a) => ({ key: a.getAttribute('data-obo'), count: Number(a.getAttribute('data-count')) }))));
  assert.deepEqual(obo, actors.buckets.map((b: any) => b.by.onBehalfOf));
  assert.deepEqual(obo[0], [{ key: seed.actors.alice, count: 31 }, { key: seed.actors.bob, count: 12 }]);

  const secrets = await api(`/api/v1/aggregations/terms?${qs({ ...range, field: 'namespace', secretAccess: 'true', size: '6' })}`);
  assert.deepEqual(await itemsOf(page, 'secrets'), secrets.buckets.map((b: any) => [b.key, b.count]));
  assert.deepEqual(secrets.buckets.map((b: any) => b.key), ['payments', 'billing', 'kube-system']);

  const sessions = await api(`/api/v1/aggregations/terms?${qs({ ...range, field: 'session', by: 'actor,onBehalfOf,tool', size: '5', bySize: '3' })}`);
  assert.deepEqual(await itemsOf(page, 'sessions'), sessions.buckets.map((b: any) => [b.key, b.count]));
  assert.equal(sessions.buckets.length, 3);

  const alerts = await api(`/api/v1/aggregations/alerts?${qs({ ...range, status: 'open' })}`);
  const drawnAlerts = (await itemsOf(page, 'alerts')).filter(([, n]) => n > 0);
  assert.deepEqual(drawnAlerts, alerts.severity.map((s: any) => [s.key, s.count]));
  assert.deepEqual(alerts.severity.map((s: any) => s.key), ['critical', 'high', 'medium', 'low']);

  // Following a link gives the search whose total is the number shown.
  const follow = async (selector: string, count: number, ready: string, total: (p: Page) => Promise<number>): Promise<void> => {
    await page.click(selector);
    await page.waitForSelector(ready);
    assert.equal(await total(page), count, selector);
    await page.goBack();
    await page.waitForSelector('.fig-sessions .barlist');
  };
  const alertCount = async (p: Page): Promise<number> => Number(/^(\d+) alert/.exec(await p.textContent('.alert-list .summary') ?? '')?.[1]);
  await follow('.fig-actors .barlist > li:first-child .bl-label a', actors.buckets[0].count, '.results .summary', summaryTotal);
  await follow(`.fig-actors a[data-obo="${seed.actors.bob}"]`, 12, '.results .summary', summaryTotal);
  await follow('.fig-secrets .barlist > li[data-key="billing"] .bl-label a', 6, '.results .summary', summaryTotal);
  await follow('.fig-sessions .barlist > li:first-child .bl-label a', sessions.buckets[0].count, '.results .summary', summaryTotal);
  await follow('.fig-alerts .barlist > li[data-key="high"] .bl-label a', 2, '.alert-list .summary', alertCount);
  await follow('.fig-refusals .figure-link', refusals.total, '.results .summary', summaryTotal);
  await follow('.fig-alerts .figure-link', alerts.total, '.alert-list .summary', alertCount);
  await page.context().close();
});

test('overview: readable at 1280×800 — every figure on screen, nothing overflowing, clipped or overlapping', async () => {
  // A range from one full hour to another puts a time label at each end of the chart: the hardest case for its axis.
  const hour = Math.ceil(Date.now() / (60 * MIN)) * 60 * MIN;
  const page = await ui.openAs(['analyst'], `/ui/overview?${qs({ from: new Date(hour - 4 * 60 * MIN).toISOString(), to: new Date(hour - 1).toISOString() })}`);
  await page.waitForSelector('.fig-refusals .histogram[data-ready] figure.chart');
  for (const f of ['alerts', 'actors', 'secrets', 'sessions']) await page.waitForSelector(`.fig-${f}[data-ready]`);
  await ui.screenshot(page, 'overview');
  const layout = await readOverviewLayout(page);
  assert.ok(layout.scrollWidth <= VIEWPORT.width, `no horizontal scrolling (${layout.scrollWidth}px)`);
  assert.deepEqual(layout.figures.map((f) => f.name), ['refusals', 'alerts', 'actors', 'secrets', 'sessions']);
  for (const f of layout.figures) {
    assert.ok(f.left >= 0 && f.right <= VIEWPORT.width && f.top >= 0 && f.bottom <= VIEWPORT.height, `${f.name} is wholly on screen: ${JSON.stringify(f)}`);
  }
  assert.deepEqual(layout.tooSmall, [], 'no text under 11px');
  assert.deepEqual(layout.clipped, [], 'no text cut off by its box');
  assert.deepEqual(layout.outside, [], 'no text sticking out of its figure');
  assert.deepEqual(layout.overlapping, [], 'no two labels on top of each other');
  await page.context().close();
});

test('timeline: an activity strip of requests per minute by verb above the list, as the API counts them', async () => {
  const actor = seed.actors.agent;
  const page = await ui.openAs(['analyst'], `/ui/actors/${encodeURIComponent(actor)}?${qs(range)}`);
  await page.waitForSelector('.activity-strip[data-ready] figure.chart');
  await page.waitForSelector('table.events tbody tr');
  const h = await api(`/api/v1/aggregations/histogram?${qs({ ...range, actor, stack: 'verb' })}`);
  assert.equal(h.interval, '1m', 'over 4 hours: one bar a minute');
  assert.deepEqual(await drawnBuckets(page, '.activity-strip'), h.buckets);
  assert.deepEqual(await legendOf(page, '.activity-strip'), [{ key: 'get', count: 33 }, { key: 'list', count: 10 }]);
  assert.equal(h.total, (await api(`/api/v1/actors/${encodeURIComponent(actor)}/timeline?${qs({ ...range, size: '1' })}`)).total);
  assert.match(await page.textContent('.activity-strip .chart-unit') ?? '', /requests per minute, 1 min bars/);
  const strip = await page.locator('.activity-strip').boundingBox();
  const list = await page.locator('table.events').boundingBox();
  assert.ok(strip !== null && list !== null && strip.y + strip.height <= list.y, 'the strip is above the list');

  // Over the default 24 hours the bars are 5 minutes wide and the axis still reads requests per minute.
  await page.goto(`${bed.baseUrl}/ui/actors/${encodeURIComponent(actor)}`);
  await page.waitForSelector('.activity-strip[data-ready] figure.chart');
  assert.equal(await page.getAttribute('.activity-strip figure.chart', 'data-interval-ms'), String(5 * MIN));
  assert.match(await page.textContent('.activity-strip .chart-unit') ?? '', /requests per minute, 5 min bars/);
  const bars = await drawnBuckets(page, '.activity-strip');
  assert.equal(bars.reduce((n, b) => n + b.count, 0), 43);
  const peak = Math.max(...bars.map((b) => b.count));
  const top = Number(await page.textContent('.activity-strip .chart-y .tick:last-child'));
  assert.ok(top >= peak / 5 && top < peak, `the axis (${top}/min) is per minute, not per bar (peak ${peak} per 5 min)`);
  await ui.screenshot(page, 'timeline-strip');
  await page.context().close();
});

test('actor names: a service account reads as namespace/name, full on hover, long ones cut where they are alike', async () => {
  const page = await ui.openAs(['analyst'], '/ui/alerts');
  await page.waitForSelector('table.alerts tbody tr');
  const cells = await page.$$eval('table.alerts tbody td.actor .actor-name', (els) => els.map((el) => ({ text: el.textContent ?? '', title: el.getAttribute('title') ?? '' })));
  const byTitle = new Map(cells.map((c) => [c.title, c.text]));
  assert.equal(byTitle.get(seed.actors.agent), 'agents/mcp');
  assert.equal(byTitle.get(seed.actors.dave), seed.actors.dave);
  const reader = byTitle.get(READER) ?? '';
  const writer = byTitle.get(WRITER) ?? '';
  for (const [label, part] of [[reader, 'reader'], [writer, 'writer']] as const) {
    assert.ok(label.startsWith('agents-production/') && label.includes('…') && label.includes(part) && label.length <= 34, label);
  }
  assert.ok(cells.every((c) => !c.text.startsWith('system:serviceaccount')), 'no name is cut to system:serviceaccount…');
  await ui.screenshot(page, 'alerts-names');
  await page.click(`table.alerts tbody tr:has(td.actor [title="${READER}"]) td.title a`);
  await page.waitForSelector('.alert-detail dl.facts');
  const actorFact = await page.$$eval('.alert-detail dl.facts dt', (dts) => dts.find((dt) => dt.textContent === 'Actor')?.nextElementSibling?.textContent);
  assert.equal(actorFact, `agents-production/mcp-kubernetes-payments-reader-7f9c4d${READER}`, 'the detail has room for the whole name and the username');

  const search = await ui.openAs(['analyst'], `/ui/search?${qs({ ...range, namespace: 'billing,payments' })}`);
  await search.waitForSelector('table.events tbody tr');
  const names = await search.$$eval('table.events td.actor .actor-name', (els) => els.map((el) => [el.getAttribute('title'), el.textContent]));
  assert.ok(names.some(([t, n]) => t === READER && n?.includes('reader')) && names.some(([t, n]) => t === WRITER && n?.includes('writer')));
  assert.ok(names.some(([t, n]) => t === seed.actors.agent && n === 'agents/mcp'));
  await search.click(`table.events td.actor a[title="${seed.actors.agent}"]`);
  await search.waitForSelector('.detail-head h1');
  assert.equal(await search.textContent('.detail-head h1'), `Timeline of agents/mcp${seed.actors.agent}`);
  await search.context().close();
  await page.context().close();
});

test('tool call: readable names for the person and the agent, each one link (no link inside a link)', async () => {
  const page = await ui.openAs(['analyst'], `/ui/calls/${encodeURIComponent(CALL_ID)}`);
  await page.waitForSelector('.detail-head h1');
  const fact = (term: string): Promise<{ text: string; links: Array<{ href: string; title: string; text: string }> } | undefined> => page.$$eval('dl dt', (dts, t) => {
    const dd = dts.find((dt) => dt.textContent === t)?.nextElementSibling;
    return dd === null || dd === undefined ? undefined : {
      text: dd.textContent ?? '', links: [...dd.querySelectorAll('a')].map((a) => ({ href: a.getAttribute('href') ?? '', title: a.getAttribute('title') ?? '', text: a.textContent ?? '' })),
    };
  }, term);
  assert.equal(await page.locator('a a').count(), 0, 'no <a> inside an <a>');
  assert.deepEqual((await fact('Person'))?.links, [{ href: `/ui/actors/${encodeURIComponent('erin@example.com')}`, title: 'erin@example.com', text: 'erin@example.com' }]);
  const agent = await fact('Agent');
  assert.deepEqual(agent?.links.map((l) => [l.title, l.text]), [[READER, 'agents-production/mcp-kubernetes-payments-reader-7f9c4d']], 'namespace/name, the full name on hover');
  // One click on the person's name opens their timeline, with the call among their tool calls.
  await page.click('dl dd a[title="erin@example.com"]');
  await page.waitForSelector('table.tool-calls tbody tr');
  assert.equal(new URL(page.url()).pathname, `/ui/actors/${encodeURIComponent('erin@example.com')}`);
  assert.deepEqual(await page.$$eval('table.tool-calls tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-call-id'))), [CALL_ID]);
  await page.context().close();
});

test('event detail: the Kubernetes user and the impersonated user read as names, not raw system:serviceaccount strings', async () => {
  const doc = (seed.documents ?? []).find((d: any) => d.impersonatedUser?.username?.startsWith('system:serviceaccount:')) as any;
  assert.ok(doc !== undefined, 'the seed has a request made for a service account');
  const page = await ui.openAs(['analyst'], `/ui/events/${doc.auditID}`);
  await page.waitForSelector('.detail-head h1');
  const row = async (term: string): Promise<{ text: string; title: string | null } | undefined> => page.$$eval('dl dt', (dts, t) => {
    const dd = dts.find((dt) => dt.textContent === t)?.nextElementSibling;
    return dd === null || dd === undefined ? undefined : { text: dd.textContent ?? '', title: dd.querySelector('.actor-name')?.getAttribute('title') ?? null };
  }, term);
  const readable = (username: string): string => username.replace(/^system:serviceaccount:([^:]+):(.+)$/, '$1/$2');
  assert.deepEqual(await row('Kubernetes user'), { text: readable(doc.user.username), title: doc.user.username });
  assert.deepEqual(await row('Impersonated'), { text: readable(doc.impersonatedUser.username), title: doc.impersonatedUser.username });
  assert.ok(!readable(doc.impersonatedUser.username).startsWith('system:'));
  await page.context().close();
});

test('/api/v1/verify without checkpoint keys: a clear 503 the trail badge explains', async () => {
  const r = await callApi(bed, '/api/v1/verify');
  assert.equal(r.status, 503);
  assert.equal(r.body.error.code, 'AUDITGATE_E_CONFIG_INVALID');
  assert.match(r.body.error.message, /QUERY_CHECKPOINT_JWKS/);
});
