import { readFile } from 'node:fs/promises';
import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';

/** Options of {@link createTokenFile}. */
export interface TokenFileOptions {
  readonly path: string;
  /**
   * Re-read the file when the last read is at least this old, in ms (default 60 s, as client-go does); 0 reads it on
   * every call (for rare callers, such as an issuer's discovery fetches).
   */
  readonly reloadMs?: number;
  readonly now?: () => number;
  /** Names the file in error messages (default `service-account token`), never its contents. */
  readonly what?: string;
  /** Called when a re-read fails and the previous token is kept for one more period. */
  readonly onReloadError?: (error: AppError) => void;
}

/** A bearer token kept in a file that the kubelet rotates (a projected service-account token). */
export interface TokenFile {
  /** The current token (trimmed); re-reads the file once `reloadMs` has passed since the last read. */
  token(): Promise<string>;
}

/**
 * The one reader of rotating token files (projected service-account tokens, kubeconfig `tokenFile`, an issuer's
 * discovery token). Reads `path` lazily and again every `reloadMs`; concurrent callers share one read. A failed re-read
 * keeps the last token for one more period (the kubelet renews well before expiry); without any token the read error
 * is thrown: `AUDITGATE_E_UPSTREAM_UNAVAILABLE` (503), retriable, naming the path and never the contents.
 */
export function createTokenFile(options: TokenFileOptions): TokenFile {
  const { path } = options;
  const reloadMs = options.reloadMs ?? 60_000;
  const now = options.now ?? Date.now;
  const what = options.what ?? 'service-account token';
  let current: { token: string; readAt: number; resolved: Promise<string> } | undefined;
  let inflight: Promise<string> | undefined;

  async function read(): Promise<string> {
    let text: string;
    try {
      text = (await readFile(path, 'utf8')).trim();
    } catch (cause) {
      throw new AppError(`cannot read the ${what} ${path}`, { code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, cause });
    }
    if (text === '') throw new AppError(`the ${what} ${path} is empty`, { code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true });
    current = { token: text, readAt: now(), resolved: Promise.resolve(text) };
    return text;
  }

  return {
    token() {
      // The hot path (callers on every request) is a clock read and an already-resolved promise.
      if (current !== undefined && now() - current.readAt < reloadMs) return current.resolved;
      inflight ??= read().catch((error: unknown) => {
        if (current === undefined || reloadMs === 0) throw error;
        options.onReloadError?.(error as AppError);
        current = { ...current, readAt: now() };
        return current.token;
      }).finally(() => { inflight = undefined; });
      return inflight;
    },
  };
}
