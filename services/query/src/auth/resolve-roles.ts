import type { JWTPayload } from 'jose';
import { ROLES, type Role, type RoleBinding } from './roles.js';

/** Who a verified token speaks for. */
export interface VerifiedSubject {
  readonly issuer: string;
  readonly username: string;
  readonly groups: readonly string[];
}

/**
 * The roles of a verified caller: from the roles claim (string or array) and from username/group bindings; a binding
 * scoped to an issuer matches only tokens of that issuer.
 */
export function resolveRoles(claims: JWTPayload, rolesClaim: string, bindings: readonly RoleBinding[], who: VerifiedSubject): Role[] {
  const out = new Set<Role>();
  const raw = claims[rolesClaim];
  const listed = typeof raw === 'string' ? raw.split(/[\s,]+/) : Array.isArray(raw) ? raw : [];
  for (const r of listed) if (typeof r === 'string' && (ROLES as readonly string[]).includes(r)) out.add(r as Role);
  for (const b of bindings) {
    if (b.issuer !== undefined && b.issuer !== who.issuer) continue;
    const matches = b.subject.startsWith('group:') ? who.groups.includes(b.subject.slice(6)) : b.subject === who.username;
    if (matches) out.add(b.role);
  }
  return ROLES.filter((r) => out.has(r));
}
