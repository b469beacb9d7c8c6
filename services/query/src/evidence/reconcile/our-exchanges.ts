import type { Client } from '@opensearch-project/opensearch';
import type { OurExchange } from './reconcile.js';

const FIELDS = ['auditID', 'verb', 'requestURI', 'objectRef', 'responseStatus', 'complete', 'auditgate.errorCode', 'requestReceivedTimestamp'];

/** Our exchanges received in [from - marginMs, to + marginMs], light (no bodies), from the events alias. */
export async function loadOurExchanges(client: Client, index: string, from: number, to: number, marginMs = 60_000): Promise<OurExchange[]> {
  const out: OurExchange[] = [];
  let after: unknown[] | undefined;
  for (;;) {
    const response = await client.search({
      index, ignore_unavailable: true, allow_no_indices: true,
      body: {
        size: 5000, _source: { includes: FIELDS }, track_total_hits: false,
        query: { range: { requestReceivedTimestamp: { gte: new Date(from - marginMs).toISOString(), lte: new Date(to + marginMs).toISOString() } } },
        sort: [{ requestReceivedTimestamp: 'asc' }, { auditID: 'asc' }], ...(after === undefined ? {} : { search_after: after }),
      } as never,
    });
    const hits = response.body.hits.hits as unknown as Array<{ _source: Record<string, any>; sort: unknown[] }>;
    for (const { _source: s } of hits) {
      out.push({
        auditID: String(s['auditID']), verb: String(s['verb'] ?? ''), requestURI: String(s['requestURI'] ?? ''),
        ...(s['objectRef'] === undefined ? {} : { objectRef: s['objectRef'] }),
        ...(typeof s['responseStatus']?.['code'] === 'number' ? { code: s['responseStatus']['code'] } : {}),
        complete: s['complete'] === true,
        ...(typeof s['auditgate']?.['errorCode'] === 'string' ? { errorCode: s['auditgate']['errorCode'] } : {}),
        receivedAt: Date.parse(String(s['requestReceivedTimestamp']).replace(/(\.\d{3})\d+/, '$1')),
      });
    }
    if (hits.length < 5000) return out;
    after = hits.at(-1)!.sort;
  }
}
