import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { EnvReader, Topics, type Env, type SettingObserver } from '@auditgate/shared';
import type { TrustedIssuer } from '@auditgate/shared/auth';
import type { CheckpointSignerConfig, ProxyConfig, UpstreamConfig } from './proxy-config.js';
import { readMcpConfig } from '../mcp/config/read-mcp-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function readIssuer(reader: EnvReader, prefix: string, kind: TrustedIssuer['kind'], defaultAudience: string): TrustedIssuer | undefined {
  const issuer = reader.optional(`${prefix}_URL`);
  if (issuer === undefined) return undefined;
  const caFile = reader.optional(`${prefix}_CA_FILE`);
  const usernameClaim = reader.optional(`${prefix}_USERNAME_CLAIM`);
  const usernamePrefix = reader.optional(`${prefix}_USERNAME_PREFIX`);
  const groupsClaim = reader.optional(`${prefix}_GROUPS_CLAIM`);
  const discoveryUrl = reader.optional(`${prefix}_DISCOVERY_URL`);
  // Only the cluster's own service-account issuer may need a credential for its discovery (kube-apiserver default).
  const tokenFile = kind === 'serviceaccount' ? reader.optional(`${prefix}_TOKEN_FILE`) : undefined;
  return {
    issuer, kind,
    audiences: reader.list(`${prefix}_AUDIENCES`, [defaultAudience]),
    algorithms: reader.list(`${prefix}_ALGORITHMS`, ['RS256', 'ES256']),
    ...(caFile === undefined ? {} : { caFile }),
    ...(usernameClaim === undefined ? {} : { usernameClaim }),
    ...(usernamePrefix === undefined ? {} : { usernamePrefix }),
    ...(groupsClaim === undefined ? {} : { groupsClaim }),
    ...(discoveryUrl === undefined ? {} : { discoveryUrl }),
    ...(tokenFile === undefined ? {} : { tokenFile }),
  };
}

function readUpstream(reader: EnvReader, env: Env): UpstreamConfig {
  const mode = reader.oneOf('PROXY_UPSTREAM_MODE', ['kubeconfig', 'in-cluster', 'eks'], 'kubeconfig');
  if (mode === 'in-cluster') {
    return {
      mode,
      tokenPath: reader.str('PROXY_INCLUSTER_TOKEN_PATH', '/var/run/secrets/kubernetes.io/serviceaccount/token'),
      caPath: reader.str('PROXY_INCLUSTER_CA_PATH', '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt'),
      host: reader.str('KUBERNETES_SERVICE_HOST'),
      port: reader.int('KUBERNETES_SERVICE_PORT', 443, { min: 1, max: 65535 }),
    };
  }
  if (mode === 'eks') {
    const caFile = reader.optional('PROXY_EKS_CA_FILE');
    const stsEndpoint = reader.optional('PROXY_STS_ENDPOINT');
    return {
      mode,
      clusterName: reader.str('PROXY_EKS_CLUSTER_NAME'),
      region: reader.str('PROXY_EKS_REGION', env['AWS_REGION']),
      roleArn: reader.str('PROXY_EKS_ROLE_ARN'),
      server: reader.url('PROXY_EKS_SERVER'),
      ...(caFile === undefined ? {} : { caFile }),
      ...(stsEndpoint === undefined ? {} : { stsEndpoint }),
    };
  }
  const context = reader.optional('PROXY_UPSTREAM_CONTEXT');
  return {
    mode,
    kubeconfigPath: reader.str('PROXY_UPSTREAM_KUBECONFIG', env['KUBECONFIG']),
    ...(context === undefined ? {} : { context }),
  };
}

function readMaskingKey(reader: EnvReader): Buffer {
  const file = reader.optional('PROXY_MASKING_KEY_FILE');
  const inline = reader.optional('PROXY_MASKING_KEY');
  let raw: string | undefined = inline;
  if (file !== undefined) {
    try { raw = readFileSync(file, 'utf8').trim(); } catch (error) { reader.problem(`PROXY_MASKING_KEY_FILE cannot be read: ${(error as Error).message}`); }
  }
  if (raw === undefined) { reader.problem('PROXY_MASKING_KEY or PROXY_MASKING_KEY_FILE is required (at least 32 bytes, hex or base64)'); return Buffer.alloc(32); }
  const key = /^[0-9a-f]+$/i.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length < 32) reader.problem('the masking key must be at least 32 bytes');
  return key;
}

