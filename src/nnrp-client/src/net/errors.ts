// How a node failed a wallet: it could not be reached or answered nonsense (NodeUnreachableError),
// or it answered with a refusal (NodeRefusedError, the §11.4 code in words). A publish refusal is
// not an error: it is a PublishOutcome.
import type { Reason } from '../api.js';

/** The node is down, timed out, broke the framing, or sent an answer that does not decode. */
export class NodeUnreachableError extends Error {
  override name = 'NodeUnreachableError';
  constructor(readonly endpoint: string, message: string, options?: { cause?: unknown }) {
    super(`${endpoint}: ${message}`, options);
  }
}

/** The node refused a fetch or status request (NNRP.md §11.4 / §12). */
export class NodeRefusedError extends Error {
  override name = 'NodeRefusedError';
  constructor(
    readonly endpoint: string,
    readonly reason: Reason,
    message: string,
    readonly details: { retryAfterSeconds?: number; minPrefixBits?: number } = {},
  ) {
    super(`${endpoint}: ${reason}: ${message}`);
  }
}
