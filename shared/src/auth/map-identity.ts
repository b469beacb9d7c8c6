import type { JWTPayload } from 'jose';
import { authError } from './auth-error.js';
import type { TrustedIssuer, VerifiedIdentity } from './types.js';

const SA_PREFIX = 'system:serviceaccount:';
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SAFE_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'azp', 'email', 'email_verified', 'name', 'preferred_username', 'kubernetes.io'];

/** Maps the claims of a verified token to an identity, following the API server's own rules for each token kind. */
export function mapIdentity(issuer: TrustedIssuer, payload: JWTPayload): VerifiedIdentity {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject === '') throw authError('missing_claim', 'the token has no "sub" claim');
  if (typeof payload.exp !== 'number') throw authError('missing_claim', 'the token has no "exp" claim');
  const extra = issuer.extraGroups ?? [];
  const base = {
    issuer: issuer.issuer,
    subject,
    expiresAt: payload.exp * 1000,
    claims: safeClaims(issuer, payload),
  };
  if (issuer.kind === 'serviceaccount') {
    const serviceAccount = serviceAccountOf(payload, subject);
    const groups = ['system:serviceaccounts', `system:serviceaccounts:${serviceAccount.namespace}`, 'system:authenticated'];
    return {
      ...base,
      username: `${SA_PREFIX}${serviceAccount.namespace}:${serviceAccount.name}`,
      groups: unique([...groups, ...extra]),
      tokenKind: 'serviceaccount',
      serviceAccount,
    };
  }
  const usernameClaim = issuer.usernameClaim ?? 'sub';
  const rawName = payload[usernameClaim];
  if (typeof rawName !== 'string' || rawName === '') throw authError('missing_claim', `the token has no "${usernameClaim}" claim`);
  // Like the API server: an email is only an identity once the IdP says it was verified.
  if (usernameClaim === 'email' && payload['email_verified'] !== undefined && payload['email_verified'] !== true) {
    throw authError('invalid_claim', 'the token\'s email is not verified');
  }
  const username = `${issuer.usernamePrefix ?? ''}${rawName}`;
  // An IdP must never mint Kubernetes system identities (e.g. a service account or system:masters).
  if (username.startsWith('system:')) throw authError('invalid_claim', 'OIDC usernames may not start with "system:"');
  const groups = groupsOf(payload, issuer.groupsClaim ?? 'groups')
    .map((group) => `${issuer.groupsPrefix ?? ''}${group}`)
    .filter((group) => !group.startsWith('system:'));
  return { ...base, username, groups: unique([...groups, 'system:authenticated', ...extra]), tokenKind: 'oidc' };
}

function serviceAccountOf(payload: JWTPayload, subject: string): NonNullable<VerifiedIdentity['serviceAccount']> {
  const kube = record(payload['kubernetes.io']);
  let namespace: unknown;
  let name: unknown;
  let uid: unknown;
  let podName: unknown;
  if (kube !== undefined) {
    const sa = record(kube['serviceaccount']);
    namespace = kube['namespace'];
    name = sa?.['name'];
    uid = sa?.['uid'];
    podName = record(kube['pod'])?.['name'];
  } else if (subject.startsWith(SA_PREFIX)) {
    [namespace, name] = subject.slice(SA_PREFIX.length).split(':');
  } else {
    throw authError('missing_claim', 'the service-account token has no "kubernetes.io" claim and no service-account subject');
  }
  if (typeof namespace !== 'string' || typeof name !== 'string' || !DNS_NAME.test(namespace) || !DNS_NAME.test(name)) {
    throw authError('invalid_claim', 'the service-account token names no valid namespace and service account');
  }
  if (subject !== `${SA_PREFIX}${namespace}:${name}`) throw authError('invalid_claim', 'the service-account token\'s "sub" disagrees with its "kubernetes.io" claim');
  return {
    namespace,
    name,
    ...(typeof uid === 'string' && uid !== '' ? { uid } : {}),
    ...(typeof podName === 'string' && podName !== '' ? { podName } : {}),
  };
}

function groupsOf(payload: JWTPayload, claim: string): string[] {
  const value = payload[claim];
  if (value === undefined) return [];
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.filter((item) => item !== '');
  throw authError('invalid_claim', `the token's "${claim}" claim is not a string list`);
}

function safeClaims(issuer: TrustedIssuer, payload: JWTPayload): Record<string, unknown> {
  const keep = new Set([...SAFE_CLAIMS, issuer.usernameClaim ?? 'sub', issuer.groupsClaim ?? 'groups', ...(issuer.extraClaims ?? [])]);
  const claims: Record<string, unknown> = {};
  for (const key of keep) if (payload[key] !== undefined) claims[key] = payload[key];
  return claims;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
