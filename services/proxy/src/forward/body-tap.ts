import { createHash, type Hash } from 'node:crypto';
import type { BodyInfo } from '@auditgate/shared';

/**
 * Watches bytes stream past without holding them: counts, hashes, and keeps at most `captureLimit` leading bytes
 * for the audit record. The full body is never buffered here.
 */
export class BodyTap {
  private readonly hash: Hash = createHash('sha256');
  private readonly captured: Buffer[] = [];
  private capturedBytes = 0;
  bytes = 0;
  truncated = false;

  constructor(private readonly captureLimit: number) {}

  /** Records one chunk. */
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.truncated) return;
    if (this.capturedBytes + chunk.length <= this.captureLimit) {
      this.captured.push(chunk);
      this.capturedBytes += chunk.length;
    } else {
      this.truncated = true;
      this.captured.length = 0;
      this.capturedBytes = 0;
    }
  }

  /** The captured bytes, or undefined when the body exceeded the capture limit. */
  body(): Buffer | undefined {
    if (this.truncated) return undefined;
    return this.captured.length === 1 ? this.captured[0]! : Buffer.concat(this.captured, this.capturedBytes);
  }

  /** The body facts for the audit event. */
  info(maskedPaths: string[], contentType: string | undefined): BodyInfo {
    return {
      bytes: this.bytes, sha256: this.hash.digest('hex'), truncated: this.truncated, maskedPaths,
      ...(contentType === undefined ? {} : { contentType }),
    };
  }
}
