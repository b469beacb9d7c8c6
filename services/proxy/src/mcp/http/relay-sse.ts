import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSseParser, type SseEvent } from '../jsonrpc/sse-parser.js';
import { relayedHeaders } from './gate-io.js';

/** What {@link relaySse} reports as the stream flows. */
export interface SseRelayHandlers {
  onEvent(ev: SseEvent): void;
  /** The stream ended: `clean` when the MCP server closed it, else why it broke. */
  onEnd(how: { clean: boolean; reason?: string; events: number; bytes: number }): void;
}

/**
 * Relays an MCP server's SSE stream to the client byte for byte (with backpressure), parsing its events as they pass
 * so each message is audited. A client that goes away ends the upstream stream; an upstream that breaks ends the
 * client's. `beforeEnd` may write a last event (an error answer) before the client's stream is closed.
 */
export function relaySse(upstream: IncomingMessage, res: ServerResponse, maxEventBytes: number, h: SseRelayHandlers, beforeEnd?: () => string | undefined): void {
  const parser = createSseParser(maxEventBytes);
  let events = 0;
  let bytes = 0;
  let ended = false;
  const finish = (clean: boolean, reason?: string): void => {
    if (ended) return;
    ended = true;
    const tail = beforeEnd?.();
    if (!res.destroyed && !res.writableEnded) { if (tail !== undefined) res.write(tail); res.end(); }
    h.onEnd({ clean, events, bytes, ...(reason === undefined ? {} : { reason }) });
  };
  res.writeHead(upstream.statusCode ?? 200, { ...relayedHeaders(upstream), 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  upstream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (!res.destroyed && !res.write(chunk)) { upstream.pause(); res.once('drain', () => upstream.resume()); }
    for (const ev of parser.push(chunk)) { events += 1; h.onEvent(ev); }
  });
  upstream.once('end', () => finish(true));
  upstream.once('error', (error: Error) => finish(false, error.message));
  upstream.once('aborted', () => finish(false, 'the MCP server broke the stream'));
  res.once('close', () => { if (!ended) { upstream.destroy(); finish(false, 'the client closed the stream'); } });
}
