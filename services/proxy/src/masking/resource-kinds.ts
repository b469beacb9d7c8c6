const KIND_BY_RESOURCE: Readonly<Record<string, string>> = {
  secrets: 'Secret',
  configmaps: 'ConfigMap',
  pods: 'Pod',
  podtemplates: 'PodTemplate',
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  replicasets: 'ReplicaSet',
  replicationcontrollers: 'ReplicationController',
  jobs: 'Job',
  cronjobs: 'CronJob',
  tokenreviews: 'TokenReview',
};

// Subresources whose body is of another kind than their resource.
const KIND_BY_SUBRESOURCE: Readonly<Record<string, string>> = {
  'serviceaccounts/token': 'TokenRequest',
};

/** Kinds with a bearer token in a known field (TokenRequest `status.token`, TokenReview `spec.token`). */
const TOKEN_KINDS: ReadonlySet<string> = new Set(['TokenRequest', 'TokenReview']);

const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * The kind masking uses for a resource hint (`secrets`, `pods/ephemeralcontainers`, `serviceaccounts/token`, or a
 * kind such as `Secret`).
 */
export function kindForResource(hint: string | undefined): string | undefined {
  if (hint === undefined || hint === '') return undefined;
  const bySubresource = KIND_BY_SUBRESOURCE[hint.toLowerCase()];
  if (bySubresource !== undefined) return bySubresource;
  const slash = hint.indexOf('/');
  const resource = slash === -1 ? hint : hint.slice(0, slash);
  return KIND_BY_RESOURCE[resource.toLowerCase()] ?? (Object.hasOwn(POD_SPEC_PATHS, resource) ||
    resource === 'Secret' || resource === 'ConfigMap' || TOKEN_KINDS.has(resource) ? resource : undefined);
}

/** Where the pod spec sits inside an object of `kind`, or undefined when the kind has none. */
export function podSpecPath(kind: string): readonly string[] | undefined {
  return Object.hasOwn(POD_SPEC_PATHS, kind) ? POD_SPEC_PATHS[kind] : undefined;
}

/** True for kinds whose content masking inspects (so their last-applied annotation is worth parsing). */
export function isMaskableKind(kind: string | undefined): boolean {
  return kind === undefined || kind === 'Secret' || kind === 'ConfigMap' || kind === 'PartialObjectMetadata' ||
    Object.hasOwn(POD_SPEC_PATHS, kind) || TOKEN_KINDS.has(kind);
}
