import { createHmac, KeyObject } from 'node:crypto';
import { AppError, ErrorCodes } from '@auditgate/shared';

const MIN_KEY_BYTES = 16;
const MARKER_RE = /^\*\*\*masked:hmac-sha256:[0-9a-f]{16}\*\*\*$/;

/**
 * `***masked:hmac-sha256:<first 16 hex of HMAC-SHA256(key, bytes)>***`: correlatable, no plaintext, no unkeyed hash.
 * Pass a KeyObject where many values are masked: createHmac prepares a raw Buffer key again on every call.
 */
export function maskBytes(value: Uint8Array, key: Buffer | KeyObject): string {
  if ((key instanceof KeyObject ? key.symmetricKeySize ?? 0 : key.length) < MIN_KEY_BYTES) {
    throw new AppError(`masking key must be at least ${MIN_KEY_BYTES} bytes`, { code: ErrorCodes.CONFIG_INVALID });
  }
  const digest = createHmac('sha256', key).update(value).digest('hex').slice(0, 16);
  return `***masked:hmac-sha256:${digest}***`;
}

/** {@link maskBytes} of the UTF-8 bytes of `value`. */
export function maskValue(value: string, key: Buffer | KeyObject): string {
  return maskBytes(Buffer.from(value, 'utf8'), key);
}

/** True when `value` already is a marker made by {@link maskBytes}, so masking twice changes nothing. */
export function isMaskMarker(value: string): boolean {
  return value.length === 41 && MARKER_RE.test(value);
}
