const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/** The token of an `Authorization: Bearer <token>` header, or undefined when absent or anything is odd about it. */
export function extractBearerToken(authorizationHeader: string | undefined): string | undefined {
  if (typeof authorizationHeader !== 'string') return undefined;
  const match = BEARER.exec(authorizationHeader.trim());
  return match?.[1];
}
