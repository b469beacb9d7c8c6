import { createServer } from 'node:http';
import { AppError, ErrorCodes } from '@auditgate/shared';

/**
 * The first Node.js releases whose `http.createServer` honours `shouldUpgradeCallback` (v22.21.0, v24.9.0; every
 * major from 25). An older Node ignores the option without a word, and then every request with upgrade headers takes the
 * upgrade path, whatever the gateway's routing says.
 */
export const UPGRADE_CALLBACK_SINCE: ReadonlyArray<readonly [major: number, minor: number]> = [[22, 21], [24, 9]];
/** The first major that has it from its first release (23 never got it). */
const EVERY_RELEASE_FROM_MAJOR = 25;

/** What {@link requireUpgradeCallback} checks: the running Node's version, and whether a server keeps the option. */
export interface NodeRuntime {
  /** `process.versions.node`, e.g. `24.9.0`. */
  readonly version: string;
  /** True when a server made with `shouldUpgradeCallback` holds that callback (the option was read, not dropped). */
  keepsUpgradeCallback(): boolean;
}

/** The running Node.js. */
export function currentNodeRuntime(): NodeRuntime {
  return {
    version: process.versions.node,
    keepsUpgradeCallback() {
      const callback = (): boolean => false;
      const server = createServer({ shouldUpgradeCallback: callback });
      return (server as unknown as { shouldUpgradeCallback?: unknown }).shouldUpgradeCallback === callback;
    },
  };
}

/** True when `version` (`major.minor.patch`) is at or past the release that brought `shouldUpgradeCallback` to its line. */
export function versionHasUpgradeCallback(version: string): boolean {
  const [major = Number.NaN, minor = Number.NaN] = version.replace(/^v/, '').split('.').map(Number);
  if (!Number.isInteger(major) || !Number.isInteger(minor)) return false;
  if (major >= EVERY_RELEASE_FROM_MAJOR) return true;
  const since = UPGRADE_CALLBACK_SINCE.find(([m]) => m === major);
  return since !== undefined && minor >= since[1];
}

/**
 * Refuses to run the gateway (AUDITGATE_E_RUNTIME_UNSUPPORTED) on a Node.js without `shouldUpgradeCallback`: by its
 * version, and by a server that must keep the option.
 */
export function requireUpgradeCallback(runtime: NodeRuntime = currentNodeRuntime()): void {
  if (versionHasUpgradeCallback(runtime.version) && runtime.keepsUpgradeCallback()) return;
  throw new AppError(`Node.js ${runtime.version} does not support http's shouldUpgradeCallback, which the gateway needs to route upgrade `
    + 'requests (only exec, attach, portforward and proxy may upgrade); run Node.js 22.21+ or 24.9+', {
    code: ErrorCodes.RUNTIME_UNSUPPORTED, details: { node: runtime.version },
  });
}
