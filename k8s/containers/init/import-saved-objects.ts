/** Result of a Dashboards saved-objects import. */
export interface ImportResult { readonly success: boolean; readonly successCount: number; readonly errors: unknown[] }

/**
 * Imports an NDJSON export into OpenSearch Dashboards (`POST /api/saved_objects/_import?overwrite=true`), so running
 * it twice leaves one copy of each object. Throws when Dashboards answers non-2xx or reports per-object errors.
 */
export async function importSavedObjects(fetchFn: typeof fetch, dashboardsUrl: string, ndjson: string): Promise<ImportResult> {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'auditgate.ndjson');
  const response = await fetchFn(new URL('/api/saved_objects/_import?overwrite=true', dashboardsUrl), {
    method: 'POST', headers: { 'osd-xsrf': 'true' }, body: form,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`saved objects import: ${response.status} ${text}`);
  const result = JSON.parse(text) as ImportResult;
  if (!result.success) throw new Error(`saved objects import reported errors: ${JSON.stringify(result.errors)}`);
  return result;
}
