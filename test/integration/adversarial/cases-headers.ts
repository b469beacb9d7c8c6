/** Hand-written header cases: connection-specific headers, oversized, duplicated and malformed ones, spoofed identity. */
import { paths, single, standardRequest, type CaseContext, type CaseWire, type HostileCase } from './hostile-case.js';
import { requestBytes, type RawHeader } from './request-bytes.js';

/** A valid-looking HTTP2-Settings value (base64url SETTINGS payload). */
export const HTTP2_SETTINGS = 'AAMAAABkAARAAAAAAAIAAAAA';

/** Every connection-specific header (RFC 9110 §7.6.1, RFC 9113 §8.2.2), alone or with what a Connection names. */
export const CONNECTION_SPECIFIC: ReadonlyArray<readonly [string, readonly RawHeader[]]> = [
  ['connection-close', [['Connection', 'close']]],
  ['connection-keep-alive', [['Connection', 'keep-alive']]],
  ['connection-upgrade-alone', [['Connection', 'Upgrade']]],
  ['connection-names-custom', [['Connection', 'X-Adv-Hop'], ['X-Adv-Hop', '1']]],
  ['connection-names-authorization', [['Connection', 'Authorization']]],
  ['connection-names-accept', [['Connection', 'Accept']]],
  ['connection-names-audit-id', [['Connection', 'Audit-ID'], ['Audit-ID', 'adv-hop-audit-id']]],
  ['connection-names-impersonate', [['Connection', 'Impersonate-User'], ['Impersonate-User', 'system:admin']]],
  ['connection-names-te', [['Connection', 'TE'], ['TE', 'trailers']]],
  ['connection-names-http2-settings', [['Connection', 'HTTP2-Settings'], ['HTTP2-Settings', HTTP2_SETTINGS]]],
  ['keep-alive', [['Keep-Alive', 'timeout=5, max=1000']]],
  ['proxy-connection', [['Proxy-Connection', 'keep-alive']]],
  ['upgrade-alone', [['Upgrade', 'websocket']]],
  ['http2-settings', [['HTTP2-Settings', HTTP2_SETTINGS]]],
  ['http2-settings-junk', [['HTTP2-Settings', '!!not base64!!']]],
  ['h2c-upgrade', [['Connection', 'Upgrade, HTTP2-Settings'], ['Upgrade', 'h2c'], ['HTTP2-Settings', HTTP2_SETTINGS]]],
  ['te-trailers', [['TE', 'trailers']]],
  ['te-gzip', [['TE', 'gzip, deflate;q=0.5']]],
  ['trailer', [['Trailer', 'X-Adv']]],
  ['all-at-once', [['Connection', 'keep-alive, X-Adv-Hop, TE'], ['Keep-Alive', 'timeout=5'], ['Proxy-Connection', 'keep-alive'], ['TE', 'trailers'], ['HTTP2-Settings', HTTP2_SETTINGS], ['Trailer', 'X-Adv'], ['X-Adv-Hop', '1']]],
];

function connectionCases(): HostileCase[] {
  const out: HostileCase[] = [];
  const targets: Array<[string, (ctx: CaseContext) => string]> = [
    ['get', (c) => paths(c).maskedGet],
    ['watch', (c) => paths(c).maskedWatch],
  ];
  for (const [target, path] of targets) {
    for (const [name, extra] of CONNECTION_SPECIFIC) {
      out.push({ id: `headers/${target}-${name}`, category: 'headers', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', path(ctx), { extra }) });
    }
  }
  // The watch paths that reach the API server over HTTP/2: each connection-specific header on the denied and legacy ones.
  for (const [name, extra] of CONNECTION_SPECIFIC.filter(([n]) => /http2|keep-alive|proxy|te-|h2c/.test(n))) {
    out.push({ id: `headers/watch-legacy-${name}`, category: 'headers', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', paths(ctx).maskedWatchLegacy, { extra }) });
    out.push({ id: `headers/watch-denied-${name}`, category: 'headers', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', paths(ctx).deniedWatch, { extra }) });
  }
  return out;
}

function sizeCases(): HostileCase[] {
  const c = (id: string, build: (ctx: CaseContext) => CaseWire): HostileCase => ({ id: `headers/${id}`, category: 'headers', requests: 1, expect: 1, build });
  return [
    c('pad-30k', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: [['X-Pad', 'p'.repeat(30_000)]] })),
    c('pad-40k', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: [['X-Pad', 'p'.repeat(40_000)]] })),
    c('pad-1m', (ctx) => single(ctx, 'GET', paths(ctx).deniedGet, { extra: [['X-Pad', 'p'.repeat(1_000_000)]] })),
    c('many-headers', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: Array.from({ length: 1500 }, (_, i) => [`X-H${i}`, 'v'] as const) })),
    c('long-name', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: [[`X-${'n'.repeat(10_000)}`, 'v']] })),
    c('long-authorization', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { omit: ['authorization'], extra: [['Authorization', `Bearer ${ctx.token}${'A'.repeat(20_000)}`]] })),
    c('long-user-agent', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { omit: ['user-agent'], extra: [['User-Agent', `${ctx.userAgent} ${'u'.repeat(16_000)}`]] })),
    c('long-uri', (ctx) => single(ctx, 'GET', `${paths(ctx).maskedGet}?pad=${'q'.repeat(20_000)}`)),
    c('long-accept', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { accept: Array.from({ length: 800 }, () => 'application/yaml;q=0.9').join(', ') })),
    c('long-impersonate-group', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: Array.from({ length: 300 }, () => ['Impersonate-Group', 'system:masters'] as const) })),
  ];
}

