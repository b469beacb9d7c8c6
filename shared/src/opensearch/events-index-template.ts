/** Settings of the events index layout (the indexer's `INDEXER_INDEX_*` knobs). */
export interface EventsLayoutOptions {
  readonly indexPrefix: string;
  readonly refreshInterval: string;
  readonly shards: number;
  readonly replicas: number;
}

/**
 * The events layout's defaults, one definition for the indexer (which installs the template) and the init job (which
 * may install it first). A 1 s refresh keeps an event searchable within the 3 s the freshness benchmark holds it to.
 */
export const EVENTS_LAYOUT_DEFAULTS = { indexPrefix: 'auditgate-events', refreshInterval: '1s', shards: 1, replicas: 0 } as const;

const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const date = { type: 'date', format: 'strict_date_optional_time_nanos||strict_date_optional_time||epoch_millis' } as const;
const flat = { type: 'flat_object' } as const;
const userInfo = { properties: { username: keyword, uid: keyword, groups: keyword, extra: flat } } as const;
const actor = { properties: { issuer: keyword, subject: keyword, username: keyword, groups: keyword, tokenKind: keyword } } as const;
const status = { properties: { code: { type: 'integer' }, status: keyword, reason: keyword, message: { type: 'text' }, metadata: { type: 'object', enabled: false } } } as const;
const body = { properties: { bytes: { type: 'long' }, sha256: keyword, digest: keyword, truncated: { type: 'boolean' }, maskedPaths: keyword, contentType: keyword } } as const;
/** The Kubernetes meaning of a tool call's arguments (verified on Kubernetes events, derived on MCP events). */
export const mcpScopeMappings = { properties: { namespace: keyword, resource: keyword, apiGroup: keyword, name: keyword } } as const;
const chainLink = { properties: { stream: keyword, seq: { type: 'long' }, prevHash: keyword, hash: keyword } } as const;
/** Each stage's chain link is searchable; the event as produced and the digests of elided fields are kept, not indexed. */
export const stageChainMappings = { chain: chainLink, event: { type: 'object', enabled: false }, elided: { type: 'object', enabled: false } } as const;
const stage = { properties: { stageTimestamp: date, schemaVersion: { type: 'integer' }, gatewayInstance: keyword, responseStatus: status, ...stageChainMappings } } as const;

/** Explicit mappings of an exchange document (the indexer's `search/build-document.ts` gives its shape). */
export function eventsIndexMappings(): Record<string, unknown> {
  return {
    dynamic: 'true',
    // Unknown strings become keywords, not analysed text, so a new field never explodes the index.
    dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } }],
    properties: {
      apiVersion: keyword, kind: keyword, level: keyword, auditID: keyword, verb: keyword,
      requestURI: { type: 'text', fields: { keyword: { ...keyword, ignore_above: 4096 } } },
      user: userInfo, impersonatedUser: userInfo,
      sourceIPs: { type: 'ip' }, userAgent: { ...keyword, fields: { text: { type: 'text' } } },
      objectRef: { properties: { resource: keyword, namespace: keyword, name: keyword, uid: keyword, apiGroup: keyword, apiVersion: keyword, resourceVersion: keyword, subresource: keyword } },
      responseStatus: status,
      requestObject: { type: 'object', enabled: false },
      responseObject: { type: 'object', enabled: false },
      requestReceivedTimestamp: date, stageTimestamp: date,
      annotations: flat,
      complete: { type: 'boolean' }, finalStage: keyword,
      stages: { properties: { RequestReceived: stage, ResponseStarted: stage, ResponseComplete: stage, Panic: stage } },
      auditgate: {
        properties: {
          schemaVersion: { type: 'integer' },
          gateway: { properties: { instance: keyword, version: keyword } },
          actor, onBehalfOf: actor,
          mcp: { properties: { sessionId: keyword, toolName: keyword, requestId: keyword, caller: keyword, server: keyword, callId: keyword, agent: keyword, scope: mcpScopeMappings } },
          cluster: { properties: { name: keyword, arn: keyword, region: keyword } },
          upstream: { properties: { mode: keyword, roleArn: keyword, assumedRoleId: keyword, identity: keyword, impersonated: { type: 'boolean' } } },
          policy: { properties: { bundleHash: keyword, ruleId: keyword, decision: keyword, reason: { type: 'text' } } },
          body: { properties: { request: body, response: body } },
          stream: { properties: { events: { type: 'long' }, bytes: { type: 'long' }, durationMs: { type: 'long' } } },
          chain: { properties: { stream: keyword, seq: { type: 'long' }, prevHash: keyword, hash: keyword } },
          forwardedFor: keyword, errorCode: keyword,
          enrichment: {
            properties: {
              cluster: { properties: { name: keyword, arn: keyword, region: keyword, account: keyword } },
              iam: { properties: { roleArn: keyword, roleName: keyword, account: keyword, sessionName: keyword } },
              object: { properties: { labels: flat, owner: keyword } },
              namespace: { properties: { labels: flat } },
              target: keyword, clusterWide: { type: 'boolean' }, secretAccess: { type: 'boolean' },
              durationMs: { type: 'long' }, responseBytes: { type: 'long' },
            },
          },
        },
      },
    },
  };
}

/**
 * The composable index template of the daily event indices `<indexPrefix>-*`: mappings, ingest-tuned settings, and
 * the alias. The indexer and the init job both install exactly this.
 */
export function eventsIndexTemplate(o: EventsLayoutOptions): Record<string, unknown> {
  return {
    index_patterns: [`${o.indexPrefix}-*`],
    priority: 200,
    template: {
      settings: {
        number_of_shards: o.shards,
        number_of_replicas: o.replicas,
        refresh_interval: o.refreshInterval,
        'mapping.total_fields.limit': 2000,
        'query.default_field': ['requestURI', 'verb', 'user.username', 'objectRef.name', 'objectRef.namespace'],
      },
      mappings: eventsIndexMappings(),
      // Every daily index joins the alias the moment it is created, including the ones bulk writes auto-create.
      aliases: { [o.indexPrefix]: {} },
    },
    _meta: { owner: 'auditgate-indexer', layout: 1 },
  };
}

/** The name of the event indices' template for `indexPrefix`. */
export function eventsTemplateName(indexPrefix: string): string { return `${indexPrefix}-template`; }
