/** The roles of the query service, weakest first; each includes the ones before it. */
export const ROLES = ['analyst', 'responder', 'admin'] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** True when `held` grants `needed` (admin ⊇ responder ⊇ analyst). */
export function hasRole(held: readonly Role[], needed: Role): boolean {
  const rank = ROLES.indexOf(needed);
  return held.some((r) => ROLES.indexOf(r) >= rank);
}

/** A binding of a username or `group:<name>` to a role. */
export interface RoleBinding {
  readonly role: Role;
  /** A username, or `group:<name>`. */
  readonly subject: string;
  /** The issuer the subject belongs to; required when more than one issuer is trusted. */
  readonly issuer?: string;
}
