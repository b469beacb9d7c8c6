/**
 * The webhook the detector pages: records every POST and whether it was accepted. Pages are counted as accepted POSTs,
 * not as distinct keys, so a second delivery of the same page shows up as a duplicate instead of hiding behind its
 * Idempotency-Key. `failing` makes it answer 503 (a receiver down for part of the time).
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** One POST the receiver answered. */
export interface PagePost {
  readonly idempotencyKey: string;
  readonly alertId: string;
  readonly status: number;
  readonly at: number;
}

/** A running receiver. */
export interface PageReceiver {
  readonly url: string;
  readonly posts: PagePost[];
  /** While true, every POST is answered 503. */
  failing: boolean;
  /** Accepted POSTs per Idempotency-Key. */
  accepted(): Map<string, number>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 (any port). */
export async function startPageReceiver(): Promise<PageReceiver> {
  const posts: PagePost[] = [];
  const receiver: PageReceiver = {
    url: '', posts, failing: false,
    accepted() {
      const out = new Map<string, number>();
      for (const p of posts) if (p.status < 300) out.set(p.idempotencyKey, (out.get(p.idempotencyKey) ?? 0) + 1);
      return out;
    },
    async close() { server.closeAllConnections(); server.close(); await once(server, 'close'); },
  };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = receiver.failing ? 503 : 200;
      posts.push({ idempotencyKey: String(req.headers['idempotency-key'] ?? ''), alertId: String(req.headers['x-auditgate-alert-id'] ?? ''), status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"ok":true}' : '{"error":"unavailable"}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
