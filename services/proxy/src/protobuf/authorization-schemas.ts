import { flag, str, strs } from './field-specs.js';
import { messageField, messageSchema, type MessageSchema } from './message-schema.js';
import { metadata } from './meta-schemas.js';

// Field numbers from k8s.io/api v0.36.3 authorization/v1/generated.proto; JSON names and omitempty from types.go.
// kubectl auth can-i sends SelfSubjectAccessReview and (with --list) SelfSubjectRulesReview as protobuf.

/** meta/v1 LabelSelectorRequirement and FieldSelectorRequirement (same fields). */
const requirement = messageSchema({ 1: str('key', true), 2: str('operator', true), 3: strs('values') });
const selectorAttributes = messageSchema({ 1: str('rawSelector'), 2: messageField('requirements', requirement, { repeated: true }) });

const resourceAttributes = messageSchema({
  1: str('namespace'), 2: str('verb'), 3: str('group'), 4: str('version'), 5: str('resource'), 6: str('subresource'), 7: str('name'),
  8: messageField('fieldSelector', selectorAttributes), 9: messageField('labelSelector', selectorAttributes),
});
const nonResourceAttributes = messageSchema({ 1: str('path'), 2: str('verb') });

/** SubjectAccessReviewStatus: `allowed` has no omitempty, `denied` has. */
const accessStatus = messageField('status', messageSchema({
  1: flag('allowed'), 4: flag('denied', false), 2: str('reason'), 3: str('evaluationError'),
}));

/** authorization/v1 SubjectAccessReview and LocalSubjectAccessReview (same fields), every field. */
export const subjectAccessReviewSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('spec', messageSchema({
    1: messageField('resourceAttributes', resourceAttributes), 2: messageField('nonResourceAttributes', nonResourceAttributes),
    3: str('user'), 4: strs('groups'), 5: { name: 'extra', type: 'stringListMap' }, 6: str('uid'),
  })),
  3: accessStatus,
});

/** authorization/v1 SelfSubjectAccessReview, every field. */
export const selfSubjectAccessReviewSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('spec', messageSchema({
    1: messageField('resourceAttributes', resourceAttributes), 2: messageField('nonResourceAttributes', nonResourceAttributes),
  })),
  3: accessStatus,
});

/** authorization/v1 SelfSubjectRulesReview, every field. */
export const selfSubjectRulesReviewSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('spec', messageSchema({ 1: str('namespace') })),
  3: messageField('status', messageSchema({
    1: messageField('resourceRules', messageSchema({
      1: strs('verbs', true), 2: strs('apiGroups'), 3: strs('resources'), 4: strs('resourceNames'),
    }), { repeated: true, nullWhenAbsent: true }),
    2: messageField('nonResourceRules', messageSchema({ 1: strs('verbs', true), 2: strs('nonResourceURLs') }), { repeated: true, nullWhenAbsent: true }),
    3: flag('incomplete'), 4: str('evaluationError'),
  })),
});
