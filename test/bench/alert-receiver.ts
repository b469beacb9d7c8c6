/** The detector benchmark's webhook sink: a local HTTP server that timestamps every alert on arrival. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../../services/detector/src/engine/alert.js';

/** A listening receiver; `close()` is safe to call twice. */
export interface AlertReceiver {
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (any port) and calls `onAlert` with each posted alert and `now()` read when its body ended. */
export async function startAlertReceiver(onAlert: (alert: Alert, arrivedAt: number) => void, now: () => number = () => performance.now()): Promise<AlertReceiver> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = now();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      try { onAlert(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Alert, arrivedAt); } catch { /* not an alert: ignored */ }
    });
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    close: () => (closing ??= new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); })),
  };
}
