import type { KeyObject } from 'node:crypto';
/** A named rule for finding secret material outside Secrets (ConfigMap data, container env, args, command). */
export interface SecretPattern {
  /** Stable name, for reviews and tests. */
  readonly name: string;
  /**
   * `key`: tested against key names (ConfigMap data keys, env var names); a hit masks the whole value.
   * `value`: searched in values; each match is masked (only the named group `secret` when the regex has one).
   * Value regexes are applied with global semantics (a copy with `g` is made if the flag is missing).
   */
  readonly appliesTo: 'key' | 'value';
  readonly regex: RegExp;
}

/** What masking needs: the HMAC key for digests and the patterns for secrets outside Secrets. */
export interface MaskingOptions {
  /** HMAC-SHA256 key for the digests (at least 16 bytes); the same key gives the same digest for equal values. */
  readonly key: Buffer | KeyObject;
  /** Patterns for secrets outside Secrets; see `defaultSecretPatterns()`. */
  readonly patterns: readonly SecretPattern[];
  /**
   * Base64-encode markers written into base64 fields (Secret `data`, ConfigMap `binaryData`) so typed clients can
   * still decode a masked response; use for caller-facing masking (policy action `mask`), not for audit records.
   */
  readonly encodeBinaryMarkers?: boolean | undefined;
}

/** Masking options plus the resource of the request (e.g. `secrets`), used when the body carries no `kind`. */
export interface MaskRequestOptions extends MaskingOptions {
  /** Plural resource of the request (`secrets`, `configmaps`, `deployments`, `pods/ephemeralcontainers`) or a kind. */
  readonly resourceHint?: string | undefined;
}

/** Result of masking one decoded object. */
export interface MaskResult {
  /** The masked object; the input itself (same reference) when nothing was masked. */
  readonly object: unknown;
  /** JSON-pointer paths of masked values; inside the last-applied annotation: `<annotation pointer>#<inner pointer>`. */
  readonly maskedPaths: string[];
  readonly changed: boolean;
}
