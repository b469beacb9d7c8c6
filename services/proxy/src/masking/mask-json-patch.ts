import { currentPointer, isRecord, mapItems, type JsonRecord, type MaskContext } from './mask-context.js';

/** Masks one decoded node as an object of `kind`; the dispatcher, passed in to keep the modules acyclic. */
export type NodeMasker = (ctx: MaskContext, node: unknown, kind: string | undefined) => unknown;

/**
 * Masks the `value` of each JSON-patch (RFC 6902) operation on an object of `kind`: the value is placed at its
 * `path` in a scratch object, masked as that kind, and read back, so `/data/x`, `/data`, `/` and
 * `/spec/template/spec/containers/0/env/-` are all judged like the object they end up in.
 */
export function maskJsonPatch(ctx: MaskContext, ops: readonly unknown[], kind: string, maskNode: NodeMasker): unknown {
  return mapItems(ctx, ops, (op) => {
    if (!isRecord(op) || typeof op['path'] !== 'string' || !Object.hasOwn(op, 'value')) return op;
    const value = op['value'];
    const segments = parsePointer(op['path']);
    if (segments === undefined) return op;
    ctx.stack.push('value');
    const masked = maskAt(ctx, segments, value, kind, maskNode);
    ctx.stack.pop();
    return masked === value ? op : { ...op, value: masked };
  });
}

function maskAt(
  ctx: MaskContext, segments: readonly string[], value: unknown, kind: string, maskNode: NodeMasker,
): unknown {
  if (segments.length === 0) return maskNode(ctx, value, kind);
  // `/data/0` may address a map key or an array item: try arrays first, then maps, keep what masks.
  const asArrays = maskInScratch(ctx, segments, value, kind, maskNode, true);
  if (asArrays !== value || !segments.some((s) => isIndex(s))) return asArrays;
  return maskInScratch(ctx, segments, value, kind, maskNode, false);
}

function maskInScratch(
  ctx: MaskContext, segments: readonly string[], value: unknown, kind: string, maskNode: NodeMasker,
  indexAsArray: boolean,
): unknown {
  // A scratch root with `value` at the path; array positions become index 0.
  const scratchSegments: (string | number)[] = [];
  const root: JsonRecord = {};
  let parent: JsonRecord | unknown[] = root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const next = segments[i + 1];
    const child: unknown = next === undefined ? value : next === '-' || (indexAsArray && isIndex(next)) ? [] : {};
    if (Array.isArray(parent)) {
      parent.push(child);
      scratchSegments.push(0);
    } else {
      Object.defineProperty(parent, seg, { value: child, writable: true, enumerable: true, configurable: true });
      scratchSegments.push(seg);
    }
    if (next !== undefined) parent = child as JsonRecord | unknown[];
  }
  const innerPaths: string[] = [];
  const inner: MaskContext = { ...ctx, stack: [], maskedPaths: innerPaths };
  const maskedRoot = maskNode(inner, root, kind);
  if (maskedRoot === root) return value;
  const prefix = currentPointer({ ...inner, stack: scratchSegments });
  const here = currentPointer(ctx);
  for (const p of innerPaths) ctx.maskedPaths.push(p.startsWith(prefix) ? here + p.slice(prefix.length) : here + p);
  let node: unknown = maskedRoot;
  for (const seg of scratchSegments) node = (node as Record<string | number, unknown>)[seg];
  return node;
}

function isIndex(seg: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(seg);
}

/** RFC 6901 pointer to segments; undefined when malformed. */
function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}
