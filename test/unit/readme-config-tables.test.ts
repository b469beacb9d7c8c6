import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { configTables } from '../config-docs/config-tables.js';
import { DOCUMENTED_SERVICES } from '../config-docs/documented-services.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const tables = (readme: string) => configTables(readme, DOCUMENTED_SERVICES, { hostname: hostname(), repoRoot });

it('every settings doc covers exactly what its loader reads, with no default of its own where the loader has one', () => {
  const { problems } = tables(readFileSync(`${repoRoot}/README.md`, 'utf8'));
  assert.deepEqual(problems, [], `fix the settings docs:\n  - ${problems.join('\n  - ')}`);
});

it('README.md\'s settings tables are what `npm run docs:config` writes from the loaders', () => {
  const readme = readFileSync(`${repoRoot}/README.md`, 'utf8');
  const { differences, readme: expected } = tables(readme);
  assert.deepEqual(differences, [], `README.md differs from the loaders (run npm run docs:config):\n  - ${differences.join('\n  - ')}`);
  assert.equal(readme, expected);
});

it('a README default that differs from the loader\'s, a missing key and an unknown one are each named', () => {
  const readme = readFileSync(`${repoRoot}/README.md`, 'utf8')
    .replace('| `PROXY_HTTPS_PORT` | `8443` |', '| `PROXY_HTTPS_PORT` | `443` |')
    .replace(/^\| `PROXY_SPOOL_DIR` \|.*\n/m, '| `PROXY_SPOOL_PATH` | – | gone |\n');
  const { differences } = tables(readme);
  assert.deepEqual(differences.filter((d) => d.startsWith('proxy:')), [
    'proxy: PROXY_HTTPS_PORT default: README says `443`, the loader\'s is `8443`',
    'proxy: PROXY_SPOOL_DIR is read by the loader but missing from README',
    'proxy: PROXY_SPOOL_PATH is in README but the loader does not read it',
  ]);
});
