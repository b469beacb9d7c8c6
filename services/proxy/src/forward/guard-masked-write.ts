import { AppError, ErrorCodes } from '@auditgate/shared';

/** The gateway's mask marker (`***masked:…`), as text and as the base64 of its first nine bytes. */
const MARKERS = [Buffer.from('***masked:'), Buffer.from('KioqbWFza2Vk')];

/** Paths whose values a mask hides: a patch that copies, moves or tests them turns the API server into an oracle. */
const HIDDEN_PATH = /^\/(data|stringData|binaryData)(\/|$)|^\/metadata\/annotations\/kubectl\.kubernetes\.io~1last-applied-configuration$/i;

/**
 * Refuses a write that would destroy or reveal what a mask hides. Any write carrying the gateway's own mask marker
 * would store the marker over the real value (a masked GET followed by a PUT). Under a `mask` decision, a JSON patch
 * may not copy, move or test a hidden path: `copy` to an annotation or an invalid field puts the value in the answer
 * or in an error message, and `test` confirms a guess.
 */
export function guardMaskedWrite(body: Buffer, decoded: unknown, masked: boolean): void {
  if (MARKERS.some((marker) => body.includes(marker))) {
    throw new AppError('the request body carries a value the gateway masked; writing it back would replace the real value with the marker', {
      code: ErrorCodes.BAD_REQUEST, status: 400, details: { reason: 'masked-value-written-back' },
    });
  }
  if (!masked || !Array.isArray(decoded)) return;
  for (const op of decoded as unknown[]) {
    if (typeof op !== 'object' || op === null) continue;
    const { op: kind, from, path } = op as { op?: unknown; from?: unknown; path?: unknown };
    const reads = (kind === 'copy' || kind === 'move') && typeof from === 'string' && HIDDEN_PATH.test(from);
    const tests = kind === 'test' && typeof path === 'string' && HIDDEN_PATH.test(path);
    if (reads || tests) {
      throw new AppError(`under a mask rule a JSON patch may not ${String(kind)} a masked value (${String(kind === 'test' ? path : from).slice(0, 128)})`, {
        code: ErrorCodes.FORBIDDEN, status: 403, details: { reason: 'masked-value-patch' },
      });
    }
  }
}
