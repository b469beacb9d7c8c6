/** nginx as a plain TLS reverse proxy to the kube-apiserver: the ceiling for any proxy on this machine. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { spawnOwned, waitUntil, type OwnedProcess } from './child-process.js';

/** A running nginx. */
export interface NginxProcess extends OwnedProcess {
  readonly url: string;
}

/** Writes a config and a throwaway self-signed certificate into `dir/nginx` and starts nginx in the foreground. */
export async function startNginx(options: { dir: string; port: number; upstream: string; root: string }): Promise<NginxProcess> {
  const dir = join(options.dir, 'nginx');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const upstream = new URL(options.upstream);
  writeFileSync(join(dir, 'nginx.conf'), `
user root;
worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream apiserver {
    server ${upstream.hostname}:${upstream.port || '443'};
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${options.port} ssl;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    keepalive_requests 1000000;
    location / {
      proxy_pass https://apiserver;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_ssl_verify off;
      proxy_ssl_session_reuse on;
      proxy_read_timeout 600s;
    }
  }
}
`);
  const proc = spawnOwned('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;'], {
    env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/bin' }, cwd: options.root, logFile: join(dir, 'stdout.log'),
  });
  const url = `https://127.0.0.1:${options.port}`;
  try {
    await waitUntil('nginx', proc, () => new Promise<boolean>((resolve) => {
      const socket = connect(options.port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    }), 15_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { ...proc, url };
}
