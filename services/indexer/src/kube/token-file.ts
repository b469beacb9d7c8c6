import { readFile } from 'node:fs/promises';
import { AppError, ErrorCodes } from '@auditgate/shared';

/** Options of {@link createTokenFile}. */
export interface TokenFileOptions {
  readonly path: string;
  /** Re-read the file when the last read is at least this old, in ms (default 60 s, as client-go does). */
  readonly reloadMs?: number;
  readonly now?: () => number;
  /** Called when a re-read fails and the previous token is kept for one more period. */
  readonly onReloadError?: (error: AppError) => void;
}

/** A bearer token kept in a file that the kubelet rotates (a projected service-account token). */
export interface TokenFile {
  /** The current token (trimmed); re-reads the file once `reloadMs` has passed since the last read. */
  token(): Promise<string>;
}

/**
 * Reads `path` lazily and again every `reloadMs`. A failed re-read keeps the last token for one more period (the kubelet
 * renews well before expiry); without any token the read error is thrown, retriable.
 */
export function createTokenFile(options: TokenFileOptions): TokenFile {
  const { path } = options;
  const reloadMs = options.reloadMs ?? 60_000;
  const now = options.now ?? Date.now;
  let current: { token: string; readAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function read(): Promise<string> {
    let text: string;
    try {
      text = (await readFile(path, 'utf8')).trim();
    } catch (cause) {
      throw new AppError(`cannot read the service-account token ${path}`, { code: ErrorCodes.UPSTREAM_UNAVAILABLE, retriable: true, cause });
    }
    if (text === '') throw new AppError(`the service-account token ${path} is empty`, { code: ErrorCodes.UPSTREAM_UNAVAILABLE, retriable: true });
    current = { token: text, readAt: now() };
    return text;
  }

  return {
    token() {
      if (current !== undefined && now() - current.readAt < reloadMs) return Promise.resolve(current.token);
      inflight ??= read().catch((error: unknown) => {
        if (current === undefined) throw error;
        options.onReloadError?.(error as AppError);
        current = { token: current.token, readAt: now() };
        return current.token;
      }).finally(() => { inflight = undefined; });
      return inflight;
    },
  };
}
