import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';
import { lintPolicy } from './lint-policy.js';
import { parsePolicy } from './parse-policy.js';

/** Where policies ship: the proxy's examples and the kustomize base's copy. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const POLICY_DIRS = ['services/proxy/policy', 'k8s/base/policy'].map((dir) => join(ROOT, dir));

// This is how CI lints the shipped policies (`npm test` runs every *.test.ts): no error finding. Warnings are printed:
// the example masks Secrets outside kube-system, and a mask does not close exec into a pod that mounts one.
describe('shipped policies', () => {
  const files = POLICY_DIRS.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f)));

  it('are all found', () => {
    assert.ok(files.length >= 3, files.join(', '));
  });

  for (const file of files) {
    it(`${relative(ROOT, file)} passes auditgate policy lint`, () => {
      const findings = lintPolicy(parsePolicy(readFileSync(file, 'utf8'), file));
      for (const f of findings) if (f.severity === 'warning') process.stdout.write(`# ${relative(ROOT, file)}: warning: ${f.message}\n`);
      assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => `${f.severity}: ${f.message}`), []);
    });
  }
});
