import { flag, int, str, strs, time } from './field-specs.js';
import { messageField, messageSchema, type FieldSpec } from './message-schema.js';

// Field numbers from k8s.io/apimachinery v0.36.3 pkg/apis/meta/v1/generated.proto; JSON names and omitempty from types.go.

/** meta/v1 OwnerReference. */
const ownerReference = messageSchema({
  1: str('kind', true), 3: str('name', true), 4: str('uid', true), 5: str('apiVersion', true),
  6: flag('controller'), 7: flag('blockOwnerDeletion'),
});

/** meta/v1 ManagedFieldsEntry (fieldsV1 is embedded JSON). */
const managedFieldsEntry = messageSchema({
  1: str('manager'), 2: str('operation'), 3: str('apiVersion'), 4: time('time'),
  6: str('fieldsType'), 7: { name: 'fieldsV1', type: 'rawJson' }, 8: str('subresource'),
});

/** meta/v1 ObjectMeta, every field. A zero creationTimestamp is left out (metav1.Time would marshal it as null). */
export const objectMetaSchema = messageSchema({
  1: str('name'), 2: str('generateName'), 3: str('namespace'), 4: str('selfLink'), 5: str('uid'), 6: str('resourceVersion'),
  7: int('generation'),
  8: time('creationTimestamp'),
  9: time('deletionTimestamp'),
  10: int('deletionGracePeriodSeconds', true),
  11: { name: 'labels', type: 'stringMap' },
  12: { name: 'annotations', type: 'stringMap' },
  13: messageField('ownerReferences', ownerReference, { repeated: true }),
  14: strs('finalizers'),
  17: messageField('managedFields', managedFieldsEntry, { repeated: true }),
});

/** The `metadata` field (number 1) of every top-level object. */
export const metadata: FieldSpec = messageField('metadata', objectMetaSchema);

/** meta/v1 LabelSelector, every field. */
export const labelSelectorSchema = messageSchema({
  1: { name: 'matchLabels', type: 'stringMap' },
  2: messageField('matchExpressions', messageSchema({ 1: str('key', true), 2: str('operator', true), 3: strs('values') }), { repeated: true }),
});

/** meta/v1 DeleteOptions, every field (sent as `<any group/version>/DeleteOptions` by typed clients). */
export const deleteOptionsSchema = messageSchema({
  1: int('gracePeriodSeconds', true),
  2: messageField('preconditions', messageSchema({ 1: str('uid', true), 2: str('resourceVersion', true) })),
  3: flag('orphanDependents'), 4: str('propagationPolicy', true), 5: strs('dryRun'),
  6: flag('ignoreStoreReadErrorWithClusterBreakingPotential'),
});

