import { flag, int, str, strs, time } from './field-specs.js';
import { messageField, messageSchema, type MessageSchema } from './message-schema.js';
import { metadata } from './meta-schemas.js';

// Field numbers from k8s.io/api v0.36.3 authentication/v1/generated.proto; JSON names and omitempty from types.go.

/** authentication/v1 UserInfo; `extra` values are ExtraValue ([]string). */
export const userInfoSchema = messageSchema({
  1: str('username'), 2: str('uid'), 3: strs('groups'), 4: { name: 'extra', type: 'stringListMap' },
});

/** authentication/v1 TokenRequest (serviceaccounts/token), every field; `status.token` is a bearer token. */
export const tokenRequestSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('spec', messageSchema({
    1: strs('audiences', true),
    3: messageField('boundObjectRef', messageSchema({
      1: str('kind'), 2: str('apiVersion'), 3: str('name'), 4: str('uid'),
    }), { nullWhenAbsent: true }),
    4: { ...int('expirationSeconds', true), nullWhenAbsent: true },
  })),
  3: messageField('status', messageSchema({ 1: str('token', true), 2: time('expirationTimestamp') })),
});

/** authentication/v1 TokenReview, every field; `spec.token` is the bearer token under review. */
export const tokenReviewSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('spec', messageSchema({ 1: str('token'), 2: strs('audiences') })),
  3: messageField('status', messageSchema({
    1: flag('authenticated', false), 2: messageField('user', userInfoSchema), 3: str('error'), 4: strs('audiences'),
  })),
});

/** authentication/v1 SelfSubjectReview (`kubectl auth whoami`), every field. */
export const selfSubjectReviewSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('status', messageSchema({ 1: messageField('userInfo', userInfoSchema) })),
});
