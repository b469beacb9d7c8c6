/** Hand-written cases: upgrade headers on every verb and path, odd paths and methods, pipelined requests. */
import { HTTP2_SETTINGS } from './cases-headers.js';
import { paths, single, standardRequest, type CaseContext, type CaseWire, type Contract, type HostileCase } from './hostile-case.js';
import { requestBytes, type RawHeader } from './request-bytes.js';

/** Upgrade header sets a client can send. */
export const UPGRADES: Readonly<Record<string, readonly RawHeader[]>> = {
  websocket: [['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Protocol', 'v4.channel.k8s.io, base64.binary.k8s.io']],
  spdy: [['Connection', 'Upgrade'], ['Upgrade', 'SPDY/3.1'], ['X-Stream-Protocol-Version', 'v4.channel.k8s.io']],
  h2c: [['Connection', 'Upgrade, HTTP2-Settings'], ['Upgrade', 'h2c'], ['HTTP2-Settings', HTTP2_SETTINGS]],
  'websocket-keepalive': [['Connection', 'keep-alive, Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13']],
  'upgrade-list': [['connection', 'upgrade'], ['upgrade', 'websocket, h2c, SPDY/3.1'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13']],
};

/** Paths an upgrade must never be honoured on (the fixed gateway treats them as ordinary requests). */
const PLAIN_TARGETS: ReadonlyArray<readonly [string, (ctx: CaseContext) => string]> = [
  ['masked-get', (c) => paths(c).maskedGet],
  ['denied-get', (c) => paths(c).deniedGet],
  ['masked-list', (c) => paths(c).maskedList],
  ['masked-watch', (c) => paths(c).maskedWatch],
  ['configmap-missing', (c) => paths(c).missingConfigMap(c.fresh('up'))],
];

function upgradeCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
    for (const [name, path] of PLAIN_TARGETS) {
      // Writes go to a name that does not exist, never to the run's Secret.
      const target = method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? path : (c: CaseContext) => (name.startsWith('denied') ? `${paths(c).deniedList}/${c.fresh('up')}` : paths(c).missingSecret(c.fresh('up')));
      out.push({
        id: `upgrade/${method.toLowerCase()}-${name}-websocket`, category: 'upgrade', requests: 1, expect: 1, contracts: ['no-upgrade'],
        build: (ctx) => single(ctx, method, target(ctx), { extra: [...UPGRADES['websocket']!, ...(method === 'GET' || method === 'HEAD' ? [] : [['Content-Length', '0'] as const])] }),
      });
    }
  }
  for (const kind of ['spdy', 'h2c', 'websocket-keepalive', 'upgrade-list']) {
    for (const [name, path] of PLAIN_TARGETS.slice(0, 4)) {
      out.push({ id: `upgrade/get-${name}-${kind}`, category: 'upgrade', requests: 1, expect: 1, contracts: ['no-upgrade'], build: (ctx) => single(ctx, 'GET', path(ctx), { extra: UPGRADES[kind]! }) });
    }
  }
  const watches: Array<[string, (ctx: CaseContext) => string]> = [
    ['masked-watch', (c) => paths(c).maskedWatch], ['masked-watch-legacy', (c) => paths(c).maskedWatchLegacy],
    ['denied-watch', (c) => paths(c).deniedWatch], ['masked-watch-yaml', (c) => paths(c).maskedWatch],
  ];
  for (const [name, path] of watches) {
    out.push({ id: `upgrade/${name}-http2-settings`, category: 'upgrade', requests: 1, expect: 1, contracts: ['no-upgrade'], build: (ctx) => single(ctx, 'GET', path(ctx), { accept: name.endsWith('yaml') ? 'application/yaml' : 'application/json', extra: [['HTTP2-Settings', HTTP2_SETTINGS]] }) });
    out.push({ id: `upgrade/${name}-h2c-http2-settings`, category: 'upgrade', requests: 1, expect: 1, contracts: ['no-upgrade'], build: (ctx) => single(ctx, 'GET', path(ctx), { extra: UPGRADES['h2c']! }) });
  }
  // Where upgrades belong: admitted or refused like any request, and audited either way.
  const streaming: Array<[string, (ctx: CaseContext) => string]> = [
    ['exec-own-ns', (c) => paths(c).exec(c.ns)], ['exec-kube-system', (c) => paths(c).exec(c.deniedNs)],
    ['attach-own-ns', (c) => paths(c).attach(c.ns)], ['attach-kube-system', (c) => paths(c).attach(c.deniedNs)],
    ['portforward-own-ns', (c) => paths(c).portForward(c.ns)], ['portforward-kube-system', (c) => paths(c).portForward(c.deniedNs)],
    ['pod-proxy-own-ns', (c) => paths(c).podProxy(c.ns)],
    ['service-proxy-apiserver', (c) => `/api/v1/namespaces/default/services/https:kubernetes:443/proxy/api/v1/namespaces/${c.deniedNs}/secrets/${c.deniedSecret}`],
  ];
  for (const [name, path] of streaming) {
    for (const kind of ['websocket', 'spdy']) {
      const method = kind === 'spdy' && !name.startsWith('pod-proxy') && !name.startsWith('service') ? 'POST' : 'GET';
      out.push({ id: `upgrade/${name}-${kind}`, category: 'upgrade', requests: 1, expect: 1, build: (ctx) => single(ctx, method, path(ctx), { extra: UPGRADES[kind]! }) });
    }
  }
  return out;
}

