import { createHash } from 'node:crypto';
import { readFileSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { AppError, ErrorCodes, toAppError, type Logger } from '@auditgate/shared';
import { createPolicyEvaluator, type PolicyEvaluator } from './create-policy-evaluator.js';
import { parsePolicy } from './parse-policy.js';
import type { GatewayPolicy } from './policy-types.js';

/** The policy in force. */
export interface LoadedPolicy {
  readonly policy: GatewayPolicy;
  readonly evaluator: PolicyEvaluator;
  /** The policy's bundle hash. */
  readonly hash: string;
  /** Clock time (ms) when it was loaded. */
  readonly loadedAt: number;
}

/** Options for {@link watchPolicyFile}. */
export interface WatchPolicyFileOptions {
  /** Called after a new, valid policy with a different bundle hash took effect. */
  readonly onChange: (policy: GatewayPolicy, hash: string) => void;
  /** Called when changed content is invalid or the file is unreadable; the previous policy stays in force. */
  readonly onError: (error: AppError) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Stat fallback period for file systems where fs.watch misses events. Default 5 000 ms. */
  readonly pollIntervalMs?: number;
  /** Use fs.watch besides polling; turn off on file systems that do not support it. Default true. */
  readonly useFsWatch?: boolean;
  /** Coalesces bursts of fs.watch events (editors write in several steps). Default 100 ms. */
  readonly debounceMs?: number;
}

/** A running policy file watcher. */
export interface PolicyFileWatcher {
  /** The policy in force now. */
  current(): LoadedPolicy;
  /** Re-reads the file now (for SIGHUP or tests); resolves when done. */
  check(): Promise<void>;
  /** Stops watching; safe to call more than once. */
  close(): void;
}

/**
 * Loads `path` synchronously (throws `AUDITGATE_E_CONFIG_INVALID` when the first load fails), then hot-reloads it:
 * fs.watch on the directory (so editors' atomic rename-over is seen) plus a periodic stat (mtime, size, inode) with
 * a content hash as the final word. Invalid new content keeps the previous policy and is reported once.
 */
export function watchPolicyFile(path: string, options: WatchPolicyFileOptions): PolicyFileWatcher {
  const now = options.now ?? Date.now;
  const log = options.logger?.child({ component: 'policy-watcher', path });
  const initialText = readInitial(path);
  let current = load(parsePolicy(initialText, path), now());
  let lastTextHash = sha256(initialText);
  let lastStat = statKey(statSync(path));
  let lastReported = '';
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  for (const warning of current.policy.warnings) log?.warn({ warning }, 'policy warning');

  const report = (key: string, error: AppError): void => {
    if (key === lastReported) return;
    lastReported = key;
    log?.error({ err: error, code: error.code }, 'policy reload rejected; previous policy stays in force');
    options.onError(error);
  };

  const reload = async (): Promise<void> => {
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      report(`stat:${(error as { code?: string }).code}`, wrap(error, `cannot stat policy file ${path}`));
      return;
    }
    const key = statKey(info);
    if (key === lastStat) return;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      report(`read:${(error as { code?: string }).code}`, wrap(error, `cannot read policy file ${path}`));
      return;
    }
    if (closed) return;
    const textHash = sha256(text);
    if (textHash === lastTextHash) { lastStat = key; return; }
    let policy: GatewayPolicy;
    try {
      policy = parsePolicy(text, path);
    } catch (error) {
      lastStat = key;
      report(`text:${textHash}`, toAppError(error, ErrorCodes.CONFIG_INVALID));
      return;
    }
    lastStat = key;
    lastTextHash = textHash;
    lastReported = '';
    if (policy.bundleHash === current.hash) { log?.debug('policy file changed without changing the policy'); return; }
    const previous = current.hash;
    current = load(policy, now());
    for (const warning of policy.warnings) log?.warn({ warning }, 'policy warning');
    log?.info({ hash: current.hash, previous }, 'policy reloaded');
    try {
      options.onChange(policy, current.hash);
    } catch (error) {
      log?.error({ err: error }, 'policy onChange listener failed');
    }
  };

  // One reload at a time; a request during a run schedules exactly one more so the last write is never missed.
  const check = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (running) { again = true; return running; }
    running = (async () => {
      do { again = false; await reload(); } while (again && !closed);
    })().finally(() => { running = undefined; });
    return running;
  };

  const schedule = (): void => {
    if (closed) return;
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => { void check(); }, options.debounceMs ?? 100);
    debounce.unref();
  };

  let watcher: FSWatcher | undefined;
  if (options.useFsWatch !== false) try {
    const file = basename(path);
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name === null || name === file) schedule();
    });
    watcher.on('error', (error) => log?.warn({ err: error }, 'fs.watch failed; relying on polling'));
  } catch (error) {
    log?.warn({ err: error }, 'fs.watch unavailable; relying on polling');
  }
  const poll = setInterval(() => { void check(); }, options.pollIntervalMs ?? 5_000);
  poll.unref();

  return {
    current: () => current,
    check,
    close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      if (debounce) clearTimeout(debounce);
      watcher?.close();
    },
  };
}

function load(policy: GatewayPolicy, loadedAt: number): LoadedPolicy {
  return { policy, evaluator: createPolicyEvaluator(policy), hash: policy.bundleHash, loadedAt };
}

function readInitial(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw wrap(error, `cannot read policy file ${path}`);
  }
}

function wrap(error: unknown, message: string): AppError {
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError(`${message}: ${detail}`, { code: ErrorCodes.CONFIG_INVALID, cause: error });
}

function statKey(info: Stats): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
