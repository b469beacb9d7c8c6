/** A minimal HTTPS client for the benchmark: one request, its status and (optionally) its body, under a deadline. */
import { request, type Agent } from 'node:https';

/** What one request sends. */
export interface HttpCall {
  readonly url: string;
  readonly token: string;
  readonly agent: Agent;
  readonly method?: string;
  readonly body?: unknown;
  readonly timeoutMs?: number;
}

/** What one request got back. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly bytes: number;
}

/** Sends `call`; keeps the body as text when `keepBody` (otherwise only counts its bytes). */
export function httpCall(call: HttpCall, keepBody = true): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    const req = request(call.url, {
      method: call.method ?? 'GET', agent: call.agent,
      headers: {
        authorization: `Bearer ${call.token}`, accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': payload.length }),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => { bytes += chunk.length; if (keepBody) chunks.push(chunk); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), bytes }));
      res.on('error', reject);
    });
    req.setTimeout(call.timeoutMs ?? 60_000, () => req.destroy(new Error(`${call.method ?? 'GET'} ${call.url} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Like `httpCall`, but rejects unless the status is 2xx (or one of `alsoOk`). */
export async function httpOk(call: HttpCall, alsoOk: readonly number[] = []): Promise<HttpAnswer> {
  const answer = await httpCall(call);
  if ((answer.status < 200 || answer.status > 299) && !alsoOk.includes(answer.status)) {
    throw new Error(`${call.method ?? 'GET'} ${call.url} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  return answer;
}
