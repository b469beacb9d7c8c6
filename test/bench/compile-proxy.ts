/**
 * Compiles the proxy the way its container image runs it: esbuild-transpiled JavaScript on plain `node`, without tsx
 * (whose loader and per-module source maps cost memory and start-up time no deployment pays). npm packages stay
 * external and resolve from the repository's node_modules; `@auditgate/shared` is compiled in from its sources. Code
 * splitting keeps the dynamic imports lazy (the upstream modes' SDKs load only when that mode is used), as the image's
 * file-by-file transpile does.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Compiles services/proxy/src/main.ts into `<root>/node_modules/.cache/auditgate-bench/<dir>/` (default `proxy`) and
 * returns the entry's path. `sourcemap` writes .map files beside the code (read by the profiler; nothing at run time).
 */
export async function compileProxy(root: string, options: { dir?: string; sourcemap?: boolean } = {}): Promise<string> {
  const outDir = join(root, 'node_modules', '.cache', 'auditgate-bench', options.dir ?? 'proxy');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await run(join(root, 'node_modules', '.bin', 'esbuild'), [
    'services/proxy/src/main.ts', '--bundle', '--platform=node', '--format=esm', '--target=node24', '--packages=external',
    '--splitting', '--out-extension:.js=.mjs', '--alias:@auditgate/shared=./shared/src', `--outdir=${outDir}`, '--log-level=warning',
    ...(options.sourcemap === true ? ['--sourcemap'] : []),
  ], { cwd: root, timeout: 60_000 });
  return join(outDir, 'main.mjs');
}
