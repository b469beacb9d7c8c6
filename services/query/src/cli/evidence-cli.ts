import { parseArgs } from 'node:util';
import { Client } from '@opensearch-project/opensearch';
import { createKafka, createLogger, mcpIndexFor, Topics } from '@auditgate/shared';
import { loadFromKafka } from '../evidence/kafka-evidence.js';
import { loadJwks } from '../evidence/load-jwks.js';
import { loadFromOpenSearch } from '../evidence/opensearch-evidence.js';
import { readApiServerLog } from '../evidence/reconcile/read-apiserver-log.js';
import { loadOurExchanges } from '../evidence/reconcile/our-exchanges.js';
import { reconcile, type ReconcileReport } from '../evidence/reconcile/reconcile.js';
import { runVerify } from '../evidence/run-verify.js';
import type { Problem, VerifyReport } from '../evidence/verify-types.js';
import { parseDuration, parseInstant } from '../search/parse-time.js';
import type { CliIo } from './run-cli.js';

/** The usage text of the evidence commands. */
export const EVIDENCE_USAGE = `  verify    --from <iso|now-1h> --to <iso|now> [--source opensearch|kafka] --jwks <file|url>... [--json]
            checks every hash chain and checkpoint signature; exit 1 on any problem
            opensearch: --opensearch <url> (OPENSEARCH_URL), --index auditgate-events, --mcp-index (its pair: auditgate-mcp),
                        --checkpoints-index auditgate-checkpoints
            kafka: --brokers <host:port,…> (KAFKA_BROKERS), --events-topic, --checkpoints-topic
            --slack 60s (checkpoints read around the window), --grace 15s (before a silent stream counts as stopped)
  reconcile --apiserver-audit-log <file>... --from … --to … [--upstream-user <name>...] [--opensearch] [--index] [--json]
            compares the API server's own audit log (or EKS logs exported from CloudWatch) with our records;
            exit 1 below 100 % coverage or on any disagreement
            --upstream-user (AUDITGATE_UPSTREAM_USER): the gateway's identity at the API server; without it, it is learned
            from the gateway's own calls and the audit IDs both logs share, and reconcile exits 2 when nothing names it`;

