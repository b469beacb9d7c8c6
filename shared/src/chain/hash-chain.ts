import { ErrorCodes } from '../errors/codes.js';
import type { GatewayEvent } from '../events/gateway-event.js';
import { toIJson } from './canonical-json.js';
import { GENESIS_HASH, linkedEventText, sha256Hex } from './chain-hash.js';

/** One event's place in its stream. */
export interface ChainLink {
  readonly stream: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** Where a new stream starts: the hash its first event names (the predecessor's last hash, or genesis). */
export interface ChainOrigin {
  readonly prevHash: string;
  /** The predecessor stream, when one was found (for logs). */
  readonly predecessor?: { readonly stream: string; readonly seq: number };
}

/**
 * The hash chain of one gateway process: each linked event gets `auditgate.chain` {stream, seq, prevHash, hash}, seq
 * counting from 1, prevHash naming the previous event's hash (the origin's for the first). Not thread-safe by design:
 * the sink links events one at a time, in the order it produces them.
 */
export class HashChain {
  private seq = 0;
  private last: string;

  constructor(readonly stream: string, origin: ChainOrigin = { prevHash: GENESIS_HASH }) {
    this.last = origin.prevHash;
  }

  /**
   * Links `event` as the stream's next event (setting `auditgate.chain`, mutating the event) and returns the link with
   * the event's canonical JSON (what is stored), made in the same pass as the hash. An event that is not I-JSON is made so
   * in place first ({@link toIJson}): a lone UTF-16 surrogate (a JSON body may carry `"\ud800"`) becomes U+FFFD, as the
   * API server stores it, so the record matches the stored object; NaN or Infinity (a bug in a counter) becomes null
   * rather than failing the request. So what is hashed is exactly RFC 8785. The link is made only once the event
   * serialized: an event that still cannot be (a BigInt, a cycle) leaves no gap in the chain.
   */
  linkAndSerialize(event: GatewayEvent): { link: ChainLink; text: string } {
    const chain = { stream: this.stream, seq: this.seq + 1, prevHash: this.last, hash: '' };
    const previous = event.auditgate.chain;
    event.auditgate.chain = chain;
    let texts: ReturnType<typeof linkedEventText>;
    try {
      try {
        texts = linkedEventText(event);
      } catch (error) {
        // The well-formed case pays nothing: the walk runs only for an event the serializer refused.
        if ((error as { code?: string }).code !== ErrorCodes.NOT_CANONICAL_JSON || toIJson(event) === 0) throw error;
        texts = linkedEventText(event);
      }
    } catch (error) {
      if (previous === undefined) delete event.auditgate.chain; else event.auditgate.chain = previous;
      throw error;
    }
    chain.hash = sha256Hex(texts.hashed);
    this.seq = chain.seq;
    this.last = chain.hash;
    return { link: { ...chain }, text: texts.withHash(chain.hash) };
  }

  /** The last link's seq and hash (seq 0 and the origin's hash before the first event). */
  head(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.last };
  }
}
