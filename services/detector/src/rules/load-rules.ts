import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { compileNativeRule } from './native-rule.js';
import { compileSigmaRule, isSigmaDocument } from './sigma-rule.js';
import type { CompiledRule } from './rule.js';

function yamlFiles(dir: string, problems: string[]): string[] {
  let entries: string[];
  try { entries = readdirSync(dir).sort(); } catch (error) { problems.push(`${dir}: cannot be read: ${(error as Error).message}`); return []; }
  return entries.flatMap((name) => {
    // A mounted ConfigMap holds each file once more under `..data/` and `..<timestamp>/`: skip those, and dotfiles.
    if (name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path, problems);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Compiles the rules of one YAML text (one or more documents, native or Sigma); problems are appended. */
export function compileRuleText(text: string, file: string, problems: string[]): CompiledRule[] {
  const rules: CompiledRule[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${file}#${i + 1}`;
    if (doc.errors.length > 0) { for (const e of doc.errors) problems.push(`${where}: YAML: ${e.message}`); return; }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const rule = isSigmaDocument(value) ? compileSigmaRule(value, where, problems) : compileNativeRule(value, where, problems);
    if (rule !== undefined) rules.push(rule);
  });
  return rules;
}

/**
 * Loads every `*.yaml`/`*.yml` under `dirs` (recursively): native rules and Sigma Kubernetes audit rules. Throws one
 * `AUDITGATE_E_CONFIG_INVALID` error listing every problem of every file, including duplicate rule ids.
 */
export function loadRules(dirs: readonly string[]): CompiledRule[] {
  const problems: string[] = [];
  const rules: CompiledRule[] = [];
  for (const dir of dirs) {
    for (const file of yamlFiles(dir, problems)) rules.push(...compileRuleText(readFileSync(file, 'utf8'), file, problems));
  }
  const seen = new Map<string, string>();
  for (const rule of rules) {
    const first = seen.get(rule.id);
    if (first !== undefined) problems.push(`${rule.file}: duplicate rule id ${rule.id} (first in ${first})`);
    else seen.set(rule.id, rule.file);
  }
  if (rules.length === 0 && problems.length === 0) problems.push(`no rules found in ${dirs.join(', ')}`);
  if (problems.length > 0) {
    throw new AppError(`invalid detection rules:\n  - ${problems.join('\n  - ')}`, { code: ErrorCodes.CONFIG_INVALID, details: { problems } });
  }
  return rules;
}
