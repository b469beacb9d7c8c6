/**
 * A service run as the deployment runs it: its own process from `services/<name>/src/main.ts`, env in, JSON logs to a
 * file. Faults SIGKILL it by its pid; the end of a row stops it with SIGTERM (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { killOnExit, release } from './exit-guard.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The services the suite runs. */
export type ServiceName = 'proxy' | 'indexer' | 'detector';

/** A running (or crashed) service process. */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly pid: number;
  readonly logFile: string;
  readonly opsPort: number;
  exited(): boolean;
  /** SIGKILL by pid, resolved once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `name` with `env` (PATH and HOME added) and waits for its `/readyz` on `opsPort`. */
export async function startService(name: ServiceName, env: Record<string, string>, opsPort: number, logFile: string, readyTimeoutMs = 120_000): Promise<ServiceProcess> {
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
    cwd: ROOT, stdio: ['ignore', fd, fd],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  let done = child.exitCode !== null;
  killOnExit(child.pid);
  const exit = once(child, 'exit').then(() => { done = true; release(child.pid!); });
  let stopping: Promise<void> | undefined;
  const proc: ServiceProcess = {
    name, pid: child.pid, logFile, opsPort,
    exited: () => done,
    async kill() {
      if (!done) process.kill(child.pid!, 'SIGKILL');
      await exit;
    },
    stop(graceMs = 15_000) {
      stopping ??= (async () => {
        if (done) return;
        process.kill(child.pid!, 'SIGTERM');
        const timer = setTimeout(() => { if (!done) process.kill(child.pid!, 'SIGKILL'); }, graceMs);
        await exit;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (done) throw new Error(`${name} exited before it was ready (see ${logFile})`);
    const ok = await fetch(`http://127.0.0.1:${opsPort}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
    if (ok) return proc;
    if (Date.now() > deadline) {
      await proc.stop(2000);
      throw new Error(`${name} not ready within ${readyTimeoutMs} ms (see ${logFile})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
