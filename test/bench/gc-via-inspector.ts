/** Forces a full GC in another Node process started with `--inspect=127.0.0.1:<port>`, through the inspector protocol. */

/** Runs HeapProfiler.collectGarbage in the process whose inspector listens on `port`; resolves once it has run. */
export async function collectGarbage(port: number, timeoutMs = 30_000): Promise<void> {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(timeoutMs) })).json() as Array<{ webSocketDebuggerUrl?: string }>;
  const url = list[0]?.webSocketDebuggerUrl;
  if (url === undefined) throw new Error(`no inspector target on port ${port}`);
  const ws = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`collectGarbage on port ${port}: no answer in ${timeoutMs} ms`)), timeoutMs);
      ws.addEventListener('open', () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
      ws.addEventListener('message', (event) => {
        const reply = JSON.parse(String(event.data)) as { id?: number; error?: { message: string } };
        if (reply.id !== 1) return;
        clearTimeout(timer);
        if (reply.error === undefined) resolve(); else reject(new Error(`collectGarbage: ${reply.error.message}`));
      });
      ws.addEventListener('error', () => { clearTimeout(timer); reject(new Error(`inspector WebSocket on port ${port} failed`)); });
    });
  } finally {
    ws.close();
  }
}
