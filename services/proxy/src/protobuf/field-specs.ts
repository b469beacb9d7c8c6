import type { FieldSpec } from './message-schema.js';

// Shorthands for the schemas. Go's JSON tags decide the flags: `keepEmpty` for a scalar without omitempty (or a
// pointer, which protobuf carries only when set), `nullWhenAbsent` for a slice, map or pointer without omitempty.

/** A string field; `keepEmpty` shows '' (no omitempty, or a *string). */
export const str = (name: string, keepEmpty = false): FieldSpec => ({ name, type: 'string', keepEmpty });

/** A repeated string field; `nullWhenAbsent` for a slice without omitempty. */
export const strs = (name: string, nullWhenAbsent = false): FieldSpec => ({ name, type: 'string', repeated: true, nullWhenAbsent });

/** A bool field; `keepFalse` (default) shows false: a *bool, or no omitempty (proto2 writes a plain bool's false too). */
export const flag = (name: string, keepFalse = true): FieldSpec => ({ name, type: 'bool', keepEmpty: keepFalse });

/** An int32/int64 field; `keepEmpty` shows 0 (no omitempty, or a pointer). */
export const int = (name: string, keepEmpty = false): FieldSpec => ({ name, type: 'int64', keepEmpty });

/** A meta/v1 Time field. */
export const time = (name: string): FieldSpec => ({ name, type: 'time' });

/** A `[]byte` field, shown as base64; `keepEmpty` shows '' for a present, empty value. */
export const bytes = (name: string, keepEmpty = false): FieldSpec => ({ name, type: 'bytes', keepEmpty });
