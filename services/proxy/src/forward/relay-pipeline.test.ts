import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { relayPipeline } from './relay-pipeline.js';

/** Calls `done` through a promise, failing the test if it is called twice. */
function settled(): { done: (error?: Error) => void; result: Promise<Error | undefined>; calls: () => number } {
  let calls = 0;
  let resolve!: (error: Error | undefined) => void;
  const result = new Promise<Error | undefined>((r) => { resolve = r; });
  return { done: (error) => { calls += 1; resolve(error); }, result, calls: () => calls };
}

const upper = (): Transform => new Transform({ transform(chunk: Buffer, _enc, cb) { cb(null, Buffer.from(chunk.toString().toUpperCase())); } });

function collector(): { sink: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return { sink: new Writable({ write(chunk: Buffer, _enc, cb) { chunks.push(chunk); cb(); } }), text: () => Buffer.concat(chunks).toString() };
}

describe('relayPipeline', () => {
  it('relays every byte through each stage and settles once, without an error, when all have finished', async () => {
    const { sink, text } = collector();
    const { done, result, calls } = settled();
    relayPipeline([Readable.from(['get ', 'pods ', 'in ', 'default']), upper(), sink], done);
    assert.equal(await result, undefined);
    assert.equal(text(), 'GET PODS IN DEFAULT');
    await new Promise((r) => setImmediate(r));
    assert.equal(calls(), 1);
  });

  it('a source that fails destroys every stage and the destination and reports that error, once', async () => {
    const source = new PassThrough();
    const stage = upper();
    const { sink } = collector();
    const { done, result, calls } = settled();
    relayPipeline([source, stage, sink], done);
    source.write('half an answer');
    source.destroy(new Error('the API server reset the connection'));
    assert.equal((await result)?.message, 'the API server reset the connection');
    assert.ok(stage.destroyed && sink.destroyed);
    await new Promise((r) => setImmediate(r));
    assert.equal(calls(), 1);
  });

  it('a destination that closes early (the caller left) destroys the source, so a watch upstream is cut', async () => {
    const source = new PassThrough();
    const sink = new PassThrough();
    const { done, result } = settled();
    relayPipeline([source, sink], done);
    source.write('{"type":"ADDED"}\n');
    sink.destroy();
    const error = await result;
    assert.equal((error as NodeJS.ErrnoException | undefined)?.code, 'ERR_STREAM_PREMATURE_CLOSE');
    assert.ok(source.destroyed);
  });

  it('waits on the last stream only as a writable: its readable side is left for the caller to pipe', async () => {
    const stage = upper();
    const { done, result } = settled();
    relayPipeline([Readable.from(['watch ', 'events']), stage], done);
    assert.equal(await result, undefined);
    const { sink, text } = collector();
    await new Promise<void>((resolve) => { stage.pipe(sink).on('finish', resolve); });
    assert.equal(text(), 'WATCH EVENTS');
  });

  it('reports the first of several failures and destroys with it', async () => {
    const source = new PassThrough();
    const stage = new PassThrough();
    const sink = new PassThrough();
    const { done, result, calls } = settled();
    relayPipeline([source, stage, sink], done);
    stage.destroy(new Error('first'));
    sink.destroy(new Error('second'));
    assert.equal((await result)?.message, 'first');
    assert.ok(source.destroyed);
    await new Promise((r) => setImmediate(r));
    assert.equal(calls(), 1);
  });

  it('over a real HTTP response: the client hanging up mid-answer destroys the endless source and settles with an error', async () => {
    const source = new Readable({ read() { this.push(Buffer.alloc(1024, 120)); } });
    const { done, result } = settled();
    const server = createServer((_req, res: ServerResponse) => { res.writeHead(200); relayPipeline([source, res], done); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve, reject) => {
        const req = get({ host: '127.0.0.1', port, path: '/' }, (res) => { res.once('data', () => { req.destroy(); resolve(); }); });
        req.on('error', (error) => { if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error); });
      });
      const error = await result;
      assert.ok(error instanceof Error);
      assert.ok(source.destroyed);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a relay with no destination', () => {
    assert.throws(() => relayPipeline([new PassThrough()], () => undefined), TypeError);
  });
});
