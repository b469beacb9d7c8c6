/** Entry of `auditgate rules …`: services/query/bin/auditgate.js spawns it through tsx with the arguments after `rules`. */
import { Client } from '@opensearch-project/opensearch';
import { runRulesCli } from './run-rules-cli.js';

process.exitCode = await runRulesCli({
  argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr, now: Date.now,
  openSearch: (url) => new Client({ node: url, requestTimeout: 30_000, maxRetries: 2 }),
});
