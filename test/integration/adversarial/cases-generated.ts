/** Generated cases: fast-check combines methods, targets, Accept, framing, hop-by-hop, upgrade and spoofed headers. */
import fc from 'fast-check';
import { ACCEPTS } from './cases-content.js';
import { innerRequest } from './cases-framing.js';
import { CONNECTION_SPECIFIC } from './cases-headers.js';
import { UPGRADES } from './cases-upgrade-paths.js';
import { paths, standardRequest, type CaseContext, type Contract, type HostileCase } from './hostile-case.js';
import { chunkedBody, requestBytes, type RawHeader } from './request-bytes.js';

const READ_TARGETS = ['maskedGet', 'maskedGetTable', 'maskedList', 'maskedListTable', 'maskedWatch', 'maskedWatchLegacy', 'deniedGet', 'deniedList', 'deniedWatch', 'configMaps', 'execOwn', 'execDenied'] as const;
const FRAMINGS = ['none', 'cl', 'chunked', 'chunk-ext', 'cl+te', 'te-other', 'cl-conflict', 'chunk-bad-size', 'cl-odd-spelling'] as const;
const AMBIGUOUS: ReadonlySet<string> = new Set(['cl+te', 'te-other', 'cl-conflict', 'chunk-bad-size']);
const SPOOFS: readonly RawHeader[] = [
  ['Impersonate-User', 'system:admin'], ['Impersonate-Group', 'system:masters'], ['X-Remote-User', 'system:admin'],
  ['X-Remote-Group', 'system:masters'], ['X-Forwarded-For', '10.1.2.3'], ['X-Forwarded-Host', 'evil.example'],
];

/** One generated request, as data: printed with its case so a failure can be replayed by hand. */
export interface GeneratedSpec {
  readonly method: 'GET' | 'HEAD' | 'OPTIONS' | 'DELETE' | 'POST' | 'PUT' | 'PATCH' | 'TRACE';
  readonly target: (typeof READ_TARGETS)[number];
  readonly accept: string | null;
  readonly connection: readonly number[];
  readonly upgrade: string | null;
  readonly framing: (typeof FRAMINGS)[number];
  readonly body: 'json' | 'random' | 'inner';
  readonly randomBytes: readonly number[];
  readonly chunkSize: number;
  readonly spoofs: readonly number[];
  readonly auditId: boolean;
  readonly nameCase: 'as-is' | 'lower' | 'upper';
  /** Where to split the bytes into two writes, as a fraction; null for one write. */
  readonly split: number | null;
}

/** The arbitrary behind the generated cases. */
export function specArbitrary(): fc.Arbitrary<GeneratedSpec> {
  return fc.record({
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constant('GET' as const) },
      { weight: 3, arbitrary: fc.constantFrom('HEAD' as const, 'OPTIONS' as const, 'TRACE' as const) },
      { weight: 4, arbitrary: fc.constantFrom('DELETE' as const, 'POST' as const, 'PUT' as const, 'PATCH' as const) },
    ),
    target: fc.constantFrom(...READ_TARGETS),
    accept: fc.option(fc.constantFrom(...ACCEPTS), { nil: null, freq: 3 }),
    connection: fc.uniqueArray(fc.integer({ min: 0, max: CONNECTION_SPECIFIC.length - 1 }), { maxLength: 3 }),
    upgrade: fc.option(fc.constantFrom(...Object.keys(UPGRADES)), { nil: null, freq: 2 }),
    framing: fc.oneof({ weight: 4, arbitrary: fc.constant('none' as const) }, { weight: 8, arbitrary: fc.constantFrom(...FRAMINGS) }),
    body: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('json' as const, 'random' as const) }, { weight: 1, arbitrary: fc.constant('inner' as const) }),
    randomBytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 200 }),
    chunkSize: fc.integer({ min: 1, max: 64 }),
    spoofs: fc.uniqueArray(fc.integer({ min: 0, max: SPOOFS.length - 1 }), { maxLength: 2 }),
    auditId: fc.boolean(),
    nameCase: fc.constantFrom('as-is' as const, 'lower' as const, 'upper' as const),
    split: fc.option(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { nil: null, freq: 4 }),
  });
}

function targetPath(ctx: CaseContext, spec: GeneratedSpec): string {
  const p = paths(ctx);
  const writing = spec.method === 'DELETE' || spec.method === 'PUT' || spec.method === 'POST' || spec.method === 'PATCH';
  if (writing) {
    // Writes never touch the run's objects: a fresh name (or a collection for POST), masked or denied namespace.
    const denied = spec.target.startsWith('denied');
    if (spec.method === 'POST') return denied ? p.deniedList : p.maskedList;
    return denied ? `${p.deniedList}/${ctx.fresh('gen')}` : p.missingSecret(ctx.fresh('gen'));
  }
  switch (spec.target) {
    case 'maskedGet': return p.maskedGet;
    case 'maskedGetTable': return `${p.maskedGet}?includeObject=Object`;
    case 'maskedList': return p.maskedList;
    case 'maskedListTable': return `${p.maskedList}?includeObject=Object`;
    case 'maskedWatch': return p.maskedWatch;
    case 'maskedWatchLegacy': return p.maskedWatchLegacy;
    case 'deniedGet': return p.deniedGet;
    case 'deniedList': return p.deniedList;
    case 'deniedWatch': return p.deniedWatch;
    case 'configMaps': return p.configMaps;
    case 'execOwn': return p.exec(ctx.ns);
    case 'execDenied': return p.exec(ctx.deniedNs);
  }
}

