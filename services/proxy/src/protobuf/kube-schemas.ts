import { mutatingWebhookConfigurationSchema, validatingWebhookConfigurationSchema } from './admission-schemas.js';
import { selfSubjectReviewSchema, tokenRequestSchema, tokenReviewSchema } from './authentication-schemas.js';
import { selfSubjectAccessReviewSchema, selfSubjectRulesReviewSchema, subjectAccessReviewSchema } from './authorization-schemas.js';
import { certificateSigningRequestSchema } from './certificates-schemas.js';
import { namespaceSchema, serviceAccountSchema } from './core-schemas.js';
import { flag, int, str, strs } from './field-specs.js';
import { messageField, messageSchema, type MessageSchema } from './message-schema.js';
import { deleteOptionsSchema, metadata } from './meta-schemas.js';
import { bindingSchema, clusterRoleSchema, roleSchema } from './rbac-schemas.js';

export { objectMetaSchema } from './meta-schemas.js';

// Field numbers from k8s.io/api v0.36.3 core/v1 and apps, batch generated.proto; JSON names and omitempty from types.go.

/** core/v1 Secret, every field. */
export const secretSchema = messageSchema({
  1: metadata, 2: { name: 'data', type: 'bytesMap' }, 3: str('type'), 4: { name: 'stringData', type: 'stringMap' }, 5: flag('immutable'),
});

/** core/v1 ConfigMap, every field. */
export const configMapSchema = messageSchema({
  1: metadata, 2: { name: 'data', type: 'stringMap' }, 3: { name: 'binaryData', type: 'bytesMap' }, 4: flag('immutable'),
});

/** Any object with ObjectMeta at field 1: the metadata only. */
export const metadataOnlySchema = messageSchema({ 1: metadata });

// Secret/ConfigMap key selectors embed LocalObjectReference{name=1} at field 1; JSON inlines it.
const localObjectReference = messageSchema({ 1: str('name') });
const embeddedName = messageField('', localObjectReference, { inline: true });
const keySelector = messageSchema({ 1: embeddedName, 2: str('key', true), 3: flag('optional') });
const envVarSource = messageSchema({ 3: messageField('configMapKeyRef', keySelector), 4: messageField('secretKeyRef', keySelector) });
const envVar = messageSchema({ 1: str('name', true), 2: str('value'), 3: messageField('valueFrom', envVarSource) });
const envSourceRef = messageSchema({ 1: embeddedName, 2: flag('optional') });
const envFromSource = messageSchema({
  1: str('prefix'), 2: messageField('configMapRef', envSourceRef), 3: messageField('secretRef', envSourceRef),
});

/** core/v1 SecurityContext: the fields that grant or give up privilege. */
const securityContext = messageSchema({
  1: messageField('capabilities', messageSchema({ 1: strs('add'), 2: strs('drop') })),
  2: flag('privileged'), 4: int('runAsUser', true), 5: flag('runAsNonRoot'), 7: flag('allowPrivilegeEscalation'),
  8: int('runAsGroup', true), 9: str('procMount'),
});

/**
 * core/v1 Container: the fields that can carry or reference secrets, and the security context's privilege fields
 * (EphemeralContainerCommon has the same numbers).
 */
const containerFields = {
  1: str('name', true), 2: str('image'), 3: strs('command'), 4: strs('args'),
  7: messageField('env', envVar, { repeated: true }), 19: messageField('envFrom', envFromSource, { repeated: true }),
  15: messageField('securityContext', securityContext),
};
const container = messageSchema(containerFields);
const ephemeralContainer = messageSchema({
  1: messageField('', container, { inline: true }), 2: str('targetContainerName'),
});

// core/v1 Volume {name=1, VolumeSource=2 (inlined in JSON)}: the sources that reach the node or hold credentials.
const volumeSource = messageSchema({
  1: messageField('hostPath', messageSchema({ 1: str('path', true), 2: str('type', true) })),
  6: messageField('secret', messageSchema({ 1: str('secretName'), 4: flag('optional') })),
  19: messageField('configMap', messageSchema({ 1: embeddedName, 4: flag('optional') })),
});
const volume = messageSchema({ 1: str('name', true), 2: messageField('', volumeSource, { inline: true }) });

/** core/v1 PodSpec: the container lists, the volumes, the service account, the node, and the host namespaces. */
export const podSpecSchema = messageSchema({
  1: messageField('volumes', volume, { repeated: true }),
  2: messageField('containers', container, { repeated: true }),
  20: messageField('initContainers', container, { repeated: true }),
  34: messageField('ephemeralContainers', ephemeralContainer, { repeated: true }),
  8: str('serviceAccountName'), 9: str('serviceAccount'), 21: flag('automountServiceAccountToken'), 10: str('nodeName'),
  11: flag('hostNetwork', false), 12: flag('hostPID', false), 13: flag('hostIPC', false),
});

