/**
 * The MCP gate under test, all real: the proxy (in this process) with its MCP endpoint in front of the real
 * kubernetes-mcp-server (the npm package's Go binary, HTTP mode, OAuth required, verifying the gateway's delegated
 * tokens against the gateway's own issuer) and of a probe MCP server (the MCP SDK's), a local OIDC issuer for the
 * people behind the agents, and the real kube-apiserver behind the gateway in impersonation mode.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { newTestKey, readStackEnv, startLocalIssuer, uniqueName, type LocalIssuer, type TestKey } from '@auditgate/shared/testing';
import { freePort } from '../../../bench/free-port.js';
import { startProxy, type ProxyHarness } from '../../proxy/support/proxy-harness.js';
import { startKubernetesMcpHttp, writeKubeconfig, type KubernetesMcpHttp } from './kubernetes-mcp-http.js';
import { startProbeMcpServer, type ProbeMcpServer } from './probe-mcp-server.js';


/** A person at the local OIDC issuer. */
export interface Person { readonly sub: string; readonly username: string; readonly groups: string[] }

/** The running gate and what tests use to talk through it. */
export interface McpGateStack {
  readonly proxy: ProxyHarness;
  readonly people: LocalIssuer;
  readonly gateway: string;
  /** The CA of the gateway's serving certificate (the stack's CA). */
  readonly ca: Buffer;
  /** The gateway's delegation key (PKCS#8 PEM), so tests can forge tokens it would have signed. */
  readonly delegationKeyPem: string;
  readonly delegationIssuer: string;
  readonly probe: ProbeMcpServer;
  readonly kubernetesMcpLog: string;
  /** kubernetes-mcp-server's own Streamable HTTP endpoint (behind the gate; tests reach it directly to see what it accepts). */
  readonly kubernetesMcpUrl: string;
  /** An OAuth access token of `person` for the gate's `server` resource, issued to `agent`. */
  tokenFor(person: Person, server: string, options?: { agent?: string; audience?: string; expiresIn?: number }): Promise<string>;
  /** An MCP SDK client connected through the gate to `server` with `token`. */
  connect(server: string, token: string, name?: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }>;
  stop(): Promise<void>;
}

/** A serving certificate for 127.0.0.1 signed by the local stack's CA (trusted by NODE_EXTRA_CA_CERTS and the Go MCP server). */
export function stackSignedCert(dir: string, kubeState: string): { cert: string; key: string } {
  const key = join(dir, 'gateway.key');
  const csr = join(dir, 'gateway.csr');
  const cert = join(dir, 'gateway.crt');
  const ext = join(dir, 'gateway.ext');
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  execFileSync('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=auditgate-gateway-test', '-keyout', key, '-out', csr], { stdio: 'ignore' });
  execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', `${kubeState}/pki/ca.crt`, '-CAkey', `${kubeState}/pki/ca.key`, '-CAserial', join(dir, 'ca.srl'), '-CAcreateserial', '-days', '2', '-extfile', ext, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/** Starts the gate with `policy` (a GatewayPolicy YAML) and `env` overrides. */
export async function startMcpGateStack(options: { policy: string; env?: Record<string, string> }): Promise<McpGateStack> {
  const stack = readStackEnv(process.env);
  const ca = readFileSync(`${stack.kubeState}/pki/ca.crt`);
  const people = await startLocalIssuer();
  const peopleKey: TestKey = await newTestKey('ES256', uniqueName('people'));
  people.keys = [peopleKey];
  const [gatewayPort, kubeMcpPort] = [await freePort(), await freePort()];
  const gateway = `https://127.0.0.1:${gatewayPort}`;
  let probe: ProbeMcpServer | undefined;
  let child: KubernetesMcpHttp | undefined;
  let proxy: ProxyHarness | undefined;
  try {
    probe = await startProbeMcpServer({ gateway: () => gateway, ca });
    const dir = join(process.env['TMPDIR'] ?? '/tmp', uniqueName('mcp-gate'));
    execFileSync('mkdir', ['-p', dir]);
    const tls = stackSignedCert(dir, stack.kubeState);
    const delegationKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writeFileSync(join(dir, 'delegation.key'), delegationKeyPem, { mode: 0o600 });
    proxy = await startProxy({
      policy: options.policy,
      env: {
        PROXY_IMPERSONATE: 'true', PROXY_HTTPS_PORT: String(gatewayPort), PROXY_TLS_CERT_FILE: tls.cert, PROXY_TLS_KEY_FILE: tls.key,
        PROXY_MCP_PUBLIC_URL: gateway, PROXY_MCP_DELEGATION_KEY_FILE: join(dir, 'delegation.key'), PROXY_MCP_CALL_TIMEOUT_MS: '30000',
        PROXY_MCP_SERVERS: JSON.stringify([
          { name: 'kubernetes', url: `http://127.0.0.1:${kubeMcpPort}/mcp` },
          { name: 'probe', url: probe.url },
          { name: 'sidecar', url: probe.url, kubernetes: false },
        ]),
        PROXY_MCP_ISSUERS: JSON.stringify([{ issuer: people.issuer, usernamePrefix: 'oidc:', groupsClaim: 'groups' }]),
        ...options.env,
      },
    });
    const delegationIssuer = `${gateway}/mcp-delegation`;
    // kubernetes-mcp-server in HTTP mode: OAuth required, tokens verified against the gateway's delegation issuer (its
    // discovery and JWKS, over TLS with the stack's CA), audience its own; its kubeconfig holds no credential at all.
    child = await startKubernetesMcpHttp({
      port: kubeMcpPort, dir, name: 'kubernetes-mcp-server',
      kubeconfig: writeKubeconfig(join(dir, 'kubernetes-mcp.kubeconfig'), gateway, `${stack.kubeState}/pki/ca.crt`),
      oauth: { issuer: delegationIssuer, audience: 'auditgate-mcp:kubernetes', caFile: `${stack.kubeState}/pki/ca.crt` },
    });
    const kubernetesMcpLog = child.logFile;
    const started = { proxy, probe, child: child! };
    return {
      proxy, people, gateway, ca, delegationKeyPem, delegationIssuer, probe, kubernetesMcpLog, kubernetesMcpUrl: child.url,
      async tokenFor(person, server, o = {}) {
        const now = Math.floor(Date.now() / 1000);
        return people.sign(peopleKey, {
          sub: person.sub, groups: person.groups, aud: o.audience ?? `${gateway}/mcp/${server}`, azp: o.agent ?? 'auditgate-test-agent',
          iat: now, exp: now + (o.expiresIn ?? 3600),
        });
      },
      async connect(server, token, name = 'auditgate-mcp-gate-test') {
        const transport = new StreamableHTTPClientTransport(new URL(`${gateway}/mcp/${server}`), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
        const client = new Client({ name, version: '1.0.0' });
        await client.connect(transport);
        return { client, transport };
      },
      async stop() {
        const steps: Array<[string, () => Promise<unknown>]> = [
          ['kubernetes-mcp-server', async () => started.child.stop()],
          ['probe', async () => started.probe.close()],
          ['proxy', async () => started.proxy.stop()],
          ['people issuer', async () => people.close()],
        ];
        for (const [what, step] of steps) await step().catch((error: unknown) => console.error(`stop ${what}:`, error));
      },
    };
  } catch (error) {
    await child?.stop().catch(() => undefined);
    await probe?.close().catch(() => undefined);
    await proxy?.stop().catch(() => undefined);
    await people.close().catch(() => undefined);
    throw error;
  }
}
