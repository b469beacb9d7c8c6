/** Runs the cases: in bounded batches with a liveness check after each; smuggling cases alone, each chased by an innocent. */
import { randomBytes } from 'node:crypto';
import type { AgentPool } from './agent-pool.js';
import { paths, single, type CaseContext, type HostileCase, type Targets } from './hostile-case.js';
import { rawExchange, type RawResult } from './raw-client.js';

/** The innocent request sent on a fresh connection after a smuggling case, and what it got. */
export interface InnocentOutcome {
  /** A ConfigMap name nobody created: its own answer is a 404 Status naming it. */
  readonly name: string;
  readonly path: string;
  readonly result: RawResult;
}

/** One case as run. */
export interface CaseOutcome {
  readonly testCase: HostileCase;
  readonly agent: string;
  readonly methods: readonly string[];
  readonly result: RawResult;
  readonly batch: number;
  readonly innocent?: InnocentOutcome;
}

/** Options of {@link runCases}. */
export interface RunOptions {
  readonly port: number;
  readonly targets: Targets;
  readonly pool: AgentPool;
  readonly concurrency: number;
  /** Called after each batch with its cases; checks the gateway (and restarts it after a crash). */
  afterBatch(batch: number, cases: readonly HostileCase[]): Promise<void>;
  onProgress?(done: number, total: number): void;
}

function contextFor(targets: Targets, token: string, caseId: string): CaseContext {
  let n = 0;
  return {
    ...targets, token, userAgent: `adversarial/${targets.tag} case=${caseId}`,
    fresh: (prefix) => `${prefix}-${(n++).toString(36)}-${randomBytes(3).toString('hex')}`,
  };
}

/** Runs one case (and its innocent follow-up), as one of the pool's callers. */
export async function runOne(options: RunOptions, testCase: HostileCase, batch: number): Promise<CaseOutcome> {
  const agent = await options.pool.acquire(testCase.requests);
  const wire = testCase.build(contextFor(options.targets, agent.token, testCase.id));
  const result = await rawExchange({
    port: options.port, parts: wire.parts, methods: wire.methods, expect: testCase.expect,
    ...(wire.pauseMs === undefined ? {} : { pauseMs: wire.pauseMs }),
    ...(wire.halfClose === undefined ? {} : { halfClose: wire.halfClose }),
    idleMs: 2500, timeoutMs: 12_000,
  });
  if (testCase.innocentAfter !== true) return { testCase, agent: agent.username, methods: wire.methods, result, batch };
  const innocentAgent = await options.pool.acquire(1);
  const ctx = contextFor(options.targets, innocentAgent.token, `${testCase.id}/innocent`);
  const name = ctx.fresh('innocent');
  const path = paths(ctx).missingConfigMap(name);
  const innocentWire = single(ctx, 'GET', path);
  const innocentResult = await rawExchange({ port: options.port, parts: innocentWire.parts, methods: ['GET'], expect: 1, idleMs: 4000, timeoutMs: 12_000 });
  return { testCase, agent: agent.username, methods: wire.methods, result, batch, innocent: { name, path, result: innocentResult } };
}

/** Runs every case once: concurrent ones `concurrency` at a time, then the ones that must run alone. */
export async function runCases(cases: readonly HostileCase[], options: RunOptions): Promise<CaseOutcome[]> {
  const together = cases.filter((c) => c.innocentAfter !== true);
  const alone = cases.filter((c) => c.innocentAfter === true);
  const batches: HostileCase[][] = [];
  for (let i = 0; i < together.length; i += options.concurrency) batches.push(together.slice(i, i + options.concurrency));
  for (const c of alone) batches.push([c]);
  const outcomes: CaseOutcome[] = [];
  for (const [i, batch] of batches.entries()) {
    outcomes.push(...await Promise.all(batch.map((c) => runOne(options, c, i))));
    await options.afterBatch(i, batch);
    options.onProgress?.(outcomes.length, cases.length);
  }
  return outcomes;
}
