import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EnvReader } from '@auditgate/shared';
import { parseRoleBindings } from './load-config.js';
import { resolveRoles } from '../auth/resolve-roles.js';
import { hasRole } from '../auth/roles.js';

describe('roles', () => {
  it('come from the claim and from username/group bindings', () => {
    const bindings = parseRoleBindings(new EnvReader({}), 'admin=system:serviceaccount:auditgate:analyst;responder=group:oncall,bob');
    const who = (username: string, groups: string[] = [], issuer = 'https://idp.example') => ({ issuer, username, groups });
    assert.deepEqual(resolveRoles({ auditgate_roles: ['analyst', 'root'] }, 'auditgate_roles', bindings, who('x')), ['analyst']);
    assert.deepEqual(resolveRoles({ auditgate_roles: 'analyst' }, 'auditgate_roles', bindings, who('x', ['oncall'])), ['analyst', 'responder']);
    assert.deepEqual(resolveRoles({}, 'auditgate_roles', bindings, who('system:serviceaccount:auditgate:analyst')), ['admin']);
    assert.ok(hasRole(['admin'], 'responder'));
    assert.ok(!hasRole(['analyst'], 'responder'));
  });
  it('a binding scoped to an issuer matches that issuer only; with several issuers every binding must be scoped', () => {
    const idp = 'https://idp.example';
    const cluster = 'https://kubernetes.default.svc';
    const reader = new EnvReader({});
    const bindings = parseRoleBindings(reader, `admin=${cluster}#system:serviceaccount:ag:analyst;responder=${idp}#group:oncall`, [idp, cluster]);
    reader.finish();
    assert.deepEqual(bindings, [
      { role: 'admin', subject: 'system:serviceaccount:ag:analyst', issuer: cluster },
      { role: 'responder', subject: 'group:oncall', issuer: idp },
    ]);
    // The same name minted by the other issuer (an IdP that lets users choose their subject) gets nothing.
    assert.deepEqual(resolveRoles({}, 'r', bindings, { issuer: idp, username: 'system:serviceaccount:ag:analyst', groups: [] }), []);
    assert.deepEqual(resolveRoles({}, 'r', bindings, { issuer: cluster, username: 'system:serviceaccount:ag:analyst', groups: [] }), ['admin']);
    assert.deepEqual(resolveRoles({}, 'r', bindings, { issuer: cluster, username: 'u', groups: ['oncall'] }), []);
    assert.deepEqual(resolveRoles({}, 'r', bindings, { issuer: idp, username: 'u', groups: ['oncall'] }), ['responder']);

    const unscoped = new EnvReader({});
    parseRoleBindings(unscoped, 'admin=alice', [idp, cluster]);
    assert.throws(() => unscoped.finish(), /must name its issuer/);
    const unknown = new EnvReader({});
    parseRoleBindings(unknown, 'admin=https://other.example#alice', [idp, cluster]);
    assert.throws(() => unknown.finish(), /not in QUERY_OIDC_ISSUERS/);
    const hashed = new EnvReader({});
    assert.deepEqual(parseRoleBindings(hashed, `analyst=${idp}#team#7`, [idp, cluster]), [{ role: 'analyst', subject: 'team#7', issuer: idp }]);
    hashed.finish();
    const single = new EnvReader({});
    assert.deepEqual(parseRoleBindings(single, 'admin=alice', [idp]), [{ role: 'admin', subject: 'alice' }]);
    single.finish();
  });

  it('reject malformed bindings', () => {
    const reader = new EnvReader({});
    parseRoleBindings(reader, 'root=alice');
    assert.throws(() => reader.finish(), /QUERY_ROLE_BINDINGS/);
  });
});
