import type { Alert } from '../../../../services/detector/src/engine/alert.js';
import { seedAuditId, type SeedEventSpec } from './seed-events.js';

/** The realistic data set of `seedStandard()`, with the names tests and the UI can look for. */
export interface StandardSeed {
  readonly events: SeedEventSpec[];
  readonly alerts: Array<Partial<Alert>>;
  readonly actors: { readonly agent: string; readonly alice: string; readonly bob: string; readonly carol: string; readonly dave: string; readonly admin: string };
  readonly sessions: { readonly alpha: string; readonly beta: string };
  /** Filled in by the testbed once indexed. */
  readonly documents?: Array<Record<string, unknown>>;
  readonly seededAlerts?: Alert[];
}

/** ~80 exchanges over the 3 hours before `now`: agent reads on behalf of people (two MCP sessions), secret reads, denials, exec, RBAC changes, errors, a staging cluster. */
export function standardSeed(now: number): StandardSeed {
  const actors = {
    agent: 'system:serviceaccount:agents:mcp', alice: 'alice@example.com', bob: 'bob@example.com',
    carol: 'carol@example.com', dave: 'dave@example.com', admin: 'admin@example.com',
  };
  const sessions = { alpha: 'sess-alpha-0001', beta: 'sess-beta-0002' };
  const at = (minutesAgo: number): string => new Date(now - minutesAgo * 60_000).toISOString();
  const events: SeedEventSpec[] = [];
  for (let i = 0; i < 30; i += 1) {
    events.push({ at: at(170 - i * 5), actor: actors.agent, onBehalfOf: actors.alice, session: sessions.alpha, tool: i % 3 === 0 ? 'pods_list' : 'pods_get', verb: i % 3 === 0 ? 'list' : 'get', resource: 'pods', namespace: 'payments', ...(i % 3 === 0 ? {} : { name: `api-${i}` }) });
  }
  const secretIds: string[] = [];
  for (let i = 0; i < 12; i += 1) {
    const auditID = seedAuditId();
    secretIds.push(auditID);
    events.push({ auditID, at: at(60 - i * 2), actor: actors.agent, onBehalfOf: actors.bob, session: sessions.beta, tool: 'resources_get', verb: 'get', resource: 'secrets', namespace: 'payments', name: `db-creds-${i % 3}` });
  }
  const deniedIds: string[] = [];
  for (let i = 0; i < 8; i += 1) {
    const auditID = seedAuditId();
    deniedIds.push(auditID);
    events.push({ auditID, at: at(100 - i * 3), actor: actors.carol, verb: 'delete', resource: 'deployments', apiGroup: 'apps', namespace: 'payments', name: 'checkout', decision: 'deny', ruleId: 'deny-deletes', code: 403 });
  }
  for (let i = 0; i < 4; i += 1) {
    events.push({ at: at(90 - i * 10), actor: actors.dave, verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'payments', name: `api-${i}`, requestURI: `/api/v1/namespaces/payments/pods/api-${i}/exec?command=sh&stdin=true&tty=true`, durationMs: 30_000 });
  }
  events.push({ at: at(80), actor: actors.admin, verb: 'create', resource: 'rolebindings', apiGroup: 'rbac.authorization.k8s.io', namespace: 'payments', name: 'agents-read', code: 201 });
  events.push({ at: at(79), actor: actors.admin, verb: 'patch', resource: 'clusterroles', apiGroup: 'rbac.authorization.k8s.io', name: 'agent-reader' });
  events.push({ at: at(78), actor: actors.admin, verb: 'delete', resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io', name: 'legacy-admin' });
  for (let i = 0; i < 15; i += 1) {
    events.push({ at: at(150 - i * 9), actor: actors.alice, cluster: 'staging', verb: i % 2 === 0 ? 'list' : 'watch', resource: i % 2 === 0 ? 'namespaces' : 'events', ...(i % 2 === 0 ? {} : { namespace: 'default' }) });
  }
  events.push({ at: at(30), actor: actors.bob, verb: 'get', resource: 'configmaps', namespace: 'payments', name: 'missing', code: 404 });
  events.push({ at: at(29), actor: actors.bob, verb: 'list', resource: 'nodes', code: 500 });
  events.push({ at: at(2), actor: actors.agent, onBehalfOf: actors.alice, session: sessions.alpha, tool: 'pods_log', verb: 'get', resource: 'pods', subresource: 'log', namespace: 'payments', name: 'api-1', complete: false });
  const alerts: Array<Partial<Alert>> = [
    { rule: 'secret-read-burst', title: 'Burst of secret reads', severity: 'high', actor: actors.agent, onBehalfOf: actors.bob, evidence: secretIds, firstSeen: at(60), lastSeen: at(38), count: secretIds.length, cluster: 'prod-eu',
      target: { verb: 'get', resource: 'secrets', namespace: 'payments', requestURI: '/api/v1/namespaces/payments/secrets/db-creds-0' } },
    { rule: 'repeated-denials', title: 'Repeated denied deletes', severity: 'medium', actor: actors.carol, evidence: deniedIds, firstSeen: at(100), lastSeen: at(79), count: deniedIds.length, cluster: 'prod-eu',
      target: { verb: 'delete', resource: 'deployments', apiGroup: 'apps', namespace: 'payments', name: 'checkout', requestURI: '/apis/apps/v1/namespaces/payments/deployments/checkout' } },
    { rule: 'exec-into-pod', title: 'Interactive exec into a pod', severity: 'critical', ruleSource: 'sigma', actor: actors.dave, evidence: [], firstSeen: at(90), lastSeen: at(60), count: 4, cluster: 'prod-eu',
      target: { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'payments', name: 'api-0', requestURI: '/api/v1/namespaces/payments/pods/api-0/exec' } },
  ];
  return { events, alerts, actors, sessions };
}