const OPTIONS = {
  from: { type: 'string' }, to: { type: 'string' }, source: { type: 'string' }, jwks: { type: 'string', multiple: true },
  json: { type: 'boolean' }, opensearch: { type: 'string' }, index: { type: 'string' }, 'mcp-index': { type: 'string' }, 'checkpoints-index': { type: 'string' },
  brokers: { type: 'string' }, 'events-topic': { type: 'string' }, 'checkpoints-topic': { type: 'string' },
  slack: { type: 'string' }, grace: { type: 'string' }, 'apiserver-audit-log': { type: 'string', multiple: true },
  'upstream-user': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

/** One problem as a line: kind, position, record, what is wrong. */
function problemLine(p: Problem): string {
  const pos = p.seq === undefined ? '' : ` seq ${p.seq}${p.seqTo === undefined || p.seqTo === p.seq ? '' : `–${p.seqTo}`}`;
  const rec = [p.auditID, p.stage].filter((x) => x !== undefined).join(' ');
  return `${p.kind.padEnd(18)} ${p.stream ?? '-'}${pos}${rec === '' ? '' : ` ${rec}`}${p.where === undefined ? '' : ` (${p.where})`}: ${p.detail}`;
}

function reconcileLines(r: ReconcileReport): string[] {
  return [
    ...r.missing.map((m) => `missing     ${m.auditID} ${m.verb ?? ''} ${m.requestURI ?? ''} (served ${m.at ?? '?'} to ${m.user ?? '?'}${m.impersonatedUser === undefined ? '' : ` as ${m.impersonatedUser}`}, code ${m.code ?? '?'})`),
    ...r.disagreements.map((d) => `disagrees   ${d.auditID} ${d.requestURI}: ${d.fields.join('; ')}`),
    ...r.unseen.map((u) => `unseen      ${u.auditID} ${u.verb} ${u.requestURI} (our record says forwarded, code ${u.code ?? '?'})`),
  ];
}

/** Runs `auditgate verify` or `auditgate reconcile` against OpenSearch or Kafka directly; resolves with the exit code. */
export async function runEvidenceCli(command: 'verify' | 'reconcile', argv: string[], io: CliIo): Promise<number> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (error) {
    io.stderr.write(`auditgate ${command}: ${(error as Error).message}\n${EVIDENCE_USAGE}\n`);
    return 2;
  }
  if (values['help'] === true) { io.stdout.write(`${EVIDENCE_USAGE}\n`); return 0; }
  const str = (k: string, fallback?: string): string | undefined => (typeof values[k] === 'string' ? values[k] as string : fallback);
  const list = (k: string): string[] => (Array.isArray(values[k]) ? values[k] as string[] : []).flatMap((v) => v.split(',')).filter((v) => v !== '');
  const now = Date.now();
  let os: Client | undefined;
  try {
    const need = (k: string): string => { const v = str(k); if (v === undefined) throw new UsageError(`--${k} is required`); return v; };
    const from = parseInstant('from', need('from'), now);
    const to = parseInstant('to', str('to', 'now')!, now);
    if (from > to) throw new UsageError('--from is after --to');
    const opensearch = (): Client => { os ??= new Client({ node: str('opensearch', io.env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200')! }); return os; };
    const eventsIndex = str('index', 'auditgate-events')!;
    if (command === 'reconcile') {
      const logs = list('apiserver-audit-log');
      if (logs.length === 0) throw new UsageError('--apiserver-audit-log is required');
      const apiServer = (await Promise.all(logs.map(readApiServerLog))).flat();
      const ours = await loadOurExchanges(opensearch(), eventsIndex, from, to);
      const users = [...list('upstream-user'), ...(io.env['AUDITGATE_UPSTREAM_USER'] ?? '').split(',').filter((v) => v !== '')];
      const report = reconcile({ apiServer, ours, from, to, ...(users.length === 0 ? {} : { identities: users }) });
      if (values['json'] === true) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else io.stdout.write([...reconcileLines(report), report.summary, ''].join('\n'));
      return report.ok ? 0 : 1;
    }
    const source = str('source', 'opensearch');
    if (source !== 'opensearch' && source !== 'kafka') throw new UsageError('--source is opensearch or kafka');
    const keys = [...list('jwks'), ...(io.env['AUDITGATE_JWKS'] ?? '').split(',').filter((v) => v !== '')];
    if (keys.length === 0) throw new UsageError('--jwks (or AUDITGATE_JWKS) names the checkpoint keys: a JWKS file or a gateway\'s /.well-known/jwks.json');
    const slackMs = parseDuration('slack', str('slack', '60s')!);
    const graceMs = parseDuration('grace', str('grace', '15s')!);
    const jwks = await loadJwks(keys, io.fetch);
    const load = source === 'kafka'
      ? () => loadFromKafka({
        kafka: createKafka({ brokers: str('brokers', io.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092')!.split(','), clientId: 'auditgate-verify', logger: createLogger({ name: 'verify', level: 'error' }) }),
        eventsTopic: str('events-topic', Topics.events)!, checkpointsTopic: str('checkpoints-topic', Topics.checkpoints)!, from, to, slackMs,
      })
      // MCP events are links of the same chains, kept in their own index.
      : () => loadFromOpenSearch({ client: opensearch(), eventsIndex: `${eventsIndex},${str('mcp-index', mcpIndexFor(eventsIndex))!}`, checkpointsIndex: str('checkpoints-index', 'auditgate-checkpoints')!, from, to, slackMs });
    const report: VerifyReport = await runVerify({ source, from, to, now, jwks, load, graceMs });
    if (values['json'] === true) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout.write([...report.problems.map(problemLine), report.summary, ''].join('\n'));
    return report.ok ? 0 : 1;
  } catch (error) {
    const usage = error instanceof UsageError || (error as { status?: number }).status === 400;
    io.stderr.write(`auditgate ${command}: ${(error as Error).message}\n${usage ? `${EVIDENCE_USAGE}\n` : ''}`);
    return 2;
  } finally {
    await os?.close();
  }
}
