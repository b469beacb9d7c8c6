import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A YAML node or null (an empty value). */
export type YamlValue = Node | null | undefined;

/** Options for {@link YamlNodeReader.string}. */
export interface StringOptions {
  readonly oneOf?: readonly string[];
  /** Returns a problem message for a bad value, or undefined. */
  readonly check?: (value: string) => string | undefined;
}

/**
 * Reads typed values out of a parsed YAML document, collecting every problem with its path and `source:line:col`
 * instead of stopping at the first, so one load error lists everything wrong with the file.
 */
export class YamlNodeReader {
  private readonly found: { readonly offset: number; readonly text: string }[] = [];

  constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
    private readonly source: string,
  ) {}

  /** `source:line:col` of a node, or just `source` when it has no position. */
  where(node: YamlValue): string {
    const offset = node?.range?.[0];
    if (offset === undefined) return this.source;
    const { line, col } = this.lineCounter.linePos(offset);
    return `${this.source}:${line}:${col}`;
  }

  /** Records a problem at a node. */
  problem(node: YamlValue, path: string, message: string): void {
    this.found.push({ offset: node?.range?.[0] ?? -1, text: `${this.where(node)} ${path === '' ? '(root)' : path}: ${message}` });
  }

  /** Every problem found so far, in file order. */
  get problems(): string[] {
    return [...this.found].sort((a, b) => a.offset - b.offset).map((problem) => problem.text);
  }

  /** Follows aliases (`*anchor`) to the node they name. */
  resolve(node: YamlValue): YamlValue {
    if (node && isAlias(node)) return node.resolve(this.document) ?? null;
    return node;
  }

  /** True when a node is absent or an explicit null. */
  isEmpty(node: YamlValue): boolean {
    const resolved = this.resolve(node);
    return resolved === null || resolved === undefined || (isScalar(resolved) && resolved.value === null);
  }

  /** The `[key, value]` pairs of a mapping with free-form string keys; undefined (and a problem) for a non-mapping. */
  pairs(node: YamlValue, path: string): [string, YamlValue][] | undefined {
    const resolved = this.resolve(node);
    if (!resolved || !isMap(resolved)) {
      this.problem(resolved, path, 'must be a mapping');
      return undefined;
    }
    const out: [string, YamlValue][] = [];
    for (const pair of resolved.items) {
      const keyNode = pair.key as YamlValue;
      const key = keyNode && isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key === 'string' && key !== '') out.push([key, pair.value as YamlValue]);
      else this.problem(keyNode, path, 'keys must be non-empty strings');
    }
    return out;
  }

  /**
   * The entries of a mapping, keyed by name; reports a non-mapping, bad keys, unknown keys and missing required
   * keys. Undefined when the node is not a mapping.
   */
  map(node: YamlValue, path: string, allowed: readonly string[], required: readonly string[] = []): Map<string, YamlValue> | undefined {
    const pairs = this.pairs(node, path);
    if (!pairs) return undefined;
    const resolved = this.resolve(node);
    const entries = new Map<string, YamlValue>();
    for (const [key, value] of pairs) {
      if (allowed.includes(key)) entries.set(key, value);
      else this.problem(this.keyNode(resolved, key), join(path, key), `unknown key (allowed: ${allowed.join(', ') || 'none'})`);
    }
    for (const key of required) if (!entries.has(key)) this.problem(resolved, join(path, key), 'is required');
    return entries;
  }

  private keyNode(map: YamlValue, key: string): YamlValue {
    if (!map || !isMap(map)) return map;
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
    return (pair?.key as YamlValue) ?? map;
  }

  /** The items of a sequence; an empty or null value gives []. */
  seq(node: YamlValue, path: string): YamlValue[] {
    if (this.isEmpty(node)) return [];
    const resolved = this.resolve(node);
    if (!resolved || !isSeq(resolved)) {
      this.problem(resolved, path, 'must be a list');
      return [];
    }
    return resolved.items as YamlValue[];
  }

  /** A string scalar, optionally one of a set or passing a check. */
  string(node: YamlValue, path: string, options: StringOptions = {}): string | undefined {
    const resolved = this.resolve(node);
    const value = resolved && isScalar(resolved) ? resolved.value : undefined;
    if (typeof value !== 'string') {
      this.problem(resolved, path, options.oneOf ? `must be one of ${options.oneOf.join(', ')}` : 'must be a string');
      return undefined;
    }
    if (options.oneOf && !options.oneOf.includes(value)) {
      this.problem(resolved, path, `must be one of ${options.oneOf.join(', ')}, got "${value}"`);
      return undefined;
    }
    const problem = options.check?.(value);
    if (problem !== undefined) {
      this.problem(resolved, path, problem);
      return undefined;
    }
    return value;
  }

  /** A boolean scalar. */
  bool(node: YamlValue, path: string): boolean | undefined {
    const resolved = this.resolve(node);
    const value = resolved && isScalar(resolved) ? resolved.value : undefined;
    if (typeof value !== 'boolean') {
      this.problem(resolved, path, 'must be true or false');
      return undefined;
    }
    return value;
  }

  /** A finite, non-negative number (an integer when asked). */
  count(node: YamlValue, path: string, integer: boolean): number | undefined {
    const resolved = this.resolve(node);
    const value = resolved && isScalar(resolved) ? resolved.value : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
      this.problem(resolved, path, `must be a non-negative ${integer ? 'integer' : 'number'}`);
      return undefined;
    }
    return value;
  }

  /** A list of strings, each passing the optional check; bad items are reported and dropped. */
  stringList(node: YamlValue, path: string, options: StringOptions = {}): string[] {
    const out: string[] = [];
    this.seq(node, path).forEach((item, index) => {
      const value = this.string(item, `${path}[${index}]`, options);
      if (value !== undefined) out.push(value);
    });
    return out;
  }
}

/** `parent.key`, or `key` at the root. */
export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
