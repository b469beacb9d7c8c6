// Every maskable value sits under one of these keys (or is a JSON-patch `value`); `\u` catches escaped key names.
const TRIGGERS: readonly string[] = [
  '"data"', '"stringData"', '"binaryData"', '"env"', '"args"', '"command"', '"value"', '"token"',
  'last-applied-configuration', '\\u',
];

/** Cheap pre-check on raw JSON bytes: false means no masking rule can apply, so the body need not be parsed. */
export function mayNeedMasking(json: Uint8Array, start = 0, end = json.length): boolean {
  const buf = Buffer.isBuffer(json) ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength);
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  for (const t of TRIGGERS) if (view.indexOf(t, 0, 'latin1') !== -1) return true;
  return false;
}
