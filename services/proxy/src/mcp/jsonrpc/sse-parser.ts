/** One Server-Sent Event. */
export interface SseEvent {
  readonly event?: string;
  readonly id?: string;
  readonly data: string;
  /** True when the data exceeded the bound and was cut (not parseable as a message). */
  readonly truncated: boolean;
  /** Bytes of the event on the wire. */
  readonly bytes: number;
}

/** An incremental SSE parser (WHATWG event stream rules: CR, LF or CRLF line ends; `data` lines joined by LF). */
export interface SseParser {
  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Buffer): SseEvent[];
}

/** Creates a parser that keeps at most `maxEventBytes` of one event's data (the rest is counted, not kept). */
export function createSseParser(maxEventBytes: number): SseParser {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let skipLf = false;
  let data: string[] = [];
  let dataBytes = 0;
  let truncated = false;
  let eventType: string | undefined;
  let lastId: string | undefined;
  let wire = 0;
  let sawField = false;

  function line(text: string, out: SseEvent[]): void {
    if (text === '') {
      if (sawField && (data.length > 0 || truncated)) {
        out.push({ data: data.join('\n'), truncated, bytes: wire, ...(eventType === undefined ? {} : { event: eventType }), ...(lastId === undefined ? {} : { id: lastId }) });
      }
      data = []; dataBytes = 0; truncated = false; eventType = undefined; wire = 0; sawField = false;
      return;
    }
    sawField = true;
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      dataBytes += value.length + 1;
      if (dataBytes > maxEventBytes) truncated = true;
      else data.push(value);
    } else if (field === 'event') eventType = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
  }

  return {
    push(chunk) {
      const out: SseEvent[] = [];
      wire += chunk.length;
      let text = pending + decoder.decode(chunk, { stream: true });
      pending = '';
      let start = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 && skipLf) { skipLf = false; start = i + 1; continue; }
        skipLf = false;
        if (c === 10 || c === 13) {
          line(text.slice(start, i), out);
          if (c === 13) skipLf = true;
          start = i + 1;
        }
      }
      text = text.slice(start);
      // A line longer than the bound is kept only up to it (the rest is dropped, the event marked truncated).
      if (text.length > maxEventBytes + 64) { truncated = true; text = text.slice(0, 64); }
      pending = text;
      return out;
    },
  };
}
