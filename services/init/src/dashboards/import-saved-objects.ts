import { AppError, ErrorCodes } from '@auditgate/shared';

/** Result of a Dashboards saved-objects import. */
export interface ImportResult { readonly success: boolean; readonly successCount: number; readonly errors?: unknown[] }

function failed(message: string, retriable: boolean, extra: { cause?: unknown; details?: Record<string, unknown> } = {}): AppError {
  return new AppError(`saved objects import: ${message}`, { code: ErrorCodes.DASHBOARDS_IMPORT_FAILED, retriable, ...extra });
}

/**
 * Imports an NDJSON export into OpenSearch Dashboards (`POST /api/saved_objects/_import?overwrite=true`), so running
 * it twice leaves one copy of each object. Throws `DASHBOARDS_IMPORT_FAILED`: retriable when Dashboards cannot be
 * reached or answers 429/5xx (still starting), not when it refuses the file or reports per-object errors.
 */
export async function importSavedObjects(fetchFn: typeof fetch, dashboardsUrl: string, ndjson: string): Promise<ImportResult> {
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'auditgate.ndjson');
  let response: Response;
  try {
    response = await fetchFn(new URL('/api/saved_objects/_import?overwrite=true', dashboardsUrl), {
      method: 'POST', headers: { 'osd-xsrf': 'true' }, body: form,
    });
  } catch (cause) {
    throw failed((cause as Error).message, true, { cause });
  }
  const text = await response.text();
  if (!response.ok) throw failed(`${response.status} ${text}`, response.status === 429 || response.status >= 500, { details: { status: response.status } });
  let result: ImportResult;
  try {
    result = JSON.parse(text) as ImportResult;
  } catch (cause) {
    throw failed(`answer is not JSON: ${text.slice(0, 200)}`, false, { cause });
  }
  if (!result.success) throw failed(`reported errors: ${JSON.stringify(result.errors)}`, false, { details: { errors: result.errors ?? [] } });
  return result;
}
