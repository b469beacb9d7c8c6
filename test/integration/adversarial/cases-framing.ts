/** Hand-written framing cases: bodies where none belongs, ambiguous lengths, broken chunking, smuggled inner requests. */
import { paths, single, standardRequest, type CaseContext, type CaseWire, type Contract, type HostileCase } from './hostile-case.js';
import { chunkedBody, lengthOf, requestBytes, type RawHeader } from './request-bytes.js';

const LABEL_PATCH = '{"metadata":{"labels":{"adv":"f"}}}';
const MERGE = 'application/merge-patch+json';

/** A complete request aimed at the kube-system Secret, with no credentials: if it reaches the API server it was smuggled. */
export function innerRequest(ctx: CaseContext, auth: boolean): string {
  const authLine = auth ? `Authorization: Bearer ${ctx.token}\r\n` : '';
  return `GET ${paths(ctx).deniedGet} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: ${ctx.userAgent}-inner\r\n${authLine}\r\n`;
}

/**
 * An inner request cut mid-header: the next request on the same upstream connection becomes its header value, and its
 * headers (the gateway's Authorization among them) complete it. No Host: the swallowed request brings one.
 */
export function swallowRequest(ctx: CaseContext): string {
  return `GET ${paths(ctx).deniedGet} HTTP/1.1\r\nUser-Agent: ${ctx.userAgent}-swallow\r\nX-Swallow: `;
}

function raw(ctx: CaseContext, method: string, target: string, extra: readonly RawHeader[], body: Buffer | string, more: Partial<CaseWire> = {}): CaseWire {
  return { parts: [requestBytes(standardRequest(ctx, method, target, { extra, body }))], methods: [method], ...more };
}

function smuggle(id: string, method: string, target: (ctx: CaseContext) => string, framing: 'chunked' | 'cl', inner: 'full' | 'auth' | 'swallow', contracts: Contract[], split = false): HostileCase {
  return {
    id: `framing/smuggle-${id}`, category: 'framing', requests: 1, expect: 1, innocentAfter: true, contracts,
    build(ctx) {
      const payload = inner === 'swallow' ? swallowRequest(ctx) : innerRequest(ctx, inner === 'auth');
      const extra: RawHeader[] = framing === 'chunked' ? [['Transfer-Encoding', 'chunked']] : [['Content-Length', lengthOf(payload)]];
      const body = framing === 'chunked' ? chunkedBody(payload, 32) : payload;
      const head = requestBytes(standardRequest(ctx, method, target(ctx), { extra }));
      // Split: the body arrives after the gateway has already started forwarding the head.
      return split ? { parts: [head, Buffer.from(body)], methods: [method], pauseMs: 150 } : { parts: [Buffer.concat([head, Buffer.from(body)])], methods: [method] };
    },
  };
}

function smugglingCases(): HostileCase[] {
  const cm = (ctx: CaseContext): string => paths(ctx).configMaps;
  const masked = (ctx: CaseContext): string => paths(ctx).maskedGet;
  const missing = (ctx: CaseContext): string => paths(ctx).missingConfigMap(ctx.fresh('gone'));
  const watch = (ctx: CaseContext): string => paths(ctx).maskedWatch;
  return [
    smuggle('get-chunked-full', 'GET', masked, 'chunked', 'full', ['refused-400']),
    smuggle('get-chunked-auth', 'GET', cm, 'chunked', 'auth', ['refused-400']),
    smuggle('get-chunked-swallow', 'GET', cm, 'chunked', 'swallow', ['refused-400']),
    smuggle('get-chunked-swallow-masked', 'GET', masked, 'chunked', 'swallow', ['refused-400']),
    smuggle('get-chunked-swallow-split', 'GET', cm, 'chunked', 'swallow', ['refused-400'], true),
    smuggle('get-cl-full', 'GET', cm, 'cl', 'full', ['refused-400']),
    smuggle('get-cl-swallow', 'GET', cm, 'cl', 'swallow', ['refused-400']),
    smuggle('head-chunked-swallow', 'HEAD', cm, 'chunked', 'swallow', ['refused-400']),
    smuggle('options-chunked-swallow', 'OPTIONS', cm, 'chunked', 'swallow', ['refused-400']),
    smuggle('watch-chunked-swallow', 'GET', watch, 'chunked', 'swallow', ['refused-400']),
    smuggle('delete-chunked-full', 'DELETE', missing, 'chunked', 'full', []),
    smuggle('delete-chunked-swallow', 'DELETE', missing, 'chunked', 'swallow', []),
    smuggle('delete-chunked-swallow-split', 'DELETE', missing, 'chunked', 'swallow', [], true),
    smuggle('delete-cl-swallow', 'DELETE', missing, 'cl', 'swallow', []),
    {
      id: 'framing/smuggle-get-chunked-then-pipelined', category: 'framing', requests: 2, expect: 2, innocentAfter: true, contracts: ['refused-400'],
      build(ctx) {
        const first = requestBytes(standardRequest(ctx, 'GET', paths(ctx).configMaps, { extra: [['Transfer-Encoding', 'chunked']], body: chunkedBody(swallowRequest(ctx)) }));
        const second = requestBytes(standardRequest(ctx, 'GET', paths(ctx).missingConfigMap(ctx.fresh('second'))));
        return { parts: [Buffer.concat([first, second])], methods: ['GET', 'GET'] };
      },
    },
  ];
}

