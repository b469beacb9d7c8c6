/** How one field's value is read and shown in the JSON view. */
export type FieldType =
  | 'string' // length-delimited UTF-8
  | 'bool' // varint
  | 'int64' // varint, signed
  | 'time' // meta/v1 Time {seconds=1, nanos=2} → RFC 3339 text, as metav1.Time marshals
  | 'stringMap' // map<string, string>
  | 'bytesMap' // map<string, bytes> → base64 values
  | 'rawJson' // meta/v1 FieldsV1 {Raw=1}: embedded JSON text
  | 'message'; // nested message, see FieldSpec.message

/** One known field of a message: its JSON name and how to read it. */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Each occurrence appends to a JSON array. */
  readonly repeated?: boolean;
  /** Keep zero values ('' / 0): the Go field has no `omitempty`, or is a pointer encoded only when set. */
  readonly keepEmpty?: boolean;
  /** Schema of a `message` field. */
  readonly message?: MessageSchema;
  /** Embedded Go struct: its fields are merged into the parent JSON object (e.g. LocalObjectReference). */
  readonly inline?: boolean;
}

/** A message's known fields, indexed by field number. Schemas form a tree (no cycles), which bounds decode depth. */
export interface MessageSchema {
  readonly fields: readonly (FieldSpec | undefined)[];
}

/** Builds a {@link MessageSchema} from `{ fieldNumber: spec }`. */
export function messageSchema(fields: Readonly<Record<number, FieldSpec>>): MessageSchema {
  const byNumber: Array<FieldSpec | undefined> = [];
  for (const [number, spec] of Object.entries(fields)) byNumber[Number(number)] = Object.freeze(spec);
  return Object.freeze({ fields: Object.freeze(byNumber) });
}

/** Shorthand for a `message` field spec. */
export function messageField(name: string, message: MessageSchema, options: { repeated?: boolean; inline?: boolean } = {}): FieldSpec {
  return { name, type: 'message', message, ...options };
}
