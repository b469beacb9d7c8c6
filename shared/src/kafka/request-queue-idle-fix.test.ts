import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fixRequestQueueIdleLoop } from './request-queue-idle-fix.js';

const require = createRequire(import.meta.url);
type Queue = { new (o: Record<string, unknown>): QueueInstance };
interface QueueInstance {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  checkPendingRequests(): void;
  destroy(): void;
}
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as Queue;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, namespace() { return quiet; } };
const newQueue = (): QueueInstance => new RequestQueue({
  instrumentationEmitter: { emit() {} }, maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false,
  clientId: 'test', broker: 'b:1', logger: quiet, isConnected: () => true,
});

it('applies to the installed KafkaJS, once: an idle queue schedules no timer, a throttled or waiting one does', () => {
  const first = fixRequestQueueIdleLoop();
  assert.ok(first === 'applied' || first === 'already-applied', `the installed KafkaJS's queue was not recognised (${first})`);
  assert.equal(fixRequestQueueIdleLoop(), 'already-applied');
  const q = newQueue();
  try {
    q.scheduleCheckPendingRequests();
    assert.equal(q.throttleCheckTimeoutId, null, 'nothing waits and nothing is throttled: no timer (KafkaJS 2.2.4 set one at a negative delay, for ever)');
    q.throttledUntil = Date.now() + 50;
    q.scheduleCheckPendingRequests();
    assert.notEqual(q.throttleCheckTimeoutId, null, 'a throttle is waited out');
    clearTimeout(q.throttleCheckTimeoutId!);
    q.throttleCheckTimeoutId = null;
    q.throttledUntil = -1;
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    assert.notEqual(q.throttleCheckTimeoutId, null, 'a waiting request is checked again');
  } finally {
    if (q.throttleCheckTimeoutId !== null) clearTimeout(q.throttleCheckTimeoutId);
    q.pending.length = 0;
    q.destroy();
  }
});

it('a queue checked after its last answer (checkPendingRequests) leaves no timer loop running', async () => {
  fixRequestQueueIdleLoop();
  const q = newQueue();
  let checks = 0;
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => { checks += 1; check(); };
  try {
    q.checkPendingRequests();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(checks, 1, `checked ${checks} times in 100 ms while idle (the unfixed queue re-checks every millisecond)`);
  } finally {
    q.destroy();
  }
});