/** Ambiguous framing: the fixed gateway refuses each with a 400 Status of its own. */
function ambiguousCases(): HostileCase[] {
  const body = LABEL_PATCH;
  const chunked = chunkedBody(body, 8).toString('latin1');
  const variants: Array<[string, RawHeader[], string]> = [
    ['cl-then-te', [['Content-Length', lengthOf(body)], ['Transfer-Encoding', 'chunked']], chunked],
    ['te-then-cl', [['Transfer-Encoding', 'chunked'], ['Content-Length', lengthOf(chunked)]], chunked],
    ['cl-te-identity', [['Content-Length', lengthOf(body)], ['Transfer-Encoding', 'identity']], body],
    ['cl-repeated-same', [['Content-Length', lengthOf(body)], ['Content-Length', lengthOf(body)]], body],
    ['cl-conflicting', [['Content-Length', lengthOf(body)], ['Content-Length', String(body.length - 5)]], body],
    ['cl-list', [['Content-Length', `${lengthOf(body)}, ${lengthOf(body)}`]], body],
    ['cl-plus', [['Content-Length', `+${lengthOf(body)}`]], body],
    ['cl-negative', [['Content-Length', '-1']], body],
    ['cl-hex', [['Content-Length', `0x${body.length.toString(16)}`]], body],
    ['cl-decimal', [['Content-Length', `${lengthOf(body)}.0`]], body],
    ['cl-exponent', [['Content-Length', `${(body.length / 10).toFixed(1)}e1`]], body],
    ['cl-junk', [['Content-Length', `${lengthOf(body)}abc`]], body],
    ['cl-empty', [['Content-Length', '']], body],
    ['cl-overflow', [['Content-Length', '18446744073709551617']], body],
    ['te-gzip', [['Transfer-Encoding', 'gzip']], body],
    ['te-identity', [['Transfer-Encoding', 'identity']], body],
    ['te-gzip-chunked', [['Transfer-Encoding', 'gzip, chunked']], chunked],
    ['te-chunked-gzip', [['Transfer-Encoding', 'chunked, gzip']], chunked],
    ['te-chunked-chunked', [['Transfer-Encoding', 'chunked, chunked']], chunked],
    ['te-two-headers', [['Transfer-Encoding', 'chunked'], ['Transfer-Encoding', 'chunked']], chunked],
    ['te-xchunked', [['Transfer-Encoding', 'xchunked']], chunked],
    ['te-chunked-param', [['Transfer-Encoding', 'chunked;q=1']], chunked],
    ['te-space-before-colon', [['Transfer-Encoding ', 'chunked']], chunked],
    ['te-vertical-tab', [['Transfer-Encoding', '\x0bchunked']], chunked],
  ];
  const out: HostileCase[] = [];
  for (const [name, extra, payload] of variants) {
    out.push({
      id: `framing/patch-${name}`, category: 'framing', requests: 1, expect: 1, silentOk: name === 'cl-overflow', contracts: ['refused-400'],
      build: (ctx) => raw(ctx, 'PATCH', paths(ctx).maskedGet, [['Content-Type', MERGE], ...extra], payload),
    });
  }
  for (const [name, extra, payload] of variants.slice(0, 6)) {
    out.push({
      id: `framing/get-${name}`, category: 'framing', requests: 1, expect: 1, contracts: ['refused-400'],
      build: (ctx) => raw(ctx, 'GET', paths(ctx).deniedGet, extra, payload),
    });
  }
  return out;
}

