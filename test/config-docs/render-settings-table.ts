import type { SettingRead, SettingsDoc } from '@auditgate/shared';
import type { CollectedSettings, SettingFacts } from './collect-settings.js';

/** Facts of the machine the loader ran on, kept out of the README. */
export interface RenderContext {
  /** `os.hostname()`: a default taken from it is shown as "the host name". */
  readonly hostname: string;
  /** The repository's root: a default path inside it is shown relative to it. */
  readonly repoRoot: string;
}

/** One row of a settings table, as the README shows it. */
export interface RenderedRow {
  readonly keys: readonly string[];
  /** Each key's default, in the order of `keys`. */
  readonly defaults: readonly string[];
  /** The defaults as one cell: one value when they are all the same. */
  readonly defaultCell: string;
  readonly meaning: string;
}

/** A service's settings table, and every way its settings doc and its loader disagree. */
export interface RenderedTable {
  readonly rows: readonly RenderedRow[];
  readonly markdown: string;
  readonly problems: readonly string[];
}

const NONE = '–';
const code = (text: string): string => `\`${text}\``;
const cell = (markdown: string): string => markdown.replace(/\n/g, ' ').replace(/(?<!\\)\|/g, '\\|');

function formatFallback(value: NonNullable<SettingRead['fallback']>, context: RenderContext): string {
  if (Array.isArray(value)) return value.length === 0 ? NONE : code(value.join(','));
  if (typeof value !== 'string') return code(String(value));
  if (value === '') return NONE;
  if (context.hostname !== '' && value === context.hostname) return 'the host name';
  if (value.startsWith(`${context.repoRoot}/`)) return code(value.slice(context.repoRoot.length + 1));
  return code(value);
}

function defaultOf(facts: SettingFacts, stated: string | undefined, context: RenderContext, problems: string[]): string {
  const [only, ...others] = facts.fallbacks;
  if (only !== undefined && others.length === 0) {
    if (stated !== undefined) problems.push(`${facts.key}: the loader's default is ${formatFallback(only, context)}; the settings doc may not state "${stated}"`);
    return formatFallback(only, context);
  }
  if (stated !== undefined) return stated;
  if (only !== undefined) {
    problems.push(`${facts.key}: its default depends on other settings (${facts.fallbacks.map((f) => formatFallback(f, context)).join(' or ')}); `
      + 'describe it in the settings doc\'s `defaults`');
    return NONE;
  }
  return facts.required ? 'required' : NONE;
}

/** Renders `doc` as a markdown table whose defaults are the ones `collected` saw the loader use. */
export function renderSettingsTable(doc: SettingsDoc, collected: CollectedSettings, context: RenderContext): RenderedTable {
  const problems: string[] = [];
  const documented = new Set<string>();
  const rows = doc.rows.map((row): RenderedRow => {
    for (const key of Object.keys(row.defaults ?? {})) {
      if (!row.keys.includes(key)) problems.push(`${key}: the settings doc states its default in a row that does not list it`);
    }
    const defaults = row.keys.map((key) => {
      if (documented.has(key)) problems.push(`${key}: documented in more than one row`);
      documented.add(key);
      const facts = collected.settings.get(key);
      if (facts === undefined) {
        problems.push(`${key}: documented, but the loader does not read it (or no probe reaches the code that does)`);
        return NONE;
      }
      return defaultOf(facts, row.defaults?.[key], context, problems);
    });
    const defaultCell = defaults.every((d) => d === defaults[0]) ? (defaults[0] ?? NONE) : defaults.join(', ');
    return { keys: row.keys, defaults: defaults.map(cell), defaultCell: cell(defaultCell), meaning: cell(row.meaning) };
  });
  for (const key of collected.settings.keys()) {
    if (!documented.has(key)) problems.push(`${key}: read by the loader, but the settings doc has no row for it`);
  }
  const shown = rows.map((row) => row.defaultCell).join(' ');
  for (const key of collected.direct) {
    if (!shown.includes(code(`$${key}`))) problems.push(`${key}: read straight from the environment, but shown in no default`);
  }
  const markdown = [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...rows.map((row) => `| ${row.keys.map(code).join(', ')} | ${row.defaultCell} | ${row.meaning} |`),
  ].join('\n');
  return { rows, markdown, problems };
}