/** Path spellings that a classifier and the API server might read differently. */
function oddPathCases(): HostileCase[] {
  const spellings: Array<[string, (ns: string, name: string) => string]> = [
    ['dot-dot', (ns, n) => `/api/v1/namespaces/${ns}/secrets/../secrets/${n}`],
    ['dot', (ns, n) => `/api/v1/namespaces/${ns}/secrets/./${n}`],
    ['escaped-s', (ns, n) => `/api/v1/namespaces/${ns}/%73ecrets/${n}`],
    ['escaped-slash', (ns, n) => `/api/v1/namespaces/${ns}/secrets%2f${n}`],
    ['escaped-slash-lower', (ns, n) => `/api/v1/namespaces%2F${ns}/secrets/${n}`],
    ['escaped-ns', (ns, n) => `/api/v1/namespaces/${encodeURIComponent(ns).replace(/-/g, '%2d')}/secrets/${n}`],
    ['escaped-name', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n.replace(/-/g, '%2D')}`],
    ['double-slash-start', (ns, n) => `//api/v1/namespaces/${ns}/secrets/${n}`],
    ['double-slash-mid', (ns, n) => `/api//v1/namespaces/${ns}//secrets/${n}`],
    ['trailing-slash', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n}/`],
    ['empty-query', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n}?`],
    ['fragment', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n}#frag`],
    ['semicolon', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n};x=1`],
    ['upper-resource', (ns, n) => `/api/v1/namespaces/${ns}/SECRETS/${n}`],
    ['other-ns-dot-dot', (ns, n) => `/api/v1/namespaces/default/../${ns}/secrets/${n}`],
    ['deep-dot-dot', (ns, n) => `/api/v1/namespaces/x/../../v1/namespaces/${ns}/secrets/${n}`],
    ['escaped-dot-dot', (ns, n) => `/api/v1/namespaces/default/%2e%2e/${ns}/secrets/${n}`],
    ['nul-suffix', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n}%00`],
    ['bad-escape', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n}%zz`],
    ['backslash', (ns, n) => `/api/v1/namespaces/${ns}\\secrets\\${n}`],
    ['field-selector-list', (ns, n) => `/api/v1/namespaces/${ns}/secrets?fieldSelector=metadata.name%3D${n}`],
    ['watch-param-in-name', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n}%3Fwatch%3D1`],
    ['service-proxy', (ns, n) => `/api/v1/namespaces/default/services/kubernetes/proxy/api/v1/namespaces/${ns}/secrets/${n}`],
    ['service-proxy-https', (ns, n) => `/api/v1/namespaces/default/services/https:kubernetes:443/proxy/api/v1/namespaces/${ns}/secrets/${n}`],
    ['node-proxy', (ns, n) => `/api/v1/nodes/adv-node/proxy/api/v1/namespaces/${ns}/secrets/${n}`],
    ['apis-prefix', (ns, n) => `/apis/v1/namespaces/${ns}/secrets/${n}`],
    ['absolute-form', (ns, n) => `https://127.0.0.1:6443/api/v1/namespaces/${ns}/secrets/${n}`],
    ['absolute-form-http', (ns, n) => `http://localhost/api/v1/namespaces/${ns}/secrets/${n}`],
    ['utf8-name', (ns, n) => `/api/v1/namespaces/${ns}/secrets/${n}\u00e9`],
  ];
  const out: HostileCase[] = [];
  for (const [name, spell] of spellings) {
    out.push({ id: `paths/denied-${name}`, category: 'paths', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', spell(ctx.deniedNs, ctx.deniedSecret)) });
    out.push({ id: `paths/masked-${name}`, category: 'paths', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', spell(ctx.ns, ctx.maskedSecret)) });
  }
  out.push(
    { id: 'paths/cluster-secrets-list', category: 'paths', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', '/api/v1/secrets?fieldSelector=metadata.namespace%3Dkube-system') },
    { id: 'paths/cluster-secrets-watch', category: 'paths', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', '/api/v1/secrets?watch=true&timeoutSeconds=1') },
    { id: 'paths/cluster-secrets-watch-legacy', category: 'paths', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', '/api/v1/watch/secrets?timeoutSeconds=1') },
  );
  return out;
}

function methodCases(): HostileCase[] {
  const c = (id: string, build: (ctx: CaseContext) => CaseWire, contracts: Contract[] = []): HostileCase => ({ id: `paths/${id}`, category: 'paths', requests: 1, expect: 1, contracts, build });
  const line = (ctx: CaseContext, text: string): CaseWire => ({ parts: [Buffer.from(`${text}\r\nHost: localhost\r\nAuthorization: Bearer ${ctx.token}\r\nUser-Agent: ${ctx.userAgent}\r\n\r\n`, 'latin1')], methods: ['GET'] });
  return [
    c('connect-authority', (ctx) => line(ctx, 'CONNECT 127.0.0.1:6443 HTTP/1.1')),
    c('connect-path', (ctx) => line(ctx, `CONNECT ${paths(ctx).deniedGet} HTTP/1.1`)),
    c('connect-masked', (ctx) => line(ctx, `CONNECT ${paths(ctx).maskedGet} HTTP/1.1`)),
    c('trace-masked', (ctx) => single(ctx, 'TRACE', paths(ctx).maskedGet)),
    c('trace-denied', (ctx) => single(ctx, 'TRACE', paths(ctx).deniedGet)),
    c('track', (ctx) => line(ctx, `TRACK ${paths(ctx).maskedGet} HTTP/1.1`)),
    c('unknown-method', (ctx) => line(ctx, `FOO ${paths(ctx).maskedGet} HTTP/1.1`)),
    c('lowercase-get', (ctx) => line(ctx, `get ${paths(ctx).deniedGet} HTTP/1.1`)),
    c('propfind', (ctx) => single(ctx, 'PROPFIND', paths(ctx).maskedGet)),
    c('search', (ctx) => single(ctx, 'SEARCH', paths(ctx).maskedGet)),
    c('query', (ctx) => line(ctx, `QUERY ${paths(ctx).maskedGet} HTTP/1.1`)),
    c('purge', (ctx) => single(ctx, 'PURGE', paths(ctx).maskedGet)),
    c('link', (ctx) => single(ctx, 'LINK', paths(ctx).deniedGet)),
    c('m-search', (ctx) => single(ctx, 'M-SEARCH', paths(ctx).maskedGet)),
    c('options-star', (ctx) => single(ctx, 'OPTIONS', '*')),
    c('get-star', (ctx) => single(ctx, 'GET', '*')),
    c('head-masked', (ctx) => single(ctx, 'HEAD', paths(ctx).maskedGet)),
    c('head-denied', (ctx) => single(ctx, 'HEAD', paths(ctx).deniedGet)),
    c('options-masked', (ctx) => single(ctx, 'OPTIONS', paths(ctx).maskedGet)),
    c('patch-no-body', (ctx) => single(ctx, 'PATCH', paths(ctx).maskedGet, { extra: [['Content-Type', 'application/merge-patch+json']] })),
    c('empty-target', (ctx) => line(ctx, 'GET  HTTP/1.1')),
    c('very-long-method', (ctx) => line(ctx, `${'G'.repeat(5000)} ${paths(ctx).maskedGet} HTTP/1.1`)),
  ];
}

function pipelineCases(): HostileCase[] {
  const pipe = (id: string, expect: number, build: (ctx: CaseContext) => Array<[string, Buffer]>): HostileCase => ({
    id: `pipeline/${id}`, category: 'pipeline', requests: 0, expect,
    build(ctx) {
      const requests = build(ctx);
      return { parts: [Buffer.concat(requests.map(([, b]) => b))], methods: requests.map(([m]) => m) };
    },
  });
  const req = (ctx: CaseContext, method: string, target: string, accept = 'application/json', extra: RawHeader[] = []): [string, Buffer] =>
    [method, requestBytes(standardRequest(ctx, method, target, { accept, extra }))];
  const cases: HostileCase[] = [
    pipe('three-targets', 3, (c) => [req(c, 'GET', paths(c).configMaps), req(c, 'GET', paths(c).maskedGet), req(c, 'GET', paths(c).deniedGet)]),
    pipe('three-accepts', 3, (c) => [req(c, 'GET', paths(c).maskedGet, 'application/yaml'), req(c, 'GET', paths(c).maskedGet), req(c, 'GET', paths(c).maskedList, `application/json;as=Table;v=v1;g=meta.k8s.io`)]),
    pipe('close-in-the-middle', 2, (c) => [req(c, 'GET', paths(c).maskedGet), req(c, 'GET', paths(c).maskedGet, 'application/json', [['Connection', 'close']]), req(c, 'GET', paths(c).deniedGet)]),
    pipe('head-then-get', 2, (c) => [req(c, 'HEAD', paths(c).maskedGet), req(c, 'GET', paths(c).maskedGet, 'application/yaml')]),
    pipe('watch-then-get', 2, (c) => [req(c, 'GET', paths(c).maskedWatch), req(c, 'GET', paths(c).maskedGet)]),
    pipe('five-gets', 5, (c) => Array.from({ length: 5 }, (_, i) => req(c, 'GET', i % 2 === 0 ? paths(c).maskedGet : paths(c).deniedGet, i === 3 ? 'application/yaml' : 'application/json'))),
    pipe('upgrade-then-get', 2, (c) => [req(c, 'GET', paths(c).maskedGet, 'application/json', [...UPGRADES['websocket']!]), req(c, 'GET', paths(c).maskedGet)]),
    pipe('malformed-then-get', 1, (c) => [['GET', Buffer.from('GET / HTTP/1.1\r\nX Bad: 1\r\n\r\n')], req(c, 'GET', paths(c).maskedGet)]),
    pipe('spoof-then-get', 2, (c) => [req(c, 'GET', paths(c).deniedGet, 'application/json', [['Impersonate-User', 'system:admin']]), req(c, 'GET', paths(c).maskedGet, 'application/json', [['X-Remote-User', 'system:admin']])]),
    pipe('same-audit-id-twice', 2, (c) => [req(c, 'GET', paths(c).maskedGet, 'application/json', [['Audit-ID', `adv-twice-${c.tag}`]]), req(c, 'GET', paths(c).configMaps, 'application/json', [['Audit-ID', `adv-twice-${c.tag}`]])]),
    pipe('http2-settings-twice', 2, (c) => [req(c, 'GET', paths(c).maskedGet, 'application/json', [['HTTP2-Settings', HTTP2_SETTINGS]]), req(c, 'GET', paths(c).maskedWatch, 'application/json', [['HTTP2-Settings', HTTP2_SETTINGS]])]),
    pipe('patch-then-get', 2, (c) => [
      ['PATCH', requestBytes(standardRequest(c, 'PATCH', paths(c).maskedGet, { extra: [['Content-Type', 'application/merge-patch+json'], ['Content-Length', '2']], body: '{}' }))],
      req(c, 'GET', paths(c).maskedGet, 'application/yaml'),
    ]),
    pipe('yaml-table-include-object-twice', 2, (c) => [req(c, 'GET', `${paths(c).maskedList}?includeObject=Object`, 'application/yaml;as=Table;v=v1;g=meta.k8s.io'), req(c, 'GET', `${paths(c).maskedGet}?includeObject=Object`, 'application/yaml;as=Table;v=v1;g=meta.k8s.io')]),
  ];
  return cases.map((x) => ({ ...x, requests: x.expect + (x.id.includes('close') ? 1 : 0) }));
}

/** Every upgrade, path, method and pipelining case. */
export function upgradeAndPathCases(): HostileCase[] {
  return [...upgradeCases(), ...oddPathCases(), ...methodCases(), ...pipelineCases()];
}
