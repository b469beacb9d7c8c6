/** What {@link checkJsonValue} found wrong with a parsed JSON value. */
export type JsonValueProblem = 'too-deep' | 'non-finite';

/**
 * Walks a parsed JSON value without recursion and reports nesting deeper than `maxDepth` (a scalar is depth 0) or a
 * number JSON cannot carry (JSON.parse reads 1e400 as Infinity; Go refuses it). Deep values matter because V8's
 * JSON.stringify throws RangeError on them, which writing a record must never hit.
 */
export function checkJsonValue(value: unknown, maxDepth: number): JsonValueProblem | undefined {
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop() as number;
    if (typeof node === 'number' && !Number.isFinite(node)) return 'non-finite';
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) return 'too-deep';
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      nodes.push(child);
      depths.push(depth + 1);
    }
  }
  return undefined;
}
