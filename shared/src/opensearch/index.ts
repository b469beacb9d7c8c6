export { alertsIndexMappings, alertsIndexTemplate, alertsTemplateName } from './alerts-index-template.js';
export { installAlertsIndexTemplate, type IndexTemplateClient } from './install-alerts-index-template.js';
export {
  EVENTS_LAYOUT_DEFAULTS, eventsIndexMappings, eventsIndexTemplate, eventsTemplateName, mcpScopeMappings, stageChainMappings, type EventsLayoutOptions,
} from './events-index-template.js';
