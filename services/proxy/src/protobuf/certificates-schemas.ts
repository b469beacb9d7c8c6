import { bytes, int, str, strs, time } from './field-specs.js';
import { messageField, messageSchema, type MessageSchema } from './message-schema.js';
import { metadata } from './meta-schemas.js';

// Field numbers from k8s.io/api v0.36.3 certificates/v1/generated.proto; JSON names and omitempty from types.go.

const condition = messageSchema({
  1: str('type', true), 6: str('status', true), 2: str('reason'), 3: str('message'),
  4: time('lastUpdateTime'), 5: time('lastTransitionTime'),
});

/** certificates/v1 CertificateSigningRequest, every field; `spec.request` (PEM CSR) and `status.certificate` as base64. */
export const certificateSigningRequestSchema: MessageSchema = messageSchema({
  1: metadata,
  2: messageField('spec', messageSchema({
    1: { ...bytes('request', true), nullWhenAbsent: true }, 7: str('signerName', true), 8: int('expirationSeconds', true),
    5: strs('usages'), 2: str('username'), 3: str('uid'), 4: strs('groups'), 6: { name: 'extra', type: 'stringListMap' },
  })),
  3: messageField('status', messageSchema({ 1: messageField('conditions', condition, { repeated: true }), 2: bytes('certificate') })),
});
