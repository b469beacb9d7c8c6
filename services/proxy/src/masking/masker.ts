import type { Transform } from 'node:stream';

/** Masks secret values in Kubernetes objects and bodies for the exchange handlers (made by `createMasker`). */
export interface Masker {
  /** Masks a parsed object; `resource` hints the kind of kindless patches; `forCaller` keeps base64 fields decodable. */
  maskObject(object: unknown, resource: string | undefined, forCaller?: boolean): { object: unknown; maskedPaths: string[] };
  /** A transform over a JSON watch stream that masks each event; `onMaskedPaths` hears each event's masked paths. */
  watchTransform(resource: string | undefined, onMaskedPaths?: (paths: string[]) => void): Transform;
}
