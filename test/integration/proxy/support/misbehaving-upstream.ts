import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { createSelfSignedCert } from '../../../../services/proxy/src/tls/self-signed-cert.js';

/** One request the fake API server read, with the connection it came on (numbered from 1 in order of accept). */
export interface SeenRequest {
  readonly connection: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * How the fake answers one request: raw bytes written on the socket, in order, each after `delayMs` (default 0);
 * `readBody: false` answers right after the headers (an early answer) and reads the body afterwards.
 */
export interface Behavior {
  readonly writes: ReadonlyArray<{ readonly bytes: string | Buffer; readonly delayMs?: number }>;
  readonly readBody?: boolean;
  readonly close?: boolean;
}

/** A raw TLS server playing a broken or hostile Kubernetes API server, scripted per request. */
export interface MisbehavingUpstream {
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  readonly requests: SeenRequest[];
  /** A kubeconfig (in `dir`) that points the gateway at this server. */
  kubeconfig(dir: string): string;
  close(): Promise<void>;
}

/** A well-formed HTTP/1.1 answer with a Content-Length. */
export function answer(status: number, headers: Record<string, string>, body: string | Buffer): string | Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  let head = `HTTP/1.1 ${status} X\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return Buffer.concat([Buffer.from(`${head}Content-Length: ${bytes.length}\r\n\r\n`, 'latin1'), bytes]);
}

/** A JSON answer, as the API server sends one. */
export function jsonAnswer(status: number, value: unknown): string | Buffer {
  return answer(status, { 'Content-Type': 'application/json' }, JSON.stringify(value));
}

/**
 * Starts the fake. `behave` picks each request's answer; the server parses requests itself (Content-Length or no
 * body; the gateway frames every body it sends), keeps connections open unless told to close, and counts them.
 */
export async function startMisbehavingUpstream(behave: (request: SeenRequest) => Behavior): Promise<MisbehavingUpstream> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<TLSSocket>();
  let accepted = 0;
  const server = createServer({ ...createSelfSignedCert(['127.0.0.1', 'localhost']), ALPNProtocols: ['http/1.1'] }, (socket) => {
    const connection = ++accepted;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    let busy = false;
    const next = (): void => {
      if (busy) return;
      const end = pending.indexOf('\r\n\r\n');
      if (end === -1) return;
      const lines = pending.subarray(0, end).toString('latin1').split('\r\n');
      const [method = '', path = ''] = lines[0]!.split(' ');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      const request0 = { connection, method, path, headers };
      const behavior = behave({ ...request0, body: Buffer.alloc(0) });
      if (behavior.readBody !== false && pending.length < end + 4 + length) return;
      busy = true;
      const bodyEnd = end + 4 + length;
      if (behavior.readBody !== false) {
        requests.push({ ...request0, body: pending.subarray(end + 4, bodyEnd) });
        pending = pending.subarray(bodyEnd);
      } else {
        // An early answer: the rest of the body stays unread (so the gateway is still sending it) until after the answer.
        requests.push({ ...request0, body: Buffer.alloc(0) });
        socket.pause();
      }
      void (async () => {
        for (const write of behavior.writes) {
          if (write.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, write.delayMs));
          if (!socket.destroyed) socket.write(write.bytes);
        }
        if (behavior.close === true) { socket.end(); return; }
        if (behavior.readBody === false) {
          // The early answer is out; the rest of the request body is read (and dropped) before the next request.
          await new Promise((resolve) => setTimeout(resolve, 300));
          socket.resume();
          await new Promise<void>((resolve) => {
            const check = (): void => {
              if (pending.length < bodyEnd && !socket.destroyed) return;
              socket.removeListener('data', check);
              resolve();
            };
            socket.on('data', check);
            socket.once('close', () => { socket.removeListener('data', check); resolve(); });
            check();
          });
          pending = pending.subarray(Math.min(bodyEnd, pending.length));
        }
        busy = false;
        next();
      })();
    };
    socket.on('data', (chunk: Buffer) => { pending = Buffer.concat([pending, chunk]); next(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port, requests,
    connections: () => accepted,
    kubeconfig(dir: string): string {
      const file = join(dir, 'misbehaving-upstream.kubeconfig');
      writeFileSync(file, [
        'apiVersion: v1', 'kind: Config',
        `clusters: [{name: fake, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: gateway, user: {token: "fake-upstream-token"}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: gateway}}]', 'current-context: fake', '',
      ].join('\n'), { mode: 0o600 });
      return file;
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
