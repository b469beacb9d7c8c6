import { createHmac } from 'node:crypto';
import type { Alert } from '../engine/alert.js';
import { deliveryKey } from '../engine/alert-identity.js';
import type { AlertSink } from './alert-sink.js';
import { postJson, type FetchLike } from './post-json.js';

/** Options of {@link createWebhookSink}. */
export interface WebhookSinkOptions {
  readonly url: string;
  /** HMAC-SHA256 key; the hex digest of the body is sent as `X-Auditgate-Signature: sha256=<hex>`. */
  readonly secret: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
}

/** The HMAC-SHA256 signature header value of `body`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * A generic webhook: POST of the alert JSON, signed, with `Idempotency-Key: <dedup key>@<severity>` (a redelivery
 * repeats it; an escalation of the same alert is a new key) and `X-Auditgate-Dedup-Key: <dedup key>` (the alert).
 */
export function createWebhookSink(options: WebhookSinkOptions): AlertSink {
  return {
    name: 'webhook',
    async deliver(alert: Alert) {
      const body = JSON.stringify(alert);
      await postJson(options.fetch, options.url, body, {
        'x-auditgate-signature': signBody(options.secret, body), 'idempotency-key': deliveryKey(alert), 'x-auditgate-dedup-key': alert.dedupKey,
        'x-auditgate-alert-id': alert.id,
      }, options.timeoutMs);
    },
  };
}
