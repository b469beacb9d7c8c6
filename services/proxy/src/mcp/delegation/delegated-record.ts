import type { ActorInfo, AuditgateExtension } from '@auditgate/shared';
import type { VerifiedIdentity } from '../../auth/index.js';
import { isDelegated } from './delegated-token-verifier.js';

/** What a Kubernetes event records of a delegated token: the person (`onBehalfOf`) and the call (`mcp`), both verified. */
export interface DelegatedRecordFields {
  readonly onBehalfOf: ActorInfo;
  readonly onBehalfOfPolicy: { readonly username: string; readonly groups: string[] };
  readonly mcp: NonNullable<AuditgateExtension['mcp']>;
}

/** The verified `onBehalfOf` and `mcp` of a request authenticated with a delegated token; undefined for any other token. */
export function delegatedRecordFields(identity: VerifiedIdentity): DelegatedRecordFields | undefined {
  if (!isDelegated(identity)) return undefined;
  const { person, call, server, sessionId, agent } = identity.delegation;
  return {
    onBehalfOf: { issuer: person.issuer, subject: person.subject, username: person.username, groups: [...person.groups], tokenKind: person.tokenKind },
    onBehalfOfPolicy: { username: person.username, groups: [...person.groups] },
    mcp: {
      caller: 'verified', server, callId: call.callId, toolName: call.toolName, requestId: call.requestId,
      ...(sessionId === undefined ? {} : { sessionId }), ...(agent === undefined ? {} : { agent }),
      ...(call.scope === undefined ? {} : { scope: call.scope }),
    },
  };
}
