import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { SUPPORTED_SCHEMA_VERSIONS } from './audit-event.js';
import {
  MCP_DIRECTIONS, MCP_EVENT_API_VERSION, MCP_EVENT_KIND, MCP_MESSAGE_KINDS, MCP_OUTCOMES, MCP_SCHEMA_VERSION, MCP_STAGES,
  type McpEvent,
} from './mcp-event.js';
import { checkActor, checkBody, checkChain, checkUser, isObj, Problems, type Obj } from './validate-audit-event.js';

function checkFacts(p: Problems, mcp: Obj | undefined, path: string): void {
  if (mcp === undefined) return;
  p.str(mcp, 'server', path);
  p.oneOf(mcp, 'direction', path, MCP_DIRECTIONS);
  p.oneOf(mcp, 'messageKind', path, MCP_MESSAGE_KINDS);
  for (const key of ['sessionId', 'protocolVersion', 'method', 'requestId', 'toolName', 'callId', 'agent']) p.str(mcp, key, path, false);
  if (mcp['outcome'] !== undefined) p.oneOf(mcp, 'outcome', path, MCP_OUTCOMES);
  const error = p.obj(mcp, 'error', path, false);
  if (error) { p.num(error, 'code', `${path}.error`); p.str(error, 'message', `${path}.error`); }
  const transport = p.obj(mcp, 'transport', path, false);
  if (transport) { p.num(transport, 'status', `${path}.transport`, false); p.str(transport, 'error', `${path}.transport`, false); }
  const scope = p.obj(mcp, 'scope', path, false);
  if (scope) for (const key of ['namespace', 'resource', 'apiGroup', 'name']) p.str(scope, key, `${path}.scope`, false);
  const delegation = p.obj(mcp, 'delegation', path, false);
  if (delegation) { p.str(delegation, 'jti', `${path}.delegation`); p.str(delegation, 'audience', `${path}.delegation`); p.time(delegation, 'expiresAt', `${path}.delegation`); }
  const budget = p.obj(mcp, 'budget', path, false);
  if (budget) { p.num(budget, 'used', `${path}.budget`); p.num(budget, 'limit', `${path}.budget`); p.str(budget, 'ruleId', `${path}.budget`); }
  const cancels = p.obj(mcp, 'cancels', path, false);
  if (cancels) { p.str(cancels, 'requestId', `${path}.cancels`); p.str(cancels, 'reason', `${path}.cancels`, false); }
  const client = p.obj(mcp, 'client', path, false);
  if (client) { p.str(client, 'name', `${path}.client`, false); p.str(client, 'version', `${path}.client`, false); }
}

/** Lists what is wrong with `value` as an MCP event, one `path: problem` per entry; empty when valid. */
export function mcpEventProblems(value: unknown): string[] {
  const p = new Problems();
  if (!isObj(value)) return ['$: must be an object'];
  if (value['apiVersion'] !== MCP_EVENT_API_VERSION) p.add('$.apiVersion', `must be ${MCP_EVENT_API_VERSION}`);
  if (value['kind'] !== MCP_EVENT_KIND) p.add('$.kind', `must be ${MCP_EVENT_KIND}`);
  if (value['level'] !== 'RequestResponse') p.add('$.level', 'must be RequestResponse');
  p.oneOf(value, 'stage', '$', MCP_STAGES);
  for (const key of ['auditID', 'requestURI', 'verb']) p.str(value, key, '$');
  if (typeof value['auditID'] === 'string' && !/^[0-9A-Za-z-]{8,64}$/.test(value['auditID'])) p.add('$.auditID', 'must be 8-64 of [0-9A-Za-z-]');
  checkUser(p, p.obj(value, 'user', '$'), '$.user');
  p.strArray(value, 'sourceIPs', '$');
  p.str(value, 'userAgent', '$', false);
  const status = p.obj(value, 'responseStatus', '$', false);
  if (status) p.num(status, 'code', '$.responseStatus');
  p.time(value, 'requestReceivedTimestamp', '$');
  p.time(value, 'stageTimestamp', '$');
  const annotations = p.obj(value, 'annotations', '$', false);
  if (annotations && Object.values(annotations).some((v) => typeof v !== 'string')) p.add('$.annotations', 'values must be strings');
  const ext = p.obj(value, 'auditgate', '$');
  if (ext) {
    const path = '$.auditgate';
    const version = ext['schemaVersion'];
    if (typeof version !== 'number' || !SUPPORTED_SCHEMA_VERSIONS.includes(version) || version < MCP_SCHEMA_VERSION) {
      p.add(`${path}.schemaVersion`, `must be one of ${SUPPORTED_SCHEMA_VERSIONS.filter((v) => v >= MCP_SCHEMA_VERSION).join(', ')} (MCP events exist from version ${MCP_SCHEMA_VERSION})`);
    }
    const gateway = p.obj(ext, 'gateway', path);
    if (gateway) { p.str(gateway, 'instance', `${path}.gateway`); p.str(gateway, 'version', `${path}.gateway`); }
    checkActor(p, p.obj(ext, 'actor', path), `${path}.actor`);
    checkFacts(p, p.obj(ext, 'mcp', path), `${path}.mcp`);
    const cluster = p.obj(ext, 'cluster', path);
    if (cluster) p.str(cluster, 'name', `${path}.cluster`);
    const policy = p.obj(ext, 'policy', path, false);
    if (policy) { p.str(policy, 'bundleHash', `${path}.policy`); p.oneOf(policy, 'decision', `${path}.policy`, ['allow', 'deny']); }
    const body = p.obj(ext, 'body', path, false);
    if (body) {
      checkBody(p, p.obj(body, 'request', `${path}.body`, false), `${path}.body.request`);
      checkBody(p, p.obj(body, 'response', `${path}.body`, false), `${path}.body.response`);
    }
    const stream = p.obj(ext, 'stream', path, false);
    if (stream) for (const key of ['events', 'bytes', 'durationMs']) p.num(stream, key, `${path}.stream`);
    checkChain(p, ext, path);
  }
  return p.list;
}

/** Returns `value` typed as an {@link McpEvent}, or throws `AUDITGATE_E_EVENT_INVALID` listing every problem. */
export function validateMcpEvent(value: unknown): McpEvent {
  const problems = mcpEventProblems(value);
  if (problems.length > 0) {
    throw new AppError(`invalid MCP event: ${problems.slice(0, 10).join('; ')}`, { code: ErrorCodes.EVENT_INVALID, status: 400, details: { problems } });
  }
  return value as McpEvent;
}
