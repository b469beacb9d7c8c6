/** Runs wrk (closed loop, fixed connections) against one URL and parses its summary. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One wrk run's result. */
export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly requests: number;
  /** Responses outside 2xx/3xx plus socket errors; a run with any is not a valid measurement. */
  readonly errors: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1000;
  if (unit === 's') return n * 1000;
  if (unit === 'm') return n * 60_000;
  return n;
}

/** Parses wrk's `--latency` output. */
export function parseWrk(out: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const total = /(\d+) requests in/.exec(out);
  if (rps === null || total === null) throw new Error(`unexpected wrk output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out);
    return m === null ? Number.NaN : toMs(m[1]!, m[2]!);
  };
  return {
    requestsPerSecond: Number(rps[1]), requests: Number(total[1]), errors: non2xx + socketErrors,
    latencyP50Ms: pct('50'), latencyP99Ms: pct('99'),
  };
}

/** `wrk -t<threads> -c<connections> -d<seconds>s --latency -H 'Authorization: Bearer <token>' <url>`. */
export async function runWrk(options: { url: string; token: string; connections: number; threads: number; seconds: number }): Promise<WrkResult> {
  const { stdout } = await run('wrk', [
    `-t${options.threads}`, `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '--timeout', '10s',
    '-H', `Authorization: Bearer ${options.token}`, '-H', 'Accept: application/json', options.url,
  ], { timeout: (options.seconds + 30) * 1000, maxBuffer: 4 * 1024 * 1024 });
  return parseWrk(stdout);
}
