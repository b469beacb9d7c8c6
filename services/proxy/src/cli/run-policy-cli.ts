import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { lintPolicy } from '../policy/lint-policy.js';
import { parsePolicy } from '../policy/parse-policy.js';
import { countFindings, formatLintJson, formatLintText, type FileReport } from './format-lint-report.js';

/** What `auditgate policy` needs from its process: its arguments (after `policy`), output streams and file reads. */
export interface PolicyCliIo {
  readonly argv: readonly string[];
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly readFile: (path: string) => Promise<string>;
}

/** The usage text of `auditgate policy`. */
export const POLICY_USAGE = `usage: auditgate policy lint [--json] [--strict] FILE [FILE...]
  Lints gateway policy files: reports wherever a deny (or mask) rule leaves a way around it open. Next to Secrets it
  denies or masks: exec/attach/portforward, pods/proxy, services/proxy, nodes/proxy, ephemeral containers and
  serviceaccounts/token (errors), pod and workload writes (warnings); for any deny: another verb of the same resource,
  or a list/watch across all namespaces.
  --json    one JSON document: {"files": [{"file", "findings", "warnings", "error"?}], "errors", "warnings"}
  --strict  warnings fail too
  exit: 0 no error findings, 1 error findings (or any finding with --strict), 2 bad usage or a file that cannot be
        read or parsed (the parser's message is printed)`;

/** Runs `auditgate policy …`; resolves with the exit code (0 clean, 1 findings, 2 usage or invalid policy). */
export async function runPolicyCli(io: PolicyCliIo): Promise<number> {
  let values: { json?: boolean; strict?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...io.argv], allowPositionals: true, strict: true,
      options: { json: { type: 'boolean' }, strict: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return usage(io, (error as Error).message);
  }
  const [command, ...files] = positionals;
  if (values.help === true || command === 'help') { io.stdout.write(`${POLICY_USAGE}\n`); return 0; }
  if (command !== 'lint') return usage(io, command === undefined ? 'a command is required' : `unknown command "policy ${command}"`);
  if (files.length === 0) return usage(io, 'policy lint needs at least one FILE');

  const reports: FileReport[] = [];
  for (const file of files) reports.push(await lintFile(io, file));
  for (const report of reports) if (report.error !== undefined) io.stderr.write(`auditgate: ${report.error}\n`);
  io.stdout.write(values.json === true ? formatLintJson(reports) : formatLintText(reports));
  if (reports.some((report) => report.error !== undefined)) return 2;
  const { errors, warnings } = countFindings(reports);
  return errors > 0 || (values.strict === true && warnings > 0) ? 1 : 0;
}

async function lintFile(io: PolicyCliIo, file: string): Promise<FileReport> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    return { file, findings: [], warnings: [], error: `cannot read ${file}: ${(error as Error).message}` };
  }
  try {
    const policy = parsePolicy(text, file);
    return { file, findings: lintPolicy(policy), warnings: policy.warnings };
  } catch (error) {
    return { file, findings: [], warnings: [], error: (error as Error).message };
  }
}

function usage(io: PolicyCliIo, message: string): number {
  io.stderr.write(`auditgate: ${message}\n${POLICY_USAGE}\n`);
  return 2;
}
