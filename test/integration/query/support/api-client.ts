import type { QueryTestbed } from './query-harness.js';

/** A JSON answer of the query API. */
export interface ApiAnswer { status: number; body: any; headers: Headers }

/** Calls the testbed's API with a token for `roles` (or `token` as given; '' for none). */
export async function callApi(bed: QueryTestbed, path: string, auth: { roles?: string[]; token?: string; username?: string } = {}, init: RequestInit = {}): Promise<ApiAnswer> {
  const token = auth.token ?? await bed.tokenFor(auth.roles ?? ['analyst'], auth.username);
  const res = await fetch(`${bed.baseUrl}${path}`, { ...init, headers: { ...(token === '' ? {} : { authorization: `Bearer ${token}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.headers as Record<string, string> | undefined) } });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* not JSON: keep the text */ }
  return { status: res.status, body, headers: res.headers };
}
