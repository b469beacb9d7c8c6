import { parseDuration } from '../rules/duration.js';

/** Usage of `auditgate rules …`. */
export const RULES_USAGE = `usage: auditgate rules test RULE_FILE... --from TIME [--to TIME] [options]
  Runs new or changed detection rules (native YAML or Sigma; files or folders) over the events stored in OpenSearch
  and prints what they would have fired: alerts, actors and sample events. Dry run: nothing is paged or stored.
  TIME: ISO 8601 (2026-05-04T10:00:00Z), now, or now-<duration> (now-30m, now-24h, now-7d); --to defaults to now
  --opensearch URL   OpenSearch (default $OPENSEARCH_URL, else http://127.0.0.1:9200)
  --index PATTERN    stored events (default auditgate-events-*)
  --samples N        sample alerts per rule (default 5)
  --json             the report as JSON`;

/** A parsed `auditgate rules test` command. */
export interface BacktestArgs {
  readonly files: string[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly opensearch: string;
  readonly index: string;
  readonly samples: number;
  readonly json: boolean;
}

/** `now`, `now-<duration>` or an ISO 8601 time, in ms; undefined when malformed. */
export function parseTime(text: string, nowMs: number): number | undefined {
  if (text === 'now') return nowMs;
  const relative = /^now-(.+)$/.exec(text);
  if (relative !== null) { const ms = parseDuration(relative[1]); return ms === undefined ? undefined : nowMs - ms; }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Parses the arguments after `rules`; throws an Error whose message says what is wrong (plus usage). */
export function parseBacktestArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, nowMs: number): BacktestArgs {
  const fail = (message: string): never => { throw new Error(`${message}\n${RULES_USAGE}`); };
  if (argv[0] !== 'test') fail(argv[0] === undefined ? 'a subcommand is required' : `unknown subcommand "${argv[0]}"`);
  const files: string[] = [];
  const flags = new Map<string, string>();
  let json = false;
  for (let i = 1; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--json') { json = true; continue; }
    if (['--from', '--to', '--opensearch', '--index', '--samples'].includes(arg)) {
      const value = argv[i + 1];
      if (value === undefined) fail(`${arg} needs a value`);
      flags.set(arg, value!);
      i += 1;
      continue;
    }
    if (arg.startsWith('--')) fail(`unknown option ${arg}`);
    files.push(arg);
  }
  if (files.length === 0) fail('at least one RULE_FILE is required');
  const from = flags.get('--from');
  if (from === undefined) fail('--from is required');
  const fromMs = parseTime(from!, nowMs);
  const toMs = parseTime(flags.get('--to') ?? 'now', nowMs);
  if (fromMs === undefined) fail(`--from: not a time: ${from}`);
  if (toMs === undefined) fail(`--to: not a time: ${flags.get('--to')}`);
  if (fromMs! > toMs!) fail('--from is after --to');
  const samples = Number(flags.get('--samples') ?? '5');
  if (!Number.isInteger(samples) || samples < 0 || samples > 1000) fail('--samples must be an integer from 0 to 1000');
  const opensearch = flags.get('--opensearch') ?? env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200';
  if (!/^https?:\/\//.test(opensearch)) fail(`--opensearch must be an http(s) URL, got ${opensearch}`);
  return { files, fromMs: fromMs!, toMs: toMs!, opensearch, index: flags.get('--index') ?? 'auditgate-events-*', samples, json };
}
