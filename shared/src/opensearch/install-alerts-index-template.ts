import { alertsIndexTemplate, alertsTemplateName } from './alerts-index-template.js';

/** The part of an OpenSearch client that puts a composable index template (`@opensearch-project/opensearch` has it). */
export interface IndexTemplateClient {
  readonly indices: { putIndexTemplate(params: { name: string; body: never }): Promise<unknown> };
}

/**
 * Installs the alert indices' template (or overwrites it with the same content: idempotent, and the same whichever
 * service calls it first); resolves with its name. OpenSearch's errors propagate as the client throws them.
 */
export async function installAlertsIndexTemplate(client: IndexTemplateClient, indexPrefix: string): Promise<string> {
  const name = alertsTemplateName(indexPrefix);
  await client.indices.putIndexTemplate({ name, body: alertsIndexTemplate(indexPrefix) as never });
  return name;
}
