/**
 * Oracle (a): after every batch the gateway process is alive and its /readyz answers 200. A crash is counted and the
 * gateway restarted; then each case of that batch is replayed alone, so the report names the request that did it.
 */
import type { CaseOutcome } from './case-runner.js';
import type { Finding } from './findings.js';
import type { GatewayProcess } from './gateway-process.js';
import type { HostileCase } from './hostile-case.js';

/** Tracks the gateway's health over the run. */
export interface LivenessOracle {
  readonly findings: Finding[];
  /** Outcomes of the replays (checked like any other answer, not counted as cases). */
  readonly replays: CaseOutcome[];
  crashes(): number;
  afterBatch(batch: number, cases: readonly HostileCase[]): Promise<void>;
}

/** A liveness oracle over `gateway`; `replay` runs one case again. */
export function createLivenessOracle(gateway: GatewayProcess, replay: (c: HostileCase, batch: number) => Promise<CaseOutcome>): LivenessOracle {
  const findings: Finding[] = [];
  const replays: CaseOutcome[] = [];
  let crashes = 0;
  // The last error lines of the log name what ended the process.
  const errorLines = (): string => gateway.logTail(60).split('\n').filter((l) => /error|Error|throw|ERR_|\bat /.test(l)).slice(0, 5).join(' | ');
  const down = async (): Promise<string | undefined> => {
    if (await gateway.healthy(5000)) return undefined;
    crashes += 1;
    const what = gateway.current().exited() ? 'the gateway process exited' : 'the gateway stopped answering /readyz with 200';
    const log = errorLines();
    await gateway.restart();
    return `${what}; log: ${log}`;
  };
  return {
    findings, replays,
    crashes: () => crashes,
    async afterBatch(batch, cases) {
      const first = await down();
      if (first === undefined) return;
      if (cases.length === 1) {
        findings.push({ oracle: 'a:crash', caseId: cases[0]!.id, what: first.split(';')[0]!, detail: first });
        return;
      }
      let culprits = 0;
      for (const c of cases) {
        replays.push(await replay(c, batch));
        const again = await down();
        if (again === undefined) continue;
        culprits += 1;
        findings.push({ oracle: 'a:crash', caseId: c.id, what: again.split(';')[0]!, detail: `(replayed alone) ${again}` });
      }
      if (culprits === 0) findings.push({ oracle: 'a:crash', caseId: cases.map((c) => c.id).join(' + '), what: `${first.split(';')[0]!} (only with these cases together)`, detail: first });
    },
  };
}
