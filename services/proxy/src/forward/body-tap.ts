import { createHmac, type Hmac, type KeyObject } from 'node:crypto';
import type { BodyInfo } from '@auditgate/shared';

/**
 * Watches bytes stream past without holding them: counts, digests, and keeps at most `captureLimit` leading bytes
 * for the audit record. The full body is never buffered here. The digest is keyed (HMAC-SHA256 with the masking key,
 * like masked values): a plain digest of a body that held a secret would confirm an offline guess of that secret.
 */
export class BodyTap {
  private readonly hmac: Hmac;
  private readonly captured: Buffer[] = [];
  private capturedBytes = 0;
  bytes = 0;
  /** True when the body was being captured and exceeded the capture limit (so the recorded object is cut). */
  truncated = false;

  constructor(private readonly captureLimit: number, digestKey: Buffer | KeyObject) {
    this.hmac = createHmac('sha256', digestKey);
  }

  /** Records one chunk. */
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hmac.update(chunk);
    if (this.truncated || this.captureLimit === 0) return;
    if (this.capturedBytes + chunk.length <= this.captureLimit) {
      this.captured.push(chunk);
      this.capturedBytes += chunk.length;
    } else {
      this.truncated = true;
      this.captured.length = 0;
      this.capturedBytes = 0;
    }
  }

  /** The captured bytes, or undefined when nothing was captured or the body exceeded the capture limit. */
  body(): Buffer | undefined {
    if (this.truncated || this.captureLimit === 0) return undefined;
    return this.captured.length === 1 ? this.captured[0]! : Buffer.concat(this.captured, this.capturedBytes);
  }

  /** The body facts for the audit event. */
  info(maskedPaths: string[], contentType: string | undefined): BodyInfo {
    return {
      bytes: this.bytes, sha256: this.hmac.digest('hex'), digest: 'hmac-sha256', truncated: this.truncated, maskedPaths,
      ...(contentType === undefined ? {} : { contentType }),
    };
  }
}
