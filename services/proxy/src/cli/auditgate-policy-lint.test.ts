import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'services/query/bin/auditgate.js');
/** The repo's pinned Node (what npm puts first on PATH), else the one running this test. */
const NODE = existsSync(join(ROOT, 'node_modules/.bin/node')) ? join(ROOT, 'node_modules/.bin/node') : process.execPath;
const SHIPPED = ['services/proxy/policy/example-policy.yaml', 'services/proxy/policy/default-deny-policy.yaml', 'k8s/base/policy/policy.yaml'];
const LEAKY = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
rules:
  - { id: deny-secrets-kube-system, action: deny, match: { apiGroups: [""], resources: [secrets], namespaces: [kube-system] } }
  - { id: deny-exec-kube-system, action: deny, match: { apiGroups: [""], resources: [pods/exec, pods/attach], namespaces: [kube-system] } }
`;

/** Runs the installed-style `auditgate` bin; resolves with its exit code and output. */
function auditgate(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, [BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

// End to end through the query workspace's `auditgate` bin, which spawns the proxy's policy CLI.
describe('auditgate policy lint (the bin, end to end)', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-policy-lint-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the paths a leaky policy leaves open and exits 1', async () => {
    const file = join(dir, 'leaky.yaml');
    writeFileSync(file, LEAKY);
    const { code, stdout, stderr } = await auditgate(['policy', 'lint', file]);
    assert.equal(code, 1, stderr);
    for (const resource of ['pods/portforward', 'pods/proxy', 'services/proxy', 'pods/ephemeralcontainers', 'serviceaccounts/token', 'nodes/proxy']) {
      assert.match(stdout, new RegExp(`: error indirect-path: "deny-secrets-kube-system" denies Secrets in kube-system, but [a-z/]+ ${resource} `), resource);
    }
    assert.doesNotMatch(stdout, / pods\/exec /);
    assert.match(stdout, /: error cluster-wide: .* list\/watch across all namespaces is allowed by the default action/);
    assert.match(stdout, /: warning pod-spec: .* deployments\.apps there is allowed by the default action/);
  });

  it('passes the shipped policies (exit 0): no error; the example only warns where it masks rather than denies', async () => {
    const text = await auditgate(['policy', 'lint', ...SHIPPED]);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    const strictDefaultDeny = await auditgate(['policy', 'lint', '--strict', 'services/proxy/policy/default-deny-policy.yaml']);
    assert.equal(strictDefaultDeny.code, 0, strictDefaultDeny.stdout + strictDefaultDeny.stderr);
    assert.match(strictDefaultDeny.stdout, /default-deny-policy\.yaml: no findings$/m);
    const json = await auditgate(['policy', 'lint', '--json', ...SHIPPED]);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { errors: number; warnings: number; files: Array<{ file: string; findings: Array<{ severity: string; ruleId: string }> }> };
    assert.equal(report.errors, 0);
    for (const file of report.files) for (const finding of file.findings) assert.equal(finding.ruleId, 'mask-secrets', `${file.file}: only the mask rule warns`);
    const strict = await auditgate(['policy', 'lint', '--strict', SHIPPED[0]!]);
    assert.equal(strict.code, 1, '--strict fails on the example\'s warnings');
  });

  it('exits 2 with the parser\'s message on an unparsable policy, and on bad usage', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'apiVersion: auditgate.dev/v1\nkind: GatewayPolicy\ndefaultAction: [\n');
    const broken = await auditgate(['policy', 'lint', file]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /invalid policy .*broken\.yaml/);
    const usage = await auditgate(['policy']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: auditgate policy lint/);
  });
});
