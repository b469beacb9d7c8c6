import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, Registry } from '@auditgate/shared';
import type { ApiServerConnection } from '@auditgate/shared/kube';
import type { AuditSink } from '../audit/audit-sink.js';
import type { TokenVerifier } from '../auth/index.js';
import { defaultSecretPatterns } from '../masking/index.js';
import { createToolCallEvaluator, type LoadedPolicy, type ToolCallEvaluator } from '../policy/index.js';
import { createMcpAuditor } from './audit/mcp-auditor.js';
import type { McpGatewayFacts } from './audit/mcp-message-record.js';
import { createMcpCallerVerifier } from './auth/mcp-caller-verifier.js';
import type { McpConfig } from './config/mcp-config.js';
import { createCallRegistry } from './delegation/call-registry.js';
import { createDelegatedTokenVerifier } from './delegation/delegated-token-verifier.js';
import { createDelegationIssuer, type DelegationIssuer } from './delegation/delegation-issuer.js';
import { loadDelegationKey } from './delegation/delegation-key.js';
import { routeDelegatedTokens } from './delegation/route-delegated-tokens.js';
import type { GateContext, GateServer } from './http/gate-context.js';
import { createMcpMetrics } from './http/mcp-metrics.js';
import { createMcpRoutes } from './http/mcp-routes.js';
import { createPayloadRecorder } from './payload/payload-recorder.js';
import { createSessionRegistry } from './session/session-registry.js';
import { createMcpUpstream } from './upstream/mcp-upstream.js';

/** What {@link createMcpGate} needs from the proxy. */
export interface McpGateDeps {
  /** The proxy's audit sink (write-ahead to Kafka, hash chain); undefined only when auditing is off. */
  readonly sink: AuditSink | undefined;
  readonly facts: McpGatewayFacts;
  /** The policy in force (its `mcp` section decides tool calls). */
  readonly policy: () => LoadedPolicy;
  /** The masking key: payload masking and digests. */
  readonly maskingKey: Buffer;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly now: () => number;
  readonly newId: () => string;
  readonly closing: () => boolean;
  readonly onError: (error: unknown) => void;
  /** The API server the gateway fronts, for issuers with `trust: upstream` (discovery and keys with its CA and credentials). */
  readonly upstream?: ApiServerConnection;
}

/** The MCP endpoint of the gateway. */
export interface McpGate {
  /** Handles the MCP endpoint's paths; false for every other request (the Kubernetes path's). */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => boolean;
  readonly issuer: DelegationIssuer;
  /** The Kubernetes path's verifier: the gateway's delegated tokens verified here (live calls only), others by `callers`. */
  kubernetesVerifier(callers: TokenVerifier): TokenVerifier;
  /** Releases upstream connections and verifiers; safe to call twice. */
  close(): Promise<void>;
}

/** Wires the MCP endpoint from its configuration. */
export function createMcpGate(config: McpConfig, deps: McpGateDeps): McpGate {
  const logger = deps.logger.child({ component: 'mcp' });
  const key = loadDelegationKey(config.delegationKeyFile);
  if (config.delegationKeyFile === undefined) {
    logger.warn('PROXY_MCP_DELEGATION_KEY_FILE is not set: delegated tokens are signed with a key made at start (other replicas and restarts will not accept them)');
  }
  const issuer = createDelegationIssuer({ issuer: config.delegationIssuer, key, now: deps.now, newId: deps.newId });
  const registry = createCallRegistry({ now: deps.now });
  const servers = new Map<string, GateServer>(config.servers.map((s) => [s.name, { config: s, upstream: createMcpUpstream(s) }]));
  let evaluator: { hash: string; value: ToolCallEvaluator } | undefined;
  const ctx: GateContext = {
    config, servers, issuer, registry,
    callers: createMcpCallerVerifier(config.issuers.map(({ trustUpstream, ...issuer }) => (trustUpstream === true && deps.upstream !== undefined ? { ...issuer, apiServer: deps.upstream } : issuer)),
      { now: deps.now, logger: logger.child({ component: 'mcp-auth' }) }),
    sessions: createSessionRegistry({ now: deps.now }),
    toolCalls: () => {
      const loaded = deps.policy();
      if (evaluator?.hash !== loaded.hash) evaluator = { hash: loaded.hash, value: createToolCallEvaluator(loaded.policy.mcp, loaded.hash) };
      return evaluator.value;
    },
    auditor: createMcpAuditor({ sink: deps.sink, facts: deps.facts, now: deps.now, logger, onWriteAhead: (s) => metrics.writeAhead.observe(s) }),
    payloads: createPayloadRecorder({ key: deps.maskingKey, patterns: defaultSecretPatterns(), maxRecordedBytes: config.maxRecordedBytes }),
    metrics: createMcpMetrics(deps.registry, () => registry.live()),
    logger, now: deps.now, newId: deps.newId, closing: deps.closing,
    pending: new Map(),
  };
  const metrics = ctx.metrics;
  const delegated = createDelegatedTokenVerifier({
    issuer, registry, now: deps.now, logger: logger.child({ component: 'mcp-delegation' }),
    audiences: config.servers.filter((s) => s.kubernetes).map((s) => s.audience),
  });
  let closed: Promise<void> | undefined;
  logger.info({ servers: config.servers.map((s) => ({ name: s.name, url: s.url, audience: s.audience })), issuer: issuer.issuer, kid: key.kid }, 'MCP endpoint configured');
  return {
    handle: createMcpRoutes(ctx, deps.onError),
    issuer,
    kubernetesVerifier: (callers) => routeDelegatedTokens(callers, delegated, issuer.issuer),
    close() {
      closed ??= (async () => {
        for (const s of servers.values()) s.upstream.close();
        await Promise.allSettled([ctx.callers.close(), delegated.close()]);
      })();
      return closed;
    },
  };
}
