import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet } from 'jose';
import { createLogger, createMetricsRegistry, type SendingProducer } from '@auditgate/shared';
import { signCheckpoint } from './checkpoint-signer.js';
import { createEvidence } from './evidence.js';
import { localKeySigner } from './local-key-signer.js';
import { loadPreviousKeys } from './previous-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'previous-keys-'));
const file = (name: string, value: unknown): string => { const p = join(dir, name); writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value)); return p; };

test('retired keys: Ed25519 and P-256 public keys, kid kept (else the thumbprint the gateway signs with), alg and use set', async () => {
  const ed = await localKeySigner(generateKeyPairSync('ed25519').privateKey);
  const es = await localKeySigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const { kid: _kid, alg: _alg, use: _use, ...bare } = es.publicJwk;
  const keys = await loadPreviousKeys(file('two.json', { keys: [{ ...ed.publicJwk, kid: 'kms-2025' }, bare] }));
  assert.deepEqual(keys.map((k) => [k.kid, k.alg, k.use]), [['kms-2025', 'EdDSA', 'sig'], [es.kid, 'ES256', 'sig']]);
  assert.deepEqual((await loadPreviousKeys(file('one.json', ed.publicJwk))).map((k) => k.kid), [ed.kid], 'one JWK alone');
});

test('retired keys: a private key, another kind of key, or a file that is not JSON is refused (AUDITGATE_E_CONFIG_INVALID)', async () => {
  const invalid = { code: 'AUDITGATE_E_CONFIG_INVALID' };
  const privateJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  await assert.rejects(loadPreviousKeys(file('private.json', { keys: [privateJwk] })), { ...invalid, message: /private key/ });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  await assert.rejects(loadPreviousKeys(file('rsa.json', { keys: [rsa] })), { ...invalid, message: /not an Ed25519 or P-256/ });
  await assert.rejects(loadPreviousKeys(file('torn.json', '{"keys":')), { ...invalid, message: /not a readable JSON/ });
  await assert.rejects(loadPreviousKeys(join(dir, 'absent.json')), invalid);
});

test('the published JWKS lists the current key, then the retired ones: a checkpoint signed by a retired key verifies against it', async () => {
  const retiredKey = generateKeyPairSync('ed25519').privateKey;
  const retired = await localKeySigner(retiredKey);
  const current = generateKeyPairSync('ed25519').privateKey;
  const keyFile = file('current.pem', current.export({ format: 'pem', type: 'pkcs8' }) as string);
  const evidence = createEvidence({
    config: { enabled: true, checkpointsTopic: 't', checkpointEveryEvents: 1000, checkpointIntervalMs: 60_000, signer: { kind: 'file', keyFile }, previousJwksFile: file('retired.json', { keys: [retired.publicJwk] }) },
    instance: 'gw', eventsTopic: 'e', producer: { async send() { return []; } } as unknown as SendingProducer,
    logger: createLogger({ name: 't', level: 'silent' }), registry: createMetricsRegistry('proxy'),
  });
  await evidence.start();
  const jwks = evidence.jwks();
  await evidence.close();
  assert.equal(jwks.keys.length, 2);
  assert.equal(jwks.keys[1]!.kid, retired.kid);
  const old = await signCheckpoint(retired, { stream: 'gw/old', seq: 3, hash: 'a'.repeat(64), time: new Date(0).toISOString(), count: 3, intervalMs: 1000 });
  assert.equal((await compactVerify(old, createLocalJWKSet(jwks))).protectedHeader.kid, retired.kid);
  await assert.rejects(compactVerify(old, createLocalJWKSet({ keys: [jwks.keys[0]!] })), 'without the retired key it does not verify');
});
