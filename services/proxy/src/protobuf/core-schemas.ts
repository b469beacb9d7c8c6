import { flag, str, strs, time } from './field-specs.js';
import { messageField, messageSchema, type MessageSchema } from './message-schema.js';
import { metadata } from './meta-schemas.js';

// Field numbers from k8s.io/api v0.36.3 core/v1/generated.proto; JSON names and omitempty from core/v1/types.go.

const objectReference = messageSchema({
  1: str('kind'), 2: str('namespace'), 3: str('name'), 4: str('uid'), 5: str('apiVersion'), 6: str('resourceVersion'), 7: str('fieldPath'),
});

/** core/v1 ServiceAccount, every field. */
export const serviceAccountSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('secrets', objectReference, { repeated: true }),
  3: messageField('imagePullSecrets', messageSchema({ 1: str('name') }), { repeated: true }),
  4: flag('automountServiceAccountToken'),
});

/** core/v1 Namespace, every field. */
export const namespaceSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('spec', messageSchema({ 1: strs('finalizers') })),
  3: messageField('status', messageSchema({
    1: str('phase'),
    2: messageField('conditions', messageSchema({
      1: str('type', true), 2: str('status', true), 4: time('lastTransitionTime'), 5: str('reason'), 6: str('message'),
    }), { repeated: true }),
  })),
});
