import { POD_SPEC_PATHS, summarizeItems, summarizePodSpec } from './summarize-pod-spec.js';
import { summarizeJsonPatch } from './summarize-json-patch.js';
import {
  boundedCopy, boundedString, copyFields, isRecord, newSummaryBudget, setBoundedField, SUMMARY_LIMITS, type SummaryBudget,
} from './summary-budget.js';

/** A bounded stand-in for a write body too large to record whole. */
export interface WriteSummary {
  /**
   * The body's identity and what it changes in authority, each at its own path in the body (so a rule reads
   * `roleRef.name` from a summary as from the whole object); for a JSON patch, a list of operations. Not masked.
   */
  readonly object: unknown;
  /** A cap of {@link SUMMARY_LIMITS} cut something the summary would otherwise have kept. */
  readonly capped: boolean;
}

// Fields copied whole (bounded) from the top level: RBAC, and the Secret type (service-account-token mints a token).
const AUTHORITY_FIELDS = ['roleRef', 'subjects', 'rules', 'aggregationRule', 'type'] as const;
const WEBHOOK_FIELDS = ['name', 'clientConfig', 'rules', 'failurePolicy', 'matchPolicy', 'namespaceSelector', 'objectSelector',
  'matchConditions', 'sideEffects', 'timeoutSeconds', 'reinvocationPolicy'] as const;
// TokenRequest (audiences, expirationSeconds, boundObjectRef) and CertificateSigningRequest (signerName, usages,
// expirationSeconds) spec fields.
const SPEC_FIELDS = ['audiences', 'expirationSeconds', 'boundObjectRef', 'signerName', 'usages'] as const;
// Annotation values kept (bounded) beside the keys: they say which service account a token Secret is for.
const ANNOTATION_VALUES: ReadonlySet<string> = new Set(['kubernetes.io/service-account.name']);

/**
 * Summarizes a decoded write body too large to record (pure; caps in {@link SUMMARY_LIMITS}, about 100 KiB of JSON at
 * most): apiVersion, kind, metadata name/namespace/generateName/labels and annotation keys (values null), and what
 * changes authority: roleRef, subjects, rules, aggregationRule, webhooks (name, clientConfig without caBundle, rules,
 * failurePolicy, selectors, ...), the pod spec of workloads (service account, host namespaces, hostPath volumes,
 * containers' name, image, command, args and privilege), TokenRequest and CSR spec fields, a Secret's type. Works on
 * whole objects and on merge/apply patches alike (paths, not kinds, decide); a JSON patch keeps its authority
 * operations with their values. The caller masks the summary before recording it (args and command may hold secrets).
 */
export function summarizeWrite(object: unknown): WriteSummary {
  const budget = newSummaryBudget();
  let summary: unknown;
  if (Array.isArray(object)) summary = summarizeJsonPatch(budget, object, summarizeObject);
  else if (isRecord(object)) summary = summarizeObject(budget, object);
  else summary = boundedCopy(budget, object) ?? null;
  return { object: summary, capped: budget.capped };
}

function summarizeObject(budget: SummaryBudget, object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  copyFields(budget, out, object, ['apiVersion', 'kind']);
  const metadata = isRecord(object['metadata']) ? object['metadata'] : undefined;
  const meta: Record<string, unknown> = {};
  if (metadata !== undefined) {
    copyFields(budget, meta, metadata, ['name', 'namespace', 'generateName']);
    setBoundedField(budget, out, 'metadata', meta);
  }
  copyFields(budget, out, object, AUTHORITY_FIELDS);
  const webhooks = object['webhooks'];
  if (Array.isArray(webhooks)) setBoundedField(budget, out, 'webhooks', summarizeItems(budget, webhooks, summarizeWebhook));
  summarizeSpecs(budget, object, out);
  if (metadata !== undefined) {
    copyFields(budget, meta, metadata, ['labels']);
    const annotations = metadata['annotations'];
    if (isRecord(annotations)) setBoundedField(budget, meta, 'annotations', annotationKeys(budget, annotations));
  }
  return out;
}

function summarizeWebhook(budget: SummaryBudget, webhook: unknown): unknown {
  if (!isRecord(webhook)) return undefined;
  const out: Record<string, unknown> = {};
  copyFields(budget, out, webhook, WEBHOOK_FIELDS);
  return out;
}

/** TokenRequest/CSR spec fields, then the pod spec at each workload path, each written at its own path in `out`. */
function summarizeSpecs(budget: SummaryBudget, object: Record<string, unknown>, out: Record<string, unknown>): void {
  const spec = object['spec'];
  if (isRecord(spec)) {
    const fields: Record<string, unknown> = {};
    copyFields(budget, fields, spec, SPEC_FIELDS);
    if (Object.keys(fields).length > 0) placeAt(budget, out, ['spec'], fields);
  }
  for (const path of POD_SPEC_PATHS) {
    let node: unknown = object;
    for (const segment of path) node = isRecord(node) ? node[segment] : undefined;
    const summary = summarizePodSpec(budget, node);
    if (summary !== undefined) placeAt(budget, out, path, summary);
  }
}

/** Merges `fields` into the object at `path` under `out`, creating the objects on the way. */
function placeAt(budget: SummaryBudget, out: Record<string, unknown>, path: readonly string[], fields: Record<string, unknown>): void {
  let node = out;
  for (const segment of path) {
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (isRecord(next)) { node = next; continue; }
    const created: Record<string, unknown> = {};
    setBoundedField(budget, node, segment, created);
    if (node[segment] !== created) return;
    node = created;
  }
  for (const [key, value] of Object.entries(fields)) Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Annotation keys with null values (values can be large or secret: last-applied holds the whole object). */
function annotationKeys(budget: SummaryBudget, annotations: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(annotations);
  if (keys.length > SUMMARY_LIMITS.maxItems) budget.capped = true;
  for (const key of keys.slice(0, SUMMARY_LIMITS.maxItems)) {
    const value = annotations[key];
    const kept = ANNOTATION_VALUES.has(key) && typeof value === 'string' ? boundedString(budget, value) ?? null : null;
    setBoundedField(budget, out, key, kept);
  }
  return out;
}
