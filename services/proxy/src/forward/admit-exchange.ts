import type { IncomingMessage } from 'node:http';
import { AppError, ErrorCodes, type ActorInfo, type UserInfo } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import { extractBearerToken, type VerifiedIdentity } from '../auth/index.js';
import { auditVerb, classifyRequest, toObjectRef, type RequestInfo } from '../classify/index.js';
import type { PolicyDecision } from '../policy/index.js';
import { isClusterWide, resourceKey } from '@auditgate/shared/kube';
import type { ExchangeDeps } from './exchange-deps.js';
import { readClientImpersonation } from '../upstream/upstream-headers.js';
import { delegatedRecordFields } from '../mcp/delegation/delegated-record.js';

const MAX_URI_BYTES = 16 * 1024;
const MAX_HEADER_VALUE = 512;

/** A request that passed authentication, policy and limits. */
export interface Admission {
  readonly info: RequestInfo;
  readonly identity: VerifiedIdentity;
  readonly decision: PolicyDecision;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.slice(0, MAX_HEADER_VALUE);
}

function actorOf(identity: VerifiedIdentity): ActorInfo {
  const actor: ActorInfo = { issuer: identity.issuer, subject: identity.subject, username: identity.username, groups: identity.groups, tokenKind: identity.tokenKind };
  const review = identity.review;
  if (review !== undefined) actor.review = { checked: true, authenticated: review.authenticated, at: new Date(review.at).toISOString(), cached: review.cached };
  return actor;
}

/** Opens the audit record of a request from what arrived, before anything is trusted. */
export function openRecord(deps: ExchangeDeps, req: IncomingMessage): { record: ExchangeRecord; info: RequestInfo | undefined } {
  const url = req.url ?? '/';
  const record: ExchangeRecord = {
    auditID: deps.newId(),
    receivedAt: deps.now(),
    requestURI: url.length > MAX_URI_BYTES ? `${url.slice(0, MAX_URI_BYTES)}…` : url,
    verb: (req.method ?? 'GET').toLowerCase(),
    sourceIP: req.socket.remoteAddress ?? 'unknown',
    level: 'Metadata',
  };
  const userAgent = header(req, 'user-agent');
  if (userAgent !== undefined) record.userAgent = userAgent;
  const forwarded = header(req, 'x-forwarded-for');
  if (forwarded !== undefined) record.forwardedFor = forwarded.split(',').map((s) => s.trim()).filter((s) => s !== '').slice(0, 16);
  const sessionId = header(req, 'x-auditgate-mcp-session-id') ?? header(req, 'mcp-session-id');
  const toolName = header(req, 'x-auditgate-mcp-tool');
  const requestId = header(req, 'x-auditgate-mcp-request-id');
  if (sessionId !== undefined || toolName !== undefined || requestId !== undefined) {
    record.mcp = {
      ...(sessionId === undefined ? {} : { sessionId }), ...(toolName === undefined ? {} : { toolName }),
      ...(requestId === undefined ? {} : { requestId }),
    };
  }
  if (url.length > MAX_URI_BYTES || !url.startsWith('/')) return { record, info: undefined };
  const info = classifyRequest(req.method ?? 'GET', url);
  record.verb = auditVerb(info);
  const objectRef = toObjectRef(info);
  if (objectRef !== undefined) record.objectRef = objectRef;
  const key = resourceKey(info);
  record.classification = { clusterWide: isClusterWide(info), ...(key === undefined ? {} : { resourceKey: key }) };
  return { record, info };
}

/**
 * Authenticates the caller (and the optional on-behalf-of human), applies policy, rate and cluster-wide limits.
 * Fills the record as it goes; throws an AppError (401, 403, 429, 400) that the handler answers and audits.
 */
