/** Wiring of the one-shot init job: env → config → run the steps → exit 0 when done, 1 on failure, 2 on bad config. */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, ErrorCodes, isAppError } from '@auditgate/shared';
import type { InitConfig } from './config/init-config.js';
import { loadConfig } from './config/load-config.js';
import { runInit } from './run-init.js';

let config: InitConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  process.stderr.write(`auditgate init: ${(error as Error).message}\n`);
  process.exit(2);
}
const logger = createLogger({ name: 'init', level: config.logLevel });
try {
  await runInit(config, { fetch, readFile: (path) => readFile(path, 'utf8'), now: Date.now, sleep, logger });
  logger.info('init: done');
} catch (error) {
  logger.error({ code: isAppError(error) ? error.code : ErrorCodes.INTERNAL, err: error }, 'init: failed');
  process.exitCode = 1;
}
