/** Options for {@link AppError}. */
export interface AppErrorOptions {
  /** Stable machine-readable code, `AUDITGATE_E_*`. Branch on this, not on the class. */
  readonly code: string;
  /** Whether retrying the same operation may succeed. */
  readonly retriable?: boolean;
  /** HTTP status this error maps to at an HTTP boundary. */
  readonly status?: number;
  /** The underlying error. */
  readonly cause?: unknown;
  /** Structured details safe to show to the caller (never secrets). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The one error type of Auditgate: every failure carries a code, a retriable flag and an HTTP status. */
export class AppError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly status: number;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = options.code;
    this.retriable = options.retriable ?? false;
    this.status = options.status ?? 500;
    this.details = options.details ?? {};
  }
}

/** True when `value` carries an Auditgate error code (works across realms and copies of this library). */
export function isAppError(value: unknown): value is AppError {
  if (!(value instanceof Error)) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('AUDITGATE_E_');
}

/** Wraps any thrown value as an {@link AppError}, keeping it as `cause`. */
export function toAppError(value: unknown, fallbackCode: string, retriable = false): AppError {
  if (isAppError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new AppError(message, { code: fallbackCode, retriable, cause: value });
}
