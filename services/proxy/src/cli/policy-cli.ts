/** Entry of `auditgate policy …`: services/query/bin/auditgate.js spawns it through tsx with the arguments after `policy`. */
import { readFile } from 'node:fs/promises';
import { runPolicyCli } from './run-policy-cli.js';

process.exitCode = await runPolicyCli({
  argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, readFile: (path) => readFile(path, 'utf8'),
});
