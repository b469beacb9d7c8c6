#!/usr/bin/env node
// The `auditgate` CLI: runs the TypeScript entry (src/cli/main.ts) through tsx, paths relative to this file.
// `auditgate policy …` runs the proxy's policy CLI instead: a process boundary, since services never import each other.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = import.meta.resolve('tsx');
const args = process.argv.slice(2);
const policy = args[0] === 'policy';
const entry = policy ? join(here, '..', '..', 'proxy', 'src', 'cli', 'policy-cli.ts') : join(here, '..', 'src', 'cli', 'main.ts');
if (policy && !existsSync(entry)) {
  process.stderr.write(`auditgate: "auditgate policy" needs the proxy sources next to the query service (${entry} is missing)\n`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--import', tsx, entry, ...(policy ? args.slice(1) : args)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => { process.exitCode = code ?? (signal === null ? 1 : 128); });
