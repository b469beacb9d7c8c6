import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One API server audit event, as reconcile reads it (audit.k8s.io/v1 Event). */
export interface ApiServerEvent {
  readonly auditID: string;
  readonly stage: string;
  readonly verb?: string;
  readonly requestURI?: string;
  readonly userAgent?: string;
  readonly user?: { username?: string };
  readonly impersonatedUser?: { username?: string };
  readonly objectRef?: Record<string, string | undefined>;
  readonly responseStatus?: { code?: number };
  readonly requestReceivedTimestamp?: string;
}

type Obj = Record<string, unknown>;
const isEvent = (v: unknown): v is ApiServerEvent => typeof v === 'object' && v !== null && (v as Obj)['kind'] === 'Event' && typeof (v as Obj)['auditID'] === 'string';

/** The audit events inside one parsed value: an Event, a CloudWatch envelope (`message`), a subscription record (`logEvents`) or an export (`events`). */
function unwrap(value: unknown, out: ApiServerEvent[]): void {
  if (isEvent(value)) { out.push(value); return; }
  if (typeof value !== 'object' || value === null) return;
  const o = value as Obj;
  if (typeof o['message'] === 'string') { parseText(o['message'], out); return; }
  for (const key of ['logEvents', 'events', 'items']) {
    if (Array.isArray(o[key])) for (const item of o[key] as unknown[]) unwrap(item, out);
  }
}

/** Parses one line or message: JSON, or JSON after a leading timestamp (CloudWatch Logs exports to S3). */
function parseText(text: string, out: ApiServerEvent[]): void {
  const trimmed = text.trim();
  if (trimmed === '') return;
  const start = trimmed.indexOf('{');
  if (start < 0) return;
  try { unwrap(JSON.parse(trimmed.slice(start)) as unknown, out); } catch { /* a torn or foreign line */ }
}

/**
 * Reads API server audit events from `path`: the local kube-apiserver's log (JSON lines of Events), or EKS
 * control-plane audit logs exported from CloudWatch Logs (JSON lines with the CloudWatch envelope, whose `message`
 * holds the Event; subscription records with `logEvents`; `filter-log-events` output with `events`; or lines of
 * `<timestamp> <Event JSON>`). A file that is one JSON document is read whole. Lines that are none of these are skipped.
 */
export async function readApiServerLog(path: string): Promise<ApiServerEvent[]> {
  const out: ApiServerEvent[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const pending: string[] = [];
  let whole = false;
  for await (const line of lines) {
    if (!whole && out.length === 0 && pending.length === 0 && line.trim() === '{') whole = true;
    if (whole) { pending.push(line); continue; }
    parseText(line, out);
  }
  if (whole) parseText(pending.join('\n'), out);
  return out;
}
