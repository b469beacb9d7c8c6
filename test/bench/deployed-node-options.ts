/** The Node.js flags the proxy is deployed with, so the benchmark measures the process users run. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

interface EnvVar { name?: unknown; value?: unknown }

/** NODE_OPTIONS of the proxy container in k8s/base/proxy.yaml, its Deployment or StatefulSet ('' when it sets none). */
export function deployedProxyNodeOptions(root: string): string {
  for (const doc of parseAllDocuments(readFileSync(join(root, 'k8s', 'base', 'proxy.yaml'), 'utf8'))) {
    const object = doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: Array<{ name?: string; env?: EnvVar[] }> } } } } | null;
    if (object?.kind !== 'Deployment' && object?.kind !== 'StatefulSet') continue;
    const proxy = object.spec?.template?.spec?.containers?.find((c) => c.name === 'proxy');
    const value = proxy?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
    return typeof value === 'string' ? value : '';
  }
  throw new Error('k8s/base/proxy.yaml has no Deployment or StatefulSet with a container named proxy');
}
