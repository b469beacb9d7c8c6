/** Picks free loopback TCP ports by binding port 0 (parallel test runs on this machine use fixed and random ports). */
import { createServer } from 'node:net';

/** One currently free port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
