/** The analyst UI's actor-name rules (ui/actor-names.js, a browser module with no DOM use in these functions). */
import { test } from 'node:test';
import assert from 'node:assert/strict';

type Names = {
  displayName(u: string): string;
  shortenName(label: string, others?: string[], max?: number): string;
  shortLabels(usernames: string[], max?: number): Map<string, string>;
};
// dom.js touches `document` only when called, so the module loads in Node.
const names = await import(new URL('../ui/actor-names.js', import.meta.url).href) as Names;

test('a service account reads as namespace/name; other usernames stay as they are', () => {
  assert.equal(names.displayName('system:serviceaccount:agents:mcp'), 'agents/mcp');
  assert.equal(names.displayName('system:serviceaccount:team-a:reader:v2'), 'team-a/reader:v2');
  assert.equal(names.displayName('alice@example.com'), 'alice@example.com');
  assert.equal(names.displayName('system:node:ip-10-0-0-1'), 'system:node:ip-10-0-0-1');
});

test('names that fit are not cut', () => {
  assert.equal(names.shortenName('agents/mcp', ['agents/mcp-2'], 30), 'agents/mcp');
});

test('long names are cut in a shared part, never in the part that tells them apart', () => {
  const reader = 'agents-production/mcp-payments-reader-7f9c4d';
  const writer = 'agents-production/mcp-payments-writer-7f9c4d';
  const r = names.shortenName(reader, [writer], 30);
  const w = names.shortenName(writer, [reader], 30);
  assert.ok(r.length <= 30 && w.length <= 30, `${r} / ${w}`);
  assert.match(r, /…/);
  assert.ok(r.includes('reader') && w.includes('writer'), `${r} / ${w}`);
  assert.notEqual(r, w);
  // Only the end differs: the end stays.
  const a = 'platform-automation/cluster-inventory-exporter-0001';
  const b = 'platform-automation/cluster-inventory-exporter-0002';
  assert.ok(names.shortenName(a, [b], 30).endsWith('0001'), names.shortenName(a, [b], 30));
  // Only the start differs: the start stays.
  const c = 'team-blue/very-long-shared-service-account-name-suffix';
  const d = 'team-red/very-long-shared-service-account-name-suffix';
  assert.ok(names.shortenName(c, [d], 30).startsWith('team-blue'), names.shortenName(c, [d], 30));
});

test('three names differing at two places keep both places', () => {
  const list = ['ops/mcp-payments-reader-7f9c4d12', 'ops/mcp-payments-writer-7f9c4d12', 'ops/xyz-payments-reader-7f9c4d12'];
  const labels = list.map((l) => names.shortenName(l, list, 26));
  assert.equal(new Set(labels).size, 3, labels.join(' | '));
  assert.ok(labels.every((l) => l.length <= 26), labels.join(' | '));
  assert.ok(labels[0]!.includes('mcp') && labels[0]!.includes('reader'), labels[0]);
});

test('a lone long name is cut in its middle', () => {
  const label = names.shortenName('a-very-long-service-account-name-for-a-single-agent', [], 24);
  assert.equal(label.length, 24);
  assert.equal(label, 'a-very-long…single-agent');
});

test('shortLabels maps usernames to labels cut among each other', () => {
  const sa = (n: string): string => `system:serviceaccount:agents:${n}`;
  const labels = names.shortLabels([sa('mcp-kubernetes-readonly-payments-eu-west-1'), sa('mcp-kubernetes-readonly-payments-us-east-1'), 'bob@example.com'], 30);
  assert.equal(labels.get('bob@example.com'), 'bob@example.com');
  const eu = labels.get(sa('mcp-kubernetes-readonly-payments-eu-west-1'))!;
  const us = labels.get(sa('mcp-kubernetes-readonly-payments-us-east-1'))!;
  assert.ok(eu.startsWith('agents/') && eu.includes('eu') && us.includes('us') && eu.length <= 30, `${eu} / ${us}`);
});
