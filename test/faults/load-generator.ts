/**
 * Steady open-loop traffic through the gateway at a fixed rate, bounded in count (rate × seconds) and in time (each
 * request has a deadline), from several service accounts at once. Every request carries its sequence number in its
 * User-Agent, which the gateway forwards, so the API server's own log names the request even when the client never
 * got an answer. The generator's record of each request is the second oracle.
 */
import { Agent, request } from 'node:https';
import { nextRequest, ObjectPools, type PlannedRequest } from './traffic-mix.js';

/** What the generator knows of one request. */
export interface SentRequest {
  readonly seq: number;
  readonly actor: number;
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly startedAt: number;
  endedAt?: number;
  status?: number;
  /** The gateway's Audit-Id header (absent when no answer arrived). */
  auditId?: string;
  /** The `reason` of a gateway Status cause (e.g. AUDITGATE_E_KAFKA_UNAVAILABLE). */
  cause?: string;
  /** A transport failure (reset, refused, timeout) before or during the answer. */
  error?: string;
  /** The whole answer was read. */
  complete: boolean;
}

/** Options of {@link LoadGenerator}. */
export interface LoadOptions {
  readonly port: number;
  readonly tokens: readonly string[];
  readonly namespace: string;
  /** The User-Agent prefix; the sequence number follows it. */
  readonly marker: string;
  readonly rate: number;
  readonly seconds: number;
  /** Requests allowed in flight (default: 8 s worth of traffic, so a fail-closed outage's 5 s waits do not thin it out). */
  readonly maxInFlight?: number;
  readonly pools: ObjectPools;
}

/** Runs the traffic; `run()` resolves once every request settled. */
export class LoadGenerator {
  readonly sent: SentRequest[] = [];
  /** Ticks whose requests were not sent because too many were in flight (reported, not hidden). */
  skipped = 0;
  private inFlight = 0;
  private stopped = false;
  private readonly agents: Agent[];
  private readonly settled = new Set<Promise<void>>();
  private readonly maxInFlight: number;

  constructor(private readonly o: LoadOptions) {
    this.maxInFlight = o.maxInFlight ?? Math.max(200, o.rate * 8);
    const perActor = Math.ceil(this.maxInFlight / o.tokens.length) + 8;
    this.agents = o.tokens.map(() => new Agent({ keepAlive: true, maxSockets: perActor, rejectUnauthorized: false }));
  }

  /** Requests being answered now. */
  get pending(): number { return this.inFlight; }

  /** Ends the traffic early (the run still waits for what is in flight). */
  stop(): void { this.stopped = true; }

  async run(): Promise<void> {
    const started = performance.now();
    const total = Math.round(this.o.rate * this.o.seconds);
    let issued = 0;
    while (!this.stopped && issued < total) {
      const elapsed = performance.now() - started;
      if (elapsed >= this.o.seconds * 1000) break;
      const due = Math.min(total, Math.floor((this.o.rate * elapsed) / 1000)) - issued;
      for (let i = 0; i < due; i += 1) {
        const seq = issued + i;
        if (this.inFlight >= this.maxInFlight) { this.skipped += 1; continue; }
        this.issue(seq);
      }
      issued += Math.max(0, due);
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(this.settled);
    for (const agent of this.agents) agent.destroy();
  }

  private issue(seq: number): void {
    const actor = seq % this.o.tokens.length;
    const planned = nextRequest(this.o.namespace, seq, this.o.pools);
    const record: SentRequest = { seq, actor, kind: planned.kind, method: planned.method, path: planned.path, startedAt: Date.now(), complete: false };
    this.sent.push(record);
    this.inFlight += 1;
    if (planned.watch === true) this.o.pools.openWatches += 1;
    const p = this.send(planned, record, actor).finally(() => {
      this.inFlight -= 1;
      if (planned.watch === true) this.o.pools.openWatches -= 1;
      this.settled.delete(p);
    });
    this.settled.add(p);
  }

  private send(planned: PlannedRequest, record: SentRequest, actor: number): Promise<void> {
    return new Promise((resolve) => {
      const body = planned.body === undefined ? undefined : Buffer.from(planned.body);
      const headers: Record<string, string | number> = {
        authorization: `Bearer ${this.o.tokens[actor]}`, 'user-agent': `${this.o.marker}${record.seq}`, accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': planned.contentType ?? 'application/json', 'content-length': body.length }),
      };
      const done = (error?: Error): void => {
        if (record.endedAt !== undefined) return;
        record.endedAt = Date.now();
        if (error !== undefined) record.error = (error as NodeJS.ErrnoException).code ?? error.message;
        resolve();
      };
      const req = request({ host: '127.0.0.1', port: this.o.port, method: planned.method, path: planned.path, headers, agent: this.agents[actor] }, (res) => {
        record.status = res.statusCode ?? 0;
        if (typeof res.headers['audit-id'] === 'string') record.auditId = res.headers['audit-id'];
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => { if (record.status! >= 400) chunks.push(c); });
        res.on('end', () => {
          record.complete = true;
          if (record.status! >= 400) {
            try {
              const status = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { details?: { causes?: Array<{ reason?: string }> } };
              const cause = status.details?.causes?.[0]?.reason;
              if (cause !== undefined) record.cause = cause;
            } catch { /* not a Status */ }
          }
          planned.onAnswer?.(record.status!);
          done();
        });
        res.on('error', done);
        res.on('aborted', () => done(new Error('aborted')));
      });
      req.setTimeout(planned.watch === true ? 30_000 : 15_000, () => req.destroy(new Error('client timeout')));
      req.on('error', done);
      req.end(body);
    });
  }
}
