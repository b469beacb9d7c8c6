/** The alert inbox shows each alert's MITRE ATT&CK technique (list and detail) and how its events ended. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { startUiSession, type UiSession } from './support/ui-session.js';
import { startQueryTestbed, type QueryTestbed } from './support/query-harness.js';

let bed: QueryTestbed;
let ui: UiSession;
let alerts: Alert[];

before(async () => {
  bed = await startQueryTestbed();
  const at = (min: number): string => new Date(Date.now() - min * 60_000).toISOString();
  alerts = await bed.seedAlerts([
    { title: 'Secrets listed cluster-wide', rule: 'SECRET_LIST_CLUSTERWIDE', severity: 'critical', actor: 'system:serviceaccount:agents:eve', firstSeen: at(20), lastSeen: at(10), count: 3,
      technique: { id: 'T1552.007', name: 'Unsecured Credentials: Container API', url: 'https://attack.mitre.org/techniques/T1552/007/' },
      outcome: 'refused', outcomes: { allowed: 1, refused: 2 } },
    { title: 'An older alert', rule: 'OLD', severity: 'low', actor: 'bob@example.com', firstSeen: at(40), lastSeen: at(30), count: 1 },
  ]);
  ui = await startUiSession(bed);
});
after(async () => { await ui?.close(); await bed?.close(); });

test('the technique is tagged in the list and named in the detail, with the outcomes; alerts without one show none', async () => {
  const [withTechnique, without] = alerts as [Alert, Alert];
  const page = await ui.openAs(['analyst'], '/ui/alerts');
  await page.waitForSelector('table.alerts tbody tr');
  assert.equal(await page.textContent(`tr[data-alert-id="${withTechnique.id}"] td.title .technique`), 'T1552.007');
  assert.equal(await page.getAttribute(`tr[data-alert-id="${withTechnique.id}"] td.title .technique`, 'title'), 'Unsecured Credentials: Container API');
  assert.equal(await page.$(`tr[data-alert-id="${without.id}"] td.title .technique`), null);
  await page.click(`tr[data-alert-id="${withTechnique.id}"] td.title a`);
  await page.waitForSelector('.alert-detail .technique');
  assert.equal(await page.textContent('.alert-detail .technique'), 'T1552.007 Unsecured Credentials: Container API');
  const facts = await page.$$eval('.alert-detail dl.facts dt', (dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));
  assert.deepEqual(facts.find(([term]) => term === 'Outcome'), ['Outcome', '1 allowed, 2 refused']);
  await ui.screenshot(page, 'alert-technique');
});
