import { messageField, messageSchema, type FieldSpec, type MessageSchema } from './message-schema.js';

// Field numbers from k8s.io/api and k8s.io/apimachinery v0.36.3 generated.proto; JSON names and omitempty from types.go.
const str = (name: string, keepEmpty = false): FieldSpec => ({ name, type: 'string', keepEmpty });
const strs = (name: string): FieldSpec => ({ name, type: 'string', repeated: true });
const flag = (name: string): FieldSpec => ({ name, type: 'bool' });

/** meta/v1 OwnerReference. */
const ownerReference = messageSchema({
  1: str('kind', true), 3: str('name', true), 4: str('uid', true), 5: str('apiVersion', true),
  6: flag('controller'), 7: flag('blockOwnerDeletion'),
});

/** meta/v1 ManagedFieldsEntry (fieldsV1 is embedded JSON). */
const managedFieldsEntry = messageSchema({
  1: str('manager'), 2: str('operation'), 3: str('apiVersion'), 4: { name: 'time', type: 'time' },
  6: str('fieldsType'), 7: { name: 'fieldsV1', type: 'rawJson' }, 8: str('subresource'),
});

/** meta/v1 ObjectMeta, every field. */
export const objectMetaSchema = messageSchema({
  1: str('name'), 2: str('generateName'), 3: str('namespace'), 4: str('selfLink'), 5: str('uid'), 6: str('resourceVersion'),
  7: { name: 'generation', type: 'int64' },
  8: { name: 'creationTimestamp', type: 'time' },
  9: { name: 'deletionTimestamp', type: 'time' },
  10: { name: 'deletionGracePeriodSeconds', type: 'int64', keepEmpty: true },
  11: { name: 'labels', type: 'stringMap' },
  12: { name: 'annotations', type: 'stringMap' },
  13: messageField('ownerReferences', ownerReference, { repeated: true }),
  14: strs('finalizers'),
  17: messageField('managedFields', managedFieldsEntry, { repeated: true }),
});

const metadata = messageField('metadata', objectMetaSchema);

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

/** core/v1 Container: the fields that can carry or reference secrets (EphemeralContainerCommon has the same numbers). */
const containerFields = {
  1: str('name', true), 2: str('image'), 3: strs('command'), 4: strs('args'),
  7: messageField('env', envVar, { repeated: true }), 19: messageField('envFrom', envFromSource, { repeated: true }),
};
const container = messageSchema(containerFields);
const ephemeralContainer = messageSchema({
  1: messageField('', container, { inline: true }), 2: str('targetContainerName'),
});

/** core/v1 PodSpec: containers (2), initContainers (20), ephemeralContainers (34). */
export const podSpecSchema = messageSchema({
  2: messageField('containers', container, { repeated: true }),
  20: messageField('initContainers', container, { repeated: true }),
  34: messageField('ephemeralContainers', ephemeralContainer, { repeated: true }),
});

/** core/v1 PodTemplateSpec {metadata=1, spec=2}. */
const podTemplateSpec = messageSchema({ 1: metadata, 2: messageField('spec', podSpecSchema) });
const template = (n: number): MessageSchema => messageSchema({ [n]: messageField('template', podTemplateSpec) });
/** A top-level object whose spec (field 2) holds the pod template at field `n`. */
const specWithTemplate = (n: number): MessageSchema => messageSchema({ 1: metadata, 2: messageField('spec', template(n)) });

const jobSpec = template(6);

/** Schemas by `apiVersion/kind`; `complete` marks kinds whose every field is known. */
export const kubeSchemas: ReadonlyMap<string, { readonly schema: MessageSchema; readonly complete: boolean }> = new Map([
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
]);
