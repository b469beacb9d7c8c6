import type { FieldSpec, MessageSchema } from './message-schema.js';
import { WireType, type WireReader } from './wire-reader.js';

/** Per-decode bookkeeping: how many more map entries / list items may be stored, and what was left out. */
export interface DecodeState {
  /** Map entries and repeated items still allowed; at 0 further ones are skipped. */
  budget: number;
  /** A field absent from the schema, or with an unexpected wire type, was skipped. */
  skipped: boolean;
  /** The budget ran out and items were dropped. */
  truncated: boolean;
}

type JsonObject = Record<string, unknown>;

/** Decodes the message under `r`'s current limit into `target` following `schema`; unknown fields are skipped, never thrown on. */
export function decodeMessage(r: WireReader, schema: MessageSchema, target: JsonObject, state: DecodeState): void {
  const fields = schema.fields;
  for (let key = r.readKey(); key >= 0; key = r.readKey()) {
    const wire = key & 7;
    const field = fields[key >>> 3];
    if (field === undefined || wire !== expectedWireType(field)) {
      state.skipped = true;
      r.skip(wire);
      continue;
    }
    if ((field.repeated === true || isMap(field)) && state.budget <= 0) {
      state.truncated = true;
      r.skip(wire);
      continue;
    }
    readField(r, field, target, state);
  }
  for (const name of schema.nullWhenAbsent) if (!Object.hasOwn(target, name)) setProperty(target, name, null);
}

function isMap(field: FieldSpec): boolean {
  return field.type === 'stringMap' || field.type === 'bytesMap' || field.type === 'stringListMap';
}

function expectedWireType(field: FieldSpec): number {
  return field.type === 'bool' || field.type === 'int64' ? WireType.VARINT : WireType.LEN;
}

function readField(r: WireReader, field: FieldSpec, target: JsonObject, state: DecodeState): void {
  switch (field.type) {
    case 'string': {
      const value = r.readString();
      if (!r.ok) return;
      if (field.repeated === true) { pushItem(target, field.name, value, state); return; }
      if (value !== '' || field.keepEmpty === true) setProperty(target, field.name, value);
      return;
    }
    case 'bytes': {
      const value = r.readBase64();
      if (r.ok && (value !== '' || field.keepEmpty === true)) setProperty(target, field.name, value);
      return;
    }
    case 'bool': {
      const value = r.readVarint();
      if (r.ok && (value !== 0 || field.keepEmpty === true)) setProperty(target, field.name, value !== 0);
      return;
    }
    case 'int64': {
      const value = r.readInt64();
      if (r.ok && (value !== 0 || field.keepEmpty === true)) setProperty(target, field.name, value);
      return;
    }
    case 'time': {
      const value = readTime(r);
      if (value !== undefined) setProperty(target, field.name, value);
      return;
    }
    case 'stringMap':
    case 'bytesMap':
    case 'stringListMap':
      readMapEntry(r, field, target, state);
      return;
    case 'rawJson': {
      const value = readRawJson(r);
      if (value !== undefined) setProperty(target, field.name, value);
      return;
    }
    case 'message':
      readNested(r, field, target, state);
      return;
  }
}

function readNested(r: WireReader, field: FieldSpec, target: JsonObject, state: DecodeState): void {
  let into: JsonObject;
  if (field.inline === true) {
    into = target;
  } else if (field.repeated === true) {
    into = {};
    pushItem(target, field.name, into, state);
  } else {
    const existing = Object.hasOwn(target, field.name) ? target[field.name] : undefined;
    // A singular message seen twice merges, as protobuf (and the API server's decoder) does.
    into = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? existing as JsonObject : {};
    if (into !== existing) setProperty(target, field.name, into);
  }
  const outer = r.enter();
  if (outer < 0) return;
  if (field.message !== undefined) decodeMessage(r, field.message, into, state);
  r.leave(outer);
}

function readMapEntry(r: WireReader, field: FieldSpec, target: JsonObject, state: DecodeState): void {
  const outer = r.enter();
  if (outer < 0) return;
  let key = '';
  let value: string | string[] = field.type === 'stringListMap' ? [] : '';
  for (let k = r.readKey(); k >= 0; k = r.readKey()) {
    if (k === ((1 << 3) | WireType.LEN)) key = r.readString();
    else if (k !== ((2 << 3) | WireType.LEN)) { state.skipped = true; r.skip(k & 7); }
    else if (field.type === 'stringListMap') value = readStringList(r, state);
    else value = field.type === 'bytesMap' ? r.readBase64() : r.readString();
  }
  r.leave(outer);
  if (!r.ok) return;
  const existing = Object.hasOwn(target, field.name) ? target[field.name] : undefined;
  let map: JsonObject;
  if (typeof existing === 'object' && existing !== null) map = existing as JsonObject;
  else { map = {}; setProperty(target, field.name, map); }
  setProperty(map, key, value);
  state.budget--;
}

/** A message `{items=1 repeated string}` (authentication ExtraValue), whose JSON form is the bare list; items spend budget. */
function readStringList(r: WireReader, state: DecodeState): string[] {
  const items: string[] = [];
  const outer = r.enter();
  if (outer < 0) return items;
  for (let k = r.readKey(); k >= 0; k = r.readKey()) {
    if (k !== ((1 << 3) | WireType.LEN)) { state.skipped = true; r.skip(k & 7); continue; }
    if (state.budget <= 0) { state.truncated = true; r.skip(k & 7); continue; }
    items.push(r.readString());
    state.budget--;
  }
  r.leave(outer);
  return items;
}

function readTime(r: WireReader): string | undefined {
  const outer = r.enter();
  if (outer < 0) return undefined;
  let seconds = 0;
  for (let k = r.readKey(); k >= 0; k = r.readKey()) {
    if (k === ((1 << 3) | WireType.VARINT)) seconds = r.readInt64();
    else r.skip(k & 7); // nanos: metav1.Time's JSON form has second precision
  }
  r.leave(outer);
  if (!r.ok || seconds === 0) return undefined; // zero Time marshals as null; omitted here
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readRawJson(r: WireReader): unknown {
  const outer = r.enter();
  if (outer < 0) return undefined;
  let text: string | undefined;
  for (let k = r.readKey(); k >= 0; k = r.readKey()) {
    if (k === ((1 << 3) | WireType.LEN)) text = r.readString();
    else r.skip(k & 7);
  }
  r.leave(outer);
  if (!r.ok || text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function pushItem(target: JsonObject, name: string, item: unknown, state: DecodeState): void {
  const existing = Object.hasOwn(target, name) ? target[name] : undefined;
  if (Array.isArray(existing)) existing.push(item);
  else setProperty(target, name, [item]);
  state.budget--;
}

/** Sets an own, enumerable property, even for keys like `__proto__` that plain assignment would treat specially. */
function setProperty(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
