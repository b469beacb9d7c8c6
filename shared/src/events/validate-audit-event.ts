import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import {
  AUDIT_LEVELS, AUDIT_STAGES, SUPPORTED_SCHEMA_VERSIONS, type AuditEvent,
} from './audit-event.js';

/** A JSON object. */
export type Obj = Record<string, unknown>;
/** True for a plain JSON object. */
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Collects the problems of one value, each with its JSON path. */
export class Problems {
  readonly list: string[] = [];
  add(path: string, message: string): void { this.list.push(`${path}: ${message}`); }
  str(o: Obj, key: string, path: string, required = true): void {
    const v = o[key];
    if (v === undefined) { if (required) this.add(`${path}.${key}`, 'required'); return; }
    if (typeof v !== 'string') this.add(`${path}.${key}`, 'must be a string');
  }
  num(o: Obj, key: string, path: string, required = true): void {
    const v = o[key];
    if (v === undefined) { if (required) this.add(`${path}.${key}`, 'required'); return; }
    if (typeof v !== 'number' || !Number.isFinite(v)) this.add(`${path}.${key}`, 'must be a number');
  }
  strArray(o: Obj, key: string, path: string, required = false): void {
    const v = o[key];
    if (v === undefined) { if (required) this.add(`${path}.${key}`, 'required'); return; }
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.add(`${path}.${key}`, 'must be an array of strings');
  }
  obj(o: Obj, key: string, path: string, required = true): Obj | undefined {
    const v = o[key];
    if (v === undefined) { if (required) this.add(`${path}.${key}`, 'required'); return undefined; }
    if (!isObj(v)) { this.add(`${path}.${key}`, 'must be an object'); return undefined; }
    return v;
  }
  time(o: Obj, key: string, path: string): void {
    const v = o[key];
    if (typeof v !== 'string' || !RFC3339.test(v)) this.add(`${path}.${key}`, 'must be an RFC 3339 timestamp');
  }
  oneOf(o: Obj, key: string, path: string, allowed: readonly string[]): void {
    const v = o[key];
    if (typeof v !== 'string' || !allowed.includes(v)) this.add(`${path}.${key}`, `must be one of ${allowed.join(', ')}`);
  }
}

/** Checks a UserInfo at `path`. */
export function checkUser(p: Problems, o: Obj | undefined, path: string): void {
  if (o === undefined) return;
  p.str(o, 'username', path, false);
  p.str(o, 'uid', path, false);
  p.strArray(o, 'groups', path);
}

/** Checks an ActorInfo at `path`. */
export function checkActor(p: Problems, o: Obj | undefined, path: string): void {
  if (o === undefined) return;
  for (const key of ['issuer', 'subject', 'username']) p.str(o, key, path);
  p.strArray(o, 'groups', path, true);
  p.oneOf(o, 'tokenKind', path, ['serviceaccount', 'oidc', 'anonymous']);
  const review = p.obj(o, 'review', path, false);
  if (review) {
    if (review['checked'] !== true) p.add(`${path}.review.checked`, 'must be true');
    for (const key of ['authenticated', 'cached']) if (typeof review[key] !== 'boolean') p.add(`${path}.review.${key}`, 'must be a boolean');
    p.time(review, 'at', `${path}.review`);
  }
}

/** Checks a BodyInfo at `path`. */
export function checkBody(p: Problems, o: Obj | undefined, path: string): void {
  if (o === undefined) return;
  p.num(o, 'bytes', path);
  p.str(o, 'sha256', path);
  if (o['digest'] !== undefined) p.oneOf(o, 'digest', path, ['sha256', 'hmac-sha256']);
  if (typeof o['truncated'] !== 'boolean') p.add(`${path}.truncated`, 'must be a boolean');
  p.strArray(o, 'maskedPaths', path, true);
}

function checkExtension(p: Problems, ext: Obj): void {
  const path = '$.auditgate';
  const version = ext['schemaVersion'];
  if (typeof version !== 'number' || !SUPPORTED_SCHEMA_VERSIONS.includes(version)) {
    p.add(`${path}.schemaVersion`, `must be one of ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}`);
  }
  const gateway = p.obj(ext, 'gateway', path);
  if (gateway) { p.str(gateway, 'instance', `${path}.gateway`); p.str(gateway, 'version', `${path}.gateway`); }
  checkActor(p, p.obj(ext, 'actor', path), `${path}.actor`);
  checkActor(p, p.obj(ext, 'onBehalfOf', path, false), `${path}.onBehalfOf`);
  const cluster = p.obj(ext, 'cluster', path);
  if (cluster) p.str(cluster, 'name', `${path}.cluster`);
  const classification = p.obj(ext, 'classification', path, false);
  if (classification) {
    if (typeof classification['clusterWide'] !== 'boolean') p.add(`${path}.classification.clusterWide`, 'must be a boolean');
    if (classification['resourceKey'] !== undefined) p.str(classification, 'resourceKey', `${path}.classification`);
  }
  const policy = p.obj(ext, 'policy', path, false);
  if (policy) { p.str(policy, 'bundleHash', `${path}.policy`); p.oneOf(policy, 'decision', `${path}.policy`, ['allow', 'deny', 'mask']); }
  const body = p.obj(ext, 'body', path, false);
  if (body) {
    checkBody(p, p.obj(body, 'request', `${path}.body`, false), `${path}.body.request`);
    checkBody(p, p.obj(body, 'response', `${path}.body`, false), `${path}.body.response`);
  }
  const stream = p.obj(ext, 'stream', path, false);
  if (stream) for (const key of ['events', 'bytes', 'durationMs']) p.num(stream, key, `${path}.stream`);
  if (typeof version === 'number' && version < 2 && stream !== undefined) p.add(`${path}.stream`, 'not in schema version 1');
  checkChain(p, ext, path);
  checkKubernetesMcp(p, p.obj(ext, 'mcp', path, false), `${path}.mcp`, typeof version === 'number' ? version : 0);
}

