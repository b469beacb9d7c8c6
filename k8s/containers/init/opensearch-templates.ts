import { indexTemplate } from '../../../services/indexer/src/search/index-template.js';
import { alertsIndexTemplate, alertsTemplateName } from '../../../shared/src/opensearch/alerts-index-template.js';

/** One composable index template to install: its name and body. */
export interface NamedTemplate { readonly name: string; readonly body: Record<string, unknown> }

/** Settings of the templates the init job installs (the same knobs the indexer and detector read). */
export interface TemplateOptions {
  readonly eventsPrefix: string;
  readonly alertsPrefix: string;
  readonly shards: number;
  readonly replicas: number;
  readonly refreshInterval: string;
}

/** The index templates of Auditgate's indices, built by the services' own code (never a copy that could drift). */
export function auditgateTemplates(o: TemplateOptions): NamedTemplate[] {
  return [
    { name: `${o.eventsPrefix}-template`, body: indexTemplate({ indexPrefix: o.eventsPrefix, refreshInterval: o.refreshInterval, shards: o.shards, replicas: o.replicas }) },
    { name: alertsTemplateName(o.alertsPrefix), body: alertsIndexTemplate(o.alertsPrefix) },
  ];
}

/** PUTs each template to `opensearchUrl` (idempotent); throws with OpenSearch's answer on a non-2xx. */
export async function putTemplates(fetchFn: typeof fetch, opensearchUrl: string, templates: readonly NamedTemplate[]): Promise<void> {
  for (const t of templates) {
    const response = await fetchFn(new URL(`/_index_template/${encodeURIComponent(t.name)}`, opensearchUrl), {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t.body),
    });
    if (!response.ok) throw new Error(`PUT _index_template/${t.name}: ${response.status} ${await response.text()}`);
  }
}
