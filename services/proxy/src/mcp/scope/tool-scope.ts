import { parseDocument } from 'yaml';
import type { McpKubernetesScope } from '@auditgate/shared';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The plural resource of a kind, as Kubernetes' default RESTMapper guesses it (`Ingress` → `ingresses`, `Policy` → `policies`). */
export function resourceOfKind(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === 'endpoints') return lower;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → core `""`). */
function groupOf(apiVersion: string | undefined): string | undefined {
  if (apiVersion === undefined) return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The resource a tool's name says it works on: `pods_list` → `pods`, `namespaces_list` → `namespaces`. */
function resourceOfToolName(tool: string): string | undefined {
  const head = tool.split(/[_.:/-]/)[0]?.toLowerCase() ?? '';
  if (['resources', 'resource', 'configuration', 'helm', 'projects'].includes(head)) return undefined;
  return /^[a-z]{3,}s$/.test(head) ? head : undefined;
}

/** The object a manifest argument (`resources_create_or_update`'s `resource`: YAML or JSON) describes. */
function manifestScope(text: string): McpKubernetesScope | undefined {
  if (text.length > 256 * 1024) return undefined;
  try {
    const doc = parseDocument(text, { uniqueKeys: false }).toJS({ maxAliasCount: 16 }) as unknown;
    if (typeof doc !== 'object' || doc === null) return undefined;
    const o = doc as Record<string, unknown>;
    const kind = str(o['kind']);
    const meta = typeof o['metadata'] === 'object' && o['metadata'] !== null ? o['metadata'] as Record<string, unknown> : {};
    if (kind === undefined) return undefined;
    const namespace = str(meta['namespace']);
    const name = str(meta['name']);
    const apiGroup = groupOf(str(o['apiVersion']));
    return { resource: resourceOfKind(kind), ...(apiGroup === undefined ? {} : { apiGroup }), ...(namespace === undefined ? {} : { namespace }), ...(name === undefined ? {} : { name }) };
  } catch {
    return undefined;
  }
}

/**
 * The Kubernetes meaning of a tool call's arguments, by the conventions MCP servers for Kubernetes share: `namespace`,
 * `name`, `kind` + `apiVersion` (or a manifest in `resource`/`manifest`), else the resource the tool's name starts
 * with (`pods_log` → pods). `all_namespaces: true` drops the namespace. Undefined when nothing is known.
 */
export function toolScope(tool: string, args: Readonly<Record<string, unknown>>): McpKubernetesScope | undefined {
  const manifest = str(args['resource']) ?? str(args['manifest']);
  const fromManifest = manifest === undefined ? undefined : manifestScope(manifest);
  const kind = str(args['kind']);
  const resource = kind !== undefined ? resourceOfKind(kind) : fromManifest?.resource ?? resourceOfToolName(tool);
  const apiGroup = kind !== undefined ? groupOf(str(args['apiVersion'])) : fromManifest?.apiGroup;
  const named = str(args['namespace']) ?? fromManifest?.namespace;
  const namespace = args['all_namespaces'] === true || named === undefined ? undefined : named.slice(0, 253);
  const name = str(args['name']) ?? fromManifest?.name;
  const scope: McpKubernetesScope = {
    ...(namespace === undefined ? {} : { namespace }),
    ...(resource === undefined ? {} : { resource }),
    ...(apiGroup === undefined ? {} : { apiGroup }),
    ...(name === undefined ? {} : { name: name.slice(0, 253) }),
  };
  return Object.keys(scope).length === 0 ? undefined : scope;
}