/** Checks the optional `chain` link of an extension at `path`. */
export function checkChain(p: Problems, ext: Obj, path: string): void {
  const chain = p.obj(ext, 'chain', path, false);
  if (chain) {
    p.str(chain, 'stream', `${path}.chain`); p.num(chain, 'seq', `${path}.chain`);
    p.str(chain, 'prevHash', `${path}.chain`); p.str(chain, 'hash', `${path}.chain`);
    for (const key of ['prevHash', 'hash']) {
      if (typeof chain[key] === 'string' && !/^[0-9a-f]{64}$/.test(chain[key])) p.add(`${path}.chain.${key}`, 'must be a hex SHA-256');
    }
    if (typeof chain['seq'] === 'number' && !(Number.isInteger(chain['seq']) && chain['seq'] >= 1)) p.add(`${path}.chain.seq`, 'must be a whole number from 1');
  }
}

/** Checks a Kubernetes event's MCP correlation: `verified` (and what only a delegated token names) from version 3. */
function checkKubernetesMcp(p: Problems, mcp: Obj | undefined, path: string, version: number): void {
  if (mcp === undefined) return;
  for (const key of ['sessionId', 'toolName', 'requestId', 'server', 'callId', 'agent']) p.str(mcp, key, path, false);
  if (mcp['caller'] !== undefined) p.oneOf(mcp, 'caller', path, ['supplied', 'verified']);
  const scope = p.obj(mcp, 'scope', path, false);
  if (scope) for (const key of ['namespace', 'resource', 'apiGroup', 'name']) p.str(scope, key, `${path}.scope`, false);
  if (version < 3 && (mcp['caller'] === 'verified' || mcp['callId'] !== undefined || scope !== undefined)) {
    p.add(path, 'verified MCP correlation is not in schema versions before 3');
  }
}

/** Lists what is wrong with `value` as an audit event, one `path: problem` per entry; empty when valid. */
export function auditEventProblems(value: unknown): string[] {
  const p = new Problems();
  if (!isObj(value)) return ['$: must be an object'];
  if (value['apiVersion'] !== 'audit.k8s.io/v1') p.add('$.apiVersion', 'must be audit.k8s.io/v1');
  if (value['kind'] !== 'Event') p.add('$.kind', 'must be Event');
  p.oneOf(value, 'level', '$', AUDIT_LEVELS);
  p.oneOf(value, 'stage', '$', AUDIT_STAGES);
  for (const key of ['auditID', 'requestURI', 'verb']) p.str(value, key, '$');
  if (typeof value['auditID'] === 'string' && !/^[0-9A-Za-z-]{8,64}$/.test(value['auditID'])) p.add('$.auditID', 'must be 8-64 of [0-9A-Za-z-]');
  checkUser(p, p.obj(value, 'user', '$'), '$.user');
  checkUser(p, p.obj(value, 'impersonatedUser', '$', false), '$.impersonatedUser');
  p.strArray(value, 'sourceIPs', '$');
  p.str(value, 'userAgent', '$', false);
  const ref = p.obj(value, 'objectRef', '$', false);
  if (ref) for (const key of ['resource', 'namespace', 'name', 'apiGroup', 'apiVersion', 'subresource']) p.str(ref, key, '$.objectRef', false);
  const status = p.obj(value, 'responseStatus', '$', false);
  if (status) p.num(status, 'code', '$.responseStatus', false);
  p.time(value, 'requestReceivedTimestamp', '$');
  p.time(value, 'stageTimestamp', '$');
  const annotations = p.obj(value, 'annotations', '$', false);
  if (annotations && Object.values(annotations).some((v) => typeof v !== 'string')) p.add('$.annotations', 'values must be strings');
  const ext = p.obj(value, 'auditgate', '$');
  if (ext) checkExtension(p, ext);
  return p.list;
}

/** Returns `value` typed as an {@link AuditEvent}, or throws `AUDITGATE_E_EVENT_INVALID` listing every problem. */
export function validateAuditEvent(value: unknown): AuditEvent {
  const problems = auditEventProblems(value);
  if (problems.length > 0) {
    throw new AppError(`invalid audit event: ${problems.slice(0, 10).join('; ')}`, {
      code: ErrorCodes.EVENT_INVALID, status: 400, details: { problems },
    });
  }
  return value as AuditEvent;
}

/** Decodes bytes from Kafka into a valid event; throws `AUDITGATE_E_EVENT_UNDECODABLE` or `..._EVENT_INVALID`. */
export function decodeAuditEvent(bytes: Buffer | null): AuditEvent {
  if (bytes === null || bytes.length === 0) {
    throw new AppError('empty record', { code: ErrorCodes.EVENT_UNDECODABLE, status: 400 });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new AppError('record is not JSON', { code: ErrorCodes.EVENT_UNDECODABLE, status: 400, cause });
  }
  return validateAuditEvent(parsed);
}
