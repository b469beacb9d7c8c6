/** Holds many concurrent watches open through a proxy and reads the proxy's RSS while they are open. */
import { request, Agent } from 'node:https';
import type { ClientRequest } from 'node:http';
import { readRssBytes } from './process-rss.js';

/** What holding the watches showed. */
export interface WatchesResult {
  readonly requested: number;
  /** Watches that got a 200 with headers within the deadline. */
  readonly established: number;
  readonly failed: number;
  readonly rssBeforeBytes: number;
  readonly rssWithWatchesBytes: number;
  readonly openSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens `count` watches of `path` on `baseUrl` at `openPerSecond`, waits up to `establishMs`, samples `pid`'s RSS, closes them. */
export async function holdWatches(options: {
  baseUrl: string; path: string; token: string; pid: number; count: number; openPerSecond: number; establishMs: number;
}): Promise<WatchesResult> {
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity, rejectUnauthorized: false });
  const requests: ClientRequest[] = [];
  let established = 0;
  let failed = 0;
  const rssBeforeBytes = readRssBytes(options.pid);
  const t0 = Date.now();
  try {
    for (let i = 0; i < options.count; i += 1) {
      let settled = false;
      const req = request(`${options.baseUrl}${options.path}`, {
        agent, headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
      }, (res) => {
        settled = true;
        if (res.statusCode === 200) established += 1; else failed += 1;
        res.on('data', () => undefined);
        res.on('error', () => undefined);
      });
      req.on('error', () => { if (!settled) { settled = true; failed += 1; } });
      req.end();
      requests.push(req);
      if ((i + 1) % Math.max(1, Math.round(options.openPerSecond / 20)) === 0) await sleep(50);
    }
    const deadline = Date.now() + options.establishMs;
    while (established + failed < options.count && Date.now() < deadline) await sleep(100);
    const openSeconds = (Date.now() - t0) / 1000;
    await sleep(2000);
    let rss = 0;
    for (let i = 0; i < 10; i += 1) { rss = Math.max(rss, readRssBytes(options.pid)); await sleep(200); }
    return { requested: options.count, established, failed, rssBeforeBytes, rssWithWatchesBytes: rss, openSeconds };
  } finally {
    for (const req of requests) req.destroy();
    agent.destroy();
  }
}
