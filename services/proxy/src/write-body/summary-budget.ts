/**
 * Caps of a write summary (see `summarizeWrite`): strings longer than `maxStringChars` are replaced by a note of their
 * length; lists and maps keep their first `maxItems` entries; copies of free-form values stop at `maxDepth`; and all
 * strings (keys and values) together stay under `maxChars`, so a summary is at most about 100 KiB of JSON.
 */
export const SUMMARY_LIMITS = { maxStringChars: 1024, maxItems: 64, maxDepth: 6, maxChars: 64 * 1024 } as const;

// Keys whose values are secret-bearing or bulky and never change authority: left out of free-form copies.
const LEFT_OUT: ReadonlySet<string> = new Set(['env', 'envFrom', 'data', 'stringData', 'binaryData', 'caBundle', 'managedFields']);

/** The characters a summary may still spend, and whether any cap has cut something. */
export interface SummaryBudget {
  chars: number;
  capped: boolean;
}

/** A fresh budget of {@link SUMMARY_LIMITS.maxChars}. */
export function newSummaryBudget(): SummaryBudget {
  return { chars: SUMMARY_LIMITS.maxChars, capped: false };
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` when it is a string within the caps; a note of its length when too long; undefined when the budget is spent. */
export function boundedString(budget: SummaryBudget, value: string): string | undefined {
  const text = value.length <= SUMMARY_LIMITS.maxStringChars ? value : `<auditgate: ${value.length} characters left out>`;
  if (text !== value) budget.capped = true;
  if (text.length > budget.chars) {
    budget.capped = true;
    return undefined;
  }
  budget.chars -= text.length;
  return text;
}

/**
 * A bounded copy of a JSON value: scalars as they are (within the caps), lists and maps cut at `maxItems`, nesting cut
 * at `maxDepth`, secret-bearing keys (env, data, stringData, caBundle, ...) left out. Undefined when nothing fits.
 */
export function boundedCopy(budget: SummaryBudget, value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return boundedString(budget, value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return spend(budget, 4) ? value : undefined;
  if (typeof value !== 'object' || depth >= SUMMARY_LIMITS.maxDepth || !spend(budget, 2)) {
    budget.capped ||= typeof value === 'object';
    return undefined;
  }
  if (Array.isArray(value)) {
    if (value.length > SUMMARY_LIMITS.maxItems) budget.capped = true;
    const out: unknown[] = [];
    for (const item of value.slice(0, SUMMARY_LIMITS.maxItems)) {
      const copy = boundedCopy(budget, item, depth + 1);
      if (copy !== undefined) out.push(copy);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [key, item] of Object.entries(value)) {
    if (LEFT_OUT.has(key)) continue;
    if (n++ >= SUMMARY_LIMITS.maxItems) { budget.capped = true; break; }
    setBoundedField(budget, out, key, boundedCopy(budget, item, depth + 1));
  }
  return out;
}

/** Sets `target[key] = value` (a bounded key; nothing when `value` is undefined), safe for `__proto__`. */
export function setBoundedField(budget: SummaryBudget, target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) return;
  if (key.length > SUMMARY_LIMITS.maxStringChars || !spend(budget, key.length)) {
    budget.capped = true;
    return;
  }
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies each of `keys` present in `source` into `target`, bounded. */
export function copyFields(budget: SummaryBudget, target: Record<string, unknown>, source: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) if (Object.hasOwn(source, key)) setBoundedField(budget, target, key, boundedCopy(budget, source[key]));
}

function spend(budget: SummaryBudget, chars: number): boolean {
  if (chars > budget.chars) {
    budget.capped = true;
    return false;
  }
  budget.chars -= chars;
  return true;
}
