/** A local OIDC issuer for tests (discovery + JWKS on a real socket), shared by the proxy and query service tests. */
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** A signing key for tests: private half to sign, public JWK to serve. */
export interface TestKey { kid: string; alg: string; privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK }

/** Generates a key pair for `alg` with `kid`. */
export async function newTestKey(alg: 'RS256' | 'ES256', kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** An OIDC issuer on a real local socket (discovery + JWKS) whose keys and answers tests can change. */
export interface LocalIssuer {
  readonly issuer: string;
  readonly requests: { discovery: number; jwks: number };
  /** The public keys served from now on. */
  keys: TestKey[];
  /** When set, discovery names this issuer instead of the real one. */
  discoveryIssuer: string | undefined;
  /** When set, discovery (or JWKS) answers this HTTP status instead. */
  failDiscovery: number | undefined;
  failJwks: number | undefined;
  /** When set, discovery and JWKS answer 401 unless the request carries `Authorization: Bearer <requireBearer>`. */
  requireBearer: string | undefined;
  /** The `Authorization` header of every discovery and JWKS request, in order (`undefined` when absent). */
  readonly authorizations: Array<string | undefined>;
  /** Signs `claims` (iss defaults to this issuer) with `key`. */
  sign(key: TestKey, claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Starts a {@link LocalIssuer} on 127.0.0.1, port 0. */
export async function startLocalIssuer(): Promise<LocalIssuer> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const known = req.url === '/.well-known/openid-configuration' || req.url === '/keys';
    if (known) state.authorizations.push(req.headers.authorization);
    if (known && state.requireBearer !== undefined && req.headers.authorization !== `Bearer ${state.requireBearer}`) return send(401, {});
    if (req.url === '/.well-known/openid-configuration') {
      state.requests.discovery += 1;
      if (state.failDiscovery !== undefined) return send(state.failDiscovery, {});
      return send(200, { issuer: state.discoveryIssuer ?? state.issuer, jwks_uri: `${state.issuer}/keys` });
    }
    if (req.url === '/keys') {
      state.requests.jwks += 1;
      if (state.failJwks !== undefined) return send(state.failJwks, {});
      return send(200, { keys: state.keys.map((key) => key.publicJwk) });
    }
    return send(404, {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const state: LocalIssuer = {
    issuer: `http://127.0.0.1:${port}`,
    requests: { discovery: 0, jwks: 0 },
    keys: [],
    discoveryIssuer: undefined,
    failDiscovery: undefined,
    failJwks: undefined,
    requireBearer: undefined,
    authorizations: [],
    async sign(key, claims, header = {}) {
      return new SignJWT({ iss: state.issuer, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
        .sign(key.privateKey);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  return state;
}
