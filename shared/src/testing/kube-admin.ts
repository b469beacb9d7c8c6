import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { StackEnv } from './stack-env.js';

const run = promisify(execFile);

/** Credentials of the local control plane's users, read from its state folder. */
export interface KubeCredentials {
  readonly ca: Buffer;
  readonly adminToken: string;
  readonly gatewayToken: string;
  readonly adminKubeconfig: string;
  readonly auditLog: string;
}

/** Reads the local stack's CA and static tokens (tokens.csv) from `stack.kubeState`. */
export function readKubeCredentials(stack: StackEnv): KubeCredentials {
  const tokens = readFileSync(`${stack.kubeState}/tokens.csv`, 'utf8').split('\n');
  const tokenOf = (user: string): string => {
    const line = tokens.find((l) => l.split(',')[1] === user);
    if (line === undefined) throw new Error(`no token for ${user} in ${stack.kubeState}/tokens.csv`);
    return line.split(',')[0]!;
  };
  return {
    ca: readFileSync(`${stack.kubeState}/pki/ca.crt`),
    adminToken: tokenOf('auditgate-admin'),
    gatewayToken: tokenOf('auditgate-gateway'),
    adminKubeconfig: `${stack.kubeState}/admin.kubeconfig`,
    auditLog: `${stack.kubeState}/audit.log`,
  };
}

/** Runs the stack's own kubectl with `kubeconfig`; resolves with stdout, rejects with stderr in the message. */
export async function kubectl(stack: StackEnv, kubeconfig: string, args: readonly string[], input?: string): Promise<string> {
  const child = run(stack.kubectl, ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  if (input !== undefined) { child.child.stdin?.end(input); }
  try {
    return (await child).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

/** Reads the API server's audit log (JSON lines) and returns the events matching `predicate`. */
export function readApiServerAudit(auditLog: string, predicate: (event: Record<string, unknown>) => boolean): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of readFileSync(auditLog, 'utf8').split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as Record<string, unknown>;
    if (predicate(event)) out.push(event);
  }
  return out;
}

/** One API server audit event, as tests read it. */
export interface ApiServerAuditEvent {
  auditID?: string;
  requestURI: string;
  verb?: string;
  stage: string;
  user?: { username?: string; groups?: string[]; extra?: Record<string, string[]> };
  impersonatedUser?: { username?: string; groups?: string[] };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus?: { code?: number };
}

/** The API server audit events written after byte `offset` of `auditLog` (from the start if the log rotated). */
export async function apiServerAuditSince(auditLog: string, offset: number): Promise<ApiServerAuditEvent[]> {
  const handle = await open(auditLog, 'r');
  try {
    const { size } = await handle.stat();
    const from = size < offset ? 0 : offset;
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    return buffer.toString('utf8').split('\n').filter((l) => l.startsWith('{') && l.endsWith('}')).map((l) => JSON.parse(l) as ApiServerAuditEvent);
  } finally {
    await handle.close();
  }
}

/** The `jti` claim of a JWT (unverified): tells two service-account tokens apart in the audit log's `user.extra`. */
export function jwtId(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti;
}
