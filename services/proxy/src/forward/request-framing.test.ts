import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { isAppError } from '@auditgate/shared';
import { checkRequestFraming } from './request-framing.js';

/** A request as node:http hands it over: raw header lines as sent, lower-cased names in `headers`. */
function request(method: string, given: Array<[string, string]>, httpVersion = '1.1'): IncomingMessage {
  const raw: Array<[string, string]> = given.some(([n]) => n.toLowerCase() === 'host') || given.some(([n]) => n === '-host') ? given.filter(([n]) => n !== '-host') : [['Host', 'gateway'], ...given];
  const headers: Record<string, string> = {};
  for (const [name, value] of raw) headers[name.toLowerCase()] ??= value;
  return { method, httpVersion, rawHeaders: raw.flat(), headers } as unknown as IncomingMessage;
}

function refusal(method: string, raw: Array<[string, string]>): number | undefined {
  try {
    checkRequestFraming(request(method, raw));
    return undefined;
  } catch (error) {
    assert.ok(isAppError(error));
    return error.status;
  }
}

describe('checkRequestFraming', () => {
  it('accepts bodiless requests and one unambiguous framing on body methods', () => {
    assert.deepEqual(checkRequestFraming(request('GET', [])), { hasBody: false });
    assert.deepEqual(checkRequestFraming(request('GET', [['Content-Length', '0']])), { hasBody: false });
    assert.deepEqual(checkRequestFraming(request('POST', [['Content-Length', '12']])), { hasBody: true });
    assert.deepEqual(checkRequestFraming(request('PATCH', [['Transfer-Encoding', 'Chunked']])), { hasBody: true });
    assert.deepEqual(checkRequestFraming(request('DELETE', [['Content-Length', '40']])), { hasBody: true }, 'DeleteOptions');
    assert.deepEqual(checkRequestFraming(request('PUT', [['Content-Encoding', 'identity'], ['Content-Length', '3']])), { hasBody: true });
  });

  it('refuses a body on methods the API server reads none for', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) {
      assert.equal(refusal(method, [['Transfer-Encoding', 'chunked']]), 400, method);
      assert.equal(refusal(method, [['Content-Length', '5']]), 400, method);
    }
  });

  it('refuses ambiguous framing: both headers, repeats, non-decimal lengths, codings other than chunked', () => {
    assert.equal(refusal('POST', [['Content-Length', '5'], ['Transfer-Encoding', 'chunked']]), 400);
    assert.equal(refusal('POST', [['Content-Length', '5'], ['Content-Length', '5']]), 400);
    assert.equal(refusal('POST', [['Content-Length', '5'], ['content-length', '6']]), 400);
    assert.equal(refusal('POST', [['Transfer-Encoding', 'chunked'], ['Transfer-Encoding', 'chunked']]), 400);
    assert.equal(refusal('POST', [['Transfer-Encoding', 'gzip, chunked']]), 400);
    assert.equal(refusal('POST', [['Transfer-Encoding', 'identity']]), 400);
    assert.equal(refusal('POST', [['Content-Length', '+5']]), 400);
    assert.equal(refusal('POST', [['Content-Length', '0x5']]), 400);
  });

  it('refuses an HTTP/1.1 request without exactly one Host', () => {
    assert.equal(refusal('GET', [['-host', '']]), 400);
    assert.equal(refusal('GET', [['Host', 'a'], ['Host', 'b']]), 400);
  });

  it('refuses encoded bodies with 415: the gateway records what it reads', () => {
    assert.equal(refusal('POST', [['Content-Length', '5'], ['Content-Encoding', 'gzip']]), 415);
    assert.equal(refusal('POST', [['Content-Length', '5'], ['Content-Encoding', 'identity, br']]), 415);
  });
});
