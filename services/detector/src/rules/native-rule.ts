import { attackTechnique, type AttackTechnique } from './attack-techniques.js';
import { parseDuration } from './duration.js';
import { compileMatch } from './match-expression.js';
import { SEVERITIES, type CompiledRule, type Predicate, type Severity, type SeverityOverride, type WindowRequirement, type WindowSpec } from './rule.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const KEYS = ['id', 'title', 'description', 'severity', 'technique', 'match', 'severityOverrides', 'window', 'scope', 'record', 'suppress', 'references'];
const DEFAULT_SUPPRESS_MS = 10 * 60_000;

function severityOf(value: unknown, at: string, problems: string[]): Severity {
  if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  problems.push(`${at}: must be one of ${SEVERITIES.join(', ')}`);
  return 'medium';
}

function stringList(value: unknown, at: string, problems: string[]): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  problems.push(`${at}: must be a list of field paths`);
  return [];
}

function positiveInt(value: unknown, at: string, problems: string[]): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  problems.push(`${at}: must be an integer >= 1`);
  return 1;
}

function duration(value: unknown, at: string, problems: string[]): number {
  const ms = parseDuration(value);
  if (ms === undefined) problems.push(`${at}: must be a duration like 30s, 5m, 1h`);
  return ms ?? 60_000;
}

function technique(value: unknown, problems: string[]): AttackTechnique | undefined {
  if (value === undefined) return undefined;
  const found = typeof value === 'string' ? attackTechnique(value) : undefined;
  if (found === undefined) problems.push(`technique: must be a known MITRE ATT&CK technique id such as T1609 (got ${JSON.stringify(value)})`);
  return found;
}

function parseRequire(node: unknown, at: string, problems: string[]): WindowRequirement[] {
  if (node === undefined) return [];
  if (!Array.isArray(node)) { problems.push(`${at}: must be a list of {match, atLeast, distinct?}`); return []; }
  return node.flatMap((item, i): WindowRequirement[] => {
    const where = `${at}[${i}]`;
    if (!isObj(item)) { problems.push(`${where}: must be a mapping`); return []; }
    for (const key of Object.keys(item)) if (!['match', 'atLeast', 'distinct'].includes(key)) problems.push(`${where}.${key}: unknown key`);
    const distinct = item['distinct'];
    if (distinct !== undefined && typeof distinct !== 'string') problems.push(`${where}.distinct: must be a field path`);
    return [{
      match: compileMatch(item['match'], `${where}.match`, problems),
      atLeast: positiveInt(item['atLeast'], `${where}.atLeast`, problems),
      ...(typeof distinct === 'string' ? { distinct } : {}),
    }];
  });
}

function parseWindow(node: unknown, at: string, problems: string[]): WindowSpec | undefined {
  if (node === undefined) return undefined;
  if (!isObj(node)) { problems.push(`${at}: must be a mapping`); return undefined; }
  for (const key of Object.keys(node)) {
    if (!['within', 'threshold', 'distinct', 'alsoDistinct', 'requireAny', 'require'].includes(key)) problems.push(`${at}.${key}: unknown key`);
  }
  const require = parseRequire(node['require'], `${at}.require`, problems);
  const requireAny: Predicate[] = [];
  if (node['requireAny'] !== undefined) {
    if (!Array.isArray(node['requireAny'])) problems.push(`${at}.requireAny: must be a list of expressions`);
    else node['requireAny'].forEach((n, i) => requireAny.push(compileMatch(n, `${at}.requireAny[${i}]`, problems)));
  }
  const alsoDistinct: Array<{ field: string; min: number }> = [];
  const also = node['alsoDistinct'];
  if (also !== undefined) {
    if (!isObj(also)) problems.push(`${at}.alsoDistinct: must map field paths to minimum distinct counts`);
    else for (const [field, min] of Object.entries(also)) alsoDistinct.push({ field, min: positiveInt(min, `${at}.alsoDistinct.${field}`, problems) });
  }
  const distinct = node['distinct'];
  if (distinct !== undefined && typeof distinct !== 'string') problems.push(`${at}.distinct: must be a field path`);
  return {
    windowMs: duration(node['within'], `${at}.within`, problems),
    threshold: positiveInt(node['threshold'], `${at}.threshold`, problems),
    ...(typeof distinct === 'string' ? { distinct } : {}),
    ...(requireAny.length === 0 ? {} : { requireAny }),
    ...(alsoDistinct.length === 0 ? {} : { alsoDistinct }),
    ...(require.length === 0 ? {} : { require }),
  };
}

function parseOverrides(node: unknown, at: string, problems: string[]): SeverityOverride[] {
  if (node === undefined) return [];
  if (!Array.isArray(node)) { problems.push(`${at}: must be a list`); return []; }
  return node.map((o, i): SeverityOverride => {
    const where = `${at}[${i}]`;
    if (!isObj(o)) { problems.push(`${where}: must be a mapping`); return { severity: 'medium' }; }
    const severity = severityOf(o['severity'], `${where}.severity`, problems);
    if (o['when'] === undefined && o['countAtLeast'] === undefined) problems.push(`${where}: needs "when" and/or "countAtLeast"`);
    if ((o['countAtLeast'] === undefined) !== (o['within'] === undefined)) problems.push(`${where}: "countAtLeast" and "within" go together`);
    return {
      severity,
      ...(o['when'] === undefined ? {} : { when: compileMatch(o['when'], `${where}.when`, problems) }),
      ...(o['countAtLeast'] === undefined ? {} : {
        countAtLeast: positiveInt(o['countAtLeast'], `${where}.countAtLeast`, problems),
        windowMs: duration(o['within'], `${where}.within`, problems),
      }),
    };
  });
}

/** Compiles one native YAML rule document; problems (prefixed with `file`) are appended to `problems`. */
export function compileNativeRule(doc: unknown, file: string, problems: string[]): CompiledRule | undefined {
  const local: string[] = [];
  if (!isObj(doc)) { problems.push(`${file}: a rule must be a mapping`); return undefined; }
  for (const key of Object.keys(doc)) if (!KEYS.includes(key)) local.push(`${key}: unknown key (known: ${KEYS.join(', ')})`);
  const id = doc['id'];
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.:-]+$/.test(id)) local.push('id: required, letters, digits, _ . : - only');
  if (doc['match'] === undefined) local.push('match: required');
  const attack = technique(doc['technique'], local);
  const rule: CompiledRule = {
    id: typeof id === 'string' ? id : '?',
    title: typeof doc['title'] === 'string' ? doc['title'] : String(id),
    severity: severityOf(doc['severity'], 'severity', local),
    source: 'native',
    ...(attack === undefined ? {} : { technique: attack }),
    file,
    match: compileMatch(doc['match'], 'match', local),
    overrides: parseOverrides(doc['severityOverrides'], 'severityOverrides', local),
    scope: stringList(doc['scope'], 'scope', local),
    record: stringList(doc['record'], 'record', local),
    suppressMs: doc['suppress'] === undefined ? DEFAULT_SUPPRESS_MS : duration(doc['suppress'], 'suppress', local),
  };
  const window = parseWindow(doc['window'], 'window', local);
  for (const p of local) problems.push(`${file} (${rule.id}): ${p}`);
  if (local.length > 0) return undefined;
  return window === undefined ? rule : { ...rule, window };
}
