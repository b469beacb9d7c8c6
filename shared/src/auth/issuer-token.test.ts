import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, ErrorCodes } from '@auditgate/shared';
import { newTestKey, startLocalIssuer, type LocalIssuer, type TestKey } from '@auditgate/shared/testing';
import { createTokenVerifier } from './create-token-verifier.js';
import type { TokenVerifier, TokenVerifierOptions, TrustedIssuer } from './types.js';

const nowSec = (): number => Math.floor(Date.now() / 1000);
const claims = (): Record<string, unknown> => ({ sub: 'system:serviceaccount:ns:agent', aud: 'auditgate', iat: nowSec(), exp: nowSec() + 600 });
const personClaims = (): Record<string, unknown> => ({ ...claims(), sub: 'ana' });

describe('issuer token file: a bearer on discovery and JWKS of that issuer only', () => {
  let guarded: LocalIssuer;
  let open: LocalIssuer;
  let key: TestKey;
  let dir = '';
  let tokenFile = '';
  let logs = '';
  const verifiers: TokenVerifier[] = [];
  const make = (guardedIssuer: Partial<TrustedIssuer>, options: Partial<TokenVerifierOptions> = {}): TokenVerifier => {
    const destination = new Writable({ write(chunk: Buffer, _enc, done) { logs += chunk.toString('utf8'); done(); } });
    const verifier = createTokenVerifier({
      issuers: [
        { issuer: guarded.issuer, audiences: ['auditgate'], kind: 'serviceaccount', ...guardedIssuer },
        { issuer: open.issuer, audiences: ['auditgate'], kind: 'oidc' },
      ],
      fetchTimeoutMs: 2000,
      logger: createLogger({ name: 't', level: 'trace', destination }),
      ...options,
    });
    verifiers.push(verifier);
    return verifier;
  };

  before(async () => {
    [guarded, open, key] = await Promise.all([startLocalIssuer(), startLocalIssuer(), newTestKey('ES256', 'k-1')]);
    guarded.keys = [key];
    open.keys = [key];
    guarded.requireBearer = 'first-secret-token';
    dir = await mkdtemp(path.join(tmpdir(), 'ag-issuer-token-'));
    tokenFile = path.join(dir, 'token');
    await writeFile(tokenFile, 'first-secret-token\n');
  });
  after(async () => {
    await Promise.all(verifiers.map((v) => v.close()));
    await Promise.all([guarded.close(), open.close()]);
    await rm(dir, { recursive: true, force: true });
    assert.ok(!logs.includes('secret-token'), 'the token never reaches a log line');
  });

  it('without the token the guarded issuer is unreachable (the requirement is real)', async () => {
    const verifier = make({});
    await assert.rejects(verifier.verify(await guarded.sign(key, claims())), (e: Error & { code?: string; details?: Record<string, unknown> }) =>
      e.code === ErrorCodes.UNAUTHENTICATED && e.details?.['reason'] === 'jwks_unreachable');
    assert.deepEqual(guarded.authorizations.splice(0), [undefined]);
  });

  it('sends the token to the guarded issuer, never to the other one; a rotated file is read on the next fetch', async () => {
    const verifier = make({ tokenFile }, { jwksCooldownMs: 0 });
    assert.equal((await verifier.verify(await guarded.sign(key, claims()))).issuer, guarded.issuer);
    assert.deepEqual(guarded.authorizations.splice(0), ['Bearer first-secret-token', 'Bearer first-secret-token'], 'discovery and JWKS');
    assert.equal((await verifier.verify(await open.sign(key, personClaims()))).issuer, open.issuer);
    assert.deepEqual(open.authorizations.splice(0), [undefined, undefined]);

    // Rotation: the issuer now wants the new token; a new kid forces a JWKS refetch, which must read the file again.
    const rotated = await newTestKey('ES256', 'k-2');
    guarded.keys = [key, rotated];
    guarded.requireBearer = 'second-secret-token';
    await writeFile(tokenFile, 'second-secret-token');
    assert.equal((await verifier.verify(await guarded.sign(rotated, claims()))).issuer, guarded.issuer);
    assert.deepEqual(guarded.authorizations.splice(0), ['Bearer second-secret-token']);
  });

  it('a missing token file fails the fetch (jwks_unreachable), naming the path, not a token', async () => {
    const verifier = make({ tokenFile: path.join(dir, 'missing') });
    await assert.rejects(verifier.verify(await guarded.sign(key, claims())), (e: Error & { code?: string; details?: Record<string, unknown>; cause?: Error }) => {
      assert.equal(e.details?.['reason'], 'jwks_unreachable');
      assert.match(String(e.cause?.message ?? ''), /cannot read the issuer token file .*missing/);
      return true;
    });
    assert.deepEqual(guarded.authorizations.splice(0), [], 'nothing is sent without a token');
  });
});
