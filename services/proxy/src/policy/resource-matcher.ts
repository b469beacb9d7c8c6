import { compileGlob, type StringMatcher } from './glob.js';

/** Tests a (resource, subresource) pair; subresource is `""` for the resource itself. */
export type ResourceMatcher = (resource: string, subresource: string) => boolean;

interface ResourceEntry { readonly resource: StringMatcher; readonly subresource: StringMatcher | undefined }

/** Problem with one resource entry (`pods`, `pods/exec`, `*` + `/status`, `*`), or undefined when it is well formed. */
export function resourceEntryProblem(entry: string): string | undefined {
  if (entry === '') return 'must not be empty';
  const parts = entry.split('/');
  if (parts.length > 2 || parts.some((part) => part === '')) {
    return `"${entry}" must be "resource", "resource/subresource" or use "*" for either part`;
  }
  return undefined;
}

/**
 * Compiles RBAC-style resource entries: `pods` matches pods only (no subresource), `pods/exec` one subresource,
 * `pods/*` any subresource of pods, `*` + `/status` the status subresource of anything, and `*` everything.
 * Parts are globs. `undefined` for an empty list (no constraint).
 */
export function compileResourceList(entries: readonly string[]): ResourceMatcher | undefined {
  if (entries.length === 0) return undefined;
  if (entries.includes('*')) return () => true;
  const compiled: ResourceEntry[] = entries.map((entry) => {
    const slash = entry.indexOf('/');
    if (slash < 0) return { resource: compileGlob(entry), subresource: undefined };
    return { resource: compileGlob(entry.slice(0, slash)), subresource: compileGlob(entry.slice(slash + 1)) };
  });
  return (resource, subresource) => {
    for (let i = 0; i < compiled.length; i++) {
      const entry = compiled[i] as ResourceEntry;
      if (!entry.resource(resource)) continue;
      if (entry.subresource === undefined ? subresource === '' : subresource !== '' && entry.subresource(subresource)) {
        return true;
      }
    }
    return false;
  };
}
