/** One headless Chromium per UI test file: pages signed in through the URL fragment, checked screenshots, cleanup. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, pngSize } from './browser.js';
import type { QueryTestbed } from './query-harness.js';

/** The viewport of every page, and so of every screenshot. */
export const VIEWPORT = { width: 1280, height: 800 };

/** A browser bound to one testbed. */
export interface UiSession {
  readonly browser: Browser;
  /** Opens `path` in a fresh context, signed in (`#token=`) with a token for `roles` (and `username`). */
  openAs(roles: string[], path: string, username?: string): Promise<Page>;
  /** Saves a screenshot and checks it is a real PNG of the viewport with content; returns its sha256. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Closes the browser; removes the screenshots unless AUDITGATE_UI_SHOTS_DIR asked to keep them. */
  close(): Promise<void>;
}

/** Launches Chromium for `bed`; AUDITGATE_UI_SHOTS_DIR keeps the screenshots for a human to look at. */
export async function startUiSession(bed: QueryTestbed): Promise<UiSession> {
  const keep = process.env['AUDITGATE_UI_SHOTS_DIR'];
  const shotsDir = keep ?? await mkdtemp(join(tmpdir(), 'auditgate-ui-'));
  const browser = await launchChromium();
  return {
    browser,
    async openAs(roles, path, username) {
      const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${bed.baseUrl}${path}#token=${await bed.tokenFor(roles, username)}`);
      return page;
    },
    async screenshot(page, name) {
      const png = await page.screenshot();
      await writeFile(join(shotsDir, `${name}.png`), png);
      assert.deepEqual(pngSize(png), VIEWPORT, `${name}: PNG dimensions`);
      assert.ok(png.length > 15_000, `${name}: a PNG of ${png.length} bytes is too small to hold the page`);
      return createHash('sha256').update(png).digest('hex');
    },
    async close() {
      await browser.close();
      if (keep === undefined) await rm(shotsDir, { recursive: true, force: true });
    },
  };
}
