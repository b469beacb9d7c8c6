import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** The environment as a plain map; services pass `process.env` in from `main.ts` only. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Bounds for {@link EnvReader.int}. */
export interface IntBounds { readonly min?: number; readonly max?: number }

/** One read of a setting, as {@link EnvReader} reports it to an observer (the README's settings tables are made so). */
export interface SettingRead {
  readonly key: string;
  /** The value used when the key is unset or empty; absent when there is none. */
  readonly fallback?: string | number | boolean | readonly string[];
  /** True when an unset key is a problem (a string or URL read without a fallback). */
  readonly required: boolean;
}

/** Called once per read, before the value is looked at. */
export type SettingObserver = (read: SettingRead) => void;

const ignoreReads: SettingObserver = () => {};

/**
 * Reads typed settings from an environment map, collecting every problem instead of stopping at the first,
 * so one start-up error lists all bad keys. Call {@link EnvReader.finish} after the last read.
 */
export class EnvReader {
  private readonly problems: string[] = [];
  constructor(private readonly env: Env, private readonly observe: SettingObserver = ignoreReads) {}

  /** A string; `fallback` when unset or empty; a problem when unset and no fallback is given. */
  str(key: string, fallback?: string): string {
    this.observe(fallback === undefined ? { key, required: true } : { key, fallback, required: false });
    return this.readStr(key, fallback);
  }

  private readStr(key: string, fallback: string | undefined): string {
    const raw = this.env[key];
    if (raw !== undefined && raw !== '') return raw;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${key} is required`);
    return '';
  }

  /** A string, or undefined when unset. */
  optional(key: string): string | undefined {
    this.observe({ key, required: false });
    return this.raw(key);
  }

  private raw(key: string): string | undefined {
    const raw = this.env[key];
    return raw === undefined || raw === '' ? undefined : raw;
  }

  /** An integer within bounds. */
  int(key: string, fallback: number, bounds: IntBounds = {}): number {
    this.observe({ key, fallback, required: false });
    const raw = this.raw(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value)) { this.problems.push(`${key} must be an integer, got "${raw}"`); return fallback; }
    if (bounds.min !== undefined && value < bounds.min) this.problems.push(`${key} must be >= ${bounds.min}, got ${value}`);
    if (bounds.max !== undefined && value > bounds.max) this.problems.push(`${key} must be <= ${bounds.max}, got ${value}`);
    return value;
  }

  /** A boolean: true/false/1/0/yes/no. */
  bool(key: string, fallback: boolean): boolean {
    this.observe({ key, fallback, required: false });
    const raw = this.raw(key)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${key} must be a boolean (true/false), got "${raw}"`);
    return fallback;
  }

  /** One of a fixed set of values. */
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    this.observe({ key, fallback, required: false });
    const raw = this.raw(key);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  }

  /** An absolute http(s) URL. */
  url(key: string, fallback?: string): string {
    this.observe(fallback === undefined ? { key, required: true } : { key, fallback, required: false });
    const raw = this.readStr(key, fallback);
    if (raw === '') return raw;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      this.problems.push(`${key} must be an http(s) URL, got "${raw}"`);
    }
    return raw;
  }

  /** A comma-separated list, trimmed, empty items dropped. */
  list(key: string, fallback: readonly string[] = []): string[] {
    this.observe({ key, fallback, required: false });
    const raw = this.raw(key);
    if (raw === undefined) return [...fallback];
    return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  }

  /** Records a problem found by the caller's own cross-field checks. */
  problem(message: string): void { this.problems.push(message); }

  /** Throws one `AUDITGATE_E_CONFIG_INVALID` error listing every problem, if any. */
  finish(): void {
    if (this.problems.length === 0) return;
    throw new AppError(`invalid configuration:\n  - ${this.problems.join('\n  - ')}`, {
      code: ErrorCodes.CONFIG_INVALID,
      details: { problems: [...this.problems] },
    });
  }
}
