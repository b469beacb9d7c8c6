import { bytes, int, str, strs } from './field-specs.js';
import { messageField, messageSchema, type FieldSpec, type MessageSchema } from './message-schema.js';
import { labelSelectorSchema, metadata } from './meta-schemas.js';

// Field numbers from k8s.io/api v0.36.3 admissionregistration/v1/generated.proto; JSON names, omitempty and pointers
// from types.go (a pointer is carried only when set, so its '' or 0 is kept).

const clientConfig = messageSchema({
  3: str('url', true),
  1: messageField('service', messageSchema({ 1: str('namespace', true), 2: str('name', true), 3: str('path', true), 4: int('port', true) })),
  2: bytes('caBundle'),
});

/** RuleWithOperations: operations plus the inlined Rule. */
const ruleWithOperations = messageSchema({
  1: strs('operations'),
  2: messageField('', messageSchema({ 1: strs('apiGroups'), 2: strs('apiVersions'), 3: strs('resources'), 4: str('scope', true) }), { inline: true }),
});

const matchCondition = messageSchema({ 1: str('name', true), 2: str('expression', true) });

/** Fields MutatingWebhook and ValidatingWebhook share, by the same numbers. */
const webhookFields: Readonly<Record<number, FieldSpec>> = {
  1: str('name', true), 2: messageField('clientConfig', clientConfig), 3: messageField('rules', ruleWithOperations, { repeated: true }),
  4: str('failurePolicy', true), 9: str('matchPolicy', true), 5: messageField('namespaceSelector', labelSelectorSchema),
  6: { ...str('sideEffects', true), nullWhenAbsent: true }, 7: int('timeoutSeconds', true), 8: strs('admissionReviewVersions', true),
};

/** admissionregistration/v1 MutatingWebhookConfiguration, every field. */
export const mutatingWebhookConfigurationSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('webhooks', messageSchema({
    ...webhookFields, 11: messageField('objectSelector', labelSelectorSchema), 10: str('reinvocationPolicy', true),
    12: messageField('matchConditions', matchCondition, { repeated: true }),
  }), { repeated: true }),
});

/** admissionregistration/v1 ValidatingWebhookConfiguration, every field. */
export const validatingWebhookConfigurationSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('webhooks', messageSchema({
    ...webhookFields, 10: messageField('objectSelector', labelSelectorSchema),
    11: messageField('matchConditions', matchCondition, { repeated: true }),
  }), { repeated: true }),
});
