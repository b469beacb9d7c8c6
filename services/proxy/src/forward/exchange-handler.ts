import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import type { RequestInfo } from '../classify/index.js';
import { watchAnswerFit } from '../upstream/answer-fit.js';
import type { UpstreamClient } from '../upstream/upstream-client.js';
import { buildUpstreamHeaders } from '../upstream/upstream-headers.js';
import { admitExchange, openRecord, type Admission } from './admit-exchange.js';
import { negotiateContent, type Negotiation } from './content-negotiation.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { recordCompletion, rejectExchange, writeAhead } from './exchange-lifecycle.js';
import { inspectRequestBody } from './inspect-request-body.js';
import { relayResponse, uninspectable, uninspectableUpgrade, type RelayTarget } from './relay-response.js';
import { checkRequestFraming } from './request-framing.js';
import { askedForUpgrade } from './upgrade-routing.js';

/** Methods the API server reads a body for: the gateway always frames theirs itself (Content-Length, possibly 0). */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** A refused write's YAML body is parsed for the record only this far (YAML parses at about 1 MB/s, inline). */
const REFUSED_YAML_BYTES = 8 * 1024;
/**
 * How long the body of a request with upgrade headers it does not get may take to arrive. Node parses that body with
 * the upgrade flag set, and then ignores parse errors: a malformed chunk would leave the request waiting, not refused.
 */
const UPGRADE_HEADERS_BODY_MS = 10_000;

/** The body of a request that asked for an upgrade, read as any body but within {@link UPGRADE_HEADERS_BODY_MS}. */
function bodyInTime<T>(req: IncomingMessage, read: () => Promise<T>): Promise<T> {
  if (!askedForUpgrade(req)) return read();
  // Node does not report a malformed chunk in such a body, so chunked framing cannot be judged here: refused at once.
  if (req.headers['transfer-encoding'] !== undefined) {
    return Promise.reject(new AppError('a request with upgrade headers to a target that does not upgrade must frame its body with Content-Length, '
      + 'not Transfer-Encoding', { code: ErrorCodes.BAD_REQUEST, status: 400, details: { reason: 'framing' } }));
  }
  const work = read();
  // Once refused, the connection closes and the read fails: expected, nothing more to say.
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new AppError(`the request body did not arrive whole within ${UPGRADE_HEADERS_BODY_MS / 1000} s; `
      + 'a request with upgrade headers must send a well-formed body at once', { code: ErrorCodes.BAD_REQUEST, status: 408, details: { reason: 'framing' } })),
    UPGRADE_HEADERS_BODY_MS);
    work.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error); });
  });
}

