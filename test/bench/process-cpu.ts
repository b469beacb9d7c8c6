/** CPU time of processes from /proc (Linux): per process, per process tree, and the local stack's servers. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux we run). */
const TICK_MS = 10;

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name (which may hold spaces): state is field 3 (index 0 here), see proc(5).
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU time (utime + stime) of `pid` in ms; throws if the process is gone. */
export function cpuMs(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** `roots` and every live descendant of them (nginx's workers under its master, say). */
export function processTree(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(Number(entry))[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch { /* exited while we looked */ }
  }
  const out: number[] = [];
  const todo = [...roots];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Summed CPU ms of `pids`; a pid that has exited counts 0 (its time is gone with it). */
export function sumCpuMs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try { total += cpuMs(pid); } catch { /* exited */ }
  }
  return total;
}

/** The local stack's server processes whose CPU a request through the gateway also spends. */
export interface StackPids {
  readonly kubeApiserver: number;
  readonly etcd: number;
  readonly kafka: number;
  readonly opensearch: number;
}

/** Reads the pid files test/stack/lib.sh keeps (`<state>/<name>.pid`: "<pid> <signature>"). */
export function readStackPids(stateDir: string): StackPids {
  const read = (name: string): number => {
    const pid = Number(readFileSync(join(stateDir, `${name}.pid`), 'utf8').trim().split(/\s+/)[0]);
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in ${stateDir}/${name}.pid`);
    cpuMs(pid); // throws now, not mid-run, if it is not running
    return pid;
  };
  return { kubeApiserver: read('kube-apiserver'), etcd: read('etcd'), kafka: read('kafka'), opensearch: read('opensearch') };
}

/** Groups of processes whose CPU is accounted per request. */
export type CpuGroups<K extends string> = Readonly<Record<K, readonly number[]>>;

/** CPU ms of every group now; diff two of them with `cpuDelta`. */
export function cpuSnapshot<K extends string>(groups: CpuGroups<K>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(groups) as K[]) out[key] = sumCpuMs(groups[key]);
  return out;
}

/** Microseconds of CPU per request of each group between two snapshots. */
export function cpuUsPerRequest<K extends string>(before: Record<K, number>, after: Record<K, number>, requests: number): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(before) as K[]) out[key] = ((after[key] - before[key]) * 1000) / Math.max(1, requests);
  return out;
}
