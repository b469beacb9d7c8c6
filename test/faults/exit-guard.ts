/**
 * Last-resort cleanup: every process the suite starts (the services, its own Kafka and OpenSearch, which run in a
 * session of their own) is registered here and SIGKILLed by its pid if the test process exits without stopping it.
 */
const pids = new Set<number>();
let installed = false;

/** Kills `pid` when this process exits, unless {@link release} was called for it first. */
export function killOnExit(pid: number): void {
  pids.add(pid);
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const p of pids) {
      try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
}

/** `pid` was stopped in order: nothing to do for it at exit. */
export function release(pid: number): void {
  pids.delete(pid);
}
