/**
 * Splits a V8 .cpuprofile of the compiled gateway by component: each sample goes to the innermost frame that belongs
 * to a package (kafkajs, pino, …) or to one of our source folders (mapped back through the build's source maps), so
 * time spent in Node's core on behalf of a caller (a socket write for kafkajs, a hash for the chain) counts for that
 * caller. Samples with no such frame are Node's core alone; the garbage collector and (program), native work outside
 * any JS frame (libuv, syscalls, the event loop), are their own components; (idle) is left out.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
/** The parts of a .cpuprofile read here. */
export interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

/** The component of one source path, or undefined when it is Node's own (node:…, native). */
export function componentOf(source: string): string | undefined {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
  if (pkg !== null) return pkg[1]!;
  const own = /(services\/[^/]+\/src|shared\/src)\/([^/]+)(\/|\.ts$)/.exec(source);
  if (own === null) return undefined;
  const where = own[1]!.replace(/\/src$/, '').replace(/^services\//, '');
  return `${where}/${own[2]!.replace(/\.ts$/, '')}`;
}

/** Maps a compiled frame to its source path through the .map beside the compiled file (cached per file). */
function sourceResolver(): (frame: CallFrame) => string {
  const maps = new Map<string, SourceMap | null>();
  return (frame) => {
    if (!frame.url.startsWith('file://') || !frame.url.endsWith('.mjs') || frame.url.includes('/node_modules/.cache/') === false) return frame.url;
    let map = maps.get(frame.url);
    if (map === undefined) {
      try { map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(frame.url)}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]); } catch { map = null; }
      maps.set(frame.url, map);
    }
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
    return entry !== undefined && 'originalSource' in entry ? entry.originalSource : frame.url;
  };
}

/**
 * Seconds of samples per component within [fromUs, toUs] of the profile's clock (µs since its start; default: all).
 * Components: package names, `proxy/<folder>`, `shared/<folder>`, `node core`, `(garbage collector)`, `(program)`.
 */
export function componentSeconds(profile: CpuProfile, window: { fromUs?: number; toUs?: number } = {}): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n] as const));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const resolve = sourceResolver();
  const ownerOfNode = new Map<number, string | null>();
  const owner = (id: number): string | null => {
    const known = ownerOfNode.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let result: string | null;
    if (name === '(idle)' || name === '(root)') result = null;
    else if (name === '(garbage collector)' || name === '(program)') result = name;
    else {
      result = componentOf(resolve(node.callFrame)) ?? null;
      if (result === null) { const up = parent.get(id); result = up === undefined ? 'node core' : owner(up) ?? 'node core'; }
    }
    ownerOfNode.set(id, result);
    return result;
  };
  const out = new Map<string, number>();
  let t = 0;
  const from = window.fromUs ?? Number.NEGATIVE_INFINITY;
  const to = window.toUs ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < profile.samples.length; i += 1) {
    t += profile.timeDeltas[i]!;
    if (t < from || t > to) continue;
    const who = owner(profile.samples[i]!);
    if (who !== null) out.set(who, (out.get(who) ?? 0) + profile.timeDeltas[i]! / 1e6);
  }
  return out;
}