/** Bodies on methods that take none, and well-formed bodies the gateway must re-frame. */
function bodyPlacementCases(): HostileCase[] {
  const json = '{"kind":"DeleteOptions","apiVersion":"v1"}';
  const noBody: Array<[string, string, (ctx: CaseContext) => string, RawHeader[], string]> = [
    ['get-cl-json', 'GET', (c) => paths(c).maskedGet, [['Content-Length', lengthOf(json)]], json],
    ['get-chunked-json', 'GET', (c) => paths(c).maskedGet, [['Transfer-Encoding', 'chunked']], chunkedBody(json).toString('latin1')],
    ['head-cl-json', 'HEAD', (c) => paths(c).maskedGet, [['Content-Length', lengthOf(json)]], json],
    ['options-cl-json', 'OPTIONS', (c) => paths(c).configMaps, [['Content-Length', lengthOf(json)]], json],
    ['get-list-chunked', 'GET', (c) => paths(c).maskedList, [['Transfer-Encoding', 'chunked']], chunkedBody('x').toString('latin1')],
    ['get-watch-cl', 'GET', (c) => paths(c).maskedWatch, [['Content-Length', '1']], 'x'],
    ['get-denied-chunked', 'GET', (c) => paths(c).deniedGet, [['Transfer-Encoding', 'chunked']], chunkedBody(json).toString('latin1')],
  ];
  const out: HostileCase[] = noBody.map(([name, method, target, extra, body]) => ({
    id: `framing/${name}`, category: 'framing' as const, requests: 1, expect: 1, contracts: ['refused-400'] as Contract[],
    build: (ctx: CaseContext) => raw(ctx, method, target(ctx), extra, body),
  }));
  out.push(
    { id: 'framing/get-cl-zero', category: 'framing', requests: 1, expect: 1, build: (ctx) => raw(ctx, 'GET', paths(ctx).maskedGet, [['Content-Length', '0']], '') },
    { id: 'framing/delete-cl-options', category: 'framing', requests: 1, expect: 1, build: (ctx) => raw(ctx, 'DELETE', paths(ctx).missingConfigMap(ctx.fresh('del')), [['Content-Type', 'application/json'], ['Content-Length', lengthOf(json)]], json) },
    { id: 'framing/delete-chunked-options', category: 'framing', requests: 1, expect: 1, build: (ctx) => raw(ctx, 'DELETE', paths(ctx).missingConfigMap(ctx.fresh('del')), [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], chunkedBody(json, 5)) },
    { id: 'framing/patch-chunked-valid', category: 'framing', requests: 1, expect: 1, build: (ctx) => raw(ctx, 'PATCH', paths(ctx).maskedGet, [['Content-Type', MERGE], ['Transfer-Encoding', 'chunked']], chunkedBody(LABEL_PATCH, 7)) },
    { id: 'framing/patch-cl-leading-zeros', category: 'framing', requests: 1, expect: 1, build: (ctx) => raw(ctx, 'PATCH', paths(ctx).maskedGet, [['Content-Type', MERGE], ['Content-Length', `000${lengthOf(LABEL_PATCH)}`]], LABEL_PATCH) },
    { id: 'framing/patch-cl-whitespace', category: 'framing', requests: 1, expect: 1, build: (ctx) => raw(ctx, 'PATCH', paths(ctx).maskedGet, [['Content-Type', MERGE], ['Content-Length', ` \t${lengthOf(LABEL_PATCH)} \t`]], LABEL_PATCH) },
    {
      id: 'framing/patch-cl-short-rest-is-a-request', category: 'framing', requests: 2, expect: 2,
      build(ctx) {
        // The declared length ends the patch early; what follows is parsed as the client's next request.
        const next = requestBytes(standardRequest(ctx, 'GET', paths(ctx).maskedGet)).toString('latin1');
        const bytes = requestBytes(standardRequest(ctx, 'PATCH', paths(ctx).maskedGet, { extra: [['Content-Type', MERGE], ['Content-Length', lengthOf(LABEL_PATCH)]], body: LABEL_PATCH + next }));
        return { parts: [bytes], methods: ['PATCH', 'GET'] };
      },
    },
    { id: 'framing/patch-cl-long-halfclose', category: 'framing', requests: 1, expect: 1, silentOk: true, build: (ctx) => raw(ctx, 'PATCH', paths(ctx).maskedGet, [['Content-Type', MERGE], ['Content-Length', '500']], LABEL_PATCH, { halfClose: true }) },
    { id: 'framing/patch-chunked-unterminated-halfclose', category: 'framing', requests: 1, expect: 1, silentOk: true, build: (ctx) => raw(ctx, 'PATCH', paths(ctx).maskedGet, [['Content-Type', MERGE], ['Transfer-Encoding', 'chunked']], `${LABEL_PATCH.length.toString(16)}\r\n${LABEL_PATCH}\r\n`, { halfClose: true }) },
    { id: 'framing/patch-expect-continue', category: 'framing', requests: 1, expect: 1, build: (ctx) => raw(ctx, 'PATCH', paths(ctx).maskedGet, [['Content-Type', MERGE], ['Expect', '100-continue'], ['Content-Length', lengthOf(LABEL_PATCH)]], LABEL_PATCH) },
    { id: 'framing/get-expect-continue-body', category: 'framing', requests: 1, expect: 1, contracts: ['refused-400'], build: (ctx) => raw(ctx, 'GET', paths(ctx).maskedGet, [['Expect', '100-continue'], ['Content-Length', '2']], '{}') },
  );
  return out;
}

