/**
 * Open-loop latency of several targets probed round-robin in short slices (one target at a time, the order rotating
 * each pass), so a burst of load from elsewhere on a shared machine lands on every target alike instead of on
 * whichever happened to be probed then.
 */
import { createProber, summarizePhases, type PhaseSamples, type ProbeResult } from './constant-rate-prober.js';

/** One target to probe. */
export interface LatencyTarget { readonly url: string; readonly token: string }

/** Probes every target at `rate` req/s for `seconds` in all, in slices of `sliceSeconds`, after `warmupSeconds` each. */
export async function measureInterleavedLatency<K extends string>(o: {
  targets: Readonly<Record<K, LatencyTarget>>; rate: number; seconds: number; sliceSeconds: number; warmupSeconds: number;
  onSlice?: (name: K, slice: number, slices: number) => void;
}): Promise<Record<K, ProbeResult>> {
  const names = Object.keys(o.targets) as K[];
  const probers = new Map(names.map((name) => [name, createProber(o.targets[name])] as const));
  const samples = new Map<K, PhaseSamples[]>(names.map((name) => [name, []]));
  const slices = Math.max(1, Math.round(o.seconds / o.sliceSeconds));
  try {
    for (const name of names) await probers.get(name)!.phase(o.rate, o.warmupSeconds);
    for (let slice = 0; slice < slices; slice += 1) {
      for (let i = 0; i < names.length; i += 1) {
        const name = names[(i + slice) % names.length]!;
        samples.get(name)!.push(await probers.get(name)!.phase(o.rate, o.sliceSeconds));
        o.onSlice?.(name, slice, slices);
      }
    }
  } finally {
    for (const prober of probers.values()) prober.close();
  }
  const out = {} as Record<K, ProbeResult>;
  for (const name of names) out[name] = summarizePhases(samples.get(name)!);
  return out;
}
