/** The environment the Compose file is interpolated with. */
export type ComposeEnv = Readonly<Record<string, string | undefined>>;

const PATTERN = /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Interpolates one string the way Compose does: `$$` → `$`, `$VAR`, `${VAR}`, `${VAR:-default}` / `${VAR-default}`,
 * `${VAR:+alt}` / `${VAR+alt}`, `${VAR:?error}` / `${VAR?error}` (throws), nested one level in defaults.
 */
export function interpolate(text: string, env: ComposeEnv): string {
  return text.replace(PATTERN, (_m, body: string, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (body === '$') return '$';
    const name = braced ?? bare ?? '';
    const value = env[name];
    const set = value !== undefined, nonEmpty = set && value !== '';
    const word = (): string => interpolate(arg ?? '', env);
    switch (op) {
      case ':-': return nonEmpty ? value : word();
      case '-': return set ? value : word();
      case ':+': return nonEmpty ? word() : '';
      case '+': return set ? word() : '';
      case ':?': if (nonEmpty) return value; throw new Error(`${name}: ${word() || 'required'}`);
      case '?': if (set) return value; throw new Error(`${name}: ${word() || 'required'}`);
      default: return value ?? '';
    }
  });
}

/** Interpolates every string of a parsed Compose document (keys are left alone, as Compose does). */
export function interpolateDocument(doc: unknown, env: ComposeEnv): unknown {
  if (typeof doc === 'string') return interpolate(doc, env);
  if (Array.isArray(doc)) return doc.map((item) => interpolateDocument(item, env));
  if (doc !== null && typeof doc === 'object') {
    return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, interpolateDocument(v, env)]));
  }
  return doc;
}
