import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createSessionRegistry } from './session-registry.js';

it('binds a session to the caller who opened it and counts budgets all-or-nothing', () => {
  const now = { t: 0 };
  const sessions = createSessionRegistry({ now: () => now.t, idleMs: 1000 });
  assert.equal(sessions.claim('k', 's1', 'idp#alice'), 'ok');
  assert.equal(sessions.claim('k', 's1', 'idp#bob'), 'foreign');
  assert.equal(sessions.claim('other', 's1', 'idp#bob'), 'ok', 'per server');
  const key = { server: 'k', sessionId: 's1', owner: 'idp#alice' };
  const budgets = [{ ruleId: 'r', limit: 1 }, { ruleId: 'mcp-budget', limit: 5 }];
  assert.deepEqual(sessions.take(key, budgets), { ok: true, counted: { ruleId: 'r', used: 1, limit: 1 } });
  assert.deepEqual(sessions.take(key, budgets), { ok: false, ruleId: 'r', used: 1, limit: 1 });
  assert.equal(sessions.get('k', 's1')?.calls.get('mcp-budget'), 1, 'a refused call counts against nothing');
  now.t = 5000;
  assert.equal(sessions.claim('k', 's1', 'idp#bob'), 'ok', 'an idle session is forgotten');
});
