/** Sends hand-made bytes to the gateway over one TLS connection and collects every byte it answers, under bounds. */
import { connect } from 'node:tls';
import { parseResponses, type ParsedConnection } from './http-response-parser.js';

/** What to send on one connection. */
export interface RawSend {
  readonly port: number;
  /** Written in order, `pauseMs` apart (a split lets a request arrive in pieces). */
  readonly parts: readonly Buffer[];
  /** Request methods in order, so HEAD answers are read without a body. */
  readonly methods: readonly string[];
  /** How many answers make the exchange complete. */
  readonly expect: number;
  readonly pauseMs?: number;
  /** Half-close after the last write (the request is cut short on purpose). */
  readonly halfClose?: boolean;
  /** Stop after this long without a byte from the gateway. */
  readonly idleMs?: number;
  /** Stop after this long whatever happens. */
  readonly timeoutMs?: number;
  /** How long to keep reading after a 101 (what the upgraded stream carries is scanned too). */
  readonly upgradeLingerMs?: number;
}

/** How the exchange ended. */
export type RawEnd = 'done' | 'closed' | 'idle' | 'timeout' | 'error';

/** Everything the gateway wrote back, parsed, and how the connection ended. */
export interface RawResult extends ParsedConnection {
  readonly raw: Buffer;
  readonly end: RawEnd;
  readonly error?: string;
  readonly elapsedMs: number;
}

const MAX_BYTES = 8 * 1024 * 1024;

/** Performs one raw exchange; never rejects (a failure is part of the result). */
export function rawExchange(send: RawSend): Promise<RawResult> {
  const idleMs = send.idleMs ?? 2000;
  const timeoutMs = send.timeoutMs ?? 10_000;
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    let linger: NodeJS.Timeout | undefined;
    let closed = false;
    const socket = connect({ host: '127.0.0.1', port: send.port, rejectUnauthorized: false, servername: 'localhost' });
    const parse = (): ParsedConnection => parseResponses(Buffer.concat(chunks, size), send.methods, closed);
    const finish = (end: RawEnd, error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(hard); clearTimeout(idle); clearTimeout(linger);
      socket.destroy();
      const raw = Buffer.concat(chunks, size);
      resolve({ ...parseResponses(raw, send.methods, closed || end === 'closed'), raw, end, ...(error === undefined ? {} : { error }), elapsedMs: Date.now() - started });
    };
    const hard = setTimeout(() => finish('timeout'), timeoutMs);
    const armIdle = (): void => { clearTimeout(idle); idle = setTimeout(() => finish('idle'), idleMs); };
    socket.on('secureConnect', () => {
      void (async () => {
        for (const [i, part] of send.parts.entries()) {
          if (settled || socket.destroyed) return;
          if (i > 0 && (send.pauseMs ?? 0) > 0) await new Promise((r) => setTimeout(r, send.pauseMs));
          // A gateway that already closed makes this write fail; what it answered is still read.
          await new Promise<void>((r) => socket.write(part, () => r()));
        }
        if (send.halfClose === true && !socket.destroyed) socket.end();
        armIdle();
      })();
    });
    socket.on('data', (chunk: Buffer) => {
      if (size < MAX_BYTES) { chunks.push(chunk); size += chunk.length; }
      armIdle();
      if (linger !== undefined) return;
      const parsed = parse();
      if (parsed.responses.some((r) => r.upgraded)) {
        linger = setTimeout(() => finish('done'), send.upgradeLingerMs ?? 800);
        return;
      }
      const complete = parsed.responses.filter((r) => r.complete && !parsed.closeDelimited).length;
      if (complete >= send.expect) finish('done');
    });
    socket.on('end', () => { closed = true; finish('closed'); });
    socket.on('close', () => { closed = true; finish('closed'); });
    socket.on('error', (error: Error & { code?: string }) => finish(size > 0 ? 'closed' : 'error', error.code ?? error.message));
  });
}