function spell(name: string, how: GeneratedSpec['nameCase']): string {
  return how === 'lower' ? name.toLowerCase() : how === 'upper' ? name.toUpperCase() : name;
}

function bodyOf(ctx: CaseContext, spec: GeneratedSpec): Buffer {
  if (spec.body === 'json') return Buffer.from('{"metadata":{"labels":{"adv":"g"}}}');
  if (spec.body === 'inner') return Buffer.from(innerRequest(ctx, false), 'latin1');
  return Buffer.from(spec.randomBytes);
}

function framingHeaders(spec: GeneratedSpec, body: Buffer): { headers: RawHeader[]; bytes: Buffer } {
  const chunked = chunkedBody(body, spec.chunkSize);
  switch (spec.framing) {
    case 'none': return { headers: [], bytes: Buffer.alloc(0) };
    case 'cl': return { headers: [['Content-Length', String(body.length)]], bytes: body };
    case 'chunked': return { headers: [['Transfer-Encoding', 'chunked']], bytes: chunked };
    case 'chunk-ext': return { headers: [['Transfer-Encoding', 'chunked']], bytes: chunkedBody(body, spec.chunkSize, ';adv=1') };
    case 'cl+te': return { headers: [['Content-Length', String(body.length)], ['Transfer-Encoding', 'chunked']], bytes: chunked };
    case 'te-other': return { headers: [['Transfer-Encoding', spec.chunkSize % 2 === 0 ? 'gzip, chunked' : 'identity']], bytes: chunked };
    case 'cl-conflict': return { headers: [['Content-Length', String(body.length)], ['Content-Length', String(body.length + 1)]], bytes: body };
    case 'chunk-bad-size': return { headers: [['Transfer-Encoding', 'chunked']], bytes: Buffer.concat([Buffer.from(`${['zz', '-1', '0x1f', 'fffffffffffffffffff'][spec.chunkSize % 4]}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) };
    case 'cl-odd-spelling': return { headers: [['Content-Length', `${'0'.repeat(spec.chunkSize % 4)}${body.length}`]], bytes: body };
  }
}

/** The contracts a generated request is held to, from what it is. */
export function contractsOf(spec: GeneratedSpec): Contract[] {
  const out: Contract[] = [];
  const noBodyMethod = spec.method === 'GET' || spec.method === 'HEAD' || spec.method === 'OPTIONS';
  if (AMBIGUOUS.has(spec.framing) || (noBodyMethod && spec.framing !== 'none')) out.push('refused-400');
  if (spec.upgrade !== null && !spec.target.startsWith('exec')) out.push('no-upgrade');
  if (spec.accept !== null && spec.method === 'GET' && !spec.target.startsWith('exec')) out.push('json-or-yaml');
  return out;
}

/** `count` cases generated from `seed` (deterministic: the same seed gives the same cases). */
export function generatedCases(seed: number, count: number): HostileCase[] {
  const specs = fc.sample(specArbitrary(), { seed, numRuns: count });
  return specs.map((spec, i) => {
    const smuggles = spec.body === 'inner' && spec.framing !== 'none' && spec.method !== 'POST' && spec.method !== 'PUT' && spec.method !== 'PATCH';
    const silentOk = spec.framing === 'chunk-bad-size';
    return {
      id: `generated/${i}`, category: 'generated' as const, requests: 1, expect: 1, silentOk,
      ...(smuggles ? { innocentAfter: true } : {}),
      contracts: contractsOf(spec),
      describe: JSON.stringify({ ...spec, randomBytes: spec.randomBytes.length }),
      build(ctx: CaseContext) {
        const body = bodyOf(ctx, spec);
        const framing = framingHeaders(spec, body);
        const extra: RawHeader[] = [
          ...spec.connection.flatMap((k) => CONNECTION_SPECIFIC[k]![1]),
          ...(spec.upgrade === null ? [] : UPGRADES[spec.upgrade]!),
          ...spec.spoofs.map((k) => SPOOFS[k]!),
          ...(spec.auditId ? [['Audit-ID', `adv-gen-${i}-${ctx.tag}`] as const] : []),
          ...(spec.method === 'PATCH' ? [['Content-Type', 'application/merge-patch+json'] as const] : spec.framing === 'none' ? [] : [['Content-Type', 'application/json'] as const]),
          ...framing.headers,
        ].map(([n, v]) => [spell(n, spec.nameCase), v] as const);
        const bytes = requestBytes(standardRequest(ctx, spec.method, targetPath(ctx, spec), { accept: spec.accept ?? 'application/json', extra, body: framing.bytes }));
        if (spec.split === null) return { parts: [bytes], methods: [spec.method] };
        const at = Math.max(1, Math.floor(bytes.length * spec.split));
        return { parts: [bytes.subarray(0, at), bytes.subarray(at)], methods: [spec.method], pauseMs: 60 };
      },
    };
  });
}
