/** How a write body is decoded, as the API server would: JSON, YAML, or Kubernetes protobuf. */
export type WriteBodyFormat = 'json' | 'yaml' | 'protobuf';

// The media types kube-apiserver v1.36 reads request bodies in. Create, update and delete negotiate with
// mime.ParseMediaType (case and whitespace insensitive, parameters ignored; no Content-Type means JSON); patch takes
// the text before ';' verbatim and accepts only the patch types. Both are covered by the lenient reading below: a
// spelling one handler refuses is refused by the API server too (415), so reading it changes nothing.
const FORMAT_BY_MEDIA_TYPE: ReadonlyMap<string, WriteBodyFormat> = new Map([
  ['', 'json'],
  ['application/json', 'json'],
  ['application/json-patch+json', 'json'],
  ['application/merge-patch+json', 'json'],
  ['application/strategic-merge-patch+json', 'json'],
  ['application/yaml', 'yaml'],
  // Server-side apply: read with the YAML decoder, so its content may be JSON.
  ['application/apply-patch+yaml', 'yaml'],
  ['application/vnd.kubernetes.protobuf', 'protobuf'],
]);

/**
 * The format the API server decodes a body of `contentType` in, or undefined when it answers 415 Unsupported Media
 * Type: `text/yaml`, `application/x-yaml`, `application/apply-patch+json` (no such patch type), and CBOR
 * (`application/cbor`, `application/apply-patch+cbor`: only behind a feature gate, off by default).
 */
export function writeBodyFormat(contentType: string | undefined): WriteBodyFormat | undefined {
  if (contentType === undefined) return 'json';
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return FORMAT_BY_MEDIA_TYPE.get(mediaType);
}
