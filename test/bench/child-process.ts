/** A background child process the benchmark owns: output kept to a log file, stopped by its own pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { once } from 'node:events';

/** A started child; `stop()` sends SIGTERM, then SIGKILL after `graceMs`, and is safe to call twice. */
export interface OwnedProcess {
  readonly pid: number;
  readonly logFile: string;
  exited(): boolean;
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `command` with its stdout and stderr appended to `logFile`. */
export function spawnOwned(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): OwnedProcess {
  const fd = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  let done = false;
  const exit = once(child, 'exit').then(() => { done = true; });
  let stopping: Promise<void> | undefined;
  return {
    pid, logFile: options.logFile,
    exited: () => done,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (done) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => { if (!done) child.kill('SIGKILL'); }, graceMs);
        await exit;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

/** Polls `probe` every 200 ms until it returns true, the process exits, or `timeoutMs` passes. */
export async function waitUntil(what: string, proc: OwnedProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exited()) throw new Error(`${what}: the process exited (see ${proc.logFile})`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not ready after ${timeoutMs} ms (see ${proc.logFile})`);
}
