import type { Env } from './env-reader.js';

/** One row of a service's settings table in the README: the keys it covers and what they mean. */
export interface SettingDoc {
  /** Environment variables documented together, in the order shown. */
  readonly keys: readonly string[];
  /** Markdown for the "meaning" column. */
  readonly meaning: string;
  /**
   * Markdown for the "default" column of a key whose default the loader does not hold as one literal (computed from
   * another setting or the machine, or a problem when unset); a key with a literal default never takes one.
   */
  readonly defaults?: Readonly<Record<string, string>>;
}

/**
 * A service's settings as documented: its rows, and the environments to run its `loadConfig` with so that every key
 * is read (a key read only in some mode or when a feature is on needs a probe that turns it on).
 */
export interface SettingsDoc {
  readonly probes: readonly Env[];
  readonly rows: readonly SettingDoc[];
}
