const keyword = { type: 'keyword', ignore_above: 1024 } as const;
const date = { type: 'date', format: 'strict_date_optional_time||epoch_millis' } as const;

/**
 * The explicit mappings of the alert indices: what the detector writes, plus the `triage` field the query service
 * owns. Unknown top-level fields stay in `_source` unindexed; `details` is stored, never mapped.
 */
export function alertsIndexMappings(): Record<string, unknown> {
  return {
    dynamic: false,
    // Only `triage` maps new fields; a string the query service adds there becomes a keyword, not analysed text.
    dynamic_templates: [{ strings_as_keywords: { match_mapping_type: 'string', mapping: keyword } }],
    properties: {
      id: keyword, dedupKey: keyword, rule: keyword, ruleSource: keyword, severity: keyword,
      title: { type: 'text', fields: { raw: keyword, keyword } },
      actor: keyword, onBehalfOf: keyword, cluster: keyword,
      technique: { properties: { id: keyword, name: keyword, url: { type: 'keyword', index: false } } },
      outcome: keyword, change: keyword, revision: { type: 'integer' },
      outcomes: { properties: { allowed: { type: 'integer' }, refused: { type: 'integer' }, forbidden: { type: 'integer' }, failed: { type: 'integer' }, pending: { type: 'integer' } } },
      target: {
        properties: {
          verb: keyword, requestURI: keyword, apiGroup: keyword, resource: keyword, subresource: keyword, namespace: keyword, name: keyword,
        },
      },
      evidence: keyword,
      firstSeen: date, lastSeen: date, '@timestamp': date,
      count: { type: 'integer' },
      summary: { type: 'text' },
      link: { type: 'keyword', index: false },
      details: { type: 'object', enabled: false },
      triage: {
        // The query service owns triage and may add fields to it: they are indexed as they come.
        dynamic: true,
        properties: {
          status: keyword,
          history: { type: 'object', properties: { action: keyword, by: keyword, at: date, note: { type: 'text' } } },
        },
      },
    },
  };
}

/**
 * The composable index template of `<indexPrefix>-*` (the detector's monthly alert indices `<indexPrefix>-YYYY.MM`).
 * The detector and the query service both install exactly this, so the first to start decides nothing.
 */
export function alertsIndexTemplate(indexPrefix: string): Record<string, unknown> {
  return {
    index_patterns: [`${indexPrefix}-*`],
    priority: 200,
    template: { settings: { number_of_shards: 1, 'query.default_field': ['summary', 'title', 'actor', 'rule'] }, mappings: alertsIndexMappings() },
    _meta: { owner: 'auditgate', layout: 3 },
  };
}

/** The name of the alert indices' template for `indexPrefix`. */
export function alertsTemplateName(indexPrefix: string): string { return `${indexPrefix}-template`; }
