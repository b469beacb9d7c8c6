/** Hand-written content cases: every Accept the API server knows on Secret reads; every Content-Type and -Encoding on writes. */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { paths, single, type CaseContext, type HostileCase } from './hostile-case.js';
import type { RawHeader } from './request-bytes.js';

const TABLE = ';as=Table;v=v1;g=meta.k8s.io';

/** Accept values the API server negotiates, plus odd spellings and ones it does not serve. */
export const ACCEPTS: readonly string[] = [
  'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/cbor', '*/*',
  `application/json${TABLE}`, `application/yaml${TABLE}`, `application/vnd.kubernetes.protobuf${TABLE}`, `application/cbor${TABLE}`,
  'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/yaml;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch', 'application/cbor;stream=watch',
  'application/yaml, application/json;q=0.1', 'application/vnd.kubernetes.protobuf, application/json', 'APPLICATION/YAML',
  'application/*', 'text/html', 'application/json;as=Table;v=v1beta1;g=meta.k8s.io', `application/json${TABLE}, application/yaml`,
  'application/json;q=0, application/yaml', 'application/apply-patch+yaml', 'application/yaml;charset=utf-8',
];

type Target = readonly [string, (ctx: CaseContext) => string];

function acceptCases(): HostileCase[] {
  const masked = (suffix: string): Target[1] => (c) => `${paths(c).maskedGet}${suffix}`;
  const list = (suffix: string): Target[1] => (c) => `${paths(c).maskedList}${suffix}`;
  const plan: Array<[Target, readonly string[]]> = [
    [['masked-get', masked('')], ACCEPTS],
    [['masked-get-include-object', masked('?includeObject=Object')], [`application/json${TABLE}`, `application/yaml${TABLE}`, `application/vnd.kubernetes.protobuf${TABLE}`, `application/cbor${TABLE}`]],
    [['masked-list', list('')], ACCEPTS.filter((_, i) => i % 2 === 0 || i < 9)],
    [['masked-list-include-object', list('?includeObject=Object')], [`application/json${TABLE}`, `application/yaml${TABLE}`, `application/vnd.kubernetes.protobuf${TABLE}`, 'application/json;as=Table;v=v1beta1;g=meta.k8s.io']],
    [['masked-list-field-selector', (c) => `${paths(c).maskedList}?fieldSelector=metadata.name%3D${c.maskedSecret}`], ['application/yaml', 'application/vnd.kubernetes.protobuf']],
    [['masked-watch', (c) => paths(c).maskedWatch], ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch', 'application/cbor;stream=watch', `application/json${TABLE}`, '*/*']],
    [['masked-watch-include-object', (c) => `${paths(c).maskedWatch}&includeObject=Object`], [`application/json${TABLE}`, `application/yaml${TABLE}`]],
    [['masked-watch-legacy', (c) => paths(c).maskedWatchLegacy], ['application/yaml', 'application/vnd.kubernetes.protobuf;stream=watch']],
    [['denied-get', (c) => paths(c).deniedGet], ['application/yaml', 'application/vnd.kubernetes.protobuf', 'application/cbor', `application/yaml${TABLE}`, '*/*']],
    [['denied-list', (c) => `${paths(c).deniedList}?includeObject=Object`], ['application/yaml', `application/json${TABLE}`, 'application/vnd.kubernetes.protobuf']],
    [['denied-watch', (c) => paths(c).deniedWatch], ['application/yaml', 'application/vnd.kubernetes.protobuf;stream=watch']],
  ];
  const out: HostileCase[] = [];
  for (const [[name, path], accepts] of plan) {
    for (const [i, accept] of accepts.entries()) {
      out.push({
        id: `accept/${name}-${i}-${accept.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`, category: 'accept', requests: 1, expect: 1, contracts: ['json-or-yaml'],
        build: (ctx) => single(ctx, 'GET', path(ctx), { accept }),
      });
    }
  }
  out.push(
    { id: 'accept/masked-list-accept-encoding-gzip', category: 'accept', requests: 1, expect: 1, contracts: ['json-or-yaml'], build: (ctx) => single(ctx, 'GET', paths(ctx).maskedList, { extra: [['Accept-Encoding', 'gzip']] }) },
    { id: 'accept/masked-get-no-accept', category: 'accept', requests: 1, expect: 1, contracts: ['json-or-yaml'], build: (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { omit: ['accept'] }) },
    { id: 'accept/masked-get-empty-accept', category: 'accept', requests: 1, expect: 1, contracts: ['json-or-yaml'], build: (ctx) => single(ctx, 'GET', paths(ctx).maskedGet, { accept: '' }) },
  );
  return out;
}

const LABELS = { metadata: { labels: { adv: 'c' } } };
const yamlLabels = (name: string): string => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  labels:\n    adv: c\n`;
/** A protobuf envelope (magic, then garbage) and a self-described CBOR map: the API server decodes, the gateway may try to. */
const PROTOBUF = Buffer.concat([Buffer.from('k8s\x00', 'latin1'), Buffer.from([0x0a, 0x0a, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x06, 0x53, 0x65, 0x63, 0x72, 0x65, 0x74, 0x12, 0xff, 0xff, 0x03])]);
const CBOR = Buffer.from([0xd9, 0xd9, 0xf7, 0xa1, 0x68, 0x6d, 0x65, 0x74, 0x61, 0x64, 0x61, 0x74, 0x61, 0xa0]);

function contentTypeCases(): HostileCase[] {
  const patches: Array<[string, string, (ctx: CaseContext) => Buffer | string, string]> = [
    // name, content type, body, path suffix
    ['merge-patch', 'application/merge-patch+json', () => JSON.stringify(LABELS), ''],
    ['strategic-merge-patch', 'application/strategic-merge-patch+json', () => JSON.stringify(LABELS), ''],
    ['json-patch', 'application/json-patch+json', () => '[{"op":"test","path":"/kind","value":"Secret"}]', ''],
    ['apply-patch', 'application/apply-patch+yaml', (c) => yamlLabels(c.maskedSecret), '?fieldManager=adv'],
    ['apply-patch-json', 'application/apply-patch+yaml', (c) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: c.maskedSecret, labels: { adv: 'c' } } }), '?fieldManager=adv'],
    ['json', 'application/json', () => JSON.stringify(LABELS), ''],
    ['yaml', 'application/yaml', () => 'metadata:\n  labels:\n    adv: c\n', ''],
    ['protobuf', 'application/vnd.kubernetes.protobuf', () => PROTOBUF, ''],
    ['cbor', 'application/cbor', () => CBOR, ''],
    ['text-plain', 'text/plain', () => JSON.stringify(LABELS), ''],
    ['merge-patch-utf16', 'application/merge-patch+json; charset=utf-16', () => JSON.stringify(LABELS), ''],
    ['merge-patch-params', 'application/merge-patch+json;as=Table;v=v1;g=meta.k8s.io', () => JSON.stringify(LABELS), ''],
    ['empty', '', () => JSON.stringify(LABELS), ''],
  ];
  const out: HostileCase[] = patches.map(([name, type, body, suffix]) => ({
    id: `content/patch-${name}`, category: 'content' as const, requests: 1, expect: 1,
    build: (ctx: CaseContext) => {
      const b = body(ctx);
      return single(ctx, 'PATCH', `${paths(ctx).maskedGet}${suffix}`, { extra: [['Content-Type', type], ['Content-Length', String(Buffer.byteLength(b))]], body: b });
    },
  }));
  const creates: Array<[string, string, (ctx: CaseContext, name: string) => Buffer | string]> = [
    ['json', 'application/json', (_c, n) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: n }, stringData: { k: 'client-own-value' } })],
    ['yaml', 'application/yaml', (_c, n) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${n}\nstringData:\n  k: client-own-value\n`],
    ['protobuf', 'application/vnd.kubernetes.protobuf', () => PROTOBUF],
    ['cbor', 'application/cbor', () => CBOR],
    ['merge-patch', 'application/merge-patch+json', (_c, n) => JSON.stringify({ metadata: { name: n } })],
    ['form', 'application/x-www-form-urlencoded', () => 'a=b'],
    ['multipart', 'multipart/form-data; boundary=x', () => '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'],
  ];
  for (const [name, type, body] of creates) {
    out.push({
      id: `content/create-secret-${name}`, category: 'content', requests: 1, expect: 1,
      build: (ctx) => {
        const b = body(ctx, ctx.fresh('created'));
        return single(ctx, 'POST', paths(ctx).maskedList, { extra: [['Content-Type', type], ['Content-Length', String(Buffer.byteLength(b))]], body: b });
      },
    });
  }
  out.push({
    id: 'content/create-secret-denied-ns', category: 'content', requests: 1, expect: 1,
    build: (ctx) => {
      const b = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: ctx.fresh('created') }, stringData: { k: 'v' } });
      return single(ctx, 'POST', paths(ctx).deniedList, { extra: [['Content-Type', 'application/json'], ['Content-Length', String(b.length)]], body: b });
    },
  });
  out.push({
    id: 'content/put-missing-secret', category: 'content', requests: 1, expect: 1,
    build: (ctx) => {
      const name = ctx.fresh('missing');
      const b = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { k: 'v' } });
      return single(ctx, 'PUT', paths(ctx).missingSecret(name), { extra: [['Content-Type', 'application/json'], ['Content-Length', String(b.length)]], body: b });
    },
  });
  return out;
}

