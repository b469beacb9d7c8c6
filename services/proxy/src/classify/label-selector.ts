/**
 * Whether a label selector parses, exactly as apimachinery's `labels.Parse` decides: its byte lexer, its
 * recursive-descent parser, and `NewRequirement`'s validation of keys (qualified names), values (label values)
 * and `>`/`<` operands (int64). Only validity matters to request classification: a selector that fails makes the
 * API server drop every list option, including the name it would read from `fieldSelector`.
 */
import { isGoInt64 } from './go-int64.js';

const enum Tok {
  End,
  ClosedPar,
  Comma,
  Not,
  DoubleEquals,
  Equals,
  Greater,
  Identifier,
  In,
  Less,
  NotEquals,
  NotIn,
  OpenPar,
}

const SYMBOLS: ReadonlyMap<string, Tok> = new Map([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.Not],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.Greater],
  ['<', Tok.Less],
  ['!=', Tok.NotEquals],
  ['(', Tok.OpenPar],
]);

const QUALIFIED_NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/u;
const LABEL_VALUE = /^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/u;
const DNS1123_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/u;

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isSpecial = (c: number): boolean =>
  c === 0x3d || c === 0x21 || c === 0x28 || c === 0x29 || c === 0x2c || c === 0x3e || c === 0x3c;

interface Token {
  readonly tok: Tok;
  readonly lit: string;
}

/** Splits `s` into tokens like the Go lexer (a NUL character reads as the end, as Go's `read()` returns 0). */
function lex(s: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  const read = (): number => (pos < s.length ? s.charCodeAt(pos++) : 0);
  for (;;) {
    let c = read();
    while (isWhitespace(c)) c = read();
    if (c === 0) {
      out.push({ tok: Tok.End, lit: '' });
      return out;
    }
    pos--;
    if (isSpecial(c)) {
      let buffer = '';
      let last: Token | undefined;
      for (;;) {
        const ch = read();
        if (ch === 0) break;
        if (!isSpecial(ch)) {
          pos--;
          break;
        }
        buffer += String.fromCharCode(ch);
        const tok = SYMBOLS.get(buffer);
        if (tok !== undefined) last = { tok, lit: buffer };
        else if (last !== undefined) {
          pos--;
          break;
        }
      }
      // Every single special character is a token, so `last` is always set here.
      out.push(last ?? { tok: Tok.End, lit: '' });
    } else {
      const start = pos;
      for (;;) {
        const ch = read();
        if (ch === 0) break;
        if (isSpecial(ch) || isWhitespace(ch)) {
          pos--;
          break;
        }
      }
      const end = s.charCodeAt(pos - 1) === 0 && pos - 1 >= start ? pos - 1 : pos;
      const lit = s.slice(start, end);
      out.push({ tok: lit === 'in' ? Tok.In : lit === 'notin' ? Tok.NotIn : Tok.Identifier, lit });
    }
  }
}

function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  let name = key;
  if (slash >= 0) {
    if (key.indexOf('/', slash + 1) >= 0) return false;
    const prefix = key.slice(0, slash);
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return false;
    name = key.slice(slash + 1);
  }
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

const isLabelValue = (value: string): boolean => value.length <= 63 && LABEL_VALUE.test(value);

/** True when the API server's `labels.Parse(selector)` succeeds. */
export function isValidLabelSelector(selector: string): boolean {
  const items = lex(selector);
  let p = 0;
  // In the "values" context the keywords `in` and `notin` read as identifiers.
  const look = (values: boolean): Tok => {
    const t = items[p]?.tok ?? Tok.End;
    return values && (t === Tok.In || t === Tok.NotIn) ? Tok.Identifier : t;
  };
  const take = (values: boolean): Token => {
    const t = look(values);
    const lit = items[p]?.lit ?? '';
    p++;
    return { tok: t, lit };
  };

  const requirement = (): boolean => {
    let t = take(true);
    let notExists = false;
    if (t.tok === Tok.Not) {
      notExists = true;
      t = take(true);
    }
    if (t.tok !== Tok.Identifier || !isLabelKey(t.lit)) return false;
    const next = look(true);
    if (next === Tok.End || next === Tok.Comma) return true;
    if (notExists) return false; // `!key` ends its requirement: whatever follows must be `,` or the end
    const op = take(false).tok;
    const values: string[] = [];
    if (op === Tok.In || op === Tok.NotIn) {
      if (take(true).tok !== Tok.OpenPar) return false;
      const first = look(true);
      if (first === Tok.ClosedPar) {
        p++;
        values.push('');
      } else if (first === Tok.Identifier || first === Tok.Comma) {
        for (;;) {
          const v = take(true);
          if (v.tok === Tok.Identifier) {
            values.push(v.lit);
            const after = look(true);
            if (after === Tok.ClosedPar) break;
            if (after !== Tok.Comma) return false;
          } else if (v.tok === Tok.Comma) {
            const after = look(true);
            values.push('');
            if (after === Tok.ClosedPar) break;
          } else return false;
        }
        if (take(true).tok !== Tok.ClosedPar) return false;
      } else return false;
    } else if (op === Tok.Equals || op === Tok.DoubleEquals || op === Tok.NotEquals || op === Tok.Greater || op === Tok.Less) {
      const t2 = look(true);
      if (t2 === Tok.End || t2 === Tok.Comma) values.push('');
      else {
        const v = take(true);
        if (v.tok !== Tok.Identifier) return false;
        values.push(v.lit);
      }
      if ((op === Tok.Greater || op === Tok.Less) && !isGoInt64(values[0] ?? '')) return false;
    } else return false;
    return values.every(isLabelValue);
  };

  for (;;) {
    const t = look(true);
    if (t === Tok.End) return true;
    if (t !== Tok.Identifier && t !== Tok.Not) return false;
    if (!requirement()) return false;
    const sep = take(true).tok;
    if (sep === Tok.End) return true;
    if (sep !== Tok.Comma) return false;
    const after = look(true);
    if (after !== Tok.Identifier && after !== Tok.Not) return false;
  }
}