/** core/v1 PodTemplateSpec {metadata=1, spec=2}. */
const podTemplateSpec = messageSchema({ 1: metadata, 2: messageField('spec', podSpecSchema) });
const template = (n: number): MessageSchema => messageSchema({ [n]: messageField('template', podTemplateSpec) });
/** A top-level object whose spec (field 2) holds the pod template at field `n`. */
const specWithTemplate = (n: number): MessageSchema => messageSchema({ 1: metadata, 2: messageField('spec', template(n)) });

const jobSpec = template(6);

/** A known kind: its schema, and whether every field of the kind is in it. */
export interface KubeSchema {
  readonly schema: MessageSchema;
  /** Every field of the kind is known (so a body without skipped fields was decoded whole). */
  readonly complete: boolean;
}

/**
 * Schemas by `apiVersion/kind`; `*\/kind` matches any apiVersion (DeleteOptions, which clients send in the group
 * version of the resource they delete). `complete` marks kinds whose every field is known.
 */
export const kubeSchemas: ReadonlyMap<string, KubeSchema> = new Map<string, KubeSchema>([
  ['v1/Secret', { schema: secretSchema, complete: true }],
  ['v1/ConfigMap', { schema: configMapSchema, complete: true }],
  ['v1/Pod', { schema: messageSchema({ 1: metadata, 2: messageField('spec', podSpecSchema) }), complete: false }],
  ['v1/PodTemplate', { schema: messageSchema({ 1: metadata, 2: messageField('template', podTemplateSpec) }), complete: false }],
  ['v1/ReplicationController', { schema: specWithTemplate(3), complete: false }],
  ['apps/v1/Deployment', { schema: specWithTemplate(3), complete: false }],
  ['apps/v1/StatefulSet', { schema: specWithTemplate(3), complete: false }],
  ['apps/v1/ReplicaSet', { schema: specWithTemplate(3), complete: false }],
  ['apps/v1/DaemonSet', { schema: specWithTemplate(2), complete: false }],
  ['batch/v1/Job', { schema: messageSchema({ 1: metadata, 2: messageField('spec', jobSpec) }), complete: false }],
  ['batch/v1/CronJob', {
    schema: messageSchema({
      1: metadata,
      2: messageField('spec', messageSchema({ 5: messageField('jobTemplate', messageSchema({ 1: metadata, 2: messageField('spec', jobSpec) })) })),
    }),
    complete: false,
  }],
  ['v1/ServiceAccount', { schema: serviceAccountSchema, complete: true }],
  ['v1/Namespace', { schema: namespaceSchema, complete: true }],
  ['rbac.authorization.k8s.io/v1/Role', { schema: roleSchema, complete: true }],
  ['rbac.authorization.k8s.io/v1/ClusterRole', { schema: clusterRoleSchema, complete: true }],
  ['rbac.authorization.k8s.io/v1/RoleBinding', { schema: bindingSchema, complete: true }],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', { schema: bindingSchema, complete: true }],
  ['authentication.k8s.io/v1/TokenRequest', { schema: tokenRequestSchema, complete: true }],
  ['authentication.k8s.io/v1/TokenReview', { schema: tokenReviewSchema, complete: true }],
  ['authentication.k8s.io/v1/SelfSubjectReview', { schema: selfSubjectReviewSchema, complete: true }],
  ['authorization.k8s.io/v1/SelfSubjectAccessReview', { schema: selfSubjectAccessReviewSchema, complete: true }],
  ['authorization.k8s.io/v1/SelfSubjectRulesReview', { schema: selfSubjectRulesReviewSchema, complete: true }],
  ['authorization.k8s.io/v1/SubjectAccessReview', { schema: subjectAccessReviewSchema, complete: true }],
  ['authorization.k8s.io/v1/LocalSubjectAccessReview', { schema: subjectAccessReviewSchema, complete: true }],
  ['certificates.k8s.io/v1/CertificateSigningRequest', { schema: certificateSigningRequestSchema, complete: true }],
  ['admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration', { schema: validatingWebhookConfigurationSchema, complete: true }],
  ['admissionregistration.k8s.io/v1/MutatingWebhookConfiguration', { schema: mutatingWebhookConfigurationSchema, complete: true }],
  ['*/DeleteOptions', { schema: deleteOptionsSchema, complete: true }],
]);

/** The schema for a body's `apiVersion` and `kind`, or undefined when the kind is not known. */
export function schemaFor(apiVersion: string, kind: string): KubeSchema | undefined {
  return kubeSchemas.get(`${apiVersion}/${kind}`) ?? kubeSchemas.get(`*/${kind}`);
}
