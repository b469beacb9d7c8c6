import type { JWTPayload } from 'jose';
import type { RoleBinding } from '../config/query-config.js';
import { ROLES, type Role } from './roles.js';

/** The roles of a verified caller: from the roles claim (string or array) and from username/group bindings. */
export function resolveRoles(claims: JWTPayload, rolesClaim: string, bindings: readonly RoleBinding[], username: string, groups: readonly string[]): Role[] {
  const out = new Set<Role>();
  const raw = claims[rolesClaim];
  const listed = typeof raw === 'string' ? raw.split(/[\s,]+/) : Array.isArray(raw) ? raw : [];
  for (const r of listed) if (typeof r === 'string' && (ROLES as readonly string[]).includes(r)) out.add(r as Role);
  for (const b of bindings) {
    const matches = b.subject.startsWith('group:') ? groups.includes(b.subject.slice(6)) : b.subject === username;
    if (matches) out.add(b.role);
  }
  return ROLES.filter((r) => out.has(r));
}
