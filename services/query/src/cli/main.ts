/** Entry of the `auditgate` CLI (run by bin/auditgate.js through tsx). */
import { runCli } from './run-cli.js';

const code = await runCli({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, fetch });
process.exitCode = code;
