// `npm run docs:config`: rewrites the settings tables in README.md from each service's loader and settings doc.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configTables } from './config-tables.js';
import { DOCUMENTED_SERVICES } from './documented-services.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const readmePath = `${repoRoot}/README.md`;
const readme = readFileSync(readmePath, 'utf8');
const tables = configTables(readme, DOCUMENTED_SERVICES, { hostname: hostname(), repoRoot });
if (tables.problems.length > 0) {
  process.stderr.write(`settings docs and loaders disagree; README.md left as it is:\n  - ${tables.problems.join('\n  - ')}\n`);
  process.exit(1);
}
if (tables.readme === readme) {
  process.stdout.write('README.md settings tables are up to date\n');
} else {
  writeFileSync(readmePath, tables.readme);
  process.stdout.write(`README.md settings tables rewritten:\n  - ${tables.differences.join('\n  - ')}\n`);
}
if (tables.differences.some((d) => d.includes('has no <!-- config:'))) process.exit(1);
