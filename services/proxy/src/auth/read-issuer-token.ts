import { readFile } from 'node:fs/promises';
import { AppError, ErrorCodes } from '@auditgate/shared';

/**
 * Reads the bearer token presented to an issuer's discovery and JWKS endpoints, fresh on every call so a rotated
 * projected token is picked up; rejects (retriable, without the file's contents) when it is missing or empty.
 */
export async function readIssuerToken(path: string): Promise<string> {
  let token: string;
  try {
    token = (await readFile(path, 'utf8')).trim();
  } catch (cause) {
    throw new AppError(`cannot read the issuer token file ${path}`, { code: ErrorCodes.CONFIG_INVALID, retriable: true, cause });
  }
  if (token === '') throw new AppError(`the issuer token file ${path} is empty`, { code: ErrorCodes.CONFIG_INVALID, retriable: true });
  return token;
}
