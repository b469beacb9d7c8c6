import type { TokenFile } from './token-file.js';

/**
 * `Authorization: Bearer <token>` values from a rotating token file. While the file's token is fresh the same resolved
 * promise is returned, so callers on every request allocate nothing.
 */
export function bearerHeader(tokens: TokenFile): () => Promise<string | undefined> {
  let source: Promise<string> | undefined;
  let header: Promise<string | undefined> | undefined;
  return () => {
    const next = tokens.token();
    if (next !== source || header === undefined) {
      source = next;
      header = next.then((value) => `Bearer ${value}`);
    }
    return header;
  };
}
