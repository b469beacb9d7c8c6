/** Parses the HTTP/1.x responses a gateway wrote on one connection, from raw bytes, without trusting any of them. */

/** One response as it arrived: status, headers in arrival order, body (de-chunked), and whether it was complete. */
export interface ParsedResponse {
  readonly statusCode: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** False when the connection ended before the declared body did. */
  readonly complete: boolean;
  /** A 101: what followed is the upgraded stream, kept in `body`. */
  readonly upgraded: boolean;
}

/** What the bytes of one connection contain. */
export interface ParsedConnection {
  readonly responses: ParsedResponse[];
  /** Bytes that do not start a valid status line (an HTTP answer must not contain them). */
  readonly garbage: Buffer | undefined;
  /** The last response reads to the end of the connection (no length, not chunked). */
  readonly closeDelimited: boolean;
}

/** Every value of header `name` (case-insensitive) in `response`. */
export function headerValues(response: ParsedResponse, name: string): string[] {
  const lower = name.toLowerCase();
  return response.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The first value of header `name`, or undefined. */
export function headerValue(response: ParsedResponse, name: string): string | undefined {
  return headerValues(response, name)[0];
}

const STATUS_LINE = /^HTTP\/\d\.\d (\d{3})(?: .*)?$/;

interface Dechunked { body: Buffer; end: number; complete: boolean }

function dechunk(data: Buffer, start: number): Dechunked {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', pos);
    if (lineEnd === -1) return { body: Buffer.concat(parts), end: data.length, complete: false };
    const size = Number.parseInt(data.subarray(pos, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) return { body: Buffer.concat([...parts, data.subarray(pos)]), end: data.length, complete: false };
    pos = lineEnd + 2;
    if (size === 0) {
      // Trailers, then the empty line.
      const trailerEnd = data.indexOf('\r\n', pos) === pos ? pos : data.indexOf('\r\n\r\n', pos);
      if (trailerEnd === -1) return { body: Buffer.concat(parts), end: data.length, complete: false };
      return { body: Buffer.concat(parts), end: trailerEnd + (trailerEnd === pos ? 2 : 4), complete: true };
    }
    if (pos + size + 2 > data.length) return { body: Buffer.concat([...parts, data.subarray(pos, Math.min(pos + size, data.length))]), end: data.length, complete: false };
    parts.push(data.subarray(pos, pos + size));
    pos += size + 2;
  }
}

/**
 * Splits `data` into responses; `methods` are the request methods in order (a HEAD answer has no body).
 * Interim 1xx answers other than 101 are skipped.
 */
export function parseResponses(data: Buffer, methods: readonly string[], closed: boolean): ParsedConnection {
  const responses: ParsedResponse[] = [];
  let pos = 0;
  let closeDelimited = false;
  while (pos < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', pos);
    const statusEnd = data.indexOf('\r\n', pos);
    const statusLine = data.subarray(pos, statusEnd === -1 ? Math.min(data.length, pos + 64) : statusEnd).toString('latin1');
    const match = STATUS_LINE.exec(statusLine);
    if (match === null) {
      if (!'HTTP/1.1 '.startsWith(statusLine.slice(0, 9)) || statusEnd !== -1) return { responses, garbage: data.subarray(pos), closeDelimited };
      break;
    }
    if (headEnd === -1) break;
    const statusCode = Number(match[1]);
    const headers: Array<[string, string]> = [];
    for (const line of data.subarray(statusEnd + 2, headEnd).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
    const bodyStart = headEnd + 4;
    if (statusCode === 101) {
      responses.push({ statusCode, headers, body: data.subarray(bodyStart), complete: true, upgraded: true });
      return { responses, garbage: undefined, closeDelimited: false };
    }
    if (statusCode >= 100 && statusCode < 200) { pos = bodyStart; continue; }
    const method = (methods[responses.length] ?? 'GET').toUpperCase();
    const probe: ParsedResponse = { statusCode, headers, body: Buffer.alloc(0), complete: true, upgraded: false };
    const te = headerValue(probe, 'transfer-encoding');
    const length = headerValue(probe, 'content-length');
    if (method === 'HEAD' || statusCode === 204 || statusCode === 304) {
      responses.push(probe);
      pos = bodyStart;
    } else if (te !== undefined && /chunked/i.test(te)) {
      const chunked = dechunk(data, bodyStart);
      responses.push({ ...probe, body: chunked.body, complete: chunked.complete });
      pos = chunked.end;
      if (!chunked.complete) break;
    } else if (length !== undefined && /^\d+$/.test(length)) {
      const end = bodyStart + Number(length);
      responses.push({ ...probe, body: data.subarray(bodyStart, Math.min(end, data.length)), complete: end <= data.length });
      pos = Math.min(end, data.length);
      if (end > data.length) break;
    } else {
      responses.push({ ...probe, body: data.subarray(bodyStart), complete: closed });
      closeDelimited = true;
      pos = data.length;
    }
  }
  return { responses, garbage: undefined, closeDelimited };
}
