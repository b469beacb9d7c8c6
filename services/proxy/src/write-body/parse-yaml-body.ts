import { parseAllDocuments, type ScalarTag, type Tags } from 'yaml';

/** Why a YAML body was not converted. */
export type YamlRefusal = 'malformed' | 'multi-document' | 'excessive-aliasing' | 'too-deep';

/** A YAML body converted to the JSON value the API server would read, or why it was not. */
export type YamlParseResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: YamlRefusal };

/** Bounds of {@link parseYamlBody}. */
export interface YamlLimits {
  /** The `yaml` package's alias bound: alias uses times the aliases nested in their anchor (default 50). */
  readonly maxAliasCount?: number;
  /** Values in the converted result, counting each use of an alias anew (default 4 × text length + 1024). */
  readonly maxNodes?: number;
  /** Nesting of maps and lists (default 1000). */
  readonly maxDepth?: number;
}

const TAG_INT = 'tag:yaml.org,2002:int';

// Go's strconv.ParseInt(s, 0, 64), which go-yaml v2 uses, also reads 0o/0O, 0B and 0X prefixes; YAML 1.1 has none.
const goPrefixedInt: ScalarTag = {
  tag: TAG_INT, format: 'GO', default: true,
  identify: () => false,
  test: /^[-+]?0(?:[oO][0-7_]+|B[01_]+|X[0-9a-fA-F_]+)$/,
  resolve(text: string): number {
    const negative = text.startsWith('-');
    const digits = text.replace(/^[-+]?0./, '').replaceAll('_', '');
    const radix = /^[-+]?0[oO]/.test(text) ? 8 : /^[-+]?0B/.test(text) ? 2 : 16;
    const n = Number.parseInt(digits, radix);
    return negative ? -n : n;
  },
};

// go-yaml v2 decodes !!binary to the text of its bytes.
const goBinary: ScalarTag = {
  tag: 'tag:yaml.org,2002:binary', default: false,
  identify: () => false,
  resolve: (text: string): string => Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8'),
};

// go-yaml v2 keeps timestamps as text when decoding into interface{}, has no base-60 numbers, and has no YAML 1.1
// collection tags (!!set, !!omap, !!pairs): drop them, so they read as go-yaml reads them.
const DROPPED = new Set(['tag:yaml.org,2002:timestamp', 'tag:yaml.org,2002:binary', 'tag:yaml.org,2002:set',
  'tag:yaml.org,2002:omap', 'tag:yaml.org,2002:pairs']);

function goYamlTags(tags: Tags): Tags {
  const kept = tags.filter((t) => typeof t === 'string' || (!DROPPED.has(t.tag) && t.format !== 'TIME'));
  return [...kept, goPrefixedInt, goBinary];
}

const PARSE_OPTIONS = {
  version: '1.1', schema: 'yaml-1.1', customTags: goYamlTags, merge: true,
  // go-yaml v2 keeps the last of duplicate keys, as JSON.parse does.
  uniqueKeys: false, prettyErrors: false,
} as const;

/**
 * Converts a YAML request body to the JSON value kube-apiserver reads from it (sigs.k8s.io/yaml over go-yaml v2:
 * YAML 1.1 booleans such as `yes`/`on`/`y`, timestamps kept as text, `<<` merge keys, last duplicate key wins). Never
 * throws. Refuses a second document (the API server silently reads only the first), aliasing past the bounds (a
 * "billion laughs" body), nesting deeper than `maxDepth`, and what the API server cannot convert either (keys that
 * are lists, maps, null or fractional numbers; NaN and infinities). An empty stream is `null`. The `yaml` package
 * parses about 1 MB/s, so callers bound the text's size.
 */
export function parseYamlBody(text: string, limits: YamlLimits = {}): YamlParseResult {
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, PARSE_OPTIONS);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if ('empty' in docs) return docs.errors.length > 0 ? { ok: false, reason: 'malformed' } : { ok: true, value: null };
  if (docs.length > 1) return { ok: false, reason: 'multi-document' };
  const doc = docs[0];
  if (doc === undefined || doc.errors.length > 0) return { ok: false, reason: 'malformed' };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: limits.maxAliasCount ?? 50, mapAsMap: true });
  } catch (error) {
    const excessive = error instanceof ReferenceError && /excessive alias/i.test(error.message);
    return { ok: false, reason: excessive ? 'excessive-aliasing' : 'malformed' };
  }
  const state: ConvertState = {
    nodes: limits.maxNodes ?? 4 * text.length + 1024, maxDepth: limits.maxDepth ?? 1000, refusal: undefined,
  };
  const value = toJson(raw, 0, state);
  return state.refusal === undefined ? { ok: true, value } : { ok: false, reason: state.refusal };
}

interface ConvertState {
  nodes: number;
  readonly maxDepth: number;
  refusal: YamlRefusal | undefined;
}

/** Maps (Map, from `mapAsMap`) to plain objects, with the key rules of sigs.k8s.io/yaml; aliases are copied out. */
function toJson(value: unknown, depth: number, state: ConvertState): unknown {
  if (state.refusal !== undefined) return null;
  if (--state.nodes < 0) return refuse(state, 'excessive-aliasing');
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : refuse(state, 'malformed');
  if (depth >= state.maxDepth && (Array.isArray(value) || value instanceof Map)) return refuse(state, 'too-deep');
  if (Array.isArray(value)) return value.map((item) => toJson(item, depth + 1, state));
  if (!(value instanceof Map)) return refuse(state, 'malformed');
  const out: Record<string, unknown> = {};
  const keyTypes = new Map<string, string>();
  for (const [key, item] of value as Map<unknown, unknown>) {
    const name = keyText(key);
    if (name === undefined) return refuse(state, 'malformed');
    // Keys of different types that read alike (`1` and "1") land in Go's map in random order: refuse the ambiguity.
    const seen = keyTypes.get(name);
    if (seen !== undefined && seen !== typeof key) return refuse(state, 'malformed');
    keyTypes.set(name, typeof key);
    Object.defineProperty(out, name, { value: toJson(item, depth + 1, state), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A map key as sigs.k8s.io/yaml writes it, or undefined where its text would differ from Go's (or Go refuses it). */
function keyText(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (typeof key === 'number' && Number.isSafeInteger(key)) return String(key);
  return undefined;
}

function refuse(state: ConvertState, reason: YamlRefusal): null {
  state.refusal ??= reason;
  return null;
}
