import assert from 'node:assert/strict';
import type { MaskingOptions } from './masking-types.js';
import { defaultSecretPatterns } from './default-secret-patterns.js';

/** Masking options with a fixed test key and the default patterns (test-only helper). */
export function testMaskingOptions(key = 'test-key-0123456789abcdef'): MaskingOptions {
  return { key: Buffer.from(key, 'utf8'), patterns: defaultSecretPatterns() };
}

/** Base64 of a UTF-8 string (test-only helper). */
export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * Asserts that no window of `window` characters of any secret — in plaintext, base64, or base64-decoded when the
 * secret itself is base64 — occurs in `output` (test-only helper).
 */
export function assertNoPlaintext(output: string, secrets: readonly string[], window = 8): void {
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(s);
    forms.add(b64(s));
    const decoded = Buffer.from(s, 'base64').toString('utf8');
    if (b64(decoded) === s) forms.add(decoded);
  }
  for (const form of forms) {
    const w = Math.min(window, form.length);
    for (let i = 0; i + w <= form.length; i++) {
      const piece = form.slice(i, i + w);
      assert.ok(!output.includes(piece), `plaintext ${JSON.stringify(piece)} of a secret survived masking`);
    }
  }
}

/** Recursively freezes `value` so a test fails if masking mutates its input (test-only helper). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
