// Audit records are written before a route validates anything, so they may hold what a caller pasted by mistake.
const SECRET_NAME = /token|secret|passw|authori[sz]ation|api[-_]?key|credential/i;
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

/** `text` with every JWT-shaped run (a bearer token pasted into a URL or header) replaced by `[REDACTED]`. */
export function redactTokens(text: string): string {
  return text.replace(JWT_LIKE, '[REDACTED]');
}

/**
 * Query parameters as an audit record keeps them: one string each (≤ 1024 chars), `cursor` left out, JWT-shaped
 * runs redacted, and the value of any parameter named like a credential (`token`, `access_token`, `password`…) replaced.
 */
export function auditParams(query: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (k === 'cursor') continue;
    out[redactTokens(k).slice(0, 256)] = SECRET_NAME.test(k) ? '[REDACTED]' : redactTokens(Array.isArray(v) ? v.join(',') : String(v)).slice(0, 1024);
  }
  return out;
}
