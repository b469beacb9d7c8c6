/** Reads every document of every index of an OpenSearch node (system `.` indices aside) and reports needles found. */
import type { Needle } from './leak-needles.js';
import type { Leak, ScanReport } from './scan-kafka.js';
import { SubstringMatcher } from './substring-matcher.js';

async function call(url: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (!res.ok) throw new Error(`OpenSearch ${method} ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return await res.json() as Record<string, unknown>;
}

/** Scans every document of every non-system index (refreshed first). */
export async function scanOpenSearch(url: string, needles: readonly Needle[]): Promise<ScanReport> {
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
          scanned += 1;
          perSource[index] = (perSource[index] ?? 0) + 1;
          for (const i of matcher.find(`${h._id}\n${JSON.stringify(h._source)}`)) {
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
