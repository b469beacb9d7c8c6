/**
 * The Kubernetes API server's RequestInfo resolution (k8s.io/apiserver pkg/endpoints/request/requestinfo.go),
 * reproduced step for step so the gateway classifies a request exactly as the API server's audit log will.
 */
import { parseRequestTarget } from './go-url.js';
import { readListOptions } from './list-options.js';

/** What the API server knows of a request before it is served (the fields of Go's `request.RequestInfo`). */
export interface RequestInfo {
  isResourceRequest: boolean;
  /** The decoded URL path. */
  path: string;
  /** The Kubernetes verb for resource requests (`get`, `list`, `watch`, …); the lower-cased method otherwise. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path parts from the resource on: `resource/name/subresource/…`. */
  parts: string[];
}

/** Splits a path like Go's `strings.Split(strings.Trim(path, "/"), "/")`, empty for an all-slash path. */
function splitPath(path: string): string[] {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === 0x2f) start++;
  while (end > start && path.charCodeAt(end - 1) === 0x2f) end--;
  if (start === end) return [];
  return path.slice(start, end).split('/');
}

function methodVerb(method: string): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return '';
  }
}

/**
 * Classifies a request as the API server does, from its HTTP method (as sent, case-sensitive like Go) and its raw
 * request target (path and query, percent-encoded as received). Never throws.
 */
export function classifyRequest(method: string, rawUrl: string): RequestInfo {
  const { path, rawQuery } = parseRequestTarget(rawUrl);
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
  let parts = splitPath(path);
  // The API server's prefixes are `api` and `apis`, of which `api` is groupless.
  if (parts.length < 3) return info;
  const prefix = parts[0]!;
  if (prefix !== 'api' && prefix !== 'apis') return info;
  info.apiPrefix = prefix;
  let i = 1;
  if (prefix === 'apis') {
    if (parts.length - i < 3) return info;
    info.apiGroup = parts[i++]!;
  }
  info.isResourceRequest = true;
  info.apiVersion = parts[i++]!;

  const special = parts[i]!;
  if (special === 'watch' || special === 'proxy') {
    // The API server fails such a request (500) before auditing it; this is what it knew at that point.
    if (parts.length - i < 2) return info;
    info.verb = special;
    i++;
  } else {
    info.verb = methodVerb(method);
  }

  if (parts[i] === 'namespaces') {
    if (parts.length - i > 1) {
      info.namespace = parts[i + 1]!;
      const after = parts[i + 2];
      if (after !== undefined && after !== 'status' && after !== 'finalize') i += 2;
    }
  }
  parts = parts.slice(i);
  info.parts = parts;

  const n = parts.length;
  if (n >= 3 && info.verb !== 'proxy') info.subresource = parts[2]!;
  if (n >= 2) info.name = parts[1]!;
  if (n >= 1) info.resource = parts[0]!;

  if (info.name.length === 0 && info.verb === 'get') {
    const list = readListOptions(rawQuery);
    info.verb = list.watch ? 'watch' : 'list';
    info.name = list.name;
  }
  if (info.name.length === 0 && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
