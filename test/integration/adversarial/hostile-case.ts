/** What a hostile case is: bytes for one connection, built at run time for the caller it is sent as. */
import { requestBytes, type RawHeader, type RawRequest } from './request-bytes.js';

/** The objects of this run the cases aim at. */
export interface Targets {
  /** Unique to the run; in every User-Agent and in the namespace name, so the API server's audit log can be scoped. */
  readonly tag: string;
  /** The run's namespace; its Secret is masked by the example policy. */
  readonly ns: string;
  readonly maskedSecret: string;
  /** kube-system, where the example policy denies Secrets. */
  readonly deniedNs: string;
  readonly deniedSecret: string;
}

/** Targets plus the caller a case is sent as. */
export interface CaseContext extends Targets {
  readonly token: string;
  readonly userAgent: string;
  /** A DNS-safe name never used before in this run. */
  fresh(prefix: string): string;
}

/** Checks of the fixed gateway's stated behaviour that a case is subject to (beyond the global oracles). */
export type Contract =
  /** Ambiguous framing or a body where none belongs: a 400 Status from the gateway itself. */
  | 'refused-400'
  /** Upgrade headers on something other than exec/attach/portforward/proxy: never a 101. */
  | 'no-upgrade'
  /** Any Accept: a 2xx answer is JSON or YAML, or else the gateway answers 406. */
  | 'json-or-yaml';

/** The bytes of one case. */
export interface CaseWire {
  readonly parts: readonly Buffer[];
  readonly methods: readonly string[];
  readonly pauseMs?: number;
  readonly halfClose?: boolean;
}

/** One hostile case: one connection's worth of bytes. */
export interface HostileCase {
  /** Unique and stable, e.g. `framing/get-chunked-smuggle`. */
  readonly id: string;
  readonly category: 'framing' | 'headers' | 'accept' | 'content' | 'upgrade' | 'paths' | 'pipeline' | 'generated';
  /** Requests it sends (for pacing under the policy's rate limit). */
  readonly requests: number;
  /** Answers expected if the gateway answers every request it can parse. */
  readonly expect: number;
  /** The request is incomplete on purpose: no answer at all is acceptable. */
  readonly silentOk?: boolean;
  /** Runs alone, then an innocent request on a fresh connection must get its own answer. */
  readonly innocentAfter?: boolean;
  readonly contracts?: readonly Contract[];
  /** What a generated case is made of, to replay it by hand. */
  readonly describe?: string;
  build(ctx: CaseContext): CaseWire;
}

/** Paths of the run's targets. */
export function paths(t: Targets): {
  maskedGet: string; maskedList: string; maskedWatch: string; maskedWatchLegacy: string;
  deniedGet: string; deniedList: string; deniedWatch: string; deniedWatchLegacy: string;
  configMaps: string; missingConfigMap: (name: string) => string; missingSecret: (name: string) => string;
  exec: (ns: string) => string; attach: (ns: string) => string; portForward: (ns: string) => string; podProxy: (ns: string) => string;
} {
  const secrets = (ns: string): string => `/api/v1/namespaces/${ns}/secrets`;
  return {
    maskedGet: `${secrets(t.ns)}/${t.maskedSecret}`,
    maskedList: secrets(t.ns),
    maskedWatch: `${secrets(t.ns)}?watch=true&timeoutSeconds=1`,
    maskedWatchLegacy: `/api/v1/watch/namespaces/${t.ns}/secrets?timeoutSeconds=1`,
    deniedGet: `${secrets(t.deniedNs)}/${t.deniedSecret}`,
    deniedList: secrets(t.deniedNs),
    deniedWatch: `${secrets(t.deniedNs)}?watch=true&timeoutSeconds=1`,
    deniedWatchLegacy: `/api/v1/watch/namespaces/${t.deniedNs}/secrets?timeoutSeconds=1`,
    configMaps: `/api/v1/namespaces/${t.ns}/configmaps`,
    missingConfigMap: (name) => `/api/v1/namespaces/${t.ns}/configmaps/${name}`,
    missingSecret: (name) => `${secrets(t.ns)}/${name}`,
    exec: (ns) => `/api/v1/namespaces/${ns}/pods/adv-pod/exec?command=true&stdout=true`,
    attach: (ns) => `/api/v1/namespaces/${ns}/pods/adv-pod/attach?stdout=true`,
    portForward: (ns) => `/api/v1/namespaces/${ns}/pods/adv-pod/portforward?ports=80`,
    podProxy: (ns) => `/api/v1/namespaces/${ns}/pods/adv-pod/proxy/`,
  };
}

/** Options of {@link standard}: what differs from an ordinary authenticated request. */
export interface StandardOptions {
  readonly accept?: string;
  /** Headers added after the standard ones. */
  readonly extra?: readonly RawHeader[];
  /** Standard headers left out (lower-case names: host, authorization, user-agent, accept). */
  readonly omit?: readonly string[];
  readonly body?: Buffer | string;
  readonly version?: string;
  readonly eol?: string;
}

/** An authenticated request as a well-behaved client would frame it, plus whatever the case adds. */
export function standardRequest(ctx: CaseContext, method: string, target: string, options: StandardOptions = {}): RawRequest {
  const omit = new Set(options.omit ?? []);
  const headers: RawHeader[] = [];
  if (!omit.has('host')) headers.push(['Host', 'localhost']);
  if (!omit.has('authorization')) headers.push(['Authorization', `Bearer ${ctx.token}`]);
  if (!omit.has('user-agent')) headers.push(['User-Agent', ctx.userAgent]);
  if (!omit.has('accept')) headers.push(['Accept', options.accept ?? 'application/json']);
  headers.push(...(options.extra ?? []));
  return {
    method, target, headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.eol === undefined ? {} : { eol: options.eol }),
  };
}

/** One standard request as a whole case wire. */
export function single(ctx: CaseContext, method: string, target: string, options: StandardOptions = {}): CaseWire {
  return { parts: [requestBytes(standardRequest(ctx, method, target, options))], methods: [method] };
}