export async function admitExchange(deps: ExchangeDeps, req: IncomingMessage, record: ExchangeRecord, info: RequestInfo | undefined): Promise<Admission> {
  if (deps.closing()) throw new AppError('the gateway is shutting down', { code: ErrorCodes.SHUTTING_DOWN, status: 503, retriable: true });
  if (info === undefined) throw new AppError('the request URI is malformed or too long', { code: ErrorCodes.BAD_REQUEST, status: 400 });
  const token = extractBearerToken(header(req, 'authorization') === undefined ? undefined : String(req.headers['authorization']));
  if (token === undefined) throw new AppError('a bearer token is required', { code: ErrorCodes.UNAUTHENTICATED, status: 401, details: { reason: 'missing_token' } });
  let identity: VerifiedIdentity;
  try {
    identity = await deps.verifier.verify(token);
  } catch (error) {
    // A token the cluster refused (TokenReview) was genuine: the record names whose it was, with the review's outcome.
    const refused = (error as { details?: Record<string, unknown> }).details?.['identity'] as VerifiedIdentity | undefined;
    if (refused !== undefined) record.actor = actorOf(refused);
    throw error;
  }
  record.actor = actorOf(identity);
  const user: UserInfo = { username: identity.username, groups: identity.groups };
  if (identity.serviceAccount?.uid !== undefined) user.uid = identity.serviceAccount.uid;
  if (identity.serviceAccount?.podName !== undefined) user.extra = { 'authentication.kubernetes.io/pod-name': [identity.serviceAccount.podName] };
  record.user = user;

  const onBehalfOfToken = req.headers['x-auditgate-on-behalf-of'];
  let onBehalfOf: VerifiedIdentity | undefined;
  if (onBehalfOfToken !== undefined) {
    if (deps.onBehalfOfVerifier === undefined) {
      throw new AppError('X-Auditgate-On-Behalf-Of is not accepted by this gateway', { code: ErrorCodes.UNAUTHENTICATED, status: 401, details: { reason: 'on_behalf_of_not_configured' } });
    }
    onBehalfOf = await deps.onBehalfOfVerifier.verify(String(onBehalfOfToken).replace(/^Bearer\s+/i, ''));
    record.onBehalfOf = actorOf(onBehalfOf);
  }
  // A delegated token (one MCP tool call's) names the person and the call itself, signed: it outranks any header.
  const delegated = delegatedRecordFields(identity);
  if (delegated !== undefined) { record.onBehalfOf = delegated.onBehalfOf; record.mcp = delegated.mcp; }

  const clientImpersonation = readClientImpersonation(req.headers);
  const decision = deps.policy().evaluate({
    actor: { username: identity.username, groups: identity.groups, claims: identity.claims },
    onBehalfOf: delegated !== undefined ? delegated.onBehalfOfPolicy : onBehalfOf === undefined ? undefined : { username: onBehalfOf.username, groups: onBehalfOf.groups },
    verb: info.verb, apiGroup: info.apiGroup, resource: info.resource, subresource: info.subresource,
    namespace: info.namespace, name: info.name, isResourceRequest: info.isResourceRequest, path: info.path,
    clusterWide: record.classification?.clusterWide ?? isClusterWide(info),
  });
  record.level = decision.auditLevel === 'None' ? 'Metadata' : decision.auditLevel;
  record.policy = { bundleHash: decision.bundleHash, ruleId: decision.ruleId, decision: decision.action, reason: decision.reason };
  if (clientImpersonation !== undefined) {
    const requested: UserInfo = {
      ...(clientImpersonation.user === undefined ? {} : { username: clientImpersonation.user }),
      groups: clientImpersonation.groups,
    };
    // Forwarded only when policy allows; otherwise stripped, and the attempt is on the record.
    if (decision.allowClientImpersonation) record.impersonatedUser = requested;
    else record.notes = { ...record.notes, 'auditgate.dev/stripped-impersonation': JSON.stringify(requested) };
  }
  // Refusals count against the rate too: a flood of denied requests costs the gateway work (recording their bodies).
  const { ratePerActorPerSecond, burst } = decision.limits;
  if (ratePerActorPerSecond > 0 && !deps.rateLimiter.take(identity.username, ratePerActorPerSecond, burst)) {
    throw new AppError(`rate limit of ${ratePerActorPerSecond} requests/s for ${identity.username} exceeded`, { code: ErrorCodes.RATE_LIMITED, status: 429, retriable: true });
  }
  if (decision.action === 'deny') {
    record.decision = { allowed: false, reason: `auditgate policy rule ${decision.ruleId}: ${decision.reason}` };
    throw new AppError(`denied by Auditgate policy rule "${decision.ruleId}": ${decision.reason}`, {
      code: ErrorCodes.FORBIDDEN, status: 403, details: { ruleId: decision.ruleId },
    });
  }
  record.decision = { allowed: true, reason: `auditgate policy rule ${decision.ruleId}` };
  return { info, identity, decision };
}
