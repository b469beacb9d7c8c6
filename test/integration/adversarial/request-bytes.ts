/** Builds raw HTTP/1.x request bytes exactly as written: nothing is added, fixed or re-framed behind the caller's back. */

/** A header as it goes on the wire; the name may carry odd case or spaces on purpose. */
export type RawHeader = readonly [string, string];

/** One request, verbatim. */
export interface RawRequest {
  readonly method: string;
  readonly target: string;
  /** `HTTP/1.1` unless told; an empty string writes an HTTP/0.9 request line. */
  readonly version?: string;
  readonly headers: readonly RawHeader[];
  /** Written after the blank line, as is (no length or chunking added). */
  readonly body?: Buffer | string;
  /** Line ending of the head: CRLF unless told (a bare LF is a case of its own). */
  readonly eol?: string;
}

/** The request's bytes. */
export function requestBytes(request: RawRequest): Buffer {
  const eol = request.eol ?? '\r\n';
  const version = request.version ?? 'HTTP/1.1';
  const line = version === '' ? `${request.method} ${request.target}` : `${request.method} ${request.target} ${version}`;
  const head = [line, ...request.headers.map(([n, v]) => `${n}: ${v}`)].join(eol) + eol + eol;
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'latin1');
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** `data` as well-formed chunks of at most `size` bytes, then the last chunk and the empty trailer section. */
export function chunkedBody(data: Buffer | string, size = 64, extension = ''): Buffer {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    const piece = bytes.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}${extension}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0${extension}\r\n\r\n`, 'latin1'));
  return Buffer.concat(parts);
}

/** The length of `body` in bytes, as a Content-Length value. */
export function lengthOf(body: Buffer | string): string {
  return String(Buffer.isBuffer(body) ? body.length : Buffer.byteLength(body, 'latin1'));
}
