import { GATEWAY_OWN_USER_AGENT } from '../kube/gateway-own-calls.js';
import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { ApiServerConnection } from '../kube/api-server-connection.js';
import { createIssuerFetch } from './issuer-fetch.js';

/** The cluster's answer to one TokenReview (`authentication.k8s.io/v1`). */
export interface TokenReviewAnswer {
  readonly authenticated: boolean;
  /** The user the cluster knows the token as, when authenticated. */
  readonly username?: string;
  readonly uid?: string;
  /** Why the cluster refused the token, in its own words (never contains the token). */
  readonly error?: string;
}

/** Asks a cluster whether a bearer token is still good. */
export interface TokenReviewer {
  /** Reviews `token` for `audiences`; rejects with a retriable 503 `AUDITGATE_E_UPSTREAM_UNAVAILABLE` when it cannot ask. */
  review(token: string, audiences: readonly string[]): Promise<TokenReviewAnswer>;
  /** Closes the connection pool; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link createTokenReviewer}. */
export interface TokenReviewerOptions {
  /** The cluster, with the credentials allowed to `create tokenreviews` (the gateway's upstream identity). */
  readonly apiServer: ApiServerConnection;
  /** Timeout of one review (default 5000 ms). */
  readonly timeoutMs?: number;
}

const PATH = 'apis/authentication.k8s.io/v1/tokenreviews';

/**
 * A TokenReview client: POSTs `/apis/authentication.k8s.io/v1/tokenreviews` to the cluster with its own trust and
 * credentials. The cluster checks what a signature cannot: that the service account (and the pod a token is bound to)
 * still exists. Audiences are the ones the gateway accepts, so the cluster judges the token for them.
 */
export function createTokenReviewer(options: TokenReviewerOptions): TokenReviewer {
  const fetch = createIssuerFetch({ apiServer: options.apiServer, timeoutMs: options.timeoutMs ?? 5000 });
  const server = options.apiServer.target().server;
  const url = new URL(PATH, server.href.endsWith('/') ? server.href : `${server.href}/`).href;

  return {
    async review(token, audiences) {
      const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences } });
      let status: number;
      let answer: unknown;
      try {
        const response = await fetch.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': GATEWAY_OWN_USER_AGENT }, body });
        status = response.status;
        answer = await response.json().catch(() => undefined);
      } catch (cause) {
        throw unavailable(`the cluster ${server.origin} could not be asked (TokenReview): ${(cause as Error).message}`, cause);
      }
      if (status === 401 || status === 403) {
        throw unavailable(`the gateway's identity may not create tokenreviews on ${server.origin} (HTTP ${status}): grant it "create" on `
          + 'tokenreviews.authentication.k8s.io (ClusterRole system:auth-delegator), or turn reviews off', undefined);
      }
      if (status !== 200 && status !== 201) throw unavailable(`TokenReview on ${server.origin} answered HTTP ${status}`, undefined);
      return parseAnswer(answer);
    },
    close: () => fetch.close(),
  };
}

function parseAnswer(answer: unknown): TokenReviewAnswer {
  const status = (answer as { status?: Record<string, unknown> } | undefined)?.status ?? {};
  const user = (typeof status['user'] === 'object' && status['user'] !== null ? status['user'] : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const username = str(user['username']);
  const uid = str(user['uid']);
  const error = str(status['error']);
  return {
    authenticated: status['authenticated'] === true,
    ...(username === undefined ? {} : { username }),
    ...(uid === undefined ? {} : { uid }),
    ...(error === undefined ? {} : { error: error.slice(0, 512) }),
  };
}

function unavailable(message: string, cause: unknown): AppError {
  return new AppError(message, {
    code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true,
    details: { reason: 'token_review_unavailable' },
    ...(cause === undefined ? {} : { cause }),
  });
}
