import { attackTechnique, type AttackTechnique } from './attack-techniques.js';
import { compileSigmaCondition } from './sigma-condition.js';
import type { CompiledRule, FieldLookup, Predicate, Severity } from './rule.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const LEVELS: Record<string, Severity> = { informational: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };
const MODIFIERS = ['contains', 'startswith', 'endswith', 'all', 're', 'exists', 'cased'];
const DEFAULT_SUPPRESS_MS = 10 * 60_000;

/** True when a parsed YAML document is a Sigma rule (it has `detection` and `logsource`). */
export function isSigmaDocument(doc: unknown): boolean {
  return isObj(doc) && isObj(doc['detection']) && isObj(doc['logsource']);
}

function escapeRe(s: string): string { return s.replace(/[.+^${}()|[\]\\]/g, '\\$&'); }

function valueTest(raw: unknown, mods: readonly string[], at: string, problems: string[]): (actual: unknown) => boolean {
  if (mods.includes('exists')) {
    if (typeof raw !== 'boolean') problems.push(`${at}: |exists needs true or false`);
    return (a) => (a !== undefined && a !== null && !(Array.isArray(a) && a.length === 0)) === raw;
  }
  if (raw === null) return (a) => a === undefined || a === null || a === '';
  if (typeof raw === 'number' || typeof raw === 'boolean') return (a) => a === raw || (typeof a === 'string' && a === String(raw));
  if (typeof raw !== 'string') { problems.push(`${at}: values must be strings, numbers, booleans or null`); return () => false; }
  const flags = mods.includes('cased') ? '' : 'i';
  let re: RegExp;
  if (mods.includes('re')) {
    try { re = new RegExp(raw, flags); } catch (e) { problems.push(`${at}: ${(e as Error).message}`); return () => false; }
  } else {
    const body = escapeRe(raw).replace(/\\\\\*/g, '\u0000').replace(/\*/g, '.*').replace(/\?/g, '.').replace(/\u0000/g, '\\*');
    const start = mods.includes('contains') || mods.includes('endswith') ? '' : '^';
    const end = mods.includes('contains') || mods.includes('startswith') ? '' : '$';
    re = new RegExp(`${start}${body}${end}`, flags);
  }
  return (a) => a !== undefined && a !== null && re.test(typeof a === 'string' ? a : String(a));
}

function compileSelection(node: unknown, at: string, problems: string[]): Predicate {
  if (Array.isArray(node)) {
    if (node.every((n) => isObj(n))) {
      const subs = node.map((n, i) => compileSelection(n, `${at}[${i}]`, problems));
      return (f) => subs.some((s) => s(f));
    }
    problems.push(`${at}: keyword (full-text) selections are not supported for Kubernetes audit events`);
    return () => false;
  }
  if (!isObj(node)) { problems.push(`${at}: a selection must be a mapping of field conditions`); return () => false; }
  const tests = Object.entries(node).map(([key, raw]) => {
    const [field = '', ...mods] = key.split('|');
    const where = `${at}.${key}`;
    for (const m of mods) if (!MODIFIERS.includes(m)) problems.push(`${where}: unsupported modifier "${m}" (supported: ${MODIFIERS.join(', ')})`);
    const values = Array.isArray(raw) ? raw : [raw];
    const checks = values.map((v, i) => valueTest(v, mods, `${where}[${i}]`, problems));
    const one = (actual: unknown, check: (a: unknown) => boolean): boolean =>
      Array.isArray(actual) ? actual.some((a) => check(a)) : check(actual);
    return (f: FieldLookup): boolean => {
      const actual = f(field);
      return mods.includes('all') ? checks.every((c) => one(actual, c)) : checks.some((c) => one(actual, c));
    };
  });
  return (f) => tests.every((t) => t(f));
}

/** The first `attack.tNNNN[.NNN]` tag that names a known technique (SigmaHQ's convention). */
function techniqueOfTags(tags: unknown): AttackTechnique | undefined {
  if (!Array.isArray(tags)) return undefined;
  for (const tag of tags) {
    const m = typeof tag === 'string' ? /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag) : null;
    const found = m === null ? undefined : attackTechnique(m[1]!);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Compiles a SigmaHQ rule (logsource product kubernetes, service audit); problems are appended with `file`. */
export function compileSigmaRule(doc: unknown, file: string, problems: string[]): CompiledRule | undefined {
  const local: string[] = [];
  if (!isObj(doc)) { problems.push(`${file}: a Sigma rule must be a mapping`); return undefined; }
  const logsource = doc['logsource'] as Obj;
  if (logsource['product'] !== 'kubernetes' || logsource['service'] !== 'audit') local.push('logsource: must be product kubernetes, service audit');
  const title = doc['title'];
  if (typeof title !== 'string' || title === '') local.push('title: required');
  const sigmaId = doc['id'];
  if (typeof sigmaId !== 'string' || sigmaId === '') local.push('id: required');
  const level = typeof doc['level'] === 'string' ? LEVELS[doc['level']] : undefined;
  if (level === undefined) local.push(`level: must be one of ${Object.keys(LEVELS).join(', ')}`);
  const detection = doc['detection'] as Obj;
  const condition = detection['condition'];
  const selections = new Map<string, Predicate>();
  for (const [name, node] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    selections.set(name, compileSelection(node, `detection.${name}`, local));
  }
  if (detection['timeframe'] !== undefined) local.push('detection.timeframe: correlation is not supported in Sigma rules; write a native windowed rule');
  let match: Predicate = () => false;
  if (typeof condition !== 'string') local.push('detection.condition: required (a single expression)');
  else match = compileSigmaCondition(condition, selections, local);
  const id = `sigma.${typeof sigmaId === 'string' ? sigmaId : '?'}`;
  for (const p of local) problems.push(`${file} (${id}): ${p}`);
  if (local.length > 0) return undefined;
  const technique = techniqueOfTags(doc['tags']);
  return {
    id, title: title as string, severity: level!, source: 'sigma', file, match, overrides: [],
    ...(technique === undefined ? {} : { technique }),
    scope: ['objectRef.namespace', 'objectRef.name'], record: [], suppressMs: DEFAULT_SUPPRESS_MS,
  };
}
