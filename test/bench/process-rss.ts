/** Reads a process's resident set size from /proc (Linux). */
import { readFileSync } from 'node:fs';

/** VmRSS of `pid` in bytes; throws if the process is gone. */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}
