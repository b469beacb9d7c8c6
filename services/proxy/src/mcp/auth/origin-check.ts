/**
 * The `Origin` rule of the MCP Streamable HTTP transport (servers MUST validate `Origin`, against DNS rebinding): a
 * request without `Origin` (every non-browser MCP client) passes; one with an `Origin` passes only when that origin
 * is in `allowed` (scheme, host and port, compared as URL origins). `null` and unparsable origins never pass.
 */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  const normalized = normalizeOrigin(origin);
  return normalized !== undefined && allowed.has(normalized);
}

/** `scheme://host[:port]` of `value` as the URL standard serializes it (lower case, default port dropped); undefined when it is no http(s) origin. */
export function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}
