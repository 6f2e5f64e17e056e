// NodeTransport over libp2p (NNRP.md §11): one `/nnrp/1.0` stream per request; the request is a
// uvarint length prefix and a protobuf `Request`, after which our write side closes; the answer is
// one length-prefixed `Response`. The answer is consumed as it arrives (§11.5: yamux grants
// window only for consumed bytes, and a node cuts off a reader that stalls), into a buffer sized
// by the length prefix, which is checked against the 2 MiB limit of §11.1 before any buffering.
import { multiaddr } from '@multiformats/multiaddr';
import type { FetchPage, FetchQuery, NodeStatus, NodeTransport, Notification, PublishOutcome } from '../api.js';
import { MAX_RESPONSE_SIZE } from '../notification/limits.js';
import { decodeResponse, encodeRequest, type Request, type Response } from '../notification/messages.js';
import { lengthPrefixed } from '../notification/protobuf.js';
import { parseNodeEndpoint } from './endpoints.js';
import { NodeRefusedError, NodeUnreachableError } from './errors.js';
import type { Libp2pDialer } from './libp2p-dialer.js';
import { DEFAULT_TIMEOUT_MS, withTimeout } from './timeouts.js';

/** NNRP.md §11.1. */
export const NNRP_PROTOCOL = '/nnrp/1.0';

/** Bytes of the §11.1 length prefix at most (a uvarint of a value ≤ 2 MiB). */
const MAX_PREFIX = 5;

export interface Libp2pTransportOptions {
  /** Time one request may take, dial included (default 15 s). */
  timeoutMs?: number;
}

export class Libp2pNodeTransport implements NodeTransport {
  readonly endpoint: string;
  /** The node's PeerId, from the `/p2p/` component (the Noise handshake proves it). */
  readonly peerId: string;
  private readonly timeoutMs: number;

  /** `address`: a multiaddr ending in `/p2p/<id>`, e.g. `/dns4/node.example.org/tcp/443/tls/ws/p2p/12D3KooW…`. */
  constructor(address: string, private readonly dialer: Libp2pDialer, options: Libp2pTransportOptions = {}) {
    const endpoint = parseNodeEndpoint(address, { dialTcp: true });
    if (endpoint?.kind !== 'libp2p') throw new NodeUnreachableError(address, 'not a libp2p multiaddr with /p2p/<peer id>');
    this.endpoint = endpoint.multiaddr;
    this.peerId = endpoint.peerId;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async status(signal?: AbortSignal): Promise<NodeStatus> {
    const response = await this.exchange({ status: true }, signal);
    if (!response.statusInfo || response.reason !== 'ok') throw this.refused(response, 'a status answer without status_info');
    const { shards: _shards, ...status } = response.statusInfo;
    return { ...status, peerId: this.peerId };
  }

  async publish(notification: Notification, signal?: AbortSignal): Promise<PublishOutcome> {
    const response = await this.exchange({ publish: notification }, signal);
    const outcome: PublishOutcome = { reason: response.reason };
    if (response.publish) {
      outcome.hash = response.publish.hash;
      if (response.publish.receipt) outcome.receipt = response.publish.receipt;
    }
    if (response.requiredThreshold) outcome.requiredThreshold = response.requiredThreshold;
    if (response.retryAfterSeconds) outcome.retryAfterSeconds = response.retryAfterSeconds;
    if (response.message) outcome.message = response.message;
    return outcome;
  }

  async fetch(query: FetchQuery, signal?: AbortSignal): Promise<FetchPage> {
    const response = await this.exchange({ fetch: query }, signal);
    if (response.reason !== 'ok' || !response.fetch) throw this.refused(response, 'a fetch answer without notifications');
    return response.fetch;
  }

  async close(): Promise<void> {
    // The connection belongs to the shared dialer; its connection manager closes idle ones.
  }

  private refused(response: Response, otherwise: string): NodeRefusedError | NodeUnreachableError {
    if (response.reason === 'ok') return new NodeUnreachableError(this.endpoint, otherwise);
    return new NodeRefusedError(this.endpoint, response.reason, response.message ?? response.reason,
      response.retryAfterSeconds ? { retryAfterSeconds: response.retryAfterSeconds } : {});
  }

  /** One request, one answer, on a fresh stream (§11.1). */
  private async exchange(request: Request, signal?: AbortSignal): Promise<Response> {
    const combined = withTimeout(signal, this.timeoutMs);
    const framed = lengthPrefixed(encodeRequest(request));
    let stream: Awaited<ReturnType<Awaited<ReturnType<Libp2pDialer['get']>>['dialProtocol']>> | undefined;
    try {
      const node = await this.dialer.get();
      stream = await node.dialProtocol(multiaddr(this.endpoint), NNRP_PROTOCOL, { signal: combined });
      const opened = stream;
      const abort = (): void => opened.abort(new Error('timed out'));
      combined.addEventListener('abort', abort, { once: true });
      try {
        // Read concurrently with the write: the answer may start before our side has closed.
        const reading = readAnswer(opened);
        if (!opened.send(framed)) await opened.onDrain({ signal: combined });
        await opened.close({ signal: combined });
        return decodeResponse(await reading);
      } finally {
        combined.removeEventListener('abort', abort);
      }
    } catch (e) {
      stream?.abort(e instanceof Error ? e : new Error(String(e)));
      if (signal?.aborted) throw e;
      if (e instanceof NodeUnreachableError) throw e;
      const why = combined.aborted ? `no answer within ${this.timeoutMs} ms` : (e as Error).message;
      throw new NodeUnreachableError(this.endpoint, why, { cause: e });
    }
  }
}

/** Reads one length-prefixed answer as it arrives, bounded by §11.1 before buffering. */
async function readAnswer(stream: AsyncIterable<Uint8Array | { subarray(): Uint8Array }>): Promise<Uint8Array> {
  let head = new Uint8Array(0);
  let body: Uint8Array | undefined;
  let filled = 0;
  for await (const chunk of stream) {
    let bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
    if (body === undefined) {
      const joined = new Uint8Array(head.length + bytes.length);
      joined.set(head);
      joined.set(bytes, head.length);
      const prefixEnd = Math.min(joined.length, MAX_PREFIX);
      const probe = readPrefix(joined.subarray(0, prefixEnd));
      if (probe === undefined) {
        head = joined;
        continue;
      }
      body = new Uint8Array(probe.length);
      bytes = joined.subarray(probe.consumed);
    }
    if (filled + bytes.length > body.length) throw new Error('bytes after the answer (§11.1: one response per stream)');
    body.set(bytes, filled);
    filled += bytes.length;
  }
  if (body === undefined || filled < body.length) throw new Error('the stream ended before the whole answer');
  return body;
}

/** The answer's length from its uvarint prefix, or undefined while incomplete. */
function readPrefix(bytes: Uint8Array): { length: number; consumed: number } | undefined {
  for (let i = 0; i < bytes.length; i++) {
    if ((bytes[i]! & 0x80) === 0) {
      const prefix = bytes.subarray(0, i + 1);
      let length = 0;
      for (let j = 0; j <= i; j++) length += (prefix[j]! & 0x7f) * 2 ** (7 * j);
      if (length > MAX_RESPONSE_SIZE) throw new Error(`an answer of ${length} bytes is over the ${MAX_RESPONSE_SIZE}-byte limit (§11.1)`);
      return { length, consumed: i + 1 };
    }
  }
  if (bytes.length >= MAX_PREFIX) throw new Error('a length prefix longer than 5 bytes');
  return undefined;
}
