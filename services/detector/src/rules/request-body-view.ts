// The request body as the object it would write, for body facts: a whole object (create, update, server-side apply)
// as it is; a merge or strategic merge patch (a partial object) without what it deletes; a JSON patch (a list of
// operations) as the partial object its `add` and `replace` operations write.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A node of the partial object a JSON patch writes: array positions kept by key (never a sparse array). */
type Node = { kind: 'object'; props: Map<string, Node> } | { kind: 'array'; items: Map<string, Node> } | { kind: 'value'; value: unknown };

const INDEX = /^(0|[1-9][0-9]{0,8}|-)$/;

/** The segments of a JSON pointer (RFC 6901), `~1` and `~0` unescaped; undefined when it is not a pointer. */
function pointerSegments(pointer: unknown): string[] | undefined {
  if (typeof pointer !== 'string' || !pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function child(node: Node, segment: string, next: string | undefined): Node {
  const container = node.kind === 'array' ? node.items : node.kind === 'object' ? node.props : undefined;
  if (container === undefined) return node;
  // `-` appends: each append is an element of its own.
  const key = node.kind === 'array' && segment === '-' ? `-${container.size}` : segment;
  let found = container.get(key);
  if (found === undefined || found.kind === 'value') {
    found = next !== undefined && INDEX.test(next) ? { kind: 'array', items: new Map() } : { kind: 'object', props: new Map() };
    container.set(key, found);
  }
  return found;
}

function put(root: Node, segments: readonly string[], value: unknown): void {
  let node = root;
  for (let i = 0; i < segments.length - 1; i += 1) node = child(node, segments[i]!, segments[i + 1]);
  const last = segments[segments.length - 1]!;
  const container = node.kind === 'array' ? node.items : node.kind === 'object' ? node.props : undefined;
  if (container === undefined) return;
  const key = node.kind === 'array' && last === '-' ? `-${container.size}` : last;
  container.set(key, { kind: 'value', value });
}

function toJson(node: Node): unknown {
  if (node.kind === 'value') return node.value;
  if (node.kind === 'array') return [...node.items.values()].map(toJson);
  const out: Obj = {};
  for (const [k, v] of node.props) Object.defineProperty(out, k, { value: toJson(v), enumerable: true, writable: true, configurable: true });
  return out;
}

/** True when `body` is a JSON patch: a list of operations, each with an `op` and a `path`. */
export function isJsonPatch(body: unknown): body is Obj[] {
  return Array.isArray(body) && body.length > 0 && body.every((op) => isObj(op) && typeof op['op'] === 'string' && typeof op['path'] === 'string');
}

/**
 * The partial object a JSON patch's `add` and `replace` operations write (`test`, `remove`, `move` and `copy` write
 * no value of their own). `/rules/-` with a rule gives `{rules: [rule]}`; `/spec/template/spec/hostPID` with true
 * gives `{spec: {template: {spec: {hostPID: true}}}}`. A value for the whole document (path `''`) is taken as is.
 */
export function jsonPatchView(ops: readonly Obj[]): unknown {
  const root: Node = { kind: 'object', props: new Map() };
  let whole: unknown;
  for (const op of ops) {
    if (op['op'] !== 'add' && op['op'] !== 'replace') continue;
    if (op['path'] === '') { whole = op['value']; continue; }
    const segments = pointerSegments(op['path']);
    if (segments !== undefined) put(root, segments, op['value']);
  }
  const view = toJson(root);
  return whole !== undefined && isObj(view) && Object.keys(view).length === 0 ? whole : view;
}

/** A strategic merge patch without what it deletes: list elements marked `$patch: delete` and `$` directive keys. */
function withoutDeletions(value: unknown, depth = 0): unknown {
  if (depth > 64) return undefined;
  if (Array.isArray(value)) {
    return value.filter((item) => !(isObj(item) && item['$patch'] === 'delete')).map((item) => withoutDeletions(item, depth + 1));
  }
  if (!isObj(value)) return value;
  if (value['$patch'] === 'delete') return undefined;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    Object.defineProperty(out, k, { value: withoutDeletions(v, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * What a request body would write, for the body facts: a JSON patch as {@link jsonPatchView}; any other object
 * (whole, merge patch or strategic merge patch) without the elements a strategic merge patch deletes.
 */
export function requestBodyView(body: unknown): unknown {
  if (isJsonPatch(body)) return jsonPatchView(body);
  return isObj(body) ? withoutDeletions(body) : body;
}
