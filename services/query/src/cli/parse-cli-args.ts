import { parseArgs } from 'node:util';

/** A parsed `auditgate` command line. */
export interface CliCommand {
  readonly command: 'search' | 'timeline' | 'export' | 'help';
  /** The actor of `timeline`. */
  readonly actor?: string;
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
  refused: 'refused',
};

/** The usage text. */
export const USAGE = `usage: auditgate <search|timeline <username>|export|policy lint|rules test> [flags]
  filters: --since 1h | --from <iso|now-24h> --to <iso|now>, --actor, --on-behalf-of, --verb, --resource, --namespace,
           --name, --api-group, --subresource, --decision allow|deny|mask, --status 403|4xx, --cluster, --session, --tool,
           --q <text in requestURI>, --secret-access true|false, --cluster-wide true|false,
           --refused true|false (policy deny or HTTP 403)
  search/timeline: --limit N (default 50), --sort asc|desc (search), --json
  export: --format ndjson|csv (default ndjson), --limit N, --output <file> (default stdout)
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
  ]);
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const v = values as Record<string, string | boolean | undefined>;
  const [command, ...rest] = positionals;
  if (v['help'] === true || command === undefined || command === 'help') return { command: 'help', params: {}, json: false, limit: 0 };
  if (command !== 'search' && command !== 'timeline' && command !== 'export') throw new Error(`unknown command "${command}"\n${USAGE}`);
  if (command === 'timeline' ? rest.length !== 1 : rest.length !== 0) throw new Error(`unexpected arguments: ${rest.join(' ')}\n${USAGE}`);
  const params: Record<string, string> = {};
  for (const [flag, param] of Object.entries(FILTER_FLAGS)) if (typeof v[flag] === 'string') params[param] = v[flag];
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
    command, params, json: v['json'] === true, limit: Number(limitRaw ?? 50),
    ...(command === 'timeline' ? { actor: rest[0]! } : {}),
    ...(url === undefined ? {} : { url }), ...(token === undefined ? {} : { token }), ...(output === undefined ? {} : { output }),
  };
}
