import { DERIVED_FIELDS } from './event-fields.js';
import type { FieldLookup, Predicate } from './rule.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
type Scalar = string | number | boolean | null;
const isScalar = (v: unknown): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const OPERATORS = ['equals', 'notEquals', 'in', 'notIn', 'exists', 'gte', 'gt', 'lte', 'lt', 'prefix', 'suffix', 'contains', 'regex'] as const;

/** Whether `actual` equals `expected`: null and '' both mean "absent or empty"; arrays match when any element does. */
export function valueEquals(actual: unknown, expected: Scalar): boolean {
  if (Array.isArray(actual)) return actual.some((a) => valueEquals(a, expected));
  if (expected === null || expected === '') return actual === undefined || actual === null || actual === '';
  return actual === expected;
}

const anyString = (actual: unknown, test: (s: string) => boolean): boolean =>
  Array.isArray(actual) ? actual.some((a) => typeof a === 'string' && test(a)) : typeof actual === 'string' && test(actual);

function compileOperator(op: string, arg: unknown, at: string, problems: string[]): ((v: unknown) => boolean) | undefined {
  const needScalarList = (): Scalar[] | undefined => {
    if (Array.isArray(arg) && arg.every(isScalar)) return arg;
    problems.push(`${at}.${op}: must be a list of scalars`); return undefined;
  };
  const needNumber = (): number | undefined => { if (typeof arg === 'number') return arg; problems.push(`${at}.${op}: must be a number`); return undefined; };
  const needString = (): string | undefined => { if (typeof arg === 'string') return arg; problems.push(`${at}.${op}: must be a string`); return undefined; };
  switch (op) {
    case 'equals': if (!isScalar(arg)) { problems.push(`${at}.equals: must be a scalar`); return undefined; } return (v) => valueEquals(v, arg);
    case 'notEquals': if (!isScalar(arg)) { problems.push(`${at}.notEquals: must be a scalar`); return undefined; } return (v) => !valueEquals(v, arg);
    case 'in': { const l = needScalarList(); return l && ((v) => l.some((e) => valueEquals(v, e))); }
    case 'notIn': { const l = needScalarList(); return l && ((v) => !l.some((e) => valueEquals(v, e))); }
    case 'exists': if (typeof arg !== 'boolean') { problems.push(`${at}.exists: must be true or false`); return undefined; }
      return (v) => (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) === arg;
    case 'gte': { const n = needNumber(); return n === undefined ? undefined : (v) => typeof v === 'number' && v >= n; }
    case 'gt': { const n = needNumber(); return n === undefined ? undefined : (v) => typeof v === 'number' && v > n; }
    case 'lte': { const n = needNumber(); return n === undefined ? undefined : (v) => typeof v === 'number' && v <= n; }
    case 'lt': { const n = needNumber(); return n === undefined ? undefined : (v) => typeof v === 'number' && v < n; }
    case 'prefix': { const s = needString(); return s === undefined ? undefined : (v) => anyString(v, (x) => x.startsWith(s)); }
    case 'suffix': { const s = needString(); return s === undefined ? undefined : (v) => anyString(v, (x) => x.endsWith(s)); }
    case 'contains': { const s = needString(); return s === undefined ? undefined : (v) => anyString(v, (x) => x.includes(s)); }
    case 'regex': {
      const s = needString(); if (s === undefined) return undefined;
      try { const re = new RegExp(s); return (v) => anyString(v, (x) => re.test(x)); } catch (e) { problems.push(`${at}.regex: ${(e as Error).message}`); return undefined; }
    }
    default: problems.push(`${at}: unknown operator "${op}" (known: ${OPERATORS.join(', ')})`); return undefined;
  }
}

function checkField(field: string, at: string, problems: string[]): void {
  if (field.startsWith('derived.') && !DERIVED_FIELDS.includes(field.slice(8))) {
    problems.push(`${at}: unknown derived field "${field}" (known: ${DERIVED_FIELDS.map((f) => `derived.${f}`).join(', ')})`);
  }
}

function compileFieldTest(field: string, spec: unknown, at: string, problems: string[]): Predicate {
  checkField(field, at, problems);
  let test: ((v: unknown) => boolean) | undefined;
  if (isScalar(spec)) test = (v) => valueEquals(v, spec);
  else if (Array.isArray(spec)) {
    if (!spec.every(isScalar)) problems.push(`${at}: a list of values must hold scalars only`);
    else test = (v) => spec.some((e) => valueEquals(v, e));
  } else if (isObj(spec)) {
    const tests = Object.entries(spec).map(([op, arg]) => compileOperator(op, arg, at, problems));
    if (tests.length === 0) problems.push(`${at}: an operator mapping must not be empty`);
    test = (v) => tests.every((t) => t !== undefined && t(v));
  } else problems.push(`${at}: unsupported value`);
  return (fields: FieldLookup) => test !== undefined && test(fields(field));
}

/**
 * Compiles a native match expression: a mapping whose keys are `all`/`any` (lists of expressions), `not` (an
 * expression), or field paths with a value (equals), a list (any of), null/'' (absent) or an operator mapping.
 * Several keys in one mapping must all hold. Every problem is appended to `problems`.
 */
export function compileMatch(node: unknown, at: string, problems: string[]): Predicate {
  if (!isObj(node)) { problems.push(`${at}: must be a mapping`); return () => false; }
  const parts: Predicate[] = [];
  for (const [key, value] of Object.entries(node)) {
    const where = `${at}.${key}`;
    if (key === 'all' || key === 'any') {
      if (!Array.isArray(value) || value.length === 0) { problems.push(`${where}: must be a non-empty list of expressions`); continue; }
      const subs = value.map((v, i) => compileMatch(v, `${where}[${i}]`, problems));
      parts.push(key === 'all' ? (f) => subs.every((s) => s(f)) : (f) => subs.some((s) => s(f)));
    } else if (key === 'not') {
      const sub = compileMatch(value, where, problems);
      parts.push((f) => !sub(f));
    } else {
      parts.push(compileFieldTest(key, value, where, problems));
    }
  }
  if (parts.length === 0) problems.push(`${at}: must not be empty`);
  return (f) => parts.every((p) => p(f));
}
