/**
 * The benchmarks' shared results file: each bench (proxy, detector, indexer, …) writes its own section of one JSON
 * file (default test/bench/results/latest.json), and the markdown table beside it (latest.md) is rebuilt from every
 * section, so the README can link one table of targets and verdicts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import type { ReportRow } from './report-table.js';

/** One bench's part of the results file. */
export interface ResultSection {
  readonly at: string;
  readonly rows: readonly ReportRow[];
  readonly [detail: string]: unknown;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** Renders every section's rows as markdown tables, one per section, targets first. */
export function renderMarkdown(sections: Readonly<Record<string, ResultSection>>, header: string): string {
  const out = [header, ''];
  for (const [name, section] of Object.entries(sections)) {
    const settings = section['settings'];
    const knobs = settings !== null && typeof settings === 'object'
      ? Object.entries(settings).filter(([k]) => k !== 'outFile').map(([k, v]) => `${k}=${String(v)}`).join(', ') : '';
    out.push(`## ${name} (${section.at})`, '', ...(knobs === '' ? [] : [`Settings: ${knobs}.`, '']), '| metric | measured | target | this run | note |', '|---|---|---|---|---|');
    for (const r of section.rows) out.push(`| ${cell(r.metric)} | ${cell(r.measured)} | ${cell(r.target)} | ${r.verdict === 'info' ? 'reported' : `**${r.verdict}**`} | ${cell(r.note ?? '')} |`);
    out.push('');
  }
  return out.join('\n');
}

/** Writes `section` under `name` into `jsonFile` (keeping the other benches' sections) and rebuilds the markdown beside it. */
export function writeResultSection(jsonFile: string, name: string, section: { readonly rows: readonly ReportRow[]; readonly [detail: string]: unknown }, now: () => Date = () => new Date()): void {
  mkdirSync(dirname(jsonFile), { recursive: true });
  const previous = existsSync(jsonFile) ? (JSON.parse(readFileSync(jsonFile, 'utf8')) as { sections?: Record<string, ResultSection> }) : {};
  const sections: Record<string, ResultSection> = { ...(previous.sections ?? {}), [name]: { ...section, at: now().toISOString() } };
  writeFileSync(jsonFile, `${JSON.stringify({ machine: { cpus: cpus().length, node: process.version }, sections }, null, 2)}\n`);
  writeFileSync(jsonFile.replace(/\.json$/, '.md'), renderMarkdown(sections, markdownHeader()));
}

/** The markdown file's heading and reading notes. */
export function markdownHeader(): string {
  return [
    '# Auditgate benchmark results (`npm run bench`)', '',
    `Written by test/bench/ on ${cpus().length} CPUs, Node ${process.version}; every ratio is measured side by side in one run.`,
    'Each section carries the time and settings of its own run (shorter than the defaults when a knob was set); a bench',
    'that failed keeps its previous section. The machine is shared: see the README (Benchmarks) for what each row measures.',
  ].join('\n');
}
