import { parsePolicy } from './parse-policy.js';

/**
 * sha256 hex of the canonical JSON of the parsed, normalized policy: stable across whitespace, comments, key order
 * and spelled-out defaults; changes whenever the meaning changes. Throws like {@link parsePolicy} on invalid text.
 */
export function policyBundleHash(text: string): string {
  return parsePolicy(text, '<policy>').bundleHash;
}
