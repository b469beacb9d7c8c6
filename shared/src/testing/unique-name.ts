import { randomBytes } from 'node:crypto';

/** A name unique to this test run, lower-case and DNS-safe: `<prefix>-<8 hex>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
