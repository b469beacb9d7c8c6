export { alertsIndexMappings, alertsIndexTemplate, alertsTemplateName } from './alerts-index-template.js';
export { installAlertsIndexTemplate, type IndexTemplateClient } from './install-alerts-index-template.js';
