import type { Predicate } from './rule.js';

/** Compiles a Sigma `condition` expression over named selections; problems are appended, never thrown. */
export function compileSigmaCondition(text: string, selections: ReadonlyMap<string, Predicate>, problems: string[]): Predicate {
  if (text.includes('|')) { problems.push(`condition: aggregations ("|") are not supported: ${text}`); return () => false; }
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const lower = (): string | undefined => peek()?.toLowerCase();
  const names = [...selections.keys()];
  const globToRe = (glob: string): RegExp => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const fail = (message: string): Predicate => { problems.push(`condition: ${message} in "${text}"`); return () => false; };

  const primary = (): Predicate => {
    const tok = peek();
    if (tok === undefined) return fail('unexpected end');
    if (tok === '(') {
      pos += 1;
      const inner = orExpr();
      if (peek() !== ')') return fail('missing ")"');
      pos += 1;
      return inner;
    }
    const quant = tok.toLowerCase();
    if ((quant === '1' || quant === 'any' || quant === 'all') && tokens[pos + 1]?.toLowerCase() === 'of') {
      pos += 2;
      const target = peek();
      if (target === undefined) return fail('"of" needs a selection pattern or "them"');
      pos += 1;
      const re = target.toLowerCase() === 'them' ? /.*/ : globToRe(target);
      const matched = names.filter((n) => re.test(n)).map((n) => selections.get(n)!);
      if (matched.length === 0) return fail(`"${target}" names no selection`);
      return quant === 'all' ? (f) => matched.every((s) => s(f)) : (f) => matched.some((s) => s(f));
    }
    if (['and', 'or', 'not', ')'].includes(quant)) return fail(`unexpected "${tok}"`);
    pos += 1;
    const selection = selections.get(tok);
    if (selection === undefined) return fail(`unknown selection "${tok}" (defined: ${names.join(', ')})`);
    return selection;
  };
  const notExpr = (): Predicate => {
    if (lower() === 'not') { pos += 1; const inner = notExpr(); return (f) => !inner(f); }
    return primary();
  };
  const andExpr = (): Predicate => {
    const parts = [notExpr()];
    while (lower() === 'and') { pos += 1; parts.push(notExpr()); }
    return parts.length === 1 ? parts[0]! : (f) => parts.every((p) => p(f));
  };
  function orExpr(): Predicate {
    const parts = [andExpr()];
    while (lower() === 'or') { pos += 1; parts.push(andExpr()); }
    return parts.length === 1 ? parts[0]! : (f) => parts.some((p) => p(f));
  }
  const result = orExpr();
  if (pos < tokens.length) return fail(`unexpected "${tokens[pos]}"`);
  return result;
}
