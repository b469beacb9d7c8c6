import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

/** A platform tool the deploy tests run: built by test/stack/deploy-tools.sh from the Go module proxy, cached. */
export type DeployTool = 'helm' | 'promtool' | 'compose';

/** How long a cold build may take on 2 cores (promtool's is the longest); cached runs take a second. */
export const TOOL_BUILD_TIMEOUT_MS = 45 * 60_000;

/** Builds `tool` if it is not cached yet (one builder at a time across processes) and returns its path. */
export async function deployTool(tool: DeployTool): Promise<string> {
  const { stdout } = await run('bash', [resolve(ROOT, 'test/stack/deploy-tools.sh'), tool], {
    cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: TOOL_BUILD_TIMEOUT_MS,
  });
  const path = stdout.trim().split('\n').at(-1);
  if (path === undefined || path === '') throw new Error(`test/stack/deploy-tools.sh ${tool} printed no path`);
  return path;
}

/** Runs `bin args…` in the repository root; resolves stdout, rejects with stderr in the message. */
export async function runTool(bin: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const child = execFile(bin, [...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: options.env ?? process.env });
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number>((done, fail) => { child.on('error', fail); child.on('close', (c) => done(c ?? -1)); });
  if (code !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${code}:\n${stderr}${stdout}`);
  return stdout;
}
