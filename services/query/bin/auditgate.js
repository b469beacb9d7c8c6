#!/usr/bin/env node
// The `auditgate` CLI: runs the TypeScript entry (src/cli/main.ts) through tsx, paths relative to this file.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = import.meta.resolve('tsx');
const entry = join(here, '..', 'src', 'cli', 'main.ts');
const child = spawn(process.execPath, ['--import', tsx, entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => { process.exitCode = code ?? (signal === null ? 1 : 128); });
