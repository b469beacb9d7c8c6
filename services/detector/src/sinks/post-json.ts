import { AppError, ErrorCodes } from '@auditgate/shared';

/** What sinks read of an HTTP answer (a fetch `Response` is one). */
export interface PostResponse {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

/** The one HTTP call sinks make, a POST of a string body; `globalThis.fetch` is one, `createHttpPost().post` another. */
export type FetchLike = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<PostResponse>;

/**
 * POSTs `body` (already serialized JSON) and resolves on 2xx (and on `accept` statuses). 408, 429 and 5xx and network
 * failures reject retriable; other 4xx reject not retriable. Returns the response text.
 */
export async function postJson(fetchFn: FetchLike, url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  let response: PostResponse;
  try {
    response = await fetchFn(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new AppError(`POST ${new URL(url).origin} failed: ${(error as Error).message}`, { code: ErrorCodes.UPSTREAM_UNAVAILABLE, retriable: true, cause: error });
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return text;
  const retriable = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new AppError(`POST ${new URL(url).origin}${new URL(url).pathname} answered ${response.status}: ${text.slice(0, 200)}`, {
    code: retriable ? ErrorCodes.UPSTREAM_UNAVAILABLE : ErrorCodes.BAD_REQUEST, retriable, status: response.status,
  });
}
