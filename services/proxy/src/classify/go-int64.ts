/** Bounds of Go's int64 as decimal digit strings (without sign). */
const MAX = '9223372036854775807';
const MIN_ABS = '9223372036854775808';

/** True when Go's `strconv.ParseInt(s, 10, 64)` accepts `s`: optional sign, decimal digits only, within int64. */
export function isGoInt64(s: string): boolean {
  let i = 0;
  const first = s.charCodeAt(0);
  const negative = first === 0x2d;
  if (negative || first === 0x2b) i = 1;
  if (i >= s.length) return false;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return false;
  }
  let digits = s.slice(i);
  let z = 0;
  while (z < digits.length - 1 && digits.charCodeAt(z) === 0x30) z++;
  if (z > 0) digits = digits.slice(z);
  const limit = negative ? MIN_ABS : MAX;
  if (digits.length !== limit.length) return digits.length < limit.length;
  return digits <= limit;
}
