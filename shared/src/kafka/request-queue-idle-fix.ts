import { createRequire } from 'node:module';

/**
 * KafkaJS 2.2.4 keeps a 1 ms timer loop running on every broker connection for as long as it is open: after each
 * answer its request queue schedules a check of pending requests at `throttledUntil - Date.now()`, which is negative
 * when nothing is throttled (Node clamps it to 1 ms, with a TimeoutNegativeWarning), and each check schedules the next.
 * An idle connected producer so spends about 3.5 % of a core doing nothing, on every connection of every service
 * (tulios/kafkajs#1704, #1751; the fix proposed upstream in #1768 is not released).
 *
 * This applies that fix to the request queue's prototype: a check is scheduled when requests wait (after the throttle,
 * or the queue's usual 10 ms), or when a throttle is to be waited out; otherwise not, because every later push or
 * answer checks again. It is applied only to the exact method it was written against (its source is compared), so a
 * KafkaJS that changed it is left alone. Idempotent.
 */

/** The method as KafkaJS 2.2.4 ships it, without comments and whitespace. */
const SHIPPED = 'scheduleCheckPendingRequests(){letscheduleAt=this.throttledUntil-Date.now()if(!this.throttleCheckTimeoutId){if(this.pending.length>0){scheduleAt=scheduleAt>0?scheduleAt:CHECK_PENDING_REQUESTS_INTERVAL}this.throttleCheckTimeoutId=setTimeout(()=>{this.throttleCheckTimeoutId=nullthis.checkPendingRequests()},scheduleAt)}}';
/** KafkaJS's own interval for re-checking requests held back by the in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

/** What the fix reads and writes of a request queue. */
interface RequestQueueState {
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  throttledUntil: number;
  readonly pending: readonly unknown[];
  checkPendingRequests(): void;
}

const withoutCommentsAndSpace = (source: string): string => source.replace(/\/\/[^\n]*/g, '').replace(/\s+/g, '');

function scheduleCheckPendingRequests(this: RequestQueueState): void {
  if (this.throttleCheckTimeoutId) return;
  const untilThrottleEnds = this.throttledUntil - Date.now();
  let delay: number;
  if (this.pending.length > 0) delay = untilThrottleEnds > 0 ? untilThrottleEnds : CHECK_PENDING_REQUESTS_INTERVAL;
  else if (untilThrottleEnds > 0) delay = untilThrottleEnds;
  else return; // nothing waits and nothing is throttled: the next push or answer checks again
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
}

/** What {@link fixRequestQueueIdleLoop} did. */
export type IdleLoopFix = 'applied' | 'already-applied' | 'not-applicable';

/** Applies the fix to the KafkaJS that `kafkajs` resolves to from here (see the module comment). */
export function fixRequestQueueIdleLoop(): IdleLoopFix {
  const require = createRequire(import.meta.url);
  let prototype: { scheduleCheckPendingRequests?: unknown };
  try {
    prototype = (require('kafkajs/src/network/requestQueue/index.js') as { prototype: typeof prototype }).prototype;
  } catch {
    return 'not-applicable';
  }
  const current = prototype.scheduleCheckPendingRequests;
  if (current === scheduleCheckPendingRequests) return 'already-applied';
  if (typeof current !== 'function' || withoutCommentsAndSpace(current.toString()) !== SHIPPED) return 'not-applicable';
  prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  return 'applied';
}
