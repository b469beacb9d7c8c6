import { createHmac } from 'node:crypto';
import type { BodyInfo } from '@auditgate/shared';
import type { MaskingOptions } from '../../masking/index.js';
import { boundJson } from './bound-json.js';
import { maskMcpPayload } from './mask-mcp-payload.js';

/** What is recorded of one payload: the masked, bounded object and the facts of the bytes it came in. */
export interface RecordedPayload {
  readonly object: unknown;
  readonly body: BodyInfo;
}

/** Records MCP payloads for the audit trail. */
export interface PayloadRecorder {
  /** `value` masked and bounded; `raw` (the message as it crossed the gateway) measured and digested with the masking key. */
  record(value: unknown, raw: Buffer | string): RecordedPayload;
}

/**
 * A recorder with the gateway's masking key and patterns: masked first (so nothing cut short escapes masking), then
 * bounded to `maxRecordedBytes`; the digest is HMAC-SHA256 keyed with the masking key (never a plain hash of what
 * may hold a secret).
 */
export function createPayloadRecorder(options: MaskingOptions & { readonly maxRecordedBytes: number }): PayloadRecorder {
  return {
    record(value, raw) {
      const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      const masked = maskMcpPayload(value, options);
      const bounded = boundJson(masked.value, options.maxRecordedBytes);
      return {
        object: bounded.value,
        body: {
          bytes: bytes.length,
          sha256: createHmac('sha256', options.key).update(bytes).digest('hex'),
          digest: 'hmac-sha256',
          truncated: bounded.truncated,
          maskedPaths: masked.maskedPaths.slice(0, 200),
          contentType: 'application/json',
        },
      };
    },
  };
}
