const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const date = { type: 'date' } as const;

/**
 * Index template of the detector's monthly alert indices `<prefix>-YYYY.MM`: keyword mappings for what analysts filter
 * on and the triage the query service writes (installed by the query service, low priority, so a template of the
 * detector's own wins).
 */
export function alertsTemplate(prefix: string): Record<string, unknown> {
  return {
    index_patterns: [`${prefix}-*`],
    priority: 50,
    template: {
      mappings: {
        dynamic: 'true',
        dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } }],
        properties: {
          id: keyword, dedupKey: keyword, rule: keyword, title: { type: 'text', fields: { keyword } }, ruleSource: keyword,
          severity: keyword, actor: keyword, onBehalfOf: keyword, evidence: keyword, cluster: keyword,
          firstSeen: date, lastSeen: date, '@timestamp': date, count: { type: 'long' }, summary: { type: 'text' }, link: keyword,
          details: { type: 'object', enabled: false },
          target: { properties: { apiGroup: keyword, resource: keyword, subresource: keyword, namespace: keyword, name: keyword, verb: keyword, requestURI: keyword } },
          triage: {
            properties: {
              status: keyword,
              history: { properties: { action: keyword, by: keyword, at: date, note: { type: 'text' } } },
            },
          },
        },
      },
    },
    _meta: { owner: 'auditgate-query', layout: 1 },
  };
}
