/**
 * Every Secret value written to the cluster since a time, read from the API server's own audit log (the stack logs
 * every request at RequestResponse): the data and stringData of each Secret in a request or response body, patches
 * included. The log rotates; the files still on disk are read, and the caller learns whether they reach back far
 * enough to cover the whole window.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SecretValue } from './leak-needles.js';

/** What the audit log told about the window. */
export interface HarvestedSecrets {
  readonly values: SecretValue[];
  /** Audit entries read inside the window. */
  readonly entries: number;
  /** The earliest entry still on disk (ms), to tell whether the window is covered. */
  readonly oldestEntryMs: number | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function valuesOf(obj: unknown, out: Map<string, SecretValue>): void {
  if (!isObj(obj)) return;
  if (Array.isArray(obj['items'])) for (const item of obj['items']) valuesOf(item, out);
  const add = (key: string, value: string): void => { if (value !== '') out.set(`${key}\u0000${value}`, { key, value }); };
  if (isObj(obj['stringData'])) for (const [k, v] of Object.entries(obj['stringData'])) if (typeof v === 'string') add(k, v);
  if (isObj(obj['data'])) {
    for (const [k, v] of Object.entries(obj['data'])) {
      if (typeof v !== 'string') continue;
      const decoded = Buffer.from(v, 'base64');
      // Base64 of valid UTF-8 text is a value as a person wrote it; anything else is kept as its base64 text.
      const text = decoded.toString('utf8');
      add(k, Buffer.from(text, 'utf8').equals(decoded) && decoded.toString('base64') === v.replace(/\s/g, '') ? text : v);
    }
  }
}

/** The audit log and its rotated backups (`audit-<time>.log`), oldest first. */
async function logFiles(auditLog: string): Promise<string[]> {
  const dir = dirname(auditLog);
  const stem = basename(auditLog).replace(/\.log$/, '');
  const names = (await readdir(dir)).filter((n) => n.startsWith(`${stem}-`) && n.endsWith('.log')).sort();
  return [...names.map((n) => join(dir, n)), auditLog];
}

/** The time of the first entry of `file` (ms), if it has one (entries hold their bodies first: read up to 16 MB). */
async function firstEntryMs(file: string): Promise<number | undefined> {
  let text = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', end: 16 * 1024 * 1024 })) {
    text += chunk as string;
    const m = /"requestReceivedTimestamp":"([^"]+)"/.exec(text);
    if (m !== null) return Date.parse(m[1]!);
  }
  return undefined;
}

/** Secret values in the API server's audit log at or after `sinceMs`. */
export async function harvestSecretValues(auditLog: string, sinceMs: number): Promise<HarvestedSecrets> {
  const found = new Map<string, SecretValue>();
  let entries = 0;
  let oldest: number | undefined;
  for (const file of await logFiles(auditLog)) {
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) continue;
    // When the file was created is when it began (rotation renames keep it); else its first entry's time.
    const first = info.birthtimeMs > 0 ? info.birthtimeMs : await firstEntryMs(file).catch(() => undefined);
    if (first !== undefined && (oldest === undefined || first < oldest)) oldest = first;
    if (info.mtimeMs < sinceMs) continue;
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.includes('"secrets"')) continue;
      let event: Obj;
      try { event = JSON.parse(line) as Obj; } catch { continue; }
      if (!isObj(event['objectRef']) || event['objectRef']['resource'] !== 'secrets') continue;
      if (Date.parse(String(event['requestReceivedTimestamp'])) < sinceMs) continue;
      entries += 1;
      valuesOf(event['requestObject'], found);
      valuesOf(event['responseObject'], found);
    }
  }
  return { values: [...found.values()], entries, oldestEntryMs: oldest };
}
