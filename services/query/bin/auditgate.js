#!/usr/bin/env node
// The `auditgate` CLI: runs the TypeScript entry (src/cli/main.ts) through tsx, paths relative to this file.
// `auditgate policy …` runs the proxy's policy CLI and `auditgate rules …` the detector's rules CLI (backtests)
// instead: a process boundary, since services never import each other.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = import.meta.resolve('tsx');
const args = process.argv.slice(2);
const DELEGATED = {
  policy: { workspace: 'proxy', entry: join(here, '..', '..', 'proxy', 'src', 'cli', 'policy-cli.ts') },
  rules: { workspace: 'detector', entry: join(here, '..', '..', 'detector', 'src', 'backtest', 'rules-cli.ts') },
};
const delegated = Object.hasOwn(DELEGATED, args[0] ?? '') ? DELEGATED[args[0]] : undefined;
const entry = delegated?.entry ?? join(here, '..', 'src', 'cli', 'main.ts');
if (delegated !== undefined && !existsSync(entry)) {
  process.stderr.write(`auditgate: "auditgate ${args[0]}" needs the ${delegated.workspace} sources next to the query service (${entry} is missing)\n`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--import', tsx, entry, ...(delegated === undefined ? args : args.slice(1))], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => { process.exitCode = code ?? (signal === null ? 1 : 128); });
