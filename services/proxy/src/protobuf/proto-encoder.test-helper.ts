/** A field for {@link encodeMessage}: `[fieldNumber, value]`; strings/Buffers/nested arrays are length-delimited, numbers and booleans varints. */
export type ProtoField = readonly [number, ProtoValue];
/** A value {@link encodeMessage} can write; a nested `ProtoField[]` is an embedded message. */
export type ProtoValue = string | Buffer | number | bigint | boolean | readonly ProtoField[];

/** Encodes an unsigned (or two's-complement negative) varint. */
export function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return Buffer.from(out);
}

/** Encodes a message from `[fieldNumber, value]` pairs, in the order given (repeat a number for repeated fields). */
export function encodeMessage(fields: readonly ProtoField[]): Buffer {
  const parts: Buffer[] = [];
  for (const [number, value] of fields) {
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      parts.push(varint(number << 3), varint(typeof value === 'boolean' ? (value ? 1 : 0) : value));
    } else {
      const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.isBuffer(value) ? value : encodeMessage(value as readonly ProtoField[]);
      parts.push(varint((number << 3) | 2), varint(bytes.length), bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Encodes map entries (`{key=1, value=2}`) for field `number`. */
export function mapEntries(number: number, entries: Record<string, string | Buffer>): ProtoField[] {
  return Object.entries(entries).map(([key, value]): ProtoField => [number, [[1, key], [2, value]]]);
}

/** Wraps a typed message in the Kubernetes envelope: `k8s\0` + runtime.Unknown{typeMeta, raw}. */
export function kubernetesEnvelope(apiVersion: string, kind: string, raw: Buffer, extra: readonly ProtoField[] = []): Buffer {
  const unknown = encodeMessage([[1, [[1, apiVersion], [2, kind]]], [2, raw], ...extra]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), unknown]);
}
