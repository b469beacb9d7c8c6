import { copyFields, isRecord, setBoundedField, SUMMARY_LIMITS, type SummaryBudget } from './summary-budget.js';

const POD_FIELDS = ['serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', 'nodeName', 'hostNetwork', 'hostPID', 'hostIPC'] as const;
const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
const CONTAINER_FIELDS = ['name', 'image', 'command', 'args', 'targetContainerName'] as const;
const SECURITY_FIELDS = ['privileged', 'allowPrivilegeEscalation', 'runAsUser', 'capabilities'] as const;

/** Where workloads keep their pod spec; the summary keeps each at its own path. */
export const POD_SPEC_PATHS: readonly (readonly string[])[] = [
  ['spec'], ['template', 'spec'], ['spec', 'template', 'spec'], ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
];

/**
 * What in a pod spec grants authority: the service account, the node, the host namespaces, hostPath volumes, and per
 * container its name, image, command, args and the privilege fields of its securityContext (never env). Undefined
 * when `spec` holds none of them (so the `spec` of other kinds yields nothing).
 */
export function summarizePodSpec(budget: SummaryBudget, spec: unknown): Record<string, unknown> | undefined {
  if (!isRecord(spec)) return undefined;
  const out: Record<string, unknown> = {};
  copyFields(budget, out, spec, POD_FIELDS);
  for (const list of CONTAINER_LISTS) {
    const containers = spec[list];
    if (Array.isArray(containers)) setBoundedField(budget, out, list, summarizeItems(budget, containers, summarizeContainer));
  }
  const volumes = spec['volumes'];
  if (Array.isArray(volumes)) {
    const hostPaths = volumes.filter((v) => isRecord(v) && Object.hasOwn(v, 'hostPath'));
    if (hostPaths.length > 0) setBoundedField(budget, out, 'volumes', summarizeItems(budget, hostPaths, (b, v) => {
      const volume: Record<string, unknown> = {};
      copyFields(b, volume, v as Record<string, unknown>, ['name', 'hostPath']);
      return volume;
    }));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function summarizeContainer(budget: SummaryBudget, container: unknown): unknown {
  if (!isRecord(container)) return undefined;
  const out: Record<string, unknown> = {};
  copyFields(budget, out, container, CONTAINER_FIELDS);
  const security = container['securityContext'];
  if (isRecord(security)) {
    const kept: Record<string, unknown> = {};
    copyFields(budget, kept, security, SECURITY_FIELDS);
    if (Object.keys(kept).length > 0) setBoundedField(budget, out, 'securityContext', kept);
  }
  return out;
}

/** The first `maxItems` items through `summarize`, dropping those it yields nothing for. */
export function summarizeItems(budget: SummaryBudget, items: readonly unknown[], summarize: (b: SummaryBudget, item: unknown) => unknown): unknown[] {
  if (items.length > SUMMARY_LIMITS.maxItems) budget.capped = true;
  const out: unknown[] = [];
  for (const item of items.slice(0, SUMMARY_LIMITS.maxItems)) {
    const summary = summarize(budget, item);
    if (summary !== undefined) out.push(summary);
  }
  return out;
}
