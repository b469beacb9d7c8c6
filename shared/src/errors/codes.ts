/** Every error code Auditgate emits, in one catalogue so operators can grep logs and alerts for them. */
export const ErrorCodes = {
  CONFIG_INVALID: 'AUDITGATE_E_CONFIG_INVALID',
  EVENT_INVALID: 'AUDITGATE_E_EVENT_INVALID',
  EVENT_UNDECODABLE: 'AUDITGATE_E_EVENT_UNDECODABLE',
  KAFKA_UNAVAILABLE: 'AUDITGATE_E_KAFKA_UNAVAILABLE',
  OPENSEARCH_UNAVAILABLE: 'AUDITGATE_E_OPENSEARCH_UNAVAILABLE',
  INDEX_REJECTED: 'AUDITGATE_E_INDEX_REJECTED',
  /** OpenSearch Dashboards refused or could not take the saved-objects import (the init job). */
  DASHBOARDS_IMPORT_FAILED: 'AUDITGATE_E_DASHBOARDS_IMPORT_FAILED',
  UPSTREAM_UNAVAILABLE: 'AUDITGATE_E_UPSTREAM_UNAVAILABLE',
  UNAUTHENTICATED: 'AUDITGATE_E_UNAUTHENTICATED',
  FORBIDDEN: 'AUDITGATE_E_FORBIDDEN',
  BAD_REQUEST: 'AUDITGATE_E_BAD_REQUEST',
  /** The requested record (event, alert) does not exist. */
  NOT_FOUND: 'AUDITGATE_E_NOT_FOUND',
  /** The request conflicts with the record's current state (e.g. acknowledging a resolved alert). */
  CONFLICT: 'AUDITGATE_E_CONFLICT',
  PAYLOAD_TOO_LARGE: 'AUDITGATE_E_PAYLOAD_TOO_LARGE',
  /** The request body's media type or encoding is one the gateway cannot inspect for the record. */
  UNSUPPORTED_MEDIA_TYPE: 'AUDITGATE_E_UNSUPPORTED_MEDIA_TYPE',
  /** The client accepts no representation the gateway can produce from an inspected body. */
  NOT_ACCEPTABLE: 'AUDITGATE_E_NOT_ACCEPTABLE',
  /** The API server answered with a body the gateway cannot inspect (media type, encoding, shape): not relayed. */
  UPSTREAM_UNINSPECTABLE: 'AUDITGATE_E_UPSTREAM_UNINSPECTABLE',
  RATE_LIMITED: 'AUDITGATE_E_RATE_LIMITED',
  /** The gateway holds as much as it may for other answers right now (memory budget); retry. */
  BUSY: 'AUDITGATE_E_BUSY',
  SHUTTING_DOWN: 'AUDITGATE_E_SHUTTING_DOWN',
  /** The client went away before the response was complete (recorded, not an error of the gateway). */
  CLIENT_ABORTED: 'AUDITGATE_E_CLIENT_ABORTED',
  INTERNAL: 'AUDITGATE_E_INTERNAL',
  /** The running Node.js lacks a feature the service relies on for safety (e.g. http's shouldUpgradeCallback). */
  RUNTIME_UNSUPPORTED: 'AUDITGATE_E_RUNTIME_UNSUPPORTED',
  /** A value has no RFC 8785 canonical JSON (NaN, Infinity, a lone surrogate, a BigInt, a cycle): it cannot be hashed. */
  NOT_CANONICAL_JSON: 'AUDITGATE_E_NOT_CANONICAL_JSON',
  /** Reconcile could not establish the gateway's upstream identity, so it cannot tell which requests are the gateway's. */
  RECONCILE_NO_IDENTITY: 'AUDITGATE_E_RECONCILE_NO_IDENTITY',
} as const;

/** One of {@link ErrorCodes}. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
