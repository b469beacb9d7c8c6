import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EVIDENCE_USAGE, runEvidenceCli } from './evidence-cli.js';
import { CALL_COLUMNS, formatTable } from './format-table.js';
import { parseCliArgs, USAGE, type CliCommand } from './parse-cli-args.js';

/** What the CLI needs from its process: arguments, environment, output streams and fetch. */
export interface CliIo {
  readonly argv: string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly fetch: typeof fetch;
}

async function apiError(res: Response): Promise<Error> {
  const text = await res.text();
  try {
    const e = (JSON.parse(text) as { error: { code: string; message: string } }).error;
    return new Error(`HTTP ${res.status} ${e.code}: ${e.message}`);
  } catch { return new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`); }
}

async function list(cmd: CliCommand, base: string, headers: Record<string, string>, io: CliIo): Promise<{ total: number; events: Array<Record<string, unknown>> }> {
  const path = cmd.command === 'timeline' ? `/api/v1/actors/${encodeURIComponent(cmd.actor!)}/timeline` : '/api/v1/events';
  const events: Array<Record<string, unknown>> = [];
  let total = 0;
  let cursor: string | undefined;
  do {
    const size = Math.min(500, cmd.limit - events.length);
    const qs = new URLSearchParams({ ...cmd.params, size: String(size), ...(cursor === undefined ? {} : { cursor }) });
    const res = await io.fetch(`${base}${path}?${qs}`, { headers });
    if (res.status !== 200) throw await apiError(res);
    const page = (await res.json()) as { total: number; events: Array<Record<string, unknown>>; nextCursor?: string };
    total = page.total;
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor !== undefined && events.length < cmd.limit);
  return { total, events };
}

/** `calls` (tool calls, each with its count of Kubernetes requests) and `call <id>` (one call and its Kubernetes requests). */
async function mcpCommand(cmd: CliCommand, base: string, headers: Record<string, string>, io: CliIo): Promise<number> {
  if (cmd.command === 'calls') {
    const qs = new URLSearchParams({ ...cmd.params, size: String(Math.min(cmd.limit, 500)) });
    const res = await io.fetch(`${base}/api/v1/mcp/calls?${qs}`, { headers });
    if (res.status !== 200) throw await apiError(res);
    const page = (await res.json()) as { total: number; calls: Array<Record<string, unknown>> };
    if (cmd.json) io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    else io.stdout.write(`${formatTable(page.calls, CALL_COLUMNS)}${page.calls.length} of ${page.total} tool calls\n`);
    return 0;
  }
  const res = await io.fetch(`${base}/api/v1/mcp/calls/${encodeURIComponent(cmd.callId!)}`, { headers });
  if (res.status !== 200) throw await apiError(res);
  const found = (await res.json()) as { call: Record<string, unknown> | null; kubernetes: { total: number; events: Array<Record<string, unknown>> } };
  if (cmd.json) { io.stdout.write(`${JSON.stringify(found, null, 2)}\n`); return 0; }
  const call = found.call === null ? [] : [{ ...found.call, kubernetesRequests: found.kubernetes.total }];
  io.stdout.write(`${formatTable(call, CALL_COLUMNS)}\n${formatTable(found.kubernetes.events)}${found.kubernetes.events.length} of ${found.kubernetes.total} Kubernetes requests of this call\n`);
  return 0;
}

/** Runs one `auditgate` command; resolves with the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(io: CliIo): Promise<number> {
  const [first, ...rest] = io.argv;
  // verify and reconcile read OpenSearch or Kafka themselves: an auditor's check must not depend on the query service.
  if (first === 'verify' || first === 'reconcile') return runEvidenceCli(first, rest, io);
  let cmd: CliCommand;
  try { cmd = parseCliArgs(io.argv); } catch (error) { io.stderr.write(`auditgate: ${(error as Error).message}\n`); return 2; }
  if (cmd.command === 'help') { io.stdout.write(`${USAGE}\n${EVIDENCE_USAGE}\n`); return 0; }
  const base = (cmd.url ?? io.env['AUDITGATE_URL'] ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = cmd.token ?? io.env['AUDITGATE_TOKEN'];
  if (token === undefined || token === '') { io.stderr.write('auditgate: a token is required (--token or AUDITGATE_TOKEN)\n'); return 2; }
  const headers = { authorization: `Bearer ${token}`, 'user-agent': 'auditgate-cli/0.1.0' };
  try {
    if (cmd.command === 'export') {
      const res = await io.fetch(`${base}/api/v1/export?${new URLSearchParams(cmd.params)}`, { headers });
      if (res.status !== 200 || res.body === null) throw await apiError(res);
      await pipeline(Readable.fromWeb(res.body as never), cmd.output === undefined ? io.stdout : createWriteStream(cmd.output), { end: cmd.output !== undefined });
      return 0;
    }
    if (cmd.command === 'calls' || cmd.command === 'call') return await mcpCommand(cmd, base, headers, io);
    const { total, events } = await list(cmd, base, headers, io);
    if (cmd.json) io.stdout.write(`${JSON.stringify({ total, events }, null, 2)}\n`);
    else io.stdout.write(`${formatTable(events)}${events.length} of ${total} events\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`auditgate: ${(error as Error).message}\n`);
    return 1;
  }
}
