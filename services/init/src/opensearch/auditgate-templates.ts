import { alertsIndexTemplate, alertsTemplateName, eventsIndexTemplate, eventsTemplateName } from '@auditgate/shared';
import type { TemplateSettings } from '../config/init-config.js';

/** One composable index template to install: its name and body. */
export interface NamedTemplate { readonly name: string; readonly body: Record<string, unknown> }

/** The index templates of Auditgate's event and alert indices, the very ones the indexer and detector install. */
export function auditgateTemplates(settings: TemplateSettings): NamedTemplate[] {
  const { eventsPrefix, alertsPrefix, shards, replicas, refreshInterval } = settings;
  return [
    { name: eventsTemplateName(eventsPrefix), body: eventsIndexTemplate({ indexPrefix: eventsPrefix, refreshInterval, shards, replicas }) },
    { name: alertsTemplateName(alertsPrefix), body: alertsIndexTemplate(alertsPrefix) },
  ];
}
