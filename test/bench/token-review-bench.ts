/**
 * What confirming service-account tokens with the cluster (TokenReview, PROXY_SA_TOKEN_REVIEW) costs the gateway's
 * verifier, against the real kube-apiserver of the stack: per new token (its first request: signature plus one
 * TokenReview round trip) and per request (the same token again: the answer comes from the review cache), side by side
 * with the verifier without review, and with a review on every request (cache 0) for scale. Prints the table and the
 * ratios and writes its "token review" section of the shared results file; reported, not gated.
 * Run: `NODE_EXTRA_CA_CERTS=$KUBE_STATE/pki/ca.crt npx tsx test/bench/token-review-bench.ts` (BENCH_REVIEW_TOKENS,
 * BENCH_REVIEW_REQUESTS, BENCH_OUT: the shared results file), or as part of `npm run bench`.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvReader } from '@auditgate/shared';
import {
  createCachedTokenVerifier, createIssuerFetch, createReviewedTokenVerifier, createTokenReviewer, createTokenVerifier, type TokenVerifier, type TrustedIssuer,
} from '@auditgate/shared/auth';
import { createKubeconfigConnection } from '@auditgate/shared/kube';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { info, renderTable } from './report-table.js';
import { writeResultSection } from './results-file.js';

const say = (message: string) => process.stderr.write(`[review-bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const env = new EnvReader(process.env);
const TOKENS = env.int('BENCH_REVIEW_TOKENS', 200, { min: 10, max: 5000 });
const REQUESTS = env.int('BENCH_REVIEW_REQUESTS', 50_000, { min: 1000, max: 10_000_000 });
env.finish();

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
};
const ROUNDS = 6;
const ms = (v: number): string => `${v.toFixed(3)} ms`;
const signed = (text: string): string => (text.startsWith('-') ? `−${text.slice(1)}` : `+${text}`);
const us = (v: number): string => `${(v * 1000).toFixed(2)} µs`;

/** Mean time of one `verify(token)` over `n` calls, in ms. */
async function perCall(verifier: TokenVerifier, token: string, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i += 1) await verifier.verify(token);
  return (performance.now() - started) / n;
}

