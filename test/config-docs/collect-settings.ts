import { ErrorCodes, isAppError, type Env, type SettingObserver, type SettingRead } from '@auditgate/shared';

/** A service's `loadConfig`, with the observer it passes to its `EnvReader`. */
export type ObservedLoadConfig = (env: Env, observe: SettingObserver) => unknown;

/** What every read of one key, over every probe, says about its default. */
export interface SettingFacts {
  readonly key: string;
  /** The distinct fallbacks the loader passed (one when the default is a literal; more when it depends on others). */
  readonly fallbacks: readonly NonNullable<SettingRead['fallback']>[];
  /** Read without a fallback while unset: leaving it unset is a problem. */
  readonly required: boolean;
}

/** The settings a loader reads, in the order it first reads them. */
export interface CollectedSettings {
  readonly settings: ReadonlyMap<string, SettingFacts>;
  /** Keys the loader takes straight from the environment (not through its reader), e.g. `KUBECONFIG` as a fallback. */
  readonly direct: readonly string[];
}

const ENV_KEY = /^[A-Z][A-Z0-9_]*$/;

interface Run { readonly reads: readonly (SettingRead & { readonly unset: boolean })[]; readonly direct: ReadonlySet<string> }

function run(load: ObservedLoadConfig, env: Env): Run {
  const got = new Set<string>();
  const observed = new Set<string>();
  const reads: (SettingRead & { unset: boolean })[] = [];
  const watched = new Proxy({ ...env }, {
    get(target, key, receiver) {
      if (typeof key === 'string') got.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  try {
    load(watched, (read) => {
      observed.add(read.key);
      reads.push({ ...read, unset: env[read.key] === undefined || env[read.key] === '' });
    });
  } catch (error) {
    // A probe turns features on without their companions; the reads before the error are what we came for.
    if (!isAppError(error) || error.code !== ErrorCodes.CONFIG_INVALID) throw error;
  }
  return { reads, direct: new Set([...got].filter((key) => ENV_KEY.test(key) && !observed.has(key))) };
}

/**
 * Runs `load` once per probe and gathers every read. A key read straight from the environment is set to `$KEY` in a
 * second run, so a fallback taken from it shows as `$KEY` rather than as whatever this machine has.
 */
export function collectSettings(load: ObservedLoadConfig, probes: readonly Env[]): CollectedSettings {
  const facts = new Map<string, { fallbacks: Map<string, NonNullable<SettingRead['fallback']>>; required: boolean }>();
  const direct = new Set<string>();
  for (const probe of probes) {
    const first = run(load, probe);
    const placeholders = Object.fromEntries([...first.direct].filter((key) => probe[key] === undefined).map((key) => [key, `$${key}`]));
    const second = run(load, { ...placeholders, ...probe });
    for (const key of [...first.direct, ...second.direct]) direct.add(key);
    for (const read of second.reads) {
      const entry = facts.get(read.key) ?? { fallbacks: new Map(), required: false };
      if (read.fallback !== undefined) entry.fallbacks.set(JSON.stringify(read.fallback), read.fallback);
      entry.required ||= read.required && read.unset;
      facts.set(read.key, entry);
    }
  }
  const settings = new Map([...facts].map(([key, f]): [string, SettingFacts] => [key, { key, fallbacks: [...f.fallbacks.values()], required: f.required }]));
  return { settings, direct: [...direct].filter((key) => !settings.has(key)) };
}
