import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** The service or component name, set as `service` on every line. */
  readonly name: string;
  readonly level?: LevelWithSilent;
  /** Where lines go; stdout when omitted. Tests pass a buffer stream. */
  readonly destination?: DestinationStream;
}

/** Paths that may carry credentials; pino replaces their values before a line is written. */
export const REDACTED_PATHS: readonly string[] = [
  'authorization', 'token', 'password', 'secret',
  '*.authorization', '*.Authorization', '*.token', '*.password', '*.secret', '*.bearer',
  'headers.authorization', 'req.headers.authorization', 'req.headers["x-auditgate-on-behalf-of"]',
  'headers["x-auditgate-on-behalf-of"]', '*.accessKeyId', '*.secretAccessKey', '*.sessionToken',
];

/** A pino JSON logger with credential redaction; make one child per component. */
export function createLogger(options: LoggerOptions): Logger {
  const config = {
    base: { service: options.name },
    level: options.level ?? 'info',
    redact: { paths: [...REDACTED_PATHS], censor: '[REDACTED]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination === undefined ? pino(config) : pino(config, options.destination);
}

export type { Logger } from 'pino';
