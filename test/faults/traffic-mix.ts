/**
 * The kubectl-like requests of the fault suite's traffic: discovery, gets, lists, short watches, creates, updates,
 * patches and deletes of ConfigMaps, and Secrets created, read, listed and deleted. Each request is built against the
 * objects the generator believes exist (a stale belief only turns into a 404 or 409, which is traffic too).
 */
import { randomBytes } from 'node:crypto';

/** One request to send. */
export interface PlannedRequest {
  readonly kind: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  /** A watch: the body streams until `timeoutSeconds`. */
  readonly watch?: boolean;
  /** Called with the HTTP status once answered (pools follow what the API server did). */
  readonly onAnswer?: (status: number) => void;
}

/** The objects believed to exist in the row's namespace, and every Secret value the traffic wrote. */
export class ObjectPools {
  readonly configMaps: string[] = [];
  readonly secrets: string[] = [];
  /** Every Secret value sent (the plaintext scan looks for each). */
  readonly secretValues: string[] = [];
  openWatches = 0;
}

type Builder = (ns: string, seq: number, pools: ObjectPools) => PlannedRequest | undefined;

const pick = (list: readonly string[]): string | undefined => list[Math.floor(Math.random() * list.length)];
const take = (list: string[]): string | undefined => (list.length === 0 ? undefined : list.splice(Math.floor(Math.random() * list.length), 1)[0]);
const json = 'application/json';

const cm = (ns: string, name: string, seq: number): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { seq: String(seq) } });

/** Weighted kinds: [weight, builder]. Secret reads are about a tenth of the traffic. */
const KINDS: ReadonlyArray<readonly [number, string, Builder]> = [
  [3, 'discovery', () => ({ kind: 'discovery', method: 'GET', path: Math.random() < 0.5 ? '/api' : '/apis' })],
  [4, 'get-namespace', (ns) => ({ kind: 'get-namespace', method: 'GET', path: `/api/v1/namespaces/${ns}` })],
  [14, 'get-configmap', (ns, seq, p) => {
    const name = pick(p.configMaps);
    return { kind: 'get-configmap', method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/${name ?? `missing-${seq}`}` };
  }],
  [9, 'list-configmaps', (ns) => ({ kind: 'list-configmaps', method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps?limit=20` })],
  [4, 'list-serviceaccounts', (ns) => ({ kind: 'list-serviceaccounts', method: 'GET', path: `/api/v1/namespaces/${ns}/serviceaccounts` })],
  [3, 'get-missing', (ns, seq) => ({ kind: 'get-missing', method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps/missing-${seq}` })],
  [3, 'watch-configmaps', (ns, _seq, p) => {
    if (p.openWatches >= 8) return undefined;
    return { kind: 'watch-configmaps', method: 'GET', watch: true, path: `/api/v1/namespaces/${ns}/configmaps?watch=1&timeoutSeconds=${2 + Math.floor(Math.random() * 4)}` };
  }],
  [11, 'create-configmap', (ns, seq, p) => {
    const name = `cm-${seq}`;
    return { kind: 'create-configmap', method: 'POST', path: `/api/v1/namespaces/${ns}/configmaps`, body: cm(ns, name, seq), contentType: json,
      onAnswer: (s) => { if (s === 201) p.configMaps.push(name); } };
  }],
  [7, 'update-configmap', (ns, seq, p) => {
    const name = pick(p.configMaps);
    if (name === undefined) return undefined;
    return { kind: 'update-configmap', method: 'PUT', path: `/api/v1/namespaces/${ns}/configmaps/${name}`, body: cm(ns, name, seq), contentType: json };
  }],
  [5, 'patch-configmap', (ns, seq, p) => {
    const name = pick(p.configMaps);
    if (name === undefined) return undefined;
    return { kind: 'patch-configmap', method: 'PATCH', path: `/api/v1/namespaces/${ns}/configmaps/${name}`, body: JSON.stringify({ data: { patched: String(seq) } }), contentType: 'application/merge-patch+json' };
  }],
  [7, 'delete-configmap', (ns, _seq, p) => {
    const name = p.configMaps.length > 10 ? take(p.configMaps) : undefined;
    if (name === undefined) return undefined;
    return { kind: 'delete-configmap', method: 'DELETE', path: `/api/v1/namespaces/${ns}/configmaps/${name}` };
  }],
  [4, 'create-secret', (ns, seq, p) => {
    const name = `s-${seq}`;
    const value = `fv-${randomBytes(12).toString('hex')}`;
    p.secretValues.push(value);
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'Opaque', stringData: { password: value } });
    return { kind: 'create-secret', method: 'POST', path: `/api/v1/namespaces/${ns}/secrets`, body, contentType: json,
      onAnswer: (s) => { if (s === 201) p.secrets.push(name); } };
  }],
  [12, 'get-secret', (ns, seq, p) => {
    const name = pick(p.secrets);
    return { kind: 'get-secret', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets/${name ?? `missing-${seq}`}` };
  }],
  [2, 'list-secrets', (ns) => ({ kind: 'list-secrets', method: 'GET', path: `/api/v1/namespaces/${ns}/secrets?limit=20` })],
  [2, 'delete-secret', (ns, _seq, p) => {
    const name = p.secrets.length > 20 ? take(p.secrets) : undefined;
    if (name === undefined) return undefined;
    return { kind: 'delete-secret', method: 'DELETE', path: `/api/v1/namespaces/${ns}/secrets/${name}` };
  }],
];
const TOTAL = KINDS.reduce((sum, [w]) => sum + w, 0);

/** The next request of the mix (a kind that cannot be built now falls back to a ConfigMap get). */
export function nextRequest(ns: string, seq: number, pools: ObjectPools): PlannedRequest {
  let r = Math.random() * TOTAL;
  for (const [weight, , build] of KINDS) {
    r -= weight;
    if (r > 0) continue;
    const planned = build(ns, seq, pools);
    if (planned !== undefined) return planned;
    break;
  }
  return { kind: 'get-namespace', method: 'GET', path: `/api/v1/namespaces/${ns}` };
}
