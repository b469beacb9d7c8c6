/** The Node.js flags a service is deployed with, so the benchmarks measure the process users run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

interface EnvVar { name?: unknown; value?: unknown }

/**
 * NODE_OPTIONS of the `service` container in k8s/base/<service>.yaml, its Deployment or StatefulSet ('' when it sets
 * none).
 */
export function deployedNodeOptions(root: string, service: 'proxy' | 'indexer' | 'detector' | 'query'): string {
  for (const doc of parseAllDocuments(readFileSync(join(root, 'k8s', 'base', `${service}.yaml`), 'utf8'))) {
    const object = doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Array<{ name?: string; env?: EnvVar[] }> } } } } | null;
    if (object?.kind !== 'Deployment' && object?.kind !== 'StatefulSet') continue;
    const container = object.spec?.template?.spec?.containers?.find((c) => c.name === service);
    if (container === undefined) continue;
    const value = container.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
    return typeof value === 'string' ? value : '';
  }
  throw new Error(`k8s/base/${service}.yaml has no Deployment or StatefulSet with a container named ${service}`);
}
