/** The floor of any Node.js proxy here: a bare node:https pass-through (keep-alive agent, no logic) to the API server. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawnOwned, waitUntil, type OwnedProcess } from './child-process.js';

/** A running bare Node proxy. */
export interface BareNodeProxy extends OwnedProcess { readonly url: string }

const SCRIPT = `
import https from 'node:https';
import { readFileSync } from 'node:fs';
const [port, upstream, caFile, keyFile, certFile] = process.argv.slice(2);
const target = new URL(upstream);
const agent = new https.Agent({ keepAlive: true, ca: readFileSync(caFile) });
https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
  const up = https.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
    res.writeHead(ur.statusCode ?? 502, ur.headers);
    ur.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
}).listen(Number(port), '127.0.0.1');
`;

/** Starts the bare proxy with the Node binary of this process; the client's Authorization passes through as is. */
export async function startBareNodeProxy(options: { dir: string; root: string; port: number; upstream: string; caFile: string }): Promise<BareNodeProxy> {
  const dir = join(options.dir, 'bare-node');
  mkdirSync(dir, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  writeFileSync(join(dir, 'proxy.mjs'), SCRIPT);
  const proc = spawnOwned(process.execPath, [join(dir, 'proxy.mjs'), String(options.port), options.upstream, options.caFile, join(dir, 'key.pem'), join(dir, 'cert.pem')], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, cwd: options.root, logFile: join(dir, 'stdout.log'),
  });
  await waitUntil('bare node proxy', proc, () => new Promise<boolean>((resolve) => {
    const socket = connect(options.port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  }), 15_000);
  return { pid: proc.pid, logFile: proc.logFile, exited: () => proc.exited(), stop: (grace?: number) => proc.stop(grace), url: `https://127.0.0.1:${options.port}` };
}
