/**
 * A TCP relay in front of the fault suite's own Kafka broker (which advertises the relay's address, so every client
 * goes through it). It can lose the broker's answers on purpose: in `swallow` mode requests still reach the broker but
 * nothing comes back, so a produce request is appended by the broker while its producer never hears of it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

/** What the relay does with traffic: forward it, forward requests but drop answers, or refuse connections. */
export type RelayMode = 'pass' | 'swallow' | 'refuse';

/** A running relay. */
export interface KafkaRelay {
  readonly port: number;
  mode: RelayMode;
  /** Produce requests (API key 0) forwarded to the broker whose answers the relay dropped or never delivered. */
  readonly lostProduceAnswers: number;
  /** Destroys every open connection (clients see the broker go away); unanswered produce requests count as lost. */
  cutAll(): void;
  close(): Promise<void>;
}

const PRODUCE_API_KEY = 0;

/**
 * Splits one direction of a Kafka connection into frames (4-byte size, then the frame) across chunk boundaries and
 * hands each frame's first `headerBytes` bytes (after the size) to `onFrame`.
 */
export function frameSplitter(headerBytes: number, onFrame: (header: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let skip = 0;
  return (chunk) => {
    let data: Buffer = chunk;
    while (data.length > 0) {
      if (skip > 0) {
        const n = Math.min(skip, data.length);
        skip -= n;
        data = data.subarray(n);
        continue;
      }
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      data = Buffer.alloc(0);
      if (pending.length < 4 + headerBytes) return;
      const size = pending.readInt32BE(0);
      onFrame(pending.subarray(4, 4 + headerBytes));
      const rest = pending.subarray(4);
      pending = Buffer.alloc(0);
      if (rest.length >= size) data = rest.subarray(size);
      else skip = size - rest.length;
    }
  };
}

/** Starts a relay on 127.0.0.1:`port` (0: any) to the broker at 127.0.0.1:`targetPort`. */
export async function startKafkaRelay(port: number, targetPort: number): Promise<KafkaRelay> {
  const connections = new Set<{ client: Socket; broker: Socket; producesInFlight: Set<number> }>();
  let lost = 0;
  const relay: KafkaRelay = {
    port: 0,
    mode: 'pass',
    get lostProduceAnswers() { return lost; },
    cutAll() {
      for (const c of connections) { lost += c.producesInFlight.size; c.producesInFlight.clear(); c.client.destroy(); c.broker.destroy(); }
      connections.clear();
    },
    async close() {
      relay.cutAll();
      server.close();
      await once(server, 'close');
    },
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    if (relay.mode === 'refuse') { client.destroy(); return; }
    const broker = connect(targetPort, '127.0.0.1');
    const conn = { client, broker, producesInFlight: new Set<number>() };
    connections.add(conn);
    const drop = (): void => { client.destroy(); broker.destroy(); connections.delete(conn); };
    client.on('error', drop).on('close', drop);
    broker.on('error', drop).on('close', drop);
    // Requests: API key (int16), API version (int16), correlation id (int32). Answers: correlation id (int32).
    const requests = frameSplitter(8, (h) => { if (h.readInt16BE(0) === PRODUCE_API_KEY) conn.producesInFlight.add(h.readInt32BE(4)); });
    let answered: number[] = [];
    const answers = frameSplitter(4, (h) => { answered.push(h.readInt32BE(0)); });
    client.on('data', (chunk: Buffer) => {
      if (relay.mode === 'refuse') { drop(); return; }
      requests(chunk);
      broker.write(chunk);
    });
    broker.on('data', (chunk: Buffer) => {
      answers(chunk);
      const ids = answered;
      answered = [];
      if (relay.mode === 'pass') {
        for (const id of ids) conn.producesInFlight.delete(id);
        client.write(chunk);
      } else {
        for (const id of ids) if (conn.producesInFlight.delete(id)) lost += 1;
        if (relay.mode === 'refuse') drop();
      }
    });
    broker.once('connect', () => client.resume());
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  (relay as { port: number }).port = (server.address() as { port: number }).port;
  return relay;
}
