import { join } from 'node:path';
import { collectSettings } from './collect-settings.js';
import type { DocumentedService } from './documented-services.js';
import { keysInSource } from './keys-in-source.js';
import { generatedNotice, readmeSection, replaceReadmeSection } from './readme-sections.js';
import { renderSettingsTable, type RenderContext, type RenderedRow } from './render-settings-table.js';

/** The README as `npm run docs:config` would write it, and what stands in the way or differs. */
export interface ConfigTables {
  /** The README with every service's section regenerated (sections whose markers are missing are left out). */
  readonly readme: string;
  /** Disagreements between a settings doc and its loader: the tables cannot be generated until they are fixed. */
  readonly problems: readonly string[];
  /** How the README as it stands differs from the generated one, key by key. */
  readonly differences: readonly string[];
}

const KEY = /`([A-Z][A-Z0-9_]*)`/g;

/** The rows of a markdown table, keyed by each variable named in their first cell. */
function rowsByKey(table: string): Map<string, { defaultCell: string; meaning: string }> {
  const out = new Map<string, { defaultCell: string; meaning: string }>();
  for (const line of table.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*(variable|-)/.test(line)) continue;
    const [keys = '', defaultCell = '', ...meaning] = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
    for (const m of keys.matchAll(KEY)) out.set(m[1] ?? '', { defaultCell, meaning: meaning.join('|') });
  }
  return out;
}

/** A README cell of several defaults, split where the generated one joins them (", " outside backticks). */
function splitDefaults(defaultCell: string): string[] {
  return defaultCell.split(/, (?=(?:[^`]*`[^`]*`)*[^`]*$)/);
}

function differencesOf(service: string, readmeTable: string, rows: readonly RenderedRow[]): string[] {
  const inReadme = rowsByKey(readmeTable);
  const out: string[] = [];
  for (const row of rows) {
    row.keys.forEach((key, i) => {
      const shown = inReadme.get(key);
      inReadme.delete(key);
      if (shown === undefined) { out.push(`${service}: ${key} is read by the loader but missing from README`); return; }
      if (shown.defaultCell !== row.defaultCell) {
        // Name only the keys whose own default differs when the README's cell splits like the generated one.
        const parts = splitDefaults(shown.defaultCell);
        const readmeSays = parts.length === row.keys.length ? parts[i] : shown.defaultCell;
        const loaderSays = parts.length === row.keys.length ? row.defaults[i] : row.defaultCell;
        if (readmeSays !== loaderSays || parts.length !== row.keys.length) out.push(`${service}: ${key} default: README says ${readmeSays}, the loader's is ${loaderSays}`);
        return;
      }
      if (shown.meaning !== row.meaning) out.push(`${service}: ${key} meaning differs from its settings doc`);
    });
  }
  for (const key of inReadme.keys()) out.push(`${service}: ${key} is in README but the loader does not read it`);
  return out;
}

/** Regenerates every service's settings table from its loader and settings doc, and compares it with `readme`. */
export function configTables(readme: string, services: readonly DocumentedService[], context: RenderContext): ConfigTables {
  const problems: string[] = [];
  const differences: string[] = [];
  let next = readme;
  for (const s of services) {
    const collected = collectSettings(s.loadConfig, s.doc.probes);
    const table = renderSettingsTable(s.doc, collected, context);
    problems.push(...table.problems.map((p) => `${s.name} (${s.docPath}): ${p}`));
    const read = new Set([...collected.settings.keys(), ...collected.direct]);
    for (const { key, file } of keysInSource(join(context.repoRoot, s.sourceDir), context.repoRoot)) {
      // A name may be a prefix the loader completes (`${prefix}_URL`): then some key read starts with it.
      if (!read.has(key) && ![...read].some((k) => k.startsWith(`${key}_`))) problems.push(`${s.name} (${s.docPath}): ${key}: named in ${file}, but no probe reaches the code that reads it; add a probe`);
    }
    const body = `${generatedNotice(s.docPath)}\n${table.markdown}`;
    const current = readmeSection(readme, s.name);
    if (current === undefined) {
      differences.push(`${s.name}: README.md has no <!-- config:${s.name}:begin --> … <!-- config:${s.name}:end --> section`);
      continue;
    }
    if (current !== body) {
      const found = differencesOf(s.name, current, table.rows);
      differences.push(...(found.length > 0 ? found : [`${s.name}: the table's text differs from what npm run docs:config writes`]));
    }
    next = replaceReadmeSection(next, s.name, body);
  }
  return { readme: next, problems: [...new Set(problems)], differences };
}
