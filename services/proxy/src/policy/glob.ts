/** Tests one string; built once at load so per-request matching does no parsing and no allocation. */
export type StringMatcher = (value: string) => boolean;

/** Matches everything. */
export const MATCH_ANY: StringMatcher = () => true;

/**
 * Compiles a glob where `*` matches any run of characters (including none, `/` and `:`); every other character is
 * literal and case-sensitive. There is no escape and no regular expression, so no pattern can backtrack.
 */
export function compileGlob(pattern: string): StringMatcher {
  if (pattern === '*') return MATCH_ANY;
  if (!pattern.includes('*')) return (value) => value === pattern;
  const parts = pattern.split('*');
  const head = parts[0] ?? '';
  const tail = parts[parts.length - 1] ?? '';
  const middle = parts.slice(1, -1).filter((part) => part !== '');
  const minLength = head.length + tail.length + middle.reduce((sum, part) => sum + part.length, 0);
  return (value) => {
    if (value.length < minLength || !value.startsWith(head) || !value.endsWith(tail)) return false;
    const end = value.length - tail.length;
    let position = head.length;
    for (let i = 0; i < middle.length; i++) {
      const part = middle[i] as string;
      // Leftmost placement of each middle part is optimal for `*`-only globs, so one forward scan decides.
      const found = value.indexOf(part, position);
      if (found < 0 || found + part.length > end) return false;
      position = found + part.length;
    }
    return true;
  };
}

/**
 * Compiles "any of these globs"; `undefined` for an empty list, which callers treat as "no constraint".
 * Literal patterns go into one Set lookup; only real globs are tried one by one.
 */
export function compileGlobList(patterns: readonly string[]): StringMatcher | undefined {
  if (patterns.length === 0) return undefined;
  if (patterns.includes('*')) return MATCH_ANY;
  const literals = new Set(patterns.filter((pattern) => !pattern.includes('*')));
  const globs = patterns.filter((pattern) => pattern.includes('*')).map(compileGlob);
  if (globs.length === 0) {
    if (literals.size === 1) {
      const only = [...literals][0] as string;
      return (value) => value === only;
    }
    return (value) => literals.has(value);
  }
  return (value) => {
    if (literals.has(value)) return true;
    for (let i = 0; i < globs.length; i++) if ((globs[i] as StringMatcher)(value)) return true;
    return false;
  };
}

/** True when any string in `values` matches; false for an empty list. */
export function matchesAny(matcher: StringMatcher, values: readonly string[]): boolean {
  for (let i = 0; i < values.length; i++) if (matcher(values[i] as string)) return true;
  return false;
}
