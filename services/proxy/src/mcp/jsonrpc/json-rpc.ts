/** A JSON-RPC id: a string or a number (`null` only in error answers to unparseable requests). */
export type JsonRpcId = string | number;

/** A classified JSON-RPC 2.0 message. */
export type JsonRpcMessage =
  | { readonly kind: 'request'; readonly id: JsonRpcId; readonly method: string; readonly params?: unknown }
  | { readonly kind: 'notification'; readonly method: string; readonly params?: unknown }
  | { readonly kind: 'response'; readonly id: JsonRpcId | null; readonly result?: unknown; readonly error?: JsonRpcError };

/** A JSON-RPC error object. */
export interface JsonRpcError { readonly code: number; readonly message: string; readonly data?: unknown }

/** JSON-RPC's own error codes, and the gateway's. */
export const RpcErrors = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** The gateway refused the message (policy, budget, session): it never reached the MCP server. */
  DENIED: -32003,
  /** The MCP server could not be reached or failed at the HTTP level. */
  UPSTREAM_FAILED: -32010,
  /** The tool call outlived its lifetime (PROXY_MCP_CALL_TIMEOUT_MS). */
  CALL_TIMEOUT: -32011,
  /** The client cancelled the request (the answer to a cancelled request whose stream had not begun). */
  CANCELLED: -32800,
} as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is JsonRpcId => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Classifies one parsed JSON value as a JSON-RPC 2.0 message, or says why it is none. */
export function classifyMessage(value: unknown): JsonRpcMessage | { readonly kind: 'invalid'; readonly reason: string; readonly id: JsonRpcId | null } {
  if (!isObj(value)) return { kind: 'invalid', reason: 'a JSON-RPC message is an object', id: null };
  const id = isId(value['id']) ? value['id'] : null;
  if (value['jsonrpc'] !== '2.0') return { kind: 'invalid', reason: 'jsonrpc must be "2.0"', id };
  const method = value['method'];
  if (method !== undefined) {
    if (typeof method !== 'string' || method === '') return { kind: 'invalid', reason: 'method must be a non-empty string', id };
    if (value['params'] !== undefined && typeof value['params'] !== 'object') return { kind: 'invalid', reason: 'params must be an object or an array', id };
    if (!('id' in value)) return { kind: 'notification', method, ...(value['params'] === undefined ? {} : { params: value['params'] }) };
    if (!isId(value['id'])) return { kind: 'invalid', reason: 'id must be a string or a number', id: null };
    return { kind: 'request', id: value['id'], method, ...(value['params'] === undefined ? {} : { params: value['params'] }) };
  }
  const hasResult = 'result' in value;
  const error = value['error'];
  if (hasResult === (error !== undefined)) return { kind: 'invalid', reason: 'a response has either result or error', id };
  if (error !== undefined) {
    if (!isObj(error) || typeof error['code'] !== 'number' || typeof error['message'] !== 'string') return { kind: 'invalid', reason: 'error must be {code, message}', id };
    return { kind: 'response', id: value['id'] === null ? null : id, error: { code: error['code'], message: error['message'], ...(error['data'] === undefined ? {} : { data: error['data'] }) } };
  }
  return { kind: 'response', id, result: value['result'] };
}

/** An id as text (`7` → `"7"`), for records and maps. */
export function idText(id: JsonRpcId | null): string {
  return id === null ? 'null' : typeof id === 'number' ? String(id) : id;
}

/** The bytes of a JSON-RPC error answer. */
export function errorResponse(id: JsonRpcId | null, code: number, message: string, data?: unknown): Buffer {
  return Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } }));
}
