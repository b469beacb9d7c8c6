/** A saved object of an OpenSearch Dashboards NDJSON export, as far as field checks need it. */
export interface SavedObject {
  readonly type: string;
  readonly id: string;
  readonly attributes: Record<string, unknown>;
  readonly references?: ReadonlyArray<{ readonly name: string; readonly type: string; readonly id: string }>;
  readonly migrationVersion?: Record<string, string>;
}

/** One field a saved object uses; `aggregatable` when it is sorted or aggregated on. */
export interface FieldRef {
  readonly objectId: string;
  /** Title of the index pattern the field is resolved against. */
  readonly indexPattern: string;
  readonly field: string;
  readonly where: string;
  readonly aggregatable: boolean;
}

/** What an index offers: searchable fields, and those that can be sorted or aggregated on. */
export interface FieldCaps { readonly searchable: ReadonlySet<string>; readonly aggregatable: ReadonlySet<string> }

/** Parses NDJSON text into saved objects (blank lines skipped). */
export function parseNdjson(text: string): SavedObject[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as SavedObject);
}

/** Field names of a KQL or Lucene query (`field:value`, `field:(a or b)`, `field >= 3`); quoted values ignored. */
export function queryFields(query: string): string[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([A-Za-z_@][\w.@-]*)\s*(?::|<=|>=|<|>)/g)].map((m) => m[1]!);
}

function searchSource(o: SavedObject): { query?: { query?: unknown }; filter?: Array<{ meta?: { key?: string } }> } {
  const meta = o.attributes['kibanaSavedObjectMeta'] as { searchSourceJSON?: string } | undefined;
  return meta?.searchSourceJSON === undefined ? {} : JSON.parse(meta.searchSourceJSON) as ReturnType<typeof searchSource>;
}

/** Every field reference of every object: index-pattern time fields, columns, sort, queries, filters, agg fields. */
export function savedObjectFieldRefs(objects: readonly SavedObject[]): FieldRef[] {
  const patterns = new Map(objects.filter((o) => o.type === 'index-pattern').map((o) => [o.id, String(o.attributes['title'])]));
  const refs: FieldRef[] = [];
  for (const o of objects) {
    if (o.type === 'index-pattern') {
      const time = o.attributes['timeFieldName'];
      if (typeof time === 'string') refs.push({ objectId: o.id, indexPattern: String(o.attributes['title']), field: time, where: 'timeFieldName', aggregatable: true });
      continue;
    }
    const patternId = o.references?.find((r) => r.type === 'index-pattern')?.id;
    const indexPattern = patternId === undefined ? undefined : patterns.get(patternId);
    if (indexPattern === undefined) {
      if (o.type === 'dashboard') continue;
      throw new Error(`${o.type} ${o.id} references no index pattern of this export`);
    }
    const add = (field: string, where: string, aggregatable: boolean): void => { refs.push({ objectId: o.id, indexPattern, field, where, aggregatable }); };
    for (const c of (o.attributes['columns'] as string[] | undefined) ?? []) add(c, 'columns', false);
    for (const s of (o.attributes['sort'] as string[][] | undefined) ?? []) if (s[0] !== undefined) add(s[0], 'sort', true);
    const source = searchSource(o);
    if (typeof source.query?.query === 'string') for (const f of queryFields(source.query.query)) add(f, 'query', false);
    for (const f of source.filter ?? []) if (f.meta?.key !== undefined) add(f.meta.key, 'filter', false);
    if (typeof o.attributes['visState'] === 'string') {
      const vis = JSON.parse(o.attributes['visState']) as { aggs?: Array<{ type: string; params?: { field?: string } }> };
      for (const agg of vis.aggs ?? []) if (agg.params?.field !== undefined) add(agg.params.field, `visState.aggs(${agg.type})`, true);
    }
  }
  return refs;
}

/** Problems of `refs` against the field caps of each index pattern; empty when every field exists and fits its use. */
export function checkFieldRefs(refs: readonly FieldRef[], capsOf: (indexPattern: string) => FieldCaps | undefined): string[] {
  const problems: string[] = [];
  for (const r of refs) {
    const caps = capsOf(r.indexPattern);
    const at = `${r.objectId} ${r.where}: "${r.field}" on ${r.indexPattern}`;
    if (caps === undefined) problems.push(`${at}: no mapping known for this index pattern`);
    else if (!caps.searchable.has(r.field)) problems.push(`${at}: not a mapped, searchable field`);
    else if (r.aggregatable && !caps.aggregatable.has(r.field)) problems.push(`${at}: not aggregatable (text or unindexed)`);
  }
  return problems;
}
