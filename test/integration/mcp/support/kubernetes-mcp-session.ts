import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';

/** The text a tool answered and whether the server flagged it as an error. */
export interface ToolOutcome {
  readonly text: string;
  readonly isError: boolean;
}

/** A connected MCP client talking over stdio to a real kubernetes-mcp-server process. */
export interface KubernetesMcpSession {
  readonly client: Client;
  /** The server process id (for diagnostics). */
  readonly pid: number | null;
  /** Where the server writes its own (client-go) log. */
  readonly logFile: string;
  /** Calls `name` with `args` and joins the text parts of its result. */
  call(name: string, args: Record<string, unknown>): Promise<ToolOutcome>;
  /** Closes the client and the server process; safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link connectKubernetesMcpServer}. */
export interface ConnectOptions {
  /** The kubeconfig the server uses (one pointing at the gateway). */
  readonly kubeconfig: string;
  /** A folder for the server's log file. */
  readonly dir: string;
  /** Extra server flags. */
  readonly args?: readonly string[];
}

/**
 * Path of the Go binary the npm package `kubernetes-mcp-server` ships for this platform. The package's `bin/index.js`
 * wrapper prints to stdout on signals (which would corrupt the stdio protocol) and may orphan its child on SIGKILL,
 * so the binary is spawned directly.
 */
export function kubernetesMcpServerBinary(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as 'x64' | 'arm64'];
  if (arch === undefined || (process.platform !== 'linux' && process.platform !== 'darwin')) {
    throw new Error(`kubernetes-mcp-server ships no binary for ${process.platform}/${process.arch}`);
  }
  const name = `kubernetes-mcp-server-${process.platform}-${arch}`;
  return createRequire(import.meta.url).resolve(`${name}/bin/${name}`);
}

/** Spawns kubernetes-mcp-server with `kubeconfig` over stdio and connects an SDK client to it. */
export async function connectKubernetesMcpServer(options: ConnectOptions): Promise<KubernetesMcpSession> {
  const logFile = join(options.dir, 'kubernetes-mcp-server.log');
  const transport = new StdioClientTransport({
    command: kubernetesMcpServerBinary(),
    // --log-level 6 logs each API request line (method, URL, status), never bodies.
    args: ['--kubeconfig', options.kubeconfig, '--log-file', logFile, '--log-level', '6', ...(options.args ?? [])],
    env: getDefaultEnvironment(),
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-8192); });
  const client = new Client({ name: 'auditgate-integration-test', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    await transport.close();
    throw new Error(`kubernetes-mcp-server did not start: ${(error as Error).message}\nstderr: ${stderr}`);
  }
  let closed = false;
  return {
    client,
    logFile,
    get pid() { return transport.pid; },
    async call(name, args) {
      const result = await client.callTool({ name, arguments: args });
      const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
      const text = content.filter((part) => part.type === 'text').map((part) => part.text ?? '').join('\n');
      return { text, isError: result.isError === true };
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
