import { parse as parseYaml } from 'yaml';
import type { MaskRequestOptions } from './masking-types.js';
import { kindForResource } from './resource-kinds.js';
import { maskKubernetesObject } from './mask-kubernetes-object.js';
import { mayNeedMasking } from './may-need-masking.js';

/** Options of {@link maskJsonBody}. */
export interface MaskJsonBodyOptions extends MaskRequestOptions {
  /** The body's Content-Type; a YAML type (e.g. `application/apply-patch+yaml`) allows a YAML fallback. */
  readonly contentType?: string | undefined;
}

/** Result of {@link maskJsonBody}. */
export interface MaskJsonBodyResult {
  /** JSON safe to record; the input buffer itself when nothing was masked (and it was JSON). */
  readonly body: Buffer;
  readonly maskedPaths: string[];
  readonly changed: boolean;
  /** Set (a fixed text, never quoting the body) when the body could not be decoded: `body` is then the unmasked
   * input and must not be recorded as is. */
  readonly parseError?: string;
  /** True when the input was YAML and `body` is its JSON form. */
  readonly convertedFromYaml?: boolean;
}

/**
 * Masks a whole JSON body (masking requires JSON: the proxy negotiates JSON, never protobuf, with the API server).
 * YAML bodies are accepted when `contentType` says YAML and returned as JSON. Bodies aimed at Secrets are always
 * re-serialized, so duplicate keys in a request can not smuggle a plaintext value past the parser. A JSON body with
 * none of the keys masking looks at is returned unparsed (so unvalidated), which keeps big lists of other kinds cheap.
 */
export function maskJsonBody(buffer: Buffer, options: MaskJsonBodyOptions): MaskJsonBodyResult {
  const yamlAllowed = options.contentType !== undefined && /yaml/i.test(options.contentType);
  if (buffer.length === 0) return { body: buffer, maskedPaths: [], changed: false };
  const hintIsSecret = kindForResource(options.resourceHint) === 'Secret';
  if (!yamlAllowed && !hintIsSecret && !mayNeedMasking(buffer)) return { body: buffer, maskedPaths: [], changed: false };
  let decoded: unknown;
  let fromYaml = false;
  const text = buffer.toString('utf8');
  try {
    decoded = JSON.parse(text);
  } catch {
    // Parser messages quote the input, which may be a secret: only fixed texts leave this function.
    if (!yamlAllowed) return { body: buffer, maskedPaths: [], changed: false, parseError: 'body is not valid JSON' };
    try {
      decoded = parseYaml(text, { logLevel: 'error' });
      fromYaml = true;
    } catch {
      return { body: buffer, maskedPaths: [], changed: false, parseError: 'body is neither valid JSON nor YAML' };
    }
  }
  const { object, maskedPaths, changed } = maskKubernetesObject(decoded, options);
  const reserialize = changed || fromYaml || hintIsSecret || isSecretKind(decoded);
  const body = reserialize ? Buffer.from(JSON.stringify(object) ?? 'null', 'utf8') : buffer;
  return { body, maskedPaths, changed, ...(fromYaml ? { convertedFromYaml: true } : {}) };
}

function isSecretKind(decoded: unknown): boolean {
  return typeof decoded === 'object' && decoded !== null && (decoded as { kind?: unknown }).kind === 'Secret';
}
