import { Transform, type Readable } from 'node:stream';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { JsonSyntax } from './json-syntax.js';

/** The error a relayed body that is not JSON ends with: the caller's answer is cut, the event says where. */
export function notJson(offset: number): AppError {
  return new AppError(`the API server's answer cannot be inspected by the gateway (the body is not valid JSON at byte ${offset}), so it is not relayed`, {
    code: ErrorCodes.UPSTREAM_UNINSPECTABLE, status: 502,
  });
}

/**
 * Checks the JSON syntax of `body` as its bytes arrive (nothing is buffered or built) and returns the gate its bytes
 * pass through toward the caller. `onInvalid` hears at once when the body stops being JSON, before the body's own
 * 'end' listeners (so the connection can be dropped before it goes back to a pool); the gate then fails with
 * {@link notJson}. One value (`sequence: false`) is held back by one chunk, so a body that turns out to be cut or
 * invalid at its end never reaches the caller whole; a sequence (a watch) flows as it comes and fails mid-stream.
 */
export function jsonCheckStream(body: Readable, sequence: boolean, onInvalid: (error: AppError) => void): Transform {
  const syntax = new JsonSyntax(sequence);
  let error: AppError | undefined;
  const invalid = (): void => {
    if (error !== undefined) return;
    error = notJson(syntax.errorOffset);
    onInvalid(error);
  };
  body.prependListener('data', (chunk: Buffer) => { if (!syntax.push(chunk)) invalid(); });
  body.prependListener('end', () => { if (!syntax.end()) invalid(); });
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (error !== undefined) { callback(error); return; }
      if (sequence) { callback(null, chunk); return; }
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback) {
      if (error !== undefined) callback(error);
      else callback(null, held);
    },
  });
}
