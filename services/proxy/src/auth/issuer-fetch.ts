import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { AppError, ErrorCodes } from '@auditgate/shared';

/** A GET-only fetch for one issuer, with its own CA trust and a hard timeout, plus a way to release its pool. */
export interface IssuerFetch {
  /** Fetches `url`; aborts after the configured timeout or when `init.signal` aborts. */
  fetch(url: string, init?: { headers?: Headers | Record<string, string>; signal?: AbortSignal; redirect?: 'manual' | 'error' }): Promise<Response>;
  /** Closes the connection pool; safe to call twice. */
  close(): Promise<void>;
}

/** Options for {@link createIssuerFetch}. */
export interface IssuerFetchOptions {
  /** PEM file whose certificates replace the default trust store. */
  caFile?: string;
  timeoutMs: number;
  /** Transport used when there is no `caFile`; undici with an own agent when omitted. */
  baseFetch?: typeof fetch;
}

/** Builds the transport for one issuer: undici with `caFile` as the only trust anchors, else `baseFetch`. */
export function createIssuerFetch(options: IssuerFetchOptions): IssuerFetch {
  const { timeoutMs, baseFetch } = options;
  let agent: Agent | undefined;
  if (options.caFile !== undefined || baseFetch === undefined) {
    let ca: string | undefined;
    if (options.caFile !== undefined) {
      try {
        ca = readFileSync(options.caFile, 'utf8');
      } catch (cause) {
        throw new AppError(`cannot read issuer CA file ${options.caFile}`, { code: ErrorCodes.CONFIG_INVALID, cause });
      }
    }
    agent = new Agent({
      connect: { timeout: timeoutMs, ...(ca === undefined ? {} : { ca }) },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connections: 4,
    });
  }
  let closed = false;
  return {
    async fetch(url, init = {}) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init.signal === undefined ? timeout : AbortSignal.any([init.signal, timeout]);
      const request = { method: 'GET', headers: Object.fromEntries(new Headers(init.headers)), redirect: init.redirect ?? 'manual', signal } as const;
      if (agent === undefined) return (baseFetch ?? fetch)(url, request);
      // undici's Response is structurally the WHATWG one; only status, headers and json() are used.
      return (await undiciFetch(url, { ...request, dispatcher: agent })) as unknown as Response;
    },
    async close() {
      if (closed || agent === undefined) return;
      closed = true;
      await agent.close();
    },
  };
}
