/** Streams one large LIST through a proxy, discarding it, while sampling the proxy's RSS. */
import { request, Agent } from 'node:https';
import { readRssBytes } from './process-rss.js';

/** What streaming the list showed. */
export interface StreamListResult {
  readonly status: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly samples: number;
  readonly rssBeforeBytes: number;
  readonly rssMaxBytes: number;
  readonly rssGrowthBytes: number;
}

/** GETs `url` with `token`, counting and dropping the body, sampling `pid`'s RSS every `sampleMs`; gives up after `timeoutMs`. */
export async function streamListSamplingRss(options: { url: string; token: string; pid: number; sampleMs: number; timeoutMs: number }): Promise<StreamListResult> {
  const agent = new Agent({ keepAlive: false, rejectUnauthorized: false });
  const rssBeforeBytes = readRssBytes(options.pid);
  let rssMaxBytes = rssBeforeBytes;
  let samples = 1;
  const sampler = setInterval(() => { rssMaxBytes = Math.max(rssMaxBytes, readRssBytes(options.pid)); samples += 1; }, options.sampleMs);
  const t0 = Date.now();
  try {
    const { status, bytes } = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      const req = request(options.url, { agent, headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => { bytes += chunk.length; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      });
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`list did not finish in ${options.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
    // One more beat of samples: buffers released at the end still count as held while streaming.
    await new Promise((r) => setTimeout(r, options.sampleMs * 2));
    rssMaxBytes = Math.max(rssMaxBytes, readRssBytes(options.pid));
    return { status, bytes, seconds: (Date.now() - t0) / 1000, samples, rssBeforeBytes, rssMaxBytes, rssGrowthBytes: rssMaxBytes - rssBeforeBytes };
  } finally {
    clearInterval(sampler);
    agent.destroy();
  }
}
