/**
 * An HTTP relay in front of OpenSearch for one row's indexer, so the "indexer SIGKILLed mid-batch" fault can see a bulk
 * in flight instead of guessing from the group's lag. With `hold` on, a `_bulk` request still reaches OpenSearch (the
 * documents are written) but its answer is kept back: the indexer has a batch in hand whose offsets it cannot commit,
 * and a SIGKILL then is certainly mid-batch; the restarted indexer writes those documents again.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** A running relay. */
export interface BulkRelay {
  /** Where the indexer connects (`http://127.0.0.1:<port>`). */
  readonly url: string;
  /** While true, answers to `_bulk` requests are kept back (the request itself is forwarded). */
  hold: boolean;
  /** `_bulk` requests forwarded and not answered yet (held ones included). */
  readonly bulksInFlight: number;
  /** `_bulk` requests OpenSearch answered whose answer is being held, and the documents they carried. */
  readonly held: { readonly bulks: number; readonly docs: number };
  /** Drops the held answers' connections (their client is gone) and forgets them. */
  dropHeld(): void;
  close(): Promise<void>;
}

const isBulk = (req: IncomingMessage): boolean => req.method === 'POST' && /(^|\/)_bulk(\?|$)/.test(req.url ?? '');

/** Starts a relay on 127.0.0.1 (any port) to the OpenSearch at `target` (an http:// URL). */
export async function startBulkRelay(target: string): Promise<BulkRelay> {
  const to = new URL(target);
  let inFlight = 0;
  let held: Array<{ res: ServerResponse; docs: number }> = [];
  const relay: BulkRelay = {
    url: '', hold: false,
    get bulksInFlight() { return inFlight; },
    get held() { return { bulks: held.length, docs: held.reduce((n, h) => n + h.docs, 0) }; },
    dropHeld() { for (const h of held) h.res.destroy(); held = []; },
    async close() { relay.dropHeld(); server.closeAllConnections(); server.close(); await once(server, 'close'); },
  };
  const server: Server = createServer((req, res) => {
    const bulk = isBulk(req);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (bulk) inFlight += 1;
      let settled = false;
      const settle = (): void => { if (bulk && !settled) { settled = true; inFlight -= 1; } };
      const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          if (bulk && relay.hold) {
            // One action line and one document line per op (the indexer's bulks are updates).
            held.push({ res, docs: Math.floor(body.toString('utf8').split('\n').filter((l) => l !== '').length / 2) });
            return;
          }
          settle();
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(parts));
        });
        answer.on('error', () => { settle(); res.destroy(); });
      });
      up.on('error', () => { settle(); res.destroy(); });
      res.on('close', settle);
      up.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  (relay as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return relay;
}