/** Chunk-level damage on an otherwise valid patch of the masked Secret. */
function chunkCases(): HostileCase[] {
  const b = LABEL_PATCH;
  const n = b.length.toString(16);
  const variants: Array<[string, string, boolean, boolean]> = [
    // name, chunked body, refused by contract, silent is acceptable
    ['ext-token', `${n};ext=1\r\n${b}\r\n0;last\r\n\r\n`, false, false],
    ['ext-quoted', `${n};ext="a;b"\r\n${b}\r\n0\r\n\r\n`, false, false],
    ['ext-long', `${n};${'e'.repeat(20_000)}\r\n${b}\r\n0\r\n\r\n`, false, false],
    ['ext-bare-lf', `${n};ext\n${b}\r\n0\r\n\r\n`, false, false],
    ['size-junk', `zz\r\n${b}\r\n0\r\n\r\n`, true, false],
    ['size-negative', `-${n}\r\n${b}\r\n0\r\n\r\n`, true, false],
    ['size-0x', `0x${n}\r\n${b}\r\n0\r\n\r\n`, true, false],
    ['size-overflow', `fffffffffffffffffff\r\n${b}\r\n0\r\n\r\n`, true, true],
    ['size-2-pow-64', `10000000000000000\r\n${b}\r\n0\r\n\r\n`, true, true],
    ['size-leading-space', ` ${n}\r\n${b}\r\n0\r\n\r\n`, false, false],
    ['size-trailing-space', `${n} \r\n${b}\r\n0\r\n\r\n`, false, false],
    ['size-hex-junk-suffix', `${n}g\r\n${b}\r\n0\r\n\r\n`, true, false],
    ['size-too-small', `4\r\n${b}\r\n0\r\n\r\n`, false, false],
    ['size-too-large', `${(b.length + 40).toString(16)}\r\n${b}\r\n0\r\n\r\n`, false, true],
    ['missing-data-crlf', `${n}\r\n${b}0\r\n\r\n`, false, false],
    ['bare-lf-lines', `${n}\n${b}\n0\n\n`, false, false],
    ['trailer-plain', `${n}\r\n${b}\r\n0\r\nX-Trailer: 1\r\n\r\n`, false, false],
    ['trailer-authorization', `${n}\r\n${b}\r\n0\r\nAuthorization: Bearer adv\r\nImpersonate-User: system:admin\r\n\r\n`, false, false],
    ['trailer-framing', `${n}\r\n${b}\r\n0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n`, false, false],
    ['last-chunk-then-request', `${n}\r\n${b}\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: localhost\r\n\r\n`, false, false],
  ];
  return variants.map(([name, body, refused, silent]) => ({
    id: `framing/chunk-${name}`, category: 'framing' as const, requests: name === 'last-chunk-then-request' ? 2 : 1,
    expect: name === 'last-chunk-then-request' ? 2 : 1, silentOk: silent,
    ...(refused ? { contracts: ['refused-400'] as Contract[] } : {}),
    build: (ctx: CaseContext) => ({ ...raw(ctx, 'PATCH', paths(ctx).maskedGet, [['Content-Type', MERGE], ['Transfer-Encoding', 'chunked']], body), methods: ['PATCH', 'GET'] }),
  }));
}

