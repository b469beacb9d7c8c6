/** Open-loop Kafka traffic at a fixed rate: the events due by now are sent every tick, without waiting for earlier acks. */
import type { AuditEvent } from '@auditgate/shared';
import type { Producer } from 'kafkajs';

/** Options of {@link runSteadyTraffic}. */
export interface SteadyTrafficOptions {
  readonly producer: Producer;
  readonly topic: string;
  /** Events per second. */
  readonly rate: number;
  readonly seconds: number;
  /** Builds event `i` at time `at` (ms since epoch). */
  readonly make: (i: number, at: number) => AuditEvent;
  readonly tickMs?: number;
  /** Sends allowed in flight; past it a tick is skipped and the rate falls behind (reported, not hidden). */
  readonly maxInFlight?: number;
}

/** What was sent. */
export interface SteadyTrafficResult {
  readonly sent: number;
  readonly acked: number;
  readonly errors: number;
  readonly seconds: number;
  /** Acked events per second over the run. */
  readonly achievedRate: number;
}

/** Sends `rate` events/s for `seconds`, keyed by actor username as the gateway does; resolves once every send settled. */
export async function runSteadyTraffic(options: SteadyTrafficOptions): Promise<SteadyTrafficResult> {
  const tickMs = options.tickMs ?? 10;
  const maxInFlight = options.maxInFlight ?? 32;
  const started = performance.now();
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let acked = 0;
  let errors = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= options.seconds * 1000) break;
    const due = Math.floor((options.rate * elapsed) / 1000) - sent;
    if (due > 0 && pending.size < maxInFlight) {
      const at = Date.now();
      const events = Array.from({ length: due }, (_, k) => options.make(sent + k, at));
      sent += due;
      const p: Promise<void> = options.producer.send({
        topic: options.topic, acks: -1,
        messages: events.map((e) => ({ key: e.user.username ?? '', value: JSON.stringify(e) })),
      }).then(() => { acked += events.length; }, () => { errors += events.length; }).finally(() => { pending.delete(p); });
      pending.add(p);
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  return { sent, acked, errors, seconds, achievedRate: acked / seconds };
}
