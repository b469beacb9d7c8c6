import type { McpKubernetesScope } from '@auditgate/shared';

/** The person a delegated token names, as the gateway verified them from their own token. */
export interface DelegatedPerson {
  readonly issuer: string;
  readonly subject: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly tokenKind: 'serviceaccount' | 'oidc';
}

/** The tool call a delegated token is bound to. */
export interface DelegatedCall {
  readonly callId: string;
  readonly toolName: string;
  /** JSON-RPC id of the `tools/call`, as text. */
  readonly requestId: string;
  readonly scope?: McpKubernetesScope;
}

/** Everything a delegated token says, as read back after verification. */
export interface Delegation {
  readonly jti: string;
  readonly server: string;
  readonly audience: string;
  readonly expiresAt: number;
  readonly person: DelegatedPerson;
  readonly agent?: string;
  readonly sessionId?: string;
  /** Absent for the tokens of other messages (initialize, tools/list, …), which the Kubernetes path refuses. */
  readonly call?: DelegatedCall;
}

/** Claim holding the MCP binding: `{server, session?, tool?, rpc_id?, call?, scope?}`. */
export const MCP_CLAIM = 'auditgate_mcp';
/** Claim holding the person as verified: `{iss, sub, username, groups, kind}`. */
export const PERSON_CLAIM = 'auditgate_person';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The claims of a delegated token for `d` (without iss, aud, exp, iat, nbf, jti, which the signer sets). */
export function delegationClaims(d: Omit<Delegation, 'jti' | 'audience' | 'expiresAt'>): Record<string, unknown> {
  const mcp: Obj = { server: d.server };
  if (d.sessionId !== undefined) mcp['session'] = d.sessionId;
  if (d.call !== undefined) {
    mcp['call'] = d.call.callId; mcp['tool'] = d.call.toolName; mcp['rpc_id'] = d.call.requestId;
    if (d.call.scope !== undefined) mcp['scope'] = d.call.scope;
  }
  return {
    sub: d.person.subject,
    // RFC 8693 §4.1: the party acting for the subject, here the agent (the OAuth client the person's token was issued to).
    act: { sub: d.agent ?? 'unidentified-mcp-client' },
    [MCP_CLAIM]: mcp,
    [PERSON_CLAIM]: { iss: d.person.issuer, sub: d.person.subject, username: d.person.username, groups: [...d.person.groups], kind: d.person.tokenKind },
  };
}

/** Reads a verified delegated token's claims back; undefined when they are not the gateway's shape. */
export function readDelegation(claims: Readonly<Record<string, unknown>>): Delegation | undefined {
  const mcp = claims[MCP_CLAIM];
  const person = claims[PERSON_CLAIM];
  const act = claims['act'];
  const aud = Array.isArray(claims['aud']) ? claims['aud'][0] : claims['aud'];
  if (!isObj(mcp) || !isObj(person)) return undefined;
  const server = str(mcp['server']);
  const jti = str(claims['jti']);
  const issuer = str(person['iss']);
  const subject = str(person['sub']);
  const username = str(person['username']);
  const groups = person['groups'];
  const kind = person['kind'];
  if (server === undefined || jti === undefined || issuer === undefined || subject === undefined || username === undefined
    || !Array.isArray(groups) || !groups.every((g) => typeof g === 'string') || (kind !== 'oidc' && kind !== 'serviceaccount')
    || typeof claims['exp'] !== 'number' || typeof aud !== 'string') return undefined;
  const callId = str(mcp['call']);
  const toolName = str(mcp['tool']);
  const requestId = str(mcp['rpc_id']);
  const scope = isObj(mcp['scope']) ? mcp['scope'] as McpKubernetesScope : undefined;
  const agent = isObj(act) ? str(act['sub']) : undefined;
  const sessionId = str(mcp['session']);
  return {
    jti, server, audience: aud, expiresAt: claims['exp'] * 1000,
    person: { issuer, subject, username, groups: groups as string[], tokenKind: kind },
    ...(agent === undefined ? {} : { agent }),
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(callId === undefined || toolName === undefined || requestId === undefined ? {} : {
      call: { callId, toolName, requestId, ...(scope === undefined ? {} : { scope }) },
    }),
  };
}
