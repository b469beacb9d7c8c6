import { parseArgs } from 'node:util';

/** A parsed `auditgate` command line. */
export interface CliCommand {
  readonly command: 'search' | 'timeline' | 'export' | 'calls' | 'call' | 'help';
  /** The actor of `timeline`. */
  readonly actor?: string;
  /** The MCP tool call of `call`. */
  readonly callId?: string;
  /** API query parameters (filters, size, format, limit). */
  readonly params: Record<string, string>;
  readonly json: boolean;
  readonly url?: string;
  readonly token?: string;
  readonly output?: string;
  /** Rows to fetch at most for search/timeline (following cursors). */
  readonly limit: number;
}

/** CLI flag → API parameter of the shared filters. */
const FILTER_FLAGS: Record<string, string> = {
  since: 'since', from: 'from', to: 'to', actor: 'actor', 'on-behalf-of': 'onBehalfOf', verb: 'verb', resource: 'resource',
  namespace: 'namespace', name: 'name', 'api-group': 'apiGroup', subresource: 'subresource', decision: 'decision', status: 'status',
  cluster: 'cluster', session: 'session', tool: 'tool', q: 'q', 'secret-access': 'secretAccess', 'cluster-wide': 'clusterWide',
  refused: 'refused', call: 'call', server: 'server',
};

/** The usage text. */
export const USAGE = `usage: auditgate <search|timeline <username>|export|calls|call <call id>|policy lint|rules test> [flags]
  filters: --since 1h | --from <iso|now-24h> --to <iso|now>, --actor, --on-behalf-of, --verb, --resource, --namespace,
           --name, --api-group, --subresource, --decision allow|deny|mask, --status 403|4xx, --cluster, --session, --tool,
           --q <text in requestURI>, --secret-access true|false, --cluster-wide true|false,
           --refused true|false (policy deny or HTTP 403), --call <MCP tool call id> (that call's Kubernetes requests), --server <MCP server>
  search/timeline: --limit N (default 50), --sort asc|desc (search), --json
  export: --format ndjson|csv (default ndjson), --limit N, --output <file> (default stdout)
  calls: MCP tool calls (--since/--from/--to, --actor <person>, --server, --tool, --session, --outcome ok|tool-error|…),
         each with how many Kubernetes requests it made; call <call id>: one tool call and every Kubernetes request it made
  connection: --url (or AUDITGATE_URL, default http://127.0.0.1:8080), --token (or AUDITGATE_TOKEN)
  policy lint [--json] [--strict] FILE...: lint gateway policy files offline (auditgate policy --help)
  rules test RULE_FILE... --from <iso|now-24h> [--to …]: backtest detection rules over stored events (auditgate rules --help)`;

/** Parses `argv` (without node and script); throws an Error with a usage message on bad input. */
export function parseCliArgs(argv: string[]): CliCommand {
  const options = Object.fromEntries([
    ...Object.keys(FILTER_FLAGS).map((k) => [k, { type: 'string' as const }]),
    ['json', { type: 'boolean' as const }], ['help', { type: 'boolean' as const, short: 'h' }],
    ['url', { type: 'string' as const }], ['token', { type: 'string' as const }], ['output', { type: 'string' as const, short: 'o' }],
    ['format', { type: 'string' as const }], ['limit', { type: 'string' as const }], ['sort', { type: 'string' as const }],
    ['outcome', { type: 'string' as const }],
  ]);
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const v = values as Record<string, string | boolean | undefined>;
  const [command, ...rest] = positionals;
  if (v['help'] === true || command === undefined || command === 'help') return { command: 'help', params: {}, json: false, limit: 0 };
  if (!['search', 'timeline', 'export', 'calls', 'call'].includes(command)) throw new Error(`unknown command "${command}"\n${USAGE}`);
  if (command === 'timeline' || command === 'call' ? rest.length !== 1 : rest.length !== 0) throw new Error(`unexpected arguments: ${rest.join(' ')}\n${USAGE}`);
  if (command === 'call' && !/^[A-Za-z0-9-]{8,64}$/.test(rest[0]!)) throw new Error(`"${rest[0]}" is not a tool call id`);
  if (typeof v['outcome'] === 'string' && command !== 'calls') throw new Error('--outcome is for calls only');
  const params: Record<string, string> = {};
  for (const [flag, param] of Object.entries(FILTER_FLAGS)) if (typeof v[flag] === 'string') params[param] = v[flag];
  if (typeof v['outcome'] === 'string') params['outcome'] = v['outcome'];
  if (command === 'timeline' && params['actor'] !== undefined) throw new Error('timeline takes the actor as its argument, not --actor');
  const limitRaw = typeof v['limit'] === 'string' ? v['limit'] : undefined;
  if (limitRaw !== undefined && !/^[1-9]\d{0,8}$/.test(limitRaw)) throw new Error('--limit must be a positive whole number');
  if (command === 'export') {
    params['format'] = typeof v['format'] === 'string' ? v['format'] : 'ndjson';
    if (limitRaw !== undefined) params['limit'] = limitRaw;
  } else if (v['format'] !== undefined) throw new Error('--format is for export only');
  if (command === 'search' && typeof v['sort'] === 'string') params['sort'] = v['sort'];
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  const url = str('url');
  const token = str('token');
  const output = str('output');
  return {
    command: command as CliCommand['command'], params, json: v['json'] === true, limit: Number(limitRaw ?? 50),
    ...(command === 'timeline' ? { actor: rest[0]! } : {}),
    ...(command === 'call' ? { callId: rest[0]! } : {}),
    ...(url === undefined ? {} : { url }), ...(token === undefined ? {} : { token }), ...(output === undefined ? {} : { output }),
  };
}
