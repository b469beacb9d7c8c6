import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import { createLogger } from '../logging/create-logger.js';
import { keepConsuming } from './keep-consuming.js';

const CRASH = 'consumer.crash';

/**
 * A consumer double: `connect` and `run` log themselves and answer from a script; `crash` emits kafkajs's CRASH event
 * with the payload kafkajs gives it (`restart`: whether kafkajs restarts the consumer itself).
 */
function scripted(connectAnswers: Array<'ok' | Error> = []): { consumer: Consumer; log: string[]; configs: ConsumerRunConfig[]; crash: (restart: boolean) => void } {
  const log: string[] = [];
  const configs: ConsumerRunConfig[] = [];
  const emitter = new EventEmitter();
  const consumer = {
    events: { CRASH },
    on: (event: string, listener: (e: unknown) => void) => { emitter.on(event, listener); return () => emitter.off(event, listener); },
    connect: async () => {
      log.push('connect');
      const answer = connectAnswers.shift() ?? 'ok';
      if (answer !== 'ok') throw answer;
    },
    run: async (config: ConsumerRunConfig) => { log.push('run'); configs.push(config); },
  } as unknown as Consumer;
  const crash = (restart: boolean): void => {
    emitter.emit(CRASH, { id: 0, type: CRASH, timestamp: Date.now(), payload: { error: new Error('The group coordinator is not available'), groupId: 'g', restart } });
  };
  return { consumer, log, configs, crash };
}

const logger = createLogger({ name: 'test', level: 'silent' });
const config: ConsumerRunConfig = { eachMessage: async () => undefined };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Waits until `log` has `n` entries (at most 2 s). */
async function until(log: readonly string[], n: number): Promise<void> {
  for (let i = 0; i < 200 && log.length < n; i += 1) await sleep(10);
}

describe('keepConsuming', () => {
  it('runs the consumer with its config', async () => {
    const c = scripted();
    await keepConsuming(c.consumer, config, { logger, stopping: () => false, delayMs: 1 });
    assert.deepEqual(c.log, ['run']);
    assert.equal(c.configs[0], config);
  });

  it('connects and runs again, with the same config, after a crash kafkajs does not restart', async () => {
    const c = scripted();
    await keepConsuming(c.consumer, config, { logger, stopping: () => false, delayMs: 5 });
    c.crash(false);
    await until(c.log, 3);
    assert.deepEqual(c.log, ['run', 'connect', 'run']);
    assert.equal(c.configs[1], config);
  });

  it('leaves a crash kafkajs restarts itself to kafkajs', async () => {
    const c = scripted();
    await keepConsuming(c.consumer, config, { logger, stopping: () => false, delayMs: 1 });
    c.crash(true);
    await sleep(50);
    assert.deepEqual(c.log, ['run']);
  });

  it('restarts nothing while the owner is stopping, at the crash or by the time the delay ends', async () => {
    const stoppingAtCrash = scripted();
    await keepConsuming(stoppingAtCrash.consumer, config, { logger, stopping: () => true, delayMs: 1 });
    stoppingAtCrash.crash(false);
    let stopping = false;
    const stoppingLater = scripted();
    await keepConsuming(stoppingLater.consumer, config, { logger, stopping: () => stopping, delayMs: 20 });
    stoppingLater.crash(false);
    stopping = true;
    await sleep(80);
    assert.deepEqual(stoppingAtCrash.log, ['run']);
    assert.deepEqual(stoppingLater.log, ['run']);
  });

  it('tries again while the restart fails, until it runs', async () => {
    const c = scripted([new Error('Connection error: connect ECONNREFUSED'), new Error('Connection error: connect ECONNREFUSED')]);
    await keepConsuming(c.consumer, config, { logger, stopping: () => false, delayMs: 5 });
    c.crash(false);
    await until(c.log, 5);
    await sleep(30);
    assert.deepEqual(c.log, ['run', 'connect', 'connect', 'connect', 'run']);
  });

  it('stops trying again once the owner is stopping', async () => {
    let stopping = false;
    const c = scripted(Array.from({ length: 100 }, () => new Error('Connection error')));
    await keepConsuming(c.consumer, config, { logger, stopping: () => stopping, delayMs: 5 });
    c.crash(false);
    await until(c.log, 3);
    stopping = true;
    const seen = c.log.length;
    await sleep(60);
    assert.ok(c.log.length <= seen + 1, `kept connecting after stopping: ${c.log.join(',')}`);
    assert.ok(!c.log.slice(1).includes('run'));
  });
});
