import { isRecord, mapItems, updateField, type JsonRecord, type MaskContext } from './mask-context.js';
import { keyLooksSecret, maskNamedText, maskSecretsInText, maskWholeText } from './mask-strings.js';

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
const FLAG_RE = /^-{1,2}([A-Za-z0-9][\w.-]*)$/;

/** Masks env values, args and command of every container of a pod spec (or a patch shaped like one). */
export function maskPodSpec(ctx: MaskContext, spec: unknown): unknown {
  if (!isRecord(spec)) return spec;
  let out: JsonRecord = spec;
  for (const list of CONTAINER_LISTS) {
    out = updateField(ctx, out, list, (containers) =>
      Array.isArray(containers) ? mapItems(ctx, containers, (c) => maskContainer(ctx, c)) : containers);
  }
  return out;
}

function maskContainer(ctx: MaskContext, container: unknown): unknown {
  if (!isRecord(container)) return container;
  let out = updateField(ctx, container, 'env', (env) =>
    Array.isArray(env) ? mapItems(ctx, env, (e) => maskEnvVar(ctx, e)) : env);
  out = updateField(ctx, out, 'args', (args) => maskArgv(ctx, args));
  return updateField(ctx, out, 'command', (command) => maskArgv(ctx, command));
}

function maskEnvVar(ctx: MaskContext, envVar: unknown): unknown {
  if (!isRecord(envVar) || typeof envVar['value'] !== 'string') return envVar;
  const name = envVar['name'];
  // Without a name (a JSON patch setting only `/env/N/value`) the value cannot be judged: mask it.
  return updateField(ctx, envVar, 'value', (value) =>
    typeof name === 'string' ? maskNamedText(ctx, name, value) : maskWholeText(ctx, value as string));
}

/** Pattern matches inside each argument; the argument after a secret-looking bare flag (`--password x`) wholly. */
function maskArgv(ctx: MaskContext, argv: unknown): unknown {
  if (!Array.isArray(argv)) return argv;
  return mapItems(ctx, argv, (arg, i) => {
    if (typeof arg !== 'string') return arg;
    const prev: unknown = i > 0 ? argv[i - 1] : undefined;
    const flag = typeof prev === 'string' ? FLAG_RE.exec(prev) : null;
    if (flag?.[1] !== undefined && keyLooksSecret(ctx, flag[1])) return maskWholeText(ctx, arg);
    return maskSecretsInText(ctx, arg);
  });
}