function contentEncodingCases(): HostileCase[] {
  const json = Buffer.from(JSON.stringify(LABELS));
  const encodings: Array<[string, string, Buffer]> = [
    ['gzip', 'gzip', gzipSync(json)], ['deflate', 'deflate', deflateSync(json)], ['br', 'br', brotliCompressSync(json)],
    ['identity', 'identity', json], ['bogus', 'x-adv-bogus', json], ['gzip-gzip', 'gzip, gzip', gzipSync(gzipSync(json))],
    ['gzip-lying', 'gzip', json], ['gzip-bomb', 'gzip', gzipSync(Buffer.concat([Buffer.from('{"metadata":{"labels":{"adv":"'), Buffer.alloc(20_000_000, 0x61), Buffer.from('"}}}')]))],
  ];
  const out: HostileCase[] = [];
  for (const [name, encoding, body] of encodings) {
    out.push({
      id: `content/patch-encoding-${name}`, category: 'content', requests: 1, expect: 1,
      build: (ctx) => single(ctx, 'PATCH', paths(ctx).maskedGet, { extra: [['Content-Type', 'application/merge-patch+json'], ['Content-Encoding', encoding], ['Content-Length', String(body.length)]], body }),
    });
  }
  for (const [name, encoding, body] of encodings.slice(0, 5)) {
    out.push({
      id: `content/create-configmap-encoding-${name}`, category: 'content', requests: 1, expect: 1,
      build: (ctx) => {
        const b = encoding === 'identity' || encoding.startsWith('x-') ? Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ctx.fresh('cm') } })) : body;
        const headers: RawHeader[] = [['Content-Type', 'application/json'], ['Content-Encoding', encoding], ['Content-Length', String(b.length)]];
        return single(ctx, 'POST', paths(ctx).configMaps, { extra: headers, body: b });
      },
    });
  }
  return out;
}

/** Every content case. */
export function contentCases(): HostileCase[] {
  return [...acceptCases(), ...contentTypeCases(), ...contentEncodingCases()];
}