async function timed(verifier: TokenVerifier, token: string): Promise<number> {
  const started = performance.now();
  await verifier.verify(token);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const ns = uniqueName('ag-review-bench').toLowerCase();
  await kubectl(stack, creds.adminKubeconfig, ['create', 'namespace', ns]);
  await kubectl(stack, creds.adminKubeconfig, ['-n', ns, 'create', 'serviceaccount', 'agent']);
  const upstream = await createKubeconfigConnection({ kubeconfigPath: `${stack.kubeState}/gateway-upstream.kubeconfig` });
  const admin = createIssuerFetch({ apiServer: await createKubeconfigConnection({ kubeconfigPath: creds.adminKubeconfig }), timeoutMs: 10_000 });
  const verifiers: TokenVerifier[] = [];
  try {
    say(`minting ${TOKENS + 1} service-account tokens (TokenRequest)`);
    const tokens: string[] = [];
    for (let i = 0; i <= TOKENS; i += 1) {
      const answer = await admin.fetch(`${stack.kubeApiserverUrl}/api/v1/namespaces/${ns}/serviceaccounts/agent/token`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['auditgate'], expirationSeconds: 3600 } }),
      });
      tokens.push(((await answer.json()) as { status: { token: string } }).status.token);
    }
    // The gateway's own configuration in named-cluster mode: the issuer through the upstream API server.
    const issuer: TrustedIssuer = { issuer: stack.kubeApiserverUrl, audiences: ['auditgate'], kind: 'serviceaccount', apiServer: upstream };
    const signatureOnly = (): TokenVerifier => createCachedTokenVerifier(createTokenVerifier({ issuers: [issuer] }));
    const reviewed = (cacheMs: number): TokenVerifier => createReviewedTokenVerifier(signatureOnly(), {
      reviewer: createTokenReviewer({ apiServer: upstream }), audiences: new Map([[issuer.issuer, issuer.audiences]]), cacheMs,
    });
    const without = signatureOnly();
    const withReview = reviewed(10_000);
    const everyRequest = reviewed(0);
    verifiers.push(without, withReview, everyRequest);
    const [warm, ...fresh] = tokens as [string, ...string[]];
    for (const v of verifiers) await v.verify(warm); // discovery and keys fetched, connections open

    say(`new tokens: ${fresh.length} first requests each way (order alternated)`);
    const newWithout: number[] = [];
    const newWith: number[] = [];
    for (const [i, token] of fresh.entries()) {
      if (i % 2 === 0) { newWithout.push(await timed(without, token)); newWith.push(await timed(withReview, token)); } else { newWith.push(await timed(withReview, token)); newWithout.push(await timed(without, token)); }
    }
    say(`per request: ${REQUESTS} verifications of one token each way, in ${ROUNDS} alternating rounds`);
    // Rounds alternate which verifier goes first, so JIT warm-up and machine noise do not favour one; median of rounds.
    const roundsWithout: number[] = [];
    const roundsWith: number[] = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      const n = Math.ceil(REQUESTS / ROUNDS);
      if (r % 2 === 0) { roundsWithout.push(await perCall(without, warm, n)); roundsWith.push(await perCall(withReview, warm, n)); } else { roundsWith.push(await perCall(withReview, warm, n)); roundsWithout.push(await perCall(without, warm, n)); }
    }
    const reqWithout = percentile(roundsWithout, 0.5);
    const reqWith = percentile(roundsWith, 0.5);
    const reqEvery = await perCall(everyRequest, warm, Math.min(REQUESTS, TOKENS * 5));

    const rows = [
      ['new token, first request (p50)', ms(percentile(newWithout, 0.5)), ms(percentile(newWith, 0.5)), `${(percentile(newWith, 0.5) / percentile(newWithout, 0.5)).toFixed(1)}x`],
      ['new token, first request (p99)', ms(percentile(newWithout, 0.99)), ms(percentile(newWith, 0.99)), `${(percentile(newWith, 0.99) / percentile(newWithout, 0.99)).toFixed(1)}x`],
      ['same token, per request (answer cached 10 s)', us(reqWithout), us(reqWith), `${(reqWith / reqWithout).toFixed(2)}x`],
      ['same token, per request (cache 0: asks every time)', us(reqWithout), ms(reqEvery), `${(reqEvery / reqWithout).toFixed(0)}x`],
    ];
    process.stdout.write(`\nTokenReview cost in the gateway's verifier (kube-apiserver ${stack.kubeApiserverUrl}, ${fresh.length} new tokens, ${REQUESTS} requests)\n`);
    process.stdout.write(`${renderTable(['metric', 'without review', 'with review', 'ratio'], rows)}\n`);
    process.stdout.write(`A new token pays one TokenReview round trip (+${ms(percentile(newWith, 0.5) - percentile(newWithout, 0.5))} at p50); `
      + `a token in use pays a cache lookup (${signed(us(reqWith - reqWithout))} per request) and one review per 10 s.\n`);
    const p50 = (v: number[]) => percentile(v, 0.5);
    const p99 = (v: number[]) => percentile(v, 0.99);
    writeResultSection(process.env['BENCH_OUT'] ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json'), 'token review', {
      settings: { tokens: fresh.length, requests: REQUESTS, cacheMs: 10_000 },
      rows: [
        info('TokenReview per new token (first request), p50', `${signed(ms(p50(newWith) - p50(newWithout)))} (${ms(p50(newWith))} vs ${ms(p50(newWithout))} without review)`,
          `p99 ${ms(p99(newWith))} vs ${ms(p99(newWithout))}: signature check plus one TokenReview round trip to kube-apiserver`),
        info('TokenReview per request, same token (answer cached 10 s)', `${signed(us(reqWith - reqWithout))} (${us(reqWith)} vs ${us(reqWithout)} without review)`,
          `a cache lookup; one review per token per 10 s; median of ${ROUNDS} alternating rounds`),
        info('TokenReview on every request (cache 0), for scale', `${ms(reqEvery)} per request vs ${us(reqWithout)} without review`,
          `${(reqEvery / reqWithout).toFixed(0)}x: why the answer is cached`),
      ],
      newTokenMs: { without: { p50: p50(newWithout), p99: p99(newWithout) }, with: { p50: p50(newWith), p99: p99(newWith) } },
      perRequestMs: { without: reqWithout, with: reqWith, every: reqEvery },
    });
  } finally {
    await Promise.all(verifiers.map((v) => v.close()));
    await admin.close();
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  say(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
