import { str, strs } from './field-specs.js';
import { messageField, messageSchema, type MessageSchema } from './message-schema.js';
import { labelSelectorSchema, metadata } from './meta-schemas.js';

// Field numbers from k8s.io/api v0.36.3 rbac/v1/generated.proto; JSON names and omitempty from rbac/v1/types.go.

/** rbac/v1 PolicyRule; `verbs` has no omitempty. */
const policyRule = messageSchema({
  1: strs('verbs', true), 2: strs('apiGroups'), 3: strs('resources'), 4: strs('resourceNames'), 5: strs('nonResourceURLs'),
});

/** rbac/v1 Subject. */
const subject = messageSchema({ 1: str('kind', true), 2: str('apiGroup'), 3: str('name', true), 4: str('namespace') });

/** rbac/v1 RoleRef: every field without omitempty. */
const roleRef = messageSchema({ 1: str('apiGroup', true), 2: str('kind', true), 3: str('name', true) });

const rules = messageField('rules', policyRule, { repeated: true, nullWhenAbsent: true });

/** rbac/v1 Role, every field. */
export const roleSchema: MessageSchema = messageSchema({ 1: metadata, 2: rules });

/** rbac/v1 ClusterRole, every field. */
export const clusterRoleSchema: MessageSchema = messageSchema({
  1: metadata, 2: rules,
  3: messageField('aggregationRule', messageSchema({
    1: messageField('clusterRoleSelectors', labelSelectorSchema, { repeated: true }),
  })),
});

/** rbac/v1 RoleBinding and ClusterRoleBinding (same fields), every field. */
export const bindingSchema: MessageSchema = messageSchema({
  1: metadata, 2: messageField('subjects', subject, { repeated: true }), 3: messageField('roleRef', roleRef),
});
