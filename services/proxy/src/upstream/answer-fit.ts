import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** What {@link watchAnswerFit} gives the exchange: a way to drop the connection its answer came on. */
export interface AnswerFit {
  /** Destroys the upstream connection if it still belongs to this request (an answer the gateway refused). */
  discard(): void;
}

/** Why an answer did not fit its request, for the caller's Status and the audit event. */
export const MISFIT_AFTER_ANSWER = 'the API server sent bytes after its answer (another answer, or bytes that are none)';

/**
 * Watches one pooled HTTP/1 exchange for an answer that does not fit its request, and closes that connection so it is
 * never reused: bytes after a complete answer (a second answer, garbage; Node's parser drops the socket on some of
 * these without a word, the rest it would leave for the next request), or an answer that arrives before the request
 * was sent whole. `onMisfit` is called at most once, with the reason, while the request still owns the connection.
 */
export function watchAnswerFit(req: ClientRequest, onMisfit: (reason: string) => void): AnswerFit {
  let socket: Socket | undefined;
  let response: IncomingMessage | undefined;
  let released = false;
  let misfit = false;
  const flag = (reason: string): void => {
    if (misfit || released) return;
    misfit = true;
    socket?.destroy();
    onMisfit(reason);
  };
  // Before Node's parser sees a chunk: if the answer was already complete, every byte of it is one too many.
  const before = (): void => { if (response?.complete === true) flag(MISFIT_AFTER_ANSWER); };
  // After it: the parser destroys the socket itself when a chunk held more than the answer (a double response).
  const after = (): void => { if (response?.complete === true && socket?.destroyed === true) flag(MISFIT_AFTER_ANSWER); };
  req.on('socket', (s) => {
    socket = s as Socket;
    socket.prependListener('data', before);
    socket.on('data', after);
  });
  req.on('response', (res) => {
    response = res;
    // An answer before the request was written whole leaves the rest of the request unread upstream: no reuse.
    if (!req.writableFinished) req.shouldKeepAlive = false;
  });
  // Emitted when the request lets go of its connection (back to the pool, or closed): the socket is no longer ours.
  req.on('close', () => {
    released = true;
    socket?.removeListener('data', before);
    socket?.removeListener('data', after);
  });
  return { discard: () => { if (!released) socket?.destroy(); } };
}

/**
 * Idle pooled connections must stay silent: a connection that has unread bytes when it goes back to the pool, or
 * that receives any while it waits there, is destroyed (Node 24 does the same; this holds on any runtime), so bytes
 * the API server sent unasked are never read as the next request's answer. Uses the agent's documented hooks.
 */
export function guardIdleSockets(agent: HttpAgent, onDiscard: (reason: string) => void): void {
  const idle = new WeakMap<Socket, () => void>();
  const keep = agent.keepSocketAlive.bind(agent);
  const reuse = agent.reuseSocket.bind(agent);
  agent.keepSocketAlive = (socket: Socket): boolean => {
    if (socket.readableLength > 0) { onDiscard('unread bytes on a connection going back to the pool'); return false; }
    // Typed void in @types/node, but the agent pools the socket only when it returns true.
    if ((keep(socket) as unknown) !== true) return false;
    const unsolicited = (): void => { socket.destroy(); onDiscard('bytes on an idle pooled connection'); };
    idle.set(socket, unsolicited);
    socket.once('data', unsolicited);
    return true;
  };
  agent.reuseSocket = (socket: Socket, request: ClientRequest): void => {
    const unsolicited = idle.get(socket);
    if (unsolicited !== undefined) { socket.removeListener('data', unsolicited); idle.delete(socket); }
    reuse(socket, request);
  };
}