/** Line-level oddities: obs-fold, bare LF and CR, protocol versions, split writes. */
function lineCases(): HostileCase[] {
  const c = (id: string, build: (ctx: CaseContext) => CaseWire, more: Partial<HostileCase> = {}): HostileCase => ({ id: `framing/${id}`, category: 'framing', requests: 1, expect: 1, build, ...more });
  const head = (target: string, lines: string[], eol = '\r\n'): CaseWire => ({
    parts: [Buffer.from(`GET ${target} HTTP/1.1${eol}${lines.join(eol)}${eol}${eol}`, 'latin1')], methods: ['GET'],
  });
  const std = (ctx: CaseContext): string[] => [`Host: localhost`, `Authorization: Bearer ${ctx.token}`, `User-Agent: ${ctx.userAgent}`];
  return [
    c('obs-fold-custom', (ctx) => head(paths(ctx).maskedGet, [...std(ctx), 'X-Folded: a', ' b'])),
    c('obs-fold-first-line', (ctx) => head(paths(ctx).maskedGet, [' X-Lead: 1', ...std(ctx)])),
    c('obs-fold-accept', (ctx) => head(paths(ctx).maskedGet, [...std(ctx), 'Accept: application/json,', ' application/yaml'])),
    c('obs-fold-authorization', (ctx) => head(paths(ctx).maskedGet, ['Host: localhost', 'Authorization: Bearer', ` ${ctx.token}`, `User-Agent: ${ctx.userAgent}`])),
    c('obs-fold-transfer-encoding', (ctx) => ({ parts: [Buffer.from(`PATCH ${paths(ctx).maskedGet} HTTP/1.1\r\n${std(ctx).join('\r\n')}\r\nContent-Type: ${MERGE}\r\nTransfer-Encoding: identity\r\n chunked\r\n\r\n${chunkedBody(LABEL_PATCH).toString('latin1')}`, 'latin1')], methods: ['PATCH'] })),
    c('obs-fold-content-length', (ctx) => ({ parts: [Buffer.from(`PATCH ${paths(ctx).maskedGet} HTTP/1.1\r\n${std(ctx).join('\r\n')}\r\nContent-Type: ${MERGE}\r\nContent-Length: 1\r\n ${LABEL_PATCH.length}\r\n\r\n${LABEL_PATCH}`, 'latin1')], methods: ['PATCH'] }), { silentOk: true }),
    c('bare-lf-everywhere', (ctx) => head(paths(ctx).maskedGet, std(ctx), '\n')),
    c('bare-lf-one-header', (ctx) => ({ parts: [Buffer.from(`GET ${paths(ctx).maskedGet} HTTP/1.1\r\nHost: localhost\nAuthorization: Bearer ${ctx.token}\r\nUser-Agent: ${ctx.userAgent}\r\n\r\n`, 'latin1')], methods: ['GET'] })),
    c('bare-lf-hides-te', (ctx) => ({ parts: [Buffer.from(`GET ${paths(ctx).configMaps} HTTP/1.1\r\n${std(ctx).join('\r\n')}\r\nX-A: 1\nTransfer-Encoding: chunked\r\n\r\n${chunkedBody(swallowRequest(ctx)).toString('latin1')}`, 'latin1')], methods: ['GET'] }), { innocentAfter: true }),
    c('bare-cr-header', (ctx) => ({ parts: [Buffer.from(`GET ${paths(ctx).maskedGet} HTTP/1.1\r\n${std(ctx).join('\r\n')}\r\nX-A: 1\rTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 'latin1')], methods: ['GET'] })),
    c('bare-lf-request-line', (ctx) => ({ parts: [Buffer.from(`GET ${paths(ctx).maskedGet} HTTP/1.1\n${std(ctx).join('\r\n')}\r\n\r\n`, 'latin1')], methods: ['GET'] })),
    c('http-1.0', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { version: 'HTTP/1.0' })),
    c('http-1.0-keepalive-pipelined', (ctx) => {
      const one = requestBytes(standardRequest(ctx, 'GET', paths(ctx).maskedGet, { version: 'HTTP/1.0', extra: [['Connection', 'keep-alive']] }));
      return { parts: [Buffer.concat([one, one])], methods: ['GET', 'GET'] };
    }, { requests: 2, expect: 2 }),
    c('http-1.0-body-no-length', (ctx) => ({ ...single(ctx, 'PATCH', paths(ctx).maskedGet, { version: 'HTTP/1.0', extra: [['Content-Type', MERGE]], body: LABEL_PATCH }), halfClose: true }), { silentOk: true }),
    c('http-0.9', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { version: '' })),
    c('http-1.2', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { version: 'HTTP/1.2' })),
    c('http-2.0-line', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { version: 'HTTP/2.0' })),
    c('http-9.9', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { version: 'HTTP/9.9' })),
    c('h2-preface', () => ({ parts: [Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00', 'latin1')], methods: ['GET'] })),
    c('no-host', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { omit: ['host'] })),
    c('two-hosts', (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { extra: [['Host', 'evil.example']] })),
    c('split-head-three-writes', (ctx) => {
      const bytes = requestBytes(standardRequest(ctx, 'GET', paths(ctx).maskedGet, { accept: 'application/yaml' }));
      return { parts: [bytes.subarray(0, 7), bytes.subarray(7, 60), bytes.subarray(60)], methods: ['GET'], pauseMs: 100 };
    }),
    c('split-crlf', (ctx) => {
      const bytes = requestBytes(standardRequest(ctx, 'GET', paths(ctx).deniedGet));
      return { parts: [bytes.subarray(0, bytes.length - 3), bytes.subarray(bytes.length - 3)], methods: ['GET'], pauseMs: 120 };
    }),
    c('nul-in-request-line', (ctx) => ({ parts: [Buffer.from(`GET ${paths(ctx).maskedGet}\x00 HTTP/1.1\r\n${std(ctx).join('\r\n')}\r\n\r\n`, 'latin1')], methods: ['GET'] })),
    c('double-space-request-line', (ctx) => ({ parts: [Buffer.from(`GET  ${paths(ctx).maskedGet}  HTTP/1.1\r\n${std(ctx).join('\r\n')}\r\n\r\n`, 'latin1')], methods: ['GET'] })),
    c('tab-request-line', (ctx) => ({ parts: [Buffer.from(`GET\t${paths(ctx).maskedGet}\tHTTP/1.1\r\n${std(ctx).join('\r\n')}\r\n\r\n`, 'latin1')], methods: ['GET'] })),
    c('leading-empty-lines', (ctx) => ({ parts: [Buffer.concat([Buffer.from('\r\n\r\n'), requestBytes(standardRequest(ctx, 'GET', paths(ctx).maskedGet))])], methods: ['GET'] })),
  ];
}

/** Every framing case. */
export function framingCases(): HostileCase[] {
  return [...smugglingCases(), ...ambiguousCases(), ...bodyPlacementCases(), ...chunkCases(), ...lineCases()];
}
