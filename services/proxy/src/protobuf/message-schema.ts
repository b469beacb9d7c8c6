/** How one field's value is read and shown in the JSON view. */
export type FieldType =
  | 'string' // length-delimited UTF-8
  | 'bytes' // length-delimited bytes → base64 text, as Go's encoding/json marshals []byte
  | 'bool' // varint
  | 'int64' // varint, signed (also int32: negative int32 values are sign-extended to 64 bits on the wire)
  | 'time' // meta/v1 Time {seconds=1, nanos=2} → RFC 3339 text, as metav1.Time marshals
  | 'stringMap' // map<string, string>
  | 'bytesMap' // map<string, bytes> → base64 values
  | 'stringListMap' // map<string, {items=1 repeated string}> (authentication ExtraValue) → { key: [items] }
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
  /**
   * Show `null` when the field is absent from its message: the Go field is a slice, map or pointer without
   * `omitempty`, which encoding/json marshals as null when nil (protobuf cannot tell an empty list from nil).
   */
  readonly nullWhenAbsent?: boolean;
  /** Schema of a `message` field. */
  readonly message?: MessageSchema;
  /** Embedded Go struct: its fields are merged into the parent JSON object (e.g. LocalObjectReference). */
  readonly inline?: boolean;
}

/** A message's known fields, indexed by field number. Schemas form a tree (no cycles), which bounds decode depth. */
export interface MessageSchema {
  readonly fields: readonly (FieldSpec | undefined)[];
  /** JSON names of the fields marked `nullWhenAbsent`, set to null when the message did not carry them. */
  readonly nullWhenAbsent: readonly string[];
}

/** Builds a {@link MessageSchema} from `{ fieldNumber: spec }`. */
export function messageSchema(fields: Readonly<Record<number, FieldSpec>>): MessageSchema {
  const byNumber: Array<FieldSpec | undefined> = [];
  const nullable: string[] = [];
  for (const [number, spec] of Object.entries(fields)) {
    byNumber[Number(number)] = Object.freeze(spec);
    if (spec.nullWhenAbsent === true) nullable.push(spec.name);
  }
  return Object.freeze({ fields: Object.freeze(byNumber), nullWhenAbsent: Object.freeze(nullable) });
}

/** Options of a `message` field: see {@link FieldSpec}. */
export type MessageFieldOptions = Pick<FieldSpec, 'repeated' | 'inline' | 'nullWhenAbsent'>;

/** Shorthand for a `message` field spec. */
export function messageField(name: string, message: MessageSchema, options: MessageFieldOptions = {}): FieldSpec {
  return { name, type: 'message', message, ...options };
}
