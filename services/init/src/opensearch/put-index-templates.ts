import { AppError, ErrorCodes } from '@auditgate/shared';
import type { NamedTemplate } from './auditgate-templates.js';

/**
 * PUTs each template to `opensearchUrl` (idempotent). Throws `OPENSEARCH_UNAVAILABLE` (retriable) when OpenSearch
 * cannot be reached or answers 429/5xx, and `INDEX_REJECTED` with its answer when it refuses a template.
 */
export async function putIndexTemplates(fetchFn: typeof fetch, opensearchUrl: string, templates: readonly NamedTemplate[]): Promise<void> {
  for (const t of templates) {
    const what = `PUT _index_template/${t.name}`;
    let response: Response;
    try {
      response = await fetchFn(new URL(`/_index_template/${encodeURIComponent(t.name)}`, opensearchUrl), {
        method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t.body),
      });
    } catch (cause) {
      throw new AppError(`${what}: ${(cause as Error).message}`, { code: ErrorCodes.OPENSEARCH_UNAVAILABLE, retriable: true, cause });
    }
    if (response.ok) { await response.body?.cancel(); continue; }
    const text = await response.text();
    const retriable = response.status === 429 || response.status >= 500;
    throw new AppError(`${what}: ${response.status} ${text}`, {
      code: retriable ? ErrorCodes.OPENSEARCH_UNAVAILABLE : ErrorCodes.INDEX_REJECTED, retriable, details: { template: t.name, status: response.status },
    });
  }
}
