import { readFileSync } from 'node:fs';
import type { Client } from '@opensearch-project/opensearch';
import { eventsIndexTemplate, eventsTemplateName, stageChainMappings, type EventsLayoutOptions, type Logger } from '@auditgate/shared';
import { checkpointTemplate } from './checkpoint-document.js';
import { mcpIndexTemplate } from './mcp-index-template.js';

/** Options of {@link ensureLayout}. */
export interface EnsureLayoutOptions extends EventsLayoutOptions {
  readonly retentionDays: number;
  /** Alias of the checkpoint indices, whose template is installed too. */
  readonly checkpointsIndex?: string;
  /** Prefix of the MCP event indices, whose template is installed too. */
  readonly mcpIndexPrefix?: string;
}

/** What {@link ensureLayout} did. */
export interface LayoutResult { readonly template: string; readonly ismPolicy: string | undefined }

/** The shipped retention policy with the configured prefix and retention filled in. */
export function retentionPolicy(indexPrefix: string, retentionDays: number, morePrefixes: readonly string[] = []): Record<string, unknown> {
  const policy = JSON.parse(readFileSync(new URL('./retention-policy.json', import.meta.url), 'utf8')) as {
    policy: { states: Array<{ name: string; transitions: Array<{ conditions: { min_index_age: string } }> }>; ism_template: Array<{ index_patterns: string[] }> };
  };
  for (const state of policy.policy.states) {
    if (state.name === 'read_only') for (const t of state.transitions) t.conditions.min_index_age = `${retentionDays}d`;
  }
  for (const t of policy.policy.ism_template) t.index_patterns = [indexPrefix, ...morePrefixes].map((p) => `${p}-*`);
  return policy;
}

/**
 * Installs (idempotently) the index template of the daily indices with the alias, and the retention ISM policy when
 * the cluster has the Index Management plugin (skipped with a log line otherwise, as on the local integ-test build).
 */
export async function ensureLayout(client: Client, options: EnsureLayoutOptions, logger: Logger): Promise<LayoutResult> {
  const template = eventsTemplateName(options.indexPrefix);
  await client.indices.putIndexTemplate({ name: template, body: eventsIndexTemplate(options) as never });
  // Indices created before the chain fields existed get their mappings too (adding fields is allowed), so a stage's
  // produced event is never dynamically mapped field by field.
  const stage = { properties: stageChainMappings };
  await client.indices.putMapping({
    index: `${options.indexPrefix}-*`, allow_no_indices: true,
    body: { properties: { stages: { properties: { RequestReceived: stage, ResponseStarted: stage, ResponseComplete: stage, Panic: stage } } } } as never,
  });
  if (options.mcpIndexPrefix !== undefined) {
    await client.indices.putIndexTemplate({ name: `${options.mcpIndexPrefix}-template`, body: mcpIndexTemplate({ ...options, mcpIndexPrefix: options.mcpIndexPrefix }) as never });
  }
  if (options.checkpointsIndex !== undefined) {
    await client.indices.putIndexTemplate({ name: `${options.checkpointsIndex}-template`, body: checkpointTemplate(options.checkpointsIndex, options) as never });
  }
  const plugins = (await client.cat.plugins({ format: 'json' })).body as unknown as Array<{ component?: string }>;
  if (!plugins.some((p) => p.component === 'opensearch-index-management')) {
    logger.info({ template }, 'OpenSearch has no Index Management (ISM) plugin: retention policy not applied; delete old daily indices by other means');
    return { template, ismPolicy: undefined };
  }
  const ismPolicy = `${options.indexPrefix}-retention`;
  const response = await client.transport.request({
    method: 'PUT', path: `/_plugins/_ism/policies/${encodeURIComponent(ismPolicy)}`, body: retentionPolicy(options.indexPrefix, options.retentionDays, options.mcpIndexPrefix === undefined ? [] : [options.mcpIndexPrefix]),
  }, { ignore: [409] });
  logger.info({ template, ismPolicy, status: response.statusCode }, response.statusCode === 409 ? 'ISM retention policy already present' : 'ISM retention policy applied');
  return { template, ismPolicy };
}
