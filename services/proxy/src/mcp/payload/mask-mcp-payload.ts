import { parseAllDocuments, stringify } from 'yaml';
import { maskKubernetesObject, type MaskingOptions } from '../../masking/index.js';
import { createMaskContext, type MaskContext } from '../../masking/mask-context.js';
import { maskNamedText } from '../../masking/mask-strings.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_DEPTH = 64;
const MAX_PARSED_TEXT = 1024 * 1024;

/** True for a value shaped like a Kubernetes object or list (`kind` + `apiVersion`/`metadata`/`data`/`items`). */
function looksKubernetes(v: Obj): boolean {
  return typeof v['kind'] === 'string' && (v['apiVersion'] !== undefined || v['metadata'] !== undefined || v['data'] !== undefined || Array.isArray(v['items']));
}

/** What stands in for a subtree nested too deeply to inspect: never the subtree itself. */
const TOO_DEEP = '***redacted: nested too deeply to inspect***';

/** The documents a text holds when it is JSON, or YAML naming a `kind`; undefined when it is neither. */
function parseText(text: string): unknown[] | undefined {
  if (text.length > MAX_PARSED_TEXT) return undefined;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try { return [JSON.parse(text) as unknown]; } catch { /* maybe YAML flow style */ }
  }
  if (!/\bkind\b/.test(text)) return undefined;
  try {
    const parsed = parseAllDocuments(text, { uniqueKeys: false });
    if (!Array.isArray(parsed) || parsed.some((d) => d.errors.length > 0)) return undefined;
    return parsed.map((d) => d.toJS({ maxAliasCount: 16 }) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * Structured text (a tool result showing a Secret as YAML, JSON carrying objects at any depth) masked as the values it
 * holds, walked like any other payload; undefined when the text holds nothing to mask.
 */
function maskStructuredText(text: string, depth: number, ctx: MaskContext, options: MaskingOptions, paths: string[], at: string): string | undefined {
  const docs = parseText(text);
  if (docs === undefined || docs.every((d) => typeof d !== 'object' || d === null)) return undefined;
  const inner: string[] = [];
  const masked = docs.map((doc, i) => walk(doc, '', docs.length > 1 ? `/${i}` : '', depth + 1, ctx, options, inner));
  if (masked.every((m, i) => m === docs[i])) return undefined;
  for (const p of inner) paths.push(`${at}#${p}`);
  const json = text.trimStart().startsWith('{') || text.trimStart().startsWith('[');
  return json ? JSON.stringify(masked.length === 1 ? masked[0] : masked) : masked.map((d) => stringify(d)).join('---\n');
}

function walk(node: unknown, key: string, at: string, depth: number, ctx: MaskContext, options: MaskingOptions, paths: string[]): unknown {
  // Fail closed: what is too deep to inspect is not recorded, rather than recorded unmasked.
  if (depth > MAX_DEPTH) { if (node === null || typeof node === 'number' || typeof node === 'boolean') return node; paths.push(at); return TOO_DEEP; }
  if (typeof node === 'string') {
    const manifest = maskStructuredText(node, depth, ctx, options, paths, at);
    const text = manifest ?? node;
    const before = ctx.maskedPaths.length;
    const out = maskNamedText(ctx, key, text);
    if (ctx.maskedPaths.length > before) paths.push(at);
    ctx.maskedPaths.length = before;
    return out;
  }
  if (Array.isArray(node)) {
    let copy: unknown[] | undefined;
    node.forEach((item, i) => {
      const masked = walk(item, key, `${at}/${i}`, depth + 1, ctx, options, paths);
      if (masked !== item) { copy ??= [...node]; copy[i] = masked; }
    });
    return copy ?? node;
  }
  if (!isObj(node)) return node;
  if (looksKubernetes(node)) {
    const result = maskKubernetesObject(node, options);
    for (const p of result.maskedPaths) paths.push(`${at}${p}`);
    return result.object;
  }
  let copy: Obj | undefined;
  for (const [k, v] of Object.entries(node)) {
    const masked = walk(v, k, `${at}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`, depth + 1, ctx, options, paths);
    if (masked !== v) { copy ??= { ...node }; copy[k] = masked; }
  }
  return copy ?? node;
}

/**
 * Masks an MCP payload (tool arguments, tool results, any JSON-RPC params or result) with the gateway's masking rules:
 * Kubernetes objects anywhere in it, also when written as YAML or JSON text (a tool result showing a Secret), are
 * masked as the Kubernetes path masks them (Secret data, token fields, secret-looking ConfigMap values); every other
 * string is masked whole when its key looks secret (`password`, `token`), else each secret-looking value inside it.
 * Returns the masked copy (the input when nothing changed) and the JSON pointers of what was masked.
 */
export function maskMcpPayload(value: unknown, options: MaskingOptions): { value: unknown; maskedPaths: string[] } {
  const paths: string[] = [];
  const masked = walk(value, '', '', 0, createMaskContext(options), options, paths);
  return { value: masked, maskedPaths: paths };
}
