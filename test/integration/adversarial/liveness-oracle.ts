/**
 * Oracle (a): after every batch the gateway process is alive, its /readyz answers 200, and its last-resort handlers
 * (`uncaughtException`, `unhandledRejection`, the forwarder's own catch-alls) swallowed nothing: any increase of
 * `auditgate_proxy_unhandled_errors_total` counts as a crash, since each one is an error that would have ended the process
 * without that handler. A dead process is restarted; then each case of the batch is replayed alone, so the report names
 * the request that did it.
 */
import type { CaseOutcome } from './case-runner.js';
import type { Finding } from './findings.js';
import type { GatewayProcess, UnhandledErrors } from './gateway-process.js';
import type { HostileCase } from './hostile-case.js';

/** Tracks the gateway's health over the run. */
export interface LivenessOracle {
  readonly findings: Finding[];
  /** Outcomes of the replays (checked like any other answer, not counted as cases). */
  readonly replays: CaseOutcome[];
  crashes(): number;
  afterBatch(batch: number, cases: readonly HostileCase[]): Promise<void>;
  /** The check once more after the last batch's answers have settled (an error may be thrown after the answer). */
  afterRun(): Promise<void>;
}

const NONE: UnhandledErrors = { total: 0, byWhere: new Map() };

/** The `where` labels that grew from `before` to `after`, e.g. `exchange+1, uncaught-exception+2`. */
function grown(before: UnhandledErrors, after: UnhandledErrors): string {
  return [...after.byWhere].filter(([where, n]) => n > (before.byWhere.get(where) ?? 0))
    .map(([where, n]) => `${where || '(no where)'}+${n - (before.byWhere.get(where) ?? 0)}`).join(', ');
}

/** A liveness oracle over `gateway`; `replay` runs one case again. */
export function createLivenessOracle(gateway: GatewayProcess, replay: (c: HostileCase, batch: number) => Promise<CaseOutcome>): LivenessOracle {
  const findings: Finding[] = [];
  const replays: CaseOutcome[] = [];
  let crashes = 0;
  // The counter of the running process as last read; a fresh process starts at zero (so errors at its start count).
  let seen = NONE;
  // The last error lines of the log name what ended the process.
  const errorLines = (): string => gateway.logTail(60).split('\n').filter((l) => /error|Error|throw|ERR_|\bat /.test(l)).slice(0, 5).join(' | ');
  const swallowedLines = (): string => gateway.logTail(200).split('\n').filter((l) => l.includes('last-resort')).slice(-3).map((l) => {
    try {
      const entry = JSON.parse(l) as { where?: string; err?: string };
      return `${entry.where ?? '?'}: ${entry.err ?? '?'}`;
    } catch {
      return l.slice(0, 200);
    }
  }).join(' | ');
  /** What went wrong since the last check (`what; detail`), or undefined. */
  const problem = async (): Promise<string | undefined> => {
    if (!await gateway.healthy(5000)) {
      crashes += 1;
      const what = gateway.current().exited() ? 'the gateway process exited' : 'the gateway stopped answering /readyz with 200';
      const log = errorLines();
      await gateway.restart();
      seen = NONE;
      return `${what}; log: ${log}`;
    }
    const now = await gateway.unhandledErrors();
    if (now === undefined) {
      // Not knowing is not "nothing swallowed".
      crashes += 1;
      return 'the gateway\'s /metrics did not give auditgate_proxy_unhandled_errors_total, so swallowed errors cannot be ruled out; ';
    }
    const before = now.total < seen.total ? NONE : seen; // restarted behind our back: a new process counts from zero
    seen = now;
    if (now.total <= before.total) return undefined;
    crashes += 1;
    const where = grown(before, now);
    return `the gateway's last-resort handler caught an error (${where.replace(/\+\d+/g, '')}); ${now.total - before.total} error(s), ${where}; log: ${swallowedLines()}`;
  };
  return {
    findings, replays,
    crashes: () => crashes,
    async afterBatch(batch, cases) {
      const first = await problem();
      if (first === undefined) return;
      if (cases.length === 1) {
        findings.push({ oracle: 'a:crash', caseId: cases[0]!.id, what: first.split(';')[0]!, detail: first });
        return;
      }
      let culprits = 0;
      for (const c of cases) {
        replays.push(await replay(c, batch));
        const again = await problem();
        if (again === undefined) continue;
        culprits += 1;
        findings.push({ oracle: 'a:crash', caseId: c.id, what: again.split(';')[0]!, detail: `(replayed alone) ${again}` });
      }
      if (culprits === 0) findings.push({ oracle: 'a:crash', caseId: cases.map((c) => c.id).join(' + '), what: `${first.split(';')[0]!} (only with these cases together)`, detail: first });
    },
    async afterRun() {
      const last = await problem();
      if (last !== undefined) findings.push({ oracle: 'a:crash', caseId: '(after the last batch)', what: last.split(';')[0]!, detail: last });
    },
  };
}
