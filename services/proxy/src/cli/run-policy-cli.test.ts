import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { runPolicyCli } from './run-policy-cli.js';

const HEADER = 'apiVersion: auditgate.dev/v1\nkind: GatewayPolicy\n';
const FILES: Readonly<Record<string, string>> = {
  'leaky.yaml': `${HEADER}defaultAction: allow
limits: { allowClusterWideLists: false }
rules:
  - { id: deny-ks-secrets, action: deny, match: { resources: [secrets], namespaces: [kube-system] } }
  - { id: deny-exec, action: deny, match: { resources: [pods/exec, pods/attach, pods/portforward], namespaces: [kube-system] } }
`,
  'warnings-only.yaml': `${HEADER}defaultAction: allow
rules:
  - { id: deny-cm-get, action: deny, match: { verbs: [get], resources: [configmaps], namespaces: [kube-system] } }
`,
  'clean.yaml': `${HEADER}defaultAction: deny\n`,
  'broken.yaml': `${HEADER}defaultAction: sometimes\n`,
};

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') => new Writable({ write(chunk, _encoding, done) { out[key] += String(chunk); done(); } });
  const readFile = async (path: string): Promise<string> => {
    const text = FILES[path];
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
    return text;
  };
  const code = await runPolicyCli({ argv, stdout: sink('stdout'), stderr: sink('stderr'), readFile });
  return { code, ...out };
}

describe('runPolicyCli', () => {
  it('prints each finding with its fix and exits 1 on error-level findings', async () => {
    const { code, stdout } = await run('lint', 'leaky.yaml', 'clean.yaml');
    assert.equal(code, 1);
    assert.match(stdout, /^leaky\.yaml: error indirect-path: "deny-ks-secrets" denies Secrets in kube-system, but .* pods\/proxy there is allowed by the default action/m);
    assert.match(stdout, /^ {2}fix: add a deny rule with apiGroups \[""\], resources \[pods\/proxy\]/m);
    assert.match(stdout, /^clean\.yaml: no findings$/m);
    assert.match(stdout, /^\d+ error\(s\), \d+ warning\(s\) in 2 file\(s\)$/m);
  });

  it('exits 0 on warnings alone, 1 under --strict', async () => {
    const plain = await run('lint', 'warnings-only.yaml');
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /warning verb-bypass: "deny-cm-get" denies get configmaps in kube-system, but list\/watch is allowed/);
    assert.equal((await run('lint', '--strict', 'warnings-only.yaml')).code, 1);
    assert.equal((await run('lint', '--strict', 'clean.yaml')).code, 0);
  });

  it('prints one JSON document with --json', async () => {
    const { code, stdout } = await run('lint', '--json', 'leaky.yaml', 'clean.yaml');
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { files: Array<{ file: string; findings: Array<Record<string, unknown>> }>; errors: number; warnings: number };
    assert.deepEqual(report.files.map((f) => f.file), ['leaky.yaml', 'clean.yaml']);
    const proxy = report.files[0]?.findings.find((f) => (f['path'] as { resource: string }).resource === 'pods/proxy');
    assert.deepEqual(proxy && [proxy['severity'], proxy['check'], proxy['ruleId'], proxy['openedBy'], proxy['path']],
      ['error', 'indirect-path', 'deny-ks-secrets', 'default', { verbs: ['get', 'create', 'update', 'patch', 'delete'], apiGroup: '', resource: 'pods/proxy', namespaces: ['kube-system'] }]);
    assert.ok(report.errors > 0 && report.warnings > 0);
    assert.deepEqual(report.files[1]?.findings, []);
  });

  it('exits 2 with the parser\'s message on an invalid or unreadable policy', async () => {
    const broken = await run('lint', 'broken.yaml', 'clean.yaml');
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /invalid policy broken\.yaml \(1 problem\(s\)\):\n {2}- broken\.yaml:3:16 defaultAction: must be one of allow, deny/);
    assert.match(broken.stdout, /broken\.yaml: not linted/);
    const missing = await run('lint', '--json', 'missing.yaml');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read missing\.yaml: ENOENT/);
    assert.match(JSON.parse(missing.stdout).files[0].error, /ENOENT/);
  });

  it('exits 2 on bad usage and 0 on help', async () => {
    for (const argv of [[], ['check', 'clean.yaml'], ['lint'], ['lint', '--fix', 'clean.yaml']]) {
      const { code, stderr } = await run(...argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(stderr, /usage: auditgate policy lint/);
    }
    const help = await run('--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: auditgate policy lint \[--json\] \[--strict\] FILE \[FILE\.\.\.\]/);
  });
});