function duplicateAndMalformedCases(): HostileCase[] {
  const c = (id: string, build: (ctx: CaseContext) => CaseWire): HostileCase => ({ id: `headers/${id}`, category: 'headers', requests: 1, expect: 1, build });
  const rawHead = (ctx: CaseContext, target: string, lines: string[]): CaseWire => ({
    parts: [Buffer.from(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ctx.token}\r\nUser-Agent: ${ctx.userAgent}\r\n${lines.join('\r\n')}\r\n\r\n`, 'latin1')],
    methods: ['GET'],
  });
  return [
    c('dup-authorization-garbage-second', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: [['Authorization', 'Bearer garbage']] })),
    c('dup-authorization-garbage-first', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { omit: ['authorization'], extra: [['Authorization', 'Bearer garbage'], ['Authorization', `Bearer ${ctx.token}`]] })),
    c('dup-accept-json-yaml', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: [['Accept', 'application/yaml']] })),
    c('dup-accept-yaml-json', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { accept: 'application/yaml', extra: [['Accept', 'application/json']] })),
    c('dup-user-agent', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: [['User-Agent', `${ctx.userAgent}-second`]] })),
    c('dup-audit-id', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: [['Audit-ID', `${ctx.tag}-a`], ['Audit-ID', `${ctx.tag}-b`]] })),
    c('dup-impersonate-user', (ctx) => single(ctx, 'GET', paths(ctx).deniedGet, { extra: [['Impersonate-User', 'system:admin'], ['Impersonate-User', 'system:kube-controller-manager']] })),
    c('dup-content-type', (ctx) => single(ctx, 'PATCH', paths(ctx).maskedGet, { extra: [['Content-Type', 'application/merge-patch+json'], ['Content-Type', 'application/json-patch+json'], ['Content-Length', '35']], body: '{"metadata":{"labels":{"adv":"d"}}}' })),
    c('name-with-space', (ctx) => rawHead(ctx, paths(ctx).maskedGet, ['X Bad: 1'])),
    c('no-colon', (ctx) => rawHead(ctx, paths(ctx).maskedGet, ['X-No-Colon'])),
    c('empty-name', (ctx) => rawHead(ctx, paths(ctx).maskedGet, [': empty'])),
    c('nul-in-value', (ctx) => rawHead(ctx, paths(ctx).maskedGet, ['X-Nul: a\x00b'])),
    c('cr-in-value', (ctx) => rawHead(ctx, paths(ctx).maskedGet, ['X-Cr: a\rImpersonate-User: system:admin'])),
    c('del-in-value', (ctx) => rawHead(ctx, paths(ctx).maskedGet, ['X-Del: a\x7fb'])),
    c('obs-text-value', (ctx) => rawHead(ctx, paths(ctx).maskedGet, ['X-High: \xff\xfe\x80'])),
    c('utf8-value', (ctx) => ({ parts: [Buffer.concat([requestBytes(standardRequest(ctx, 'GET', paths(ctx).maskedGet)).subarray(0, -2), Buffer.from('X-Utf8: ☃ ünï\r\n\r\n', 'utf8')])], methods: ['GET'] })),
    c('separator-in-name', (ctx) => rawHead(ctx, paths(ctx).maskedGet, ['X-(Bad): 1'])),
    c('tab-before-value', (ctx) => rawHead(ctx, paths(ctx).maskedGet, ['Accept:\tapplication/yaml'])),
    c('uppercase-names', (ctx) => ({ parts: [Buffer.from(`GET ${paths(ctx).maskedGet} HTTP/1.1\r\nHOST: localhost\r\nAUTHORIZATION: Bearer ${ctx.token}\r\nUSER-AGENT: ${ctx.userAgent}\r\nACCEPT: APPLICATION/YAML\r\n\r\n`, 'latin1')], methods: ['GET'] })),
  ];
}

function identityCases(): HostileCase[] {
  const spoofs: Array<[string, RawHeader[]]> = [
    ['impersonate-admin', [['Impersonate-User', 'system:admin']]],
    ['impersonate-masters', [['Impersonate-User', 'adv-someone'], ['Impersonate-Group', 'system:masters']]],
    ['impersonate-uid-extra', [['Impersonate-User', 'system:admin'], ['Impersonate-Uid', 'u-1'], ['Impersonate-Extra-Scopes', 'all'], ['Impersonate-Extra-authentication.kubernetes.io%2fpod-name', 'p']]],
    ['impersonate-lowercase', [['impersonate-user', 'system:admin']]],
    ['impersonate-group-only', [['Impersonate-Group', 'system:masters']]],
    ['x-remote', [['X-Remote-User', 'system:admin'], ['X-Remote-Group', 'system:masters'], ['X-Remote-Extra-Scopes', 'all']]],
    ['x-remote-odd-case', [['x-REMOTE-user', 'system:admin'], ['X-Remote-Extra-', 'x']]],
    ['x-remote-group-only', [['X-Remote-Group', 'system:masters']]],
    ['x-remote-dup', [['X-Remote-User', 'system:admin'], ['X-Remote-User', 'system:kube-controller-manager'], ['x-remote-group', 'system:masters'], ['X-REMOTE-GROUP', 'system:nodes']]],
    ['x-remote-extra-encoded', [['X-Remote-User', 'system:admin'], ['X-Remote-Extra-authentication.kubernetes.io%2Fpod-name', 'p'], ['x-remote-extra-SCOPES', 'all'], ['X-Remote-Extra-Scopes', 'more']]],
    ['impersonate-uid-only', [['Impersonate-Uid', 'u-admin']]],
    ['impersonate-odd-case-dup', [['IMPERSONATE-USER', 'system:admin'], ['Impersonate-user', 'system:kube-scheduler'], ['iMpErSoNaTe-GrOuP', 'system:masters'], ['Impersonate-Group', 'system:masters']]],
    ['impersonate-extra-odd', [['Impersonate-User', 'system:admin'], ['IMPERSONATE-EXTRA-Scopes', 'all'], ['impersonate-extra-', 'x'], ['Impersonate-Extra-scopes', 'more']]],
    ['remote-and-impersonate', [['X-Remote-User', 'system:admin'], ['Impersonate-User', 'system:admin'], ['Impersonate-Group', 'system:masters'], ['Impersonate-Uid', 'u-1']]],
    ['forwarded', [['X-Forwarded-For', '10.0.0.1, 10.0.0.2'], ['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-Proto', 'http'], ['Forwarded', 'for=1.2.3.4;proto=http'], ['X-Real-IP', '10.9.9.9']]],
    ['forwarded-uri', [['X-Forwarded-Uri', '/api/v1/namespaces/kube-system/secrets'], ['X-Original-URL', '/api/v1/namespaces/kube-system/secrets'], ['X-Rewrite-URL', '/api/v1/namespaces/kube-system/secrets']]],
    ['audit-id-fresh', [['Audit-ID', '00000000-0000-4000-8000-00000000adv0']]],
    ['audit-id-shared', [['Audit-ID', 'adv-shared-audit-id']]],
    ['audit-id-long', [['Audit-ID', 'a'.repeat(8000)]]],
    ['audit-id-lowercase', [['audit-id', 'adv-lower-audit-id']]],
    ['on-behalf-of-garbage', [['X-Auditgate-On-Behalf-Of', 'Bearer garbage']]],
    ['mcp-correlation', [['X-Auditgate-Mcp-Session-Id', 's'.repeat(2000)], ['X-Auditgate-Mcp-Tool', 'secrets_get\r'], ['Mcp-Session-Id', 'x']]],
  ];
  const out: HostileCase[] = [];
  const targets: Array<[string, (ctx: CaseContext) => string]> = [
    ['masked', (c) => paths(c).maskedGet], ['denied', (c) => paths(c).deniedGet], ['configmaps', (c) => paths(c).configMaps],
  ];
  for (const [name, extra] of spoofs) {
    for (const [target, path] of targets) {
      // Audit-ID values are per case, so a value shared across cases stays a deliberate collision only where named so.
      const headers = (ctx: CaseContext): RawHeader[] => extra.map(([n, v]) => {
        if (n.toLowerCase() !== 'audit-id') return [n, v] as const;
        return [n, name.includes('shared') ? `${v}-${ctx.tag}` : `${v}-${target}-${ctx.tag}`] as const;
      });
      out.push({ id: `headers/${name}-${target}`, category: 'headers', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', path(ctx), { extra: headers(ctx) }) });
    }
  }
  const auth: Array<[string, (ctx: CaseContext) => RawHeader[]]> = [
    ['no-authorization', () => []],
    ['empty-bearer', () => [['Authorization', 'Bearer ']]],
    ['basic', () => [['Authorization', 'Basic YWRtaW46YWRtaW4=']]],
    ['lowercase-bearer', (ctx) => [['Authorization', `bearer ${ctx.token}`]]],
    ['double-space-bearer', (ctx) => [['Authorization', `Bearer  ${ctx.token}`]]],
    ['token-trailing-junk', (ctx) => [['Authorization', `Bearer ${ctx.token}.x`]]],
    ['token-alg-none', () => [['Authorization', `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"system:admin"}').toString('base64url')}.`]]],
  ];
  for (const [name, headers] of auth) {
    out.push({ id: `headers/auth-${name}`, category: 'headers', requests: 1, expect: 1, build: (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { omit: ['authorization'], extra: headers(ctx) }) });
  }
  return out;
}

/** Every header case. */
export function headerCases(): HostileCase[] {
  return [...connectionCases(), ...sizeCases(), ...duplicateAndMalformedCases(), ...identityCases()];
}
