/**
 * A process that keeps a given share of one core busy (a duty cycle of busy-waiting and sleeping in 10 ms periods),
 * so a benchmark can show what a baseline achieves when something else takes that CPU on the same machine.
 */
import { join } from 'node:path';
import { spawnOwned, type OwnedProcess } from './child-process.js';

/** Starts a burner of `cores` (0 < cores <= 1) of one core; its log (empty unless it fails) goes to `logDir`. */
export function startCpuBurner(cores: number, logDir: string): OwnedProcess {
  if (!(cores > 0 && cores <= 1)) throw new Error(`a burner takes 0 < cores <= 1, not ${cores}`);
  const busyMs = cores * 10;
  const script = `const nap = new Int32Array(new SharedArrayBuffer(4));
for (;;) { const t = performance.now(); while (performance.now() - t < ${busyMs}); Atomics.wait(nap, 0, 0, ${10 - busyMs}); }`;
  return spawnOwned(process.execPath, ['-e', script], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, cwd: logDir, logFile: join(logDir, 'cpu-burner.log') });
}
