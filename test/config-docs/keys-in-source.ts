import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A setting name written as a call argument or an `env[...]` index in a loader's source. */
export interface KeyInSource { readonly key: string; readonly file: string }

const KEY_ARGUMENT = /[(,[]\s*'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.test(-helper)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

/**
 * The keys named in the files under `dir` that read settings (those that mention `EnvReader`), so that a key read only
 * on a path no probe takes is noticed rather than left out of the README.
 */
export function keysInSource(dir: string, root: string): KeyInSource[] {
  return sourceFiles(dir).flatMap((path) => {
    const text = readFileSync(path, 'utf8');
    if (!text.includes('EnvReader')) return [];
    return [...text.matchAll(KEY_ARGUMENT)].map((m) => ({ key: m[1] ?? '', file: relative(root, path) }));
  });
}
