import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';

/** What {@link seedAgentNamespace} created in the namespace. */
export interface SeededNamespace {
  readonly pod: string;
  readonly secret: string;
  /** The Secret's `password` value (prefixed `s3cr3t-`, so the Kafka plaintext scan looks for it). */
  readonly secretValue: string;
  /** The reason of the Event created about the pod. */
  readonly eventReason: string;
}

/** The node kwok simulates in the local stack. */
export const KWOK_NODE = 'kwok-node-0';

/**
 * With the admin kubeconfig, in `namespace`: a Role for service account `serviceAccount` (read pods, logs, events and
 * secrets; delete pods, so that a refused delete is the gateway's policy and not RBAC), its RoleBinding, a pod on the
 * kwok node (waited for until Running), a Secret and an Event about the pod. Cluster-scoped reads stay unbound.
 */
export async function seedAgentNamespace(namespace: string, serviceAccount: string): Promise<SeededNamespace> {
  const stack = readStackEnv(process.env);
  const admin = (args: string[], input?: string) => kubectl(stack, readKubeCredentials(stack).adminKubeconfig, ['-n', namespace, ...args], input);
  const seeded: SeededNamespace = {
    pod: 'web', secret: 'db', secretValue: `s3cr3t-${uniqueName('mcp')}`, eventReason: `AuditgateProbe${Date.now().toString(36)}`,
  };
  const read = ['get', 'list', 'watch'];
  const manifests = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'mcp-agent' },
      rules: [
        { apiGroups: [''], resources: ['pods', 'pods/log', 'events', 'secrets'], verbs: read },
        { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: read },
        { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'mcp-agent' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'mcp-agent' },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    },
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: seeded.pod, labels: { app: 'web' } },
      spec: { nodeName: KWOK_NODE, containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: seeded.secret }, type: 'Opaque', stringData: { password: seeded.secretValue } },
  ];
  await admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }));
  const uid = await waitFor(`pod ${seeded.pod} Running on ${KWOK_NODE}`, async () => {
    const pod = JSON.parse(await admin(['get', 'pod', seeded.pod, '-o', 'json'])) as { metadata: { uid: string }; status: { phase?: string } };
    return pod.status.phase === 'Running' ? pod.metadata.uid : undefined;
  }, 60_000);
  const now = new Date().toISOString();
  await admin(['create', '-f', '-'], JSON.stringify({
    apiVersion: 'v1', kind: 'Event', metadata: { name: `${seeded.pod}.probe` },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: seeded.pod, namespace, uid },
    reason: seeded.eventReason, message: 'created by the MCP integration test', type: 'Normal',
    source: { component: 'auditgate-test' }, firstTimestamp: now, lastTimestamp: now, count: 1,
  }));
  return seeded;
}
