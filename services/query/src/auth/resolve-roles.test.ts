import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EnvReader } from '@auditgate/shared';
import { parseRoleBindings } from '../config/load-config.js';
import { resolveRoles } from './resolve-roles.js';
import { hasRole } from './roles.js';

describe('roles', () => {
  it('come from the claim and from username/group bindings', () => {
    const bindings = parseRoleBindings(new EnvReader({}), 'admin=system:serviceaccount:auditgate:analyst;responder=group:oncall,bob');
    assert.deepEqual(resolveRoles({ auditgate_roles: ['analyst', 'root'] }, 'auditgate_roles', bindings, 'x', []), ['analyst']);
    assert.deepEqual(resolveRoles({ auditgate_roles: 'analyst' }, 'auditgate_roles', bindings, 'x', ['oncall']), ['analyst', 'responder']);
    assert.deepEqual(resolveRoles({}, 'auditgate_roles', bindings, 'system:serviceaccount:auditgate:analyst', []), ['admin']);
    assert.ok(hasRole(['admin'], 'responder'));
    assert.ok(!hasRole(['analyst'], 'responder'));
  });
  it('reject malformed bindings', () => {
    const reader = new EnvReader({});
    parseRoleBindings(reader, 'root=alice');
    assert.throws(() => reader.finish(), /QUERY_ROLE_BINDINGS/);
  });
});
