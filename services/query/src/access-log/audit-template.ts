const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/** The index template of the self-audit indices `<prefix>-YYYY.MM`: explicit mappings and the `<prefix>` alias. */
export function auditTemplate(prefix: string): Record<string, unknown> {
  return {
    index_patterns: [`${prefix}-*`],
    priority: 200,
    template: {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        dynamic: 'strict',
        properties: {
          '@timestamp': { type: 'date' }, id: keyword,
          username: keyword, issuer: keyword, roles: keyword, sourceIp: keyword, userAgent: keyword,
          method: keyword, route: keyword, path: { ...keyword, ignore_above: 4096 },
          params: { type: 'flat_object' }, format: keyword,
          outcome: keyword, status: { type: 'integer' }, results: { type: 'long' }, durationMs: { type: 'long' },
          errorCode: keyword, completedAt: { type: 'date' },
        },
      },
      aliases: { [prefix]: {} },
    },
    _meta: { owner: 'auditgate-query', layout: 1 },
  };
}

/** Monthly self-audit index of an instant: `<prefix>-YYYY.MM` (UTC). */
export function auditIndexName(prefix: string, at: number): string {
  const d = new Date(at);
  return `${prefix}-${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