function readCheckpointSigner(reader: EnvReader, env: Env): CheckpointSignerConfig {
  const kind = reader.oneOf('PROXY_CHECKPOINT_SIGNER', ['file', 'kms'], 'file');
  if (kind === 'kms') {
    const endpoint = reader.optional('PROXY_CHECKPOINT_KMS_ENDPOINT');
    return {
      kind, keyId: reader.str('PROXY_CHECKPOINT_KMS_KEY_ID'), region: reader.str('PROXY_CHECKPOINT_KMS_REGION', env['AWS_REGION']),
      ...(endpoint === undefined ? {} : { endpoint }),
    };
  }
  const keyFile = reader.optional('PROXY_CHECKPOINT_KEY_FILE');
  return { kind, ...(keyFile === undefined ? {} : { keyFile }) };
}

/** `{ [key]: value }`, or nothing when the value is absent (for exactOptionalPropertyTypes). */
function optionalEntry<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** Issuer URLs compared as JWT `iss` values are, ignoring one trailing slash. */
function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

/**
 * Reads and validates the proxy's configuration from `env`; throws one error listing every bad key.
 * `observe` hears each read (the README's settings tables are generated from it).
 */
export function loadConfig(env: Env, observe?: SettingObserver): ProxyConfig {
  const reader = new EnvReader(env, observe);
  const issuers = [
    readIssuer(reader, 'PROXY_SA_ISSUER', 'serviceaccount', 'auditgate'),
    readIssuer(reader, 'PROXY_OIDC_ISSUER', 'oidc', 'auditgate'),
  ].filter((i): i is TrustedIssuer => i !== undefined);
  if (issuers.length === 0) reader.problem('at least one trusted issuer is required: PROXY_SA_ISSUER_URL and/or PROXY_OIDC_ISSUER_URL');
  const onBehalfOfIssuer = readIssuer(reader, 'PROXY_ON_BEHALF_OF_ISSUER', 'oidc', 'auditgate');
  if (onBehalfOfIssuer !== undefined) {
    // A caller's own token would then also pass as the human it claims to act for.
    for (const caller of issuers) {
      const shared = caller.audiences.filter((a) => onBehalfOfIssuer.audiences.includes(a));
      if (sameIssuer(caller.issuer, onBehalfOfIssuer.issuer) && shared.length > 0) {
        reader.problem(`PROXY_ON_BEHALF_OF_ISSUER_URL is also a caller issuer with the audience ${shared.map((a) => `"${a}"`).join(', ')}: `
          + 'a caller\'s own token would pass as the person it acts for; give on-behalf-of tokens an audience of their own (PROXY_ON_BEHALF_OF_ISSUER_AUDIENCES)');
      }
    }
  }
  const saIssuerTrust = reader.oneOf('PROXY_SA_ISSUER_TRUST', ['auto', 'issuer', 'upstream'], 'auto');
  const saIssuer = issuers.find((i) => i.kind === 'serviceaccount');
  if (saIssuerTrust === 'upstream') {
    if (saIssuer === undefined) reader.problem('PROXY_SA_ISSUER_TRUST=upstream needs PROXY_SA_ISSUER_URL');
    else if (saIssuer.caFile !== undefined || saIssuer.tokenFile !== undefined || saIssuer.discoveryUrl !== undefined) {
      reader.problem('PROXY_SA_ISSUER_TRUST=upstream fetches discovery and keys from the upstream API server with its own CA and credentials: '
        + 'leave PROXY_SA_ISSUER_CA_FILE, PROXY_SA_ISSUER_TOKEN_FILE and PROXY_SA_ISSUER_DISCOVERY_URL unset');
    }
  }
  const saTokenReview = {
    enabled: reader.bool('PROXY_SA_TOKEN_REVIEW', true),
    cacheMs: reader.int('PROXY_SA_TOKEN_REVIEW_CACHE_MS', 10_000, { min: 0, max: 300_000 }),
  };
  const tlsCertFile = reader.optional('PROXY_TLS_CERT_FILE');
  const tlsKeyFile = reader.optional('PROXY_TLS_KEY_FILE');
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) reader.problem('PROXY_TLS_CERT_FILE and PROXY_TLS_KEY_FILE go together');
  const clusterArn = reader.optional('CLUSTER_ARN');
  const clusterRegion = reader.optional('CLUSTER_REGION');
  const config: ProxyConfig = {
    instance: reader.str('PROXY_INSTANCE', hostname()),
    version: reader.str('AUDITGATE_VERSION', '0.1.0'),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    listen: {
      host: reader.str('PROXY_LISTEN_HOST', '127.0.0.1'),
      httpPort: reader.int('PROXY_HTTP_PORT', -1, { min: -1, max: 65535 }),
      httpsPort: reader.int('PROXY_HTTPS_PORT', 8443, { min: -1, max: 65535 }),
      ...(tlsCertFile === undefined ? {} : { tlsCertFile }),
      ...(tlsKeyFile === undefined ? {} : { tlsKeyFile }),
      opsPort: reader.int('PROXY_OPS_PORT', 9464, { min: 0, max: 65535 }),
    },
    upstream: readUpstream(reader, env),
    impersonate: reader.bool('PROXY_IMPERSONATE', false),
    upstreamHttp2Streams: reader.int('PROXY_UPSTREAM_HTTP2_STREAMS', 100, { min: 0, max: 10_000 }),
    issuers,
    saIssuerTrust,
    saTokenReview,
    ...(onBehalfOfIssuer === undefined ? {} : { onBehalfOfIssuer }),
    policyFile: reader.str('PROXY_POLICY_FILE'),
    kafka: {
      brokers: reader.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
      topic: reader.str('PROXY_EVENTS_TOPIC', Topics.events),
      outageMode: reader.oneOf('PROXY_KAFKA_OUTAGE_MODE', ['fail-closed', 'spool'], 'fail-closed'),
      spoolDir: reader.str('PROXY_SPOOL_DIR', '/var/lib/auditgate/spool'),
      lingerMs: reader.int('PROXY_KAFKA_LINGER_MS', 0, { min: 0, max: 1000 }),
      // Long enough that, from a few dozen requests/s up, a terminal stage nearly always rides with the next write-ahead:
      // one produce request per request, not two (each costs the gateway ~150 µs of kafkajs CPU, whatever it carries).
      deferMs: reader.int('PROXY_KAFKA_DEFER_MS', 50, { min: 0, max: 1000 }),
      maxBatchMessages: reader.int('PROXY_KAFKA_MAX_BATCH', 500, { min: 1, max: 100_000 }),
      ackTimeoutMs: reader.int('PROXY_KAFKA_ACK_TIMEOUT_MS', 5000, { min: 100, max: 120_000 }),
    },
    auditEnabled: reader.bool('PROXY_AUDIT_ENABLED', true),
    chain: {
      enabled: reader.bool('PROXY_CHAIN_ENABLED', true),
      checkpointsTopic: reader.str('PROXY_CHECKPOINTS_TOPIC', Topics.checkpoints),
      checkpointEveryEvents: reader.int('PROXY_CHECKPOINT_EVERY_EVENTS', 1000, { min: 1, max: 10_000_000 }),
      checkpointIntervalMs: reader.int('PROXY_CHECKPOINT_INTERVAL_MS', 10_000, { min: 100, max: 3_600_000 }),
      signer: readCheckpointSigner(reader, env),
      ...optionalEntry('previousJwksFile', reader.optional('PROXY_CHECKPOINT_PREVIOUS_JWKS')),
    },
    maskingKey: readMaskingKey(reader),
    maxRequestBodyBytes: reader.int('PROXY_MAX_REQUEST_BODY_BYTES', 3 * 1024 * 1024, { min: 1024 }),
    maxRecordedBodyBytes: reader.int('PROXY_MAX_RECORDED_BODY_BYTES', 256 * 1024, { min: 0 }),
    cluster: {
      name: reader.str('CLUSTER_NAME', 'local'),
      ...(clusterArn === undefined ? {} : { arn: clusterArn }),
      ...(clusterRegion === undefined ? {} : { region: clusterRegion }),
    },
    shutdownTimeoutMs: reader.int('PROXY_SHUTDOWN_TIMEOUT_MS', 20_000, { min: 0 }),
  };
  if (config.listen.httpPort < 0 && config.listen.httpsPort < 0) reader.problem('PROXY_HTTP_PORT and PROXY_HTTPS_PORT cannot both be -1 (disabled)');
  const mcp = readMcpConfig(reader, config.listen);
  reader.finish();
  return mcp === undefined ? config : { ...config, mcp };
}
