import type { Logger } from 'pino';
import type { Env } from '../config/env-reader.js';
import { isAppError } from '../errors/app-error.js';

/** A started service: its logger and how to stop it (in reverse order of start). */
export interface RunningService {
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** Options for {@link runService}. */
export interface RunServiceOptions<C extends { readonly shutdownTimeoutMs: number }> {
  readonly env: Env;
  readonly loadConfig: (env: Env) => C;
  readonly start: (config: C) => Promise<RunningService>;
}

/**
 * The process wiring every service shares: load the config (a bad one exits 2, listing every problem), start, then on
 * the first SIGTERM or SIGINT stop once under the config's shutdown deadline (exit 0; exit 1 past the deadline).
 * A failure to start exits 1 with its error code.
 */
export function runService<C extends { readonly shutdownTimeoutMs: number }>(name: string, options: RunServiceOptions<C>): void {
  let config: C;
  try {
    config = options.loadConfig(options.env);
  } catch (error) {
    process.stderr.write(`auditgate ${name}: ${(error as Error).message}\n`);
    process.exit(2);
  }
  options.start(config).then((service) => {
    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      service.logger.info({ signal }, 'stopping: draining in-flight work');
      setTimeout(() => { service.logger.error('shutdown deadline passed; exiting'); process.exit(1); }, config.shutdownTimeoutMs + 10_000).unref();
      await service.stop();
      service.logger.info('stopped');
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  }, (error: unknown) => {
    const code = isAppError(error) ? error.code : 'AUDITGATE_E_INTERNAL';
    process.stderr.write(`auditgate ${name} failed to start [${code}]: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
