/**
 * Reads every document of every index of an OpenSearch node (system `.` indices aside) and reports needles found.
 * The stack's OpenSearch outlives test runs, while the needles are the Secret values written during one run: a short
 * value such as `k: v` also sits, innocently, in documents of earlier runs. A document whose every timestamp is before
 * the window is therefore not of the run and is not judged; a document without any timestamp always is.
 */
import type { Needle } from './leak-needles.js';
import type { Leak, ScanReport } from './scan-kafka.js';
import { SubstringMatcher } from './substring-matcher.js';

async function call(url: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`OpenSearch ${method} ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return await res.json() as Record<string, unknown>;
}

const ISO_TIME = /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))"/g;

/** The newest ISO 8601 timestamp among the JSON string values of `text` (ms), if it has any. */
export function newestTimestampMs(text: string): number | undefined {
  let newest: number | undefined;
  for (const m of text.matchAll(ISO_TIME)) {
    const ms = Date.parse(m[1]!);
    if (Number.isFinite(ms) && (newest === undefined || ms > newest)) newest = ms;
  }
  return newest;
}

/** Scans every document of every non-system index (refreshed first) that is of the window starting at `sinceMs`. */
export async function scanOpenSearch(url: string, needles: readonly Needle[], sinceMs = 0): Promise<ScanReport> {
  const matcher = new SubstringMatcher(needles.map((n) => n.text));
  const indices = ((await call(url, 'GET', '/_cat/indices?format=json&expand_wildcards=all')) as unknown as Array<{ index: string }>)
    .map((i) => i.index).filter((i) => !i.startsWith('.'));
  const leaks: Leak[] = [];
  const perSource: Record<string, number> = {};
  let scanned = 0;
  for (const index of indices) {
    await call(url, 'POST', `/${encodeURIComponent(index)}/_refresh`).catch(() => undefined);
    let res: Record<string, unknown>;
    try {
      res = await call(url, 'POST', `/${encodeURIComponent(index)}/_search?scroll=1m`, { size: 500, sort: ['_doc'], query: { match_all: {} } });
    } catch (error) {
      if (/answered 404/.test((error as Error).message)) continue; // deleted since it was listed
      throw error;
    }
    try {
      for (let page = 0; page < 100_000; page += 1) {
        const hits = ((res['hits'] as { hits?: Array<{ _id: string; _source: unknown }> } | undefined)?.hits ?? []);
        if (hits.length === 0) break;
        for (const h of hits) {
          const text = `${h._id}\n${JSON.stringify(h._source)}`;
          const newest = newestTimestampMs(text);
          if (newest !== undefined && newest < sinceMs) continue;
          scanned += 1;
          perSource[index] = (perSource[index] ?? 0) + 1;
          for (const i of matcher.find(text)) {
            const n = needles[i]!;
            leaks.push({ where: `${index}/${h._id}`, form: n.form, key: n.secret.key, valueStart: `${n.secret.value.slice(0, 3)}…` });
          }
        }
        res = await call(url, 'POST', '/_search/scroll', { scroll: '1m', scroll_id: res['_scroll_id'] });
      }
    } finally {
      if (typeof res['_scroll_id'] === 'string') await call(url, 'DELETE', '/_search/scroll', { scroll_id: res['_scroll_id'] }).catch(() => undefined);
    }
  }
  return { sources: indices.length, scanned, perSource, leaks };
}
