/** The roles of the query service, weakest first; each includes the ones before it. */
export const ROLES = ['analyst', 'responder', 'admin'] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** True when `held` grants `needed` (admin ⊇ responder ⊇ analyst). */
export function hasRole(held: readonly Role[], needed: Role): boolean {
  const rank = ROLES.indexOf(needed);
  return held.some((r) => ROLES.indexOf(r) >= rank);
}