function isStreaming(admission: Admission, url: string): boolean {
  if (admission.info.verb === 'watch') return true;
  if (admission.info.subresource !== 'log') return false;
  // The API server follows for any value but a false one (strconv.ParseBool), so the gateway must treat it as a stream.
  const follow = /[?&]follow=([^&]*)/.exec(url)?.[1];
  return follow !== undefined && !['0', 'f', 'F', 'false', 'False', 'FALSE', ''].includes(follow);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The request is admitted and its RequestReceived event durable: what forwarding needs. */
interface Admitted {
  readonly admission: Admission;
  readonly negotiation: Negotiation;
  readonly body: Buffer | undefined;
}

/**
 * The data path: admit (authenticate, policy, limits, framing, content negotiation), inspect and record the request,
 * make its RequestReceived event durable, then forward it with framing and credentials the gateway writes itself and
 * relay the inspected response while recording it. Every failure, synchronous or not, ends in a Status and an event.
 */
export function createExchangeHandler(deps: ExchangeDeps, client: UpstreamClient): (req: IncomingMessage, res: ServerResponse) => void {
  /** A write the policy refused still has its content recorded (bounded, masked): the attempt is the signal. */
  async function recordRefusedBody(req: IncomingMessage, record: ExchangeRecord, info: RequestInfo): Promise<void> {
    try {
      const framing = checkRequestFraming(req);
      if (framing.hasBody) await bodyInTime(req, () => inspectRequestBody(deps, req, record, info, { maxYamlBytes: REFUSED_YAML_BYTES }));
    } catch {
      // The refusal stands as it is; a body that cannot be read or recorded adds nothing to it.
    }
  }

  async function admit(req: IncomingMessage, record: ExchangeRecord, info: ReturnType<typeof openRecord>['info']): Promise<Admitted> {
    let admission: Admission;
    try {
      admission = await admitExchange(deps, req, record, info);
    } catch (error) {
      if (info !== undefined && record.policy?.decision === 'deny' && BODY_METHODS.has(req.method ?? '')) await recordRefusedBody(req, record, info);
      throw error;
    }
    // Upgrade headers where the API server does not upgrade make an ordinary request: they are not forwarded, and a
    // body (on a method that has one) is read, inspected and framed by the gateway like any other.
    const framing = checkRequestFraming(req);
    const negotiation = negotiateContent(admission.info, first(req.headers['accept']));
    if (negotiation.kind === 'passthrough' && admission.decision.action === 'mask') {
      throw new AppError(`policy rule "${admission.decision.ruleId}" masks this request, but its content (${admission.info.subresource || 'non-resource'}) cannot be masked`, {
        code: ErrorCodes.FORBIDDEN, status: 403, details: { ruleId: admission.decision.ruleId },
      });
    }
    const body = framing.hasBody || BODY_METHODS.has(req.method ?? '')
      ? await bodyInTime(req, () => inspectRequestBody(deps, req, record, admission.info, { masked: admission.decision.action === 'mask' })) : undefined;
    return { admission, negotiation, body };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { record, info } = openRecord(deps, req);
    deps.openExchanges.set(req.socket, { record, method: req.method ?? 'GET', res });
    const closeAfter = askedForUpgrade(req);
    if (closeAfter) record.notes = { ...record.notes, 'auditgate.dev/upgrade-ignored': String(req.headers['upgrade']).slice(0, 64) };
    let admitted: Admitted;
    try {
      admitted = await admit(req, record, info);
    } catch (error) {
      // The rest of this connection's bytes cannot be trusted after a refused request with a body: close it.
      res.setHeader('connection', 'close');
      req.resume();
      rejectExchange(deps, res, record, error);
      return;
    }
    deps.metrics.admission.observe((deps.now() - record.receivedAt) / 1000);
    try {
      await writeAhead(deps, record);
    } catch (error) {
      if (closeAfter) res.setHeader('connection', 'close');
      rejectExchange(deps, res, record, error);
      return;
    }
    const streaming = isStreaming(admitted.admission, req.url ?? '');
    await forward({ req, res, record, admission: admitted.admission, negotiation: admitted.negotiation, streaming, closeAfter }, admitted.body);
  }

  async function forward(target: RelayTarget, body: Buffer | undefined): Promise<void> {
    const { req, res, record, admission, negotiation } = target;
    const fail = (error: AppError): void => {
      if (target.closeAfter) res.setHeader('connection', 'close');
      rejectExchange(deps, res, record, error);
    };
    const unreachable = (error: Error): void => fail(new AppError(`the Kubernetes API server is unreachable: ${error.message}`, {
      code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, cause: error,
    }));
    let authorization: string | undefined;
    try {
      authorization = await deps.upstream.authorization();
    } catch (error) {
      unreachable(error as Error);
      return;
    }
    const headers = buildUpstreamHeaders(req.headers, {
      authorization, clientAddress: req.socket.remoteAddress ?? '',
      allowClientImpersonation: admission.decision.allowClientImpersonation,
      impersonate: deps.impersonate ? { user: admission.identity.username, groups: admission.identity.groups, extra: {} } : undefined,
      upgrade: false, accept: negotiation.kind === 'inspected' ? negotiation.upstreamAccept : undefined, auditID: record.auditID,
    });
    if (body !== undefined) headers['content-length'] = body.length;
    // The caller left before the API server answered: recorded once, as aborted.
    const abandoned = (): void => { record.errorCode = ErrorCodes.CLIENT_ABORTED; recordCompletion(deps, record); };
    const forwardedAt = deps.now();
    const answeredAfter = (): void => deps.metrics.upstreamHeaders.observe((deps.now() - forwardedAt) / 1000);
    const sendHttp1 = (): void => {
      let upstreamReq: ReturnType<UpstreamClient['request']>;
      try {
        upstreamReq = client.request({ host: client.host, port: client.port, method: req.method, path: req.url, headers, agent: client.agent });
      } catch (error) {
        fail(new AppError(`the request cannot be forwarded: ${(error as Error).message}`, { code: ErrorCodes.BAD_REQUEST, status: 400, cause: error }));
        return;
      }
      let answered = false;
      let answer: IncomingMessage | undefined;
      // An answer that does not fit its request closes that connection; the part of it not yet relayed is cut off.
      const fit = watchAnswerFit(upstreamReq, (reason) => {
        deps.logger.warn({ auditID: record.auditID, reason }, 'the API server\'s answer did not fit its request; the connection is closed');
        record.notes = { ...record.notes, 'auditgate.dev/upstream-misfit': reason };
        if (answer !== undefined && !answer.readableEnded) answer.destroy(uninspectable(reason));
      });
      upstreamReq.on('response', (upstreamRes) => {
        answered = true;
        answer = upstreamRes;
        answeredAfter();
        res.removeListener('close', onClose);
        relayResponse(deps, target, { statusCode: upstreamRes.statusCode, headers: upstreamRes.headers, body: upstreamRes, discard: fit.discard });
      });
      upstreamReq.on('upgrade', (_upstreamRes, socket) => {
        // The API server switched protocols on a request that asked for none: that socket is never reused.
        answered = true;
        socket.destroy();
        fail(uninspectableUpgrade());
      });
      upstreamReq.on('error', (error) => { if (!answered) { answered = true; unreachable(error); } });
      // Until the API server answers; then the relay owns the client's close.
      const onClose = (): void => {
        if (res.writableFinished) return;
        if (!answered) { answered = true; abandoned(); }
        upstreamReq.destroy();
      };
      res.on('close', onClose);
      upstreamReq.end(body);
    };
    const http2 = client.http2;
    if (http2 === undefined || body !== undefined || req.method !== 'GET' || !http2.usable() || !target.streaming) {
      sendHttp1();
      return;
    }
    // Long-running reads share a few multiplexed connections instead of holding one TLS socket each.
    try {
      let answered = false;
      const stream = http2.request('GET', req.url ?? '/', headers, (upstream) => {
        answered = true;
        answeredAfter();
        res.removeListener('close', onClose);
        relayResponse(deps, target, upstream);
      },
        // An upstream that turned out not to speak HTTP/2 gets this request over HTTP/1 instead.
        (error) => {
          if (answered) return;
          if (http2.usable()) { answered = true; unreachable(error); } else sendHttp1();
        });
      const onClose = (): void => {
        if (res.writableFinished) return;
        if (!answered) { answered = true; abandoned(); }
        stream.close();
      };
      res.on('close', onClose);
    } catch (error) {
      // Headers HTTP/2 refuses (Node throws synchronously) cost this request its multiplexing, not the process.
      deps.logger.warn({ auditID: record.auditID, err: (error as Error).message }, 'HTTP/2 refused the request headers; forwarding over HTTP/1');
      sendHttp1();
    }
  }

  return (req, res) => {
    deps.metrics.inFlight.inc();
    res.on('close', () => {
      deps.metrics.inFlight.dec();
      if (deps.openExchanges.get(req.socket)?.res === res) deps.openExchanges.delete(req.socket);
    });
    res.on('error', () => undefined);
    handle(req, res).catch((error: unknown) => {
      deps.metrics.unhandledErrors.inc({ where: 'exchange' });
      deps.logger.error({ err: (error as Error).message }, 'unexpected failure in the exchange handler');
      if (!res.headersSent) res.destroy();
    });
  };
}
