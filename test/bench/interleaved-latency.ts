/**
 * Open-loop latency of several targets probed round-robin in short slices (one target at a time, the order rotating
 * each pass), so a burst of load from elsewhere on a shared machine lands on every target alike instead of on
 * whichever happened to be probed then. A target is any {@link Prober}: an HTTPS URL, or the write-ahead floor
 * (Kafka alone, kafka-ack-floor.ts), which is then measured in the same minutes as the targets it is the floor of.
 */
import { summarizePhases, type PhaseSamples, type ProbeResult, type Prober } from './constant-rate-prober.js';

/**
 * Probes every prober at `rate` per second for `seconds` in all, in slices of `sliceSeconds`, after `warmupSeconds`
 * each; returns each one's pooled percentiles and raw slices. The probers stay open (the caller closes them).
 */
export async function measureInterleavedLatency<K extends string>(o: {
  probers: Readonly<Record<K, Prober>>; rate: number; seconds: number; sliceSeconds: number; warmupSeconds: number;
  onSlice?: (name: K, slice: number, slices: number) => void;
}): Promise<Record<K, ProbeResult>> {
  const names = Object.keys(o.probers) as K[];
  const samples = new Map<K, PhaseSamples[]>(names.map((name) => [name, []]));
  const slices = Math.max(1, Math.round(o.seconds / o.sliceSeconds));
  for (const name of names) await o.probers[name].phase(o.rate, o.warmupSeconds);
  for (let slice = 0; slice < slices; slice += 1) {
    for (let i = 0; i < names.length; i += 1) {
      const name = names[(i + slice) % names.length]!;
      samples.get(name)!.push(await o.probers[name].phase(o.rate, o.sliceSeconds));
      o.onSlice?.(name, slice, slices);
    }
  }
  const out = {} as Record<K, ProbeResult>;
  for (const name of names) out[name] = summarizePhases(samples.get(name)!);
  return out;
}
