import { readFileSync, statSync } from 'node:fs';
import type { Client } from '@opensearch-project/opensearch';
import { isAppError } from '@auditgate/shared';
import { compileRuleText, loadRules } from '../rules/load-rules.js';
import type { CompiledRule } from '../rules/rule.js';
import { parseBacktestArgs, RULES_USAGE, type BacktestArgs } from './backtest-args.js';
import { formatBacktest } from './format-backtest.js';
import { runBacktest } from './run-backtest.js';
import { storedEvents } from './stored-events.js';

/** What `auditgate rules` needs from its process. */
export interface RulesCliDeps {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly now: () => number;
  /** An OpenSearch client of `url`; closed by the caller. */
  readonly openSearch: (url: string) => Client;
}

function loadRuleFiles(paths: readonly string[]): CompiledRule[] {
  const problems: string[] = [];
  const rules: CompiledRule[] = [];
  for (const path of paths) {
    let directory: boolean;
    try { directory = statSync(path).isDirectory(); } catch (error) { problems.push(`${path}: ${(error as Error).message}`); continue; }
    if (directory) {
      try { rules.push(...loadRules([path])); } catch (error) { problems.push(isAppError(error) ? error.message : String(error)); }
    } else {
      rules.push(...compileRuleText(readFileSync(path, 'utf8'), path, problems));
    }
  }
  const ids = rules.map((r) => r.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) problems.push(`duplicate rule id ${id}`);
  if (rules.length === 0 && problems.length === 0) problems.push(`no rules in ${paths.join(', ')}`);
  if (problems.length > 0) throw new Error(`invalid rules:\n  - ${problems.join('\n  - ')}`);
  return rules;
}

/**
 * Runs `auditgate rules …` and returns the exit code: 0 done, 1 the events could not be read, 2 bad usage or rules.
 * `rules test` is a backtest: the rules run over the stored events with the detector's engine; nothing is paged.
 */
export async function runRulesCli(deps: RulesCliDeps): Promise<number> {
  if (deps.argv.length === 0 || ['-h', '--help', 'help'].includes(deps.argv[0]!)) { deps.stdout.write(`${RULES_USAGE}\n`); return deps.argv.length === 0 ? 2 : 0; }
  let args: BacktestArgs;
  let rules: CompiledRule[];
  try {
    args = parseBacktestArgs(deps.argv, deps.env, deps.now());
    rules = loadRuleFiles(args.files);
  } catch (error) {
    deps.stderr.write(`auditgate rules: ${(error as Error).message}\n`);
    return 2;
  }
  const client = deps.openSearch(args.opensearch);
  try {
    const report = await runBacktest({ rules, samples: args.samples, events: storedEvents(client, { index: args.index, fromMs: args.fromMs, toMs: args.toMs }) });
    const scope = { files: args.files, index: args.index, from: new Date(args.fromMs).toISOString(), to: new Date(args.toMs).toISOString() };
    deps.stdout.write(args.json ? `${JSON.stringify({ ...scope, ...report }, null, 2)}\n` : formatBacktest(report, scope));
    return 0;
  } catch (error) {
    deps.stderr.write(`auditgate rules: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await client.close().catch(() => undefined);
  }
}
