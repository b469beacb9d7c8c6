import { it } from 'node:test';
import assert from 'node:assert/strict';
import { utcDayOf } from './utc-timestamp.js';

/** What the indexer computed before: Date.parse with finer fractions than milliseconds dropped. */
const reference = (text: string): number => Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
const referenceDay = (text: string): string => {
  const ms = reference(text);
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  return `${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${String(d.getUTCDate()).padStart(2, '0')}`;
};
const same = (text: string): void => assert.equal(utcDayOf(text), referenceDay(text), text);

it('gives the day Date.parse gives on the edges: fractions, offsets, calendar roll-overs, leap days and seconds, junk', () => {
  for (const text of [
    '2026-03-14T10:00:00.123456789Z', '2026-03-14T10:00:00Z', '2026-03-14T10:00:00.1Z', '2026-03-14T10:00:00.12Z', '2026-03-14T10:00:00.999999Z',
    '2026-12-31T23:30:00+00:00', '2027-01-01T00:30:00.5+02:00', '2026-02-01T00:00:00Z', '2024-02-29T23:59:59.999Z', '2026-02-29T00:00:00Z',
    '2026-02-30T00:00:00Z', '2026-04-31T12:00:00Z', '2100-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '2026-03-14T24:00:00Z', '2026-03-14T23:59:60Z',
    '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-03-00T00:00:00Z', '0999-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9999-12-31T23:59:59.999Z',
    '2026-03-14t10:00:00z', '2026-03-14 10:00:00Z', '2026-03-14T10:00Z', '2026-03-14', '', 'not a time', '2026-03-14T10:00:00.Z', '+002026-03-14T10:00:00Z',
  ]) same(text);
});

it('gives the day Date.parse gives on random UTC timestamps, valid days or not', () => {
  let seed = 0x5eed;
  const next = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const two = (n: number): string => String(n).padStart(2, '0');
  for (let i = 0; i < 20_000; i += 1) {
    const fraction = ['', '.1', '.12', '.123', '.123456', '.123456789'][next(6)]!.replace(/\d/g, () => String(next(10)));
    same(`${1000 + next(9000)}-${two(next(14))}-${two(next(33))}T${two(next(25))}:${two(next(61))}:${two(next(61))}${fraction}Z`);
  }
});
