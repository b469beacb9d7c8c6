import { boundedCopy, boundedString, isRecord, setBoundedField, SUMMARY_LIMITS, type SummaryBudget } from './summary-budget.js';

// JSON-patch paths that change authority (RFC 6901; numeric segments are list positions): their values are kept.
const AUTHORITY_PATH = new RegExp([
  '^/(roleRef|subjects|rules|aggregationRule|webhooks|type)(/|$)',
  '^/metadata(/(name|namespace|generateName|labels)(/|$)|$)',
  '^/spec/(audiences|expirationSeconds|boundObjectRef|signerName|usages)(/|$)',
  '^(/(spec|template|jobTemplate))*(/(containers|initContainers|ephemeralContainers|serviceAccountName|serviceAccount|' +
    'automountServiceAccountToken|nodeName|hostNetwork|hostPID|hostIPC|volumes)(/|$)|$)',
].join('|'));

// Values under these never change authority and may be secret: such operations keep no value.
const SECRET_PATH = /\/(env|envFrom|data|stringData|binaryData|caBundle)(\/|$)/;

/** Summarizes a whole object (an operation on path "" replaces the whole body). */
export type ObjectSummarizer = (budget: SummaryBudget, object: Record<string, unknown>) => unknown;

/**
 * A bounded JSON patch (RFC 6902): the operations on authority paths with their values (bounded; env, data and the
 * like left out; a whole-object value summarized as an object), then the others without values, at most `maxItems`
 * in all, in their order in the patch.
 */
export function summarizeJsonPatch(budget: SummaryBudget, ops: readonly unknown[], summarizeObject: ObjectSummarizer): unknown[] {
  const authority: number[] = [];
  const other: number[] = [];
  ops.forEach((op, i) => {
    if (!isRecord(op)) return;
    const path = op['path'];
    (typeof path === 'string' && AUTHORITY_PATH.test(path) && !SECRET_PATH.test(path) ? authority : other).push(i);
  });
  const chosen = [...authority, ...other].slice(0, SUMMARY_LIMITS.maxItems);
  if (chosen.length < ops.length) budget.capped = true;
  const keepValue = new Set(authority);
  const out: unknown[] = [];
  for (const i of chosen.sort((a, b) => a - b)) {
    const op = ops[i] as Record<string, unknown>;
    const summary: Record<string, unknown> = {};
    for (const key of ['op', 'path', 'from']) {
      const value = op[key];
      if (typeof value === 'string') setBoundedField(budget, summary, key, boundedString(budget, value));
    }
    if (keepValue.has(i) && Object.hasOwn(op, 'value')) {
      const value = op['value'];
      setBoundedField(budget, summary, 'value', op['path'] === '' && isRecord(value) ? summarizeObject(budget, value) : boundedCopy(budget, value));
    }
    out.push(summary);
  }
  return out;
}
