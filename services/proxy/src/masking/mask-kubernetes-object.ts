import {
  createMaskContext, currentPointer, isRecord, mapItems, updateField, type JsonRecord, type MaskContext,
} from './mask-context.js';
import type { MaskRequestOptions, MaskResult } from './masking-types.js';
import { maskJsonPatch } from './mask-json-patch.js';
import { maskPodSpec } from './mask-pod-spec.js';
import { maskConfigMapFields, maskSecretFields, maskTokenRequestFields, maskTokenReviewFields } from './mask-secret-like.js';
import { maskWholeText } from './mask-strings.js';
import { isMaskableKind, kindForResource, podSpecPath } from './resource-kinds.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const WATCH_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * Masks secret values in a decoded Kubernetes body: Secrets, lists, watch events, Tables, ConfigMaps, workload env,
 * bearer tokens (TokenRequest `status.token`, TokenReview `spec.token`), last-applied annotations, and patches
 * (merge, strategic, apply, JSON patch — kind from `resourceHint` when absent).
 * Never mutates `obj`; returns `obj` itself with `changed: false` when nothing was masked.
 */
export function maskKubernetesObject(obj: unknown, options: MaskRequestOptions): MaskResult {
  const ctx = createMaskContext(options);
  const object = maskNode(ctx, obj, kindForResource(options.resourceHint));
  return { object, maskedPaths: ctx.maskedPaths, changed: object !== obj };
}

/** Masks `node` at the context's current path, as an object of its own `kind`, else of `hintKind`. */
export function maskNode(ctx: MaskContext, node: unknown, hintKind: string | undefined): unknown {
  if (Array.isArray(node)) return hintKind === undefined ? node : maskJsonPatch(ctx, node, hintKind, maskNode);
  if (!isRecord(node)) return node;
  const kind = typeof node['kind'] === 'string' ? node['kind'] : undefined;
  if (kind === 'WatchEvent' || (kind === undefined && isWatchEvent(node))) {
    return updateField(ctx, node, 'object', (o) => maskNode(ctx, o, hintKind));
  }
  if (kind === 'Table') {
    return updateField(ctx, node, 'rows', (rows) => Array.isArray(rows)
      ? mapItems(ctx, rows, (row) => isRecord(row) ? updateField(ctx, row, 'object', (o) => maskNode(ctx, o, hintKind)) : row)
      : rows);
  }
  if (Array.isArray(node['items']) && (kind === undefined || kind.endsWith('List'))) {
    // Typed lists (SecretList) may omit each item's kind.
    const itemKind = kind !== undefined && kind !== 'List' ? kind.slice(0, -'List'.length) : hintKind;
    return updateField(ctx, node, 'items', (items) =>
      mapItems(ctx, items as unknown[], (item) => maskNode(ctx, item, itemKind)));
  }
  const effective = kind ?? hintKind;
  let out: JsonRecord = node;
  if (effective === 'Secret') out = maskSecretFields(ctx, out);
  else if (effective === 'ConfigMap') out = maskConfigMapFields(ctx, out);
  else if (effective === 'TokenRequest') out = maskTokenRequestFields(ctx, out);
  else if (effective === 'TokenReview') out = maskTokenReviewFields(ctx, out);
  else if (effective !== undefined) {
    const path = podSpecPath(effective);
    if (path !== undefined) out = maskAtPath(ctx, out, path, 0);
  }
  return isMaskableKind(effective) ? maskLastApplied(ctx, out, effective) : out;
}

function isWatchEvent(node: JsonRecord): boolean {
  const type = node['type'];
  return typeof type === 'string' && WATCH_TYPES.has(type) && isRecord(node['object']);
}

function maskAtPath(ctx: MaskContext, obj: JsonRecord, path: readonly string[], depth: number): JsonRecord {
  const seg = path[depth] as string;
  if (depth === path.length - 1) return updateField(ctx, obj, seg, (spec) => maskPodSpec(ctx, spec));
  return updateField(ctx, obj, seg, (child) => (isRecord(child) ? maskAtPath(ctx, child, path, depth + 1) : child));
}

/** The last-applied annotation holds the whole object as JSON: mask inside it, or wholly when it does not parse. */
function maskLastApplied(ctx: MaskContext, obj: JsonRecord, kind: string | undefined): JsonRecord {
  const meta = obj['metadata'];
  if (!isRecord(meta)) return obj;
  const annotations = meta['annotations'];
  if (!isRecord(annotations) || typeof annotations[LAST_APPLIED] !== 'string') return obj;
  return updateField(ctx, obj, 'metadata', (m) =>
    updateField(ctx, m as JsonRecord, 'annotations', (a) =>
      updateField(ctx, a as JsonRecord, LAST_APPLIED, (raw) => maskLastAppliedValue(ctx, raw as string, kind))));
}

function maskLastAppliedValue(ctx: MaskContext, raw: string, kind: string | undefined): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return maskWholeText(ctx, raw);
  }
  const innerPaths: string[] = [];
  const inner: MaskContext = { ...ctx, stack: [], maskedPaths: innerPaths };
  const masked = maskNode(inner, parsed, kind === 'PartialObjectMetadata' ? undefined : kind);
  if (masked === parsed) return raw;
  const here = currentPointer(ctx);
  for (const p of innerPaths) ctx.maskedPaths.push(`${here}#${p}`);
  return JSON.stringify(masked) + (raw.endsWith('\n') ? '\n' : '');
}
