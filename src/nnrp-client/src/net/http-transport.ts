// NodeTransport over a node's HTTP API (NNRP.md §12), with `fetch` only, so one code path runs in
// browsers and Node.js:
//
//   POST /v1/notifications   body: §12 notification JSON   → 202/200 {"hash", "address", "receipt"}
//   GET  /v1/notifications?tag=|tag_prefix=&prefix_bits=&since=&limit=&cursor=<base64url>
//                                                           → {"notifications": […], "next_cursor": …|null}
//   GET  /v1/status          → {"peer_id", "addresses" (browser doors), "addrs" (all), "agent", "base_threshold", …}
//   GET  /v1/peers           → {"peers": [{"peer_id", "addresses": […]}]}
//   refusals: application/problem+json {"reason", "detail", "required_threshold"?, "min_prefix_bits"?},
//             Retry-After with 429 and 503
//
// Every request has a timeout and every answer a size bound; nothing a node says is trusted
// beyond what receipt signatures and recomputed hashes prove (checked by the caller).
import type { FetchPage, FetchQuery, NodeStatus, NodeTransport, Notification, PublishOutcome } from '../api.js';
import { toHex } from '../bytes.js';
import { NnrpFormatError } from '../errors.js';
import { fetchPageFromJson, formatCursor, formatNotificationJson, problemFromJson, publishAnswerFromJson } from '../notification/json.js';
import { parseWork } from '../work/thresholds.js';
import { readBoundedText } from './bounded-body.js';
import { NodeRefusedError, NodeUnreachableError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, withTimeout } from './timeouts.js';

/** Largest answer read: a full page of 500 notifications in JSON is about 1.5 MB. */
export const MAX_HTTP_RESPONSE = 4 * 1024 * 1024;

/** Largest status or peers document read. */
export const MAX_HTTP_DOCUMENT = 256 * 1024;

/** Peers read from one /v1/peers answer at most, and addresses per peer. */
export const MAX_PEERS = 256;
export const MAX_ADDRESSES_PER_PEER = 32;

export interface HttpTransportOptions {
  /** Time one request may take (default 15 s). */
  timeoutMs?: number;
  /** The fetch function (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
}

/** One node as /v1/peers lists it. */
export interface PeerInfo {
  peerId: string;
  addresses: string[];
}

export class HttpNodeTransport implements NodeTransport {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof globalThis.fetch;

  /** `url`: the API's base URL (http or https), e.g. `https://node.example.org`. */
  constructor(url: string, options: HttpTransportOptions = {}) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new NnrpFormatError(`${url} is not an http(s) URL`);
    this.endpoint = parsed.href.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async status(signal?: AbortSignal): Promise<NodeStatus> {
    const { ok, status, body, retryAfter } = await this.request('GET', '/v1/status', undefined, MAX_HTTP_DOCUMENT, signal);
    if (!ok) throw this.refused(body, status, retryAfter);
    return this.decode(() => statusFromJson(body));
  }

  /** Other nodes this node knows, with their addresses (`GET /v1/peers`). */
  async peers(signal?: AbortSignal): Promise<PeerInfo[]> {
    const { ok, status, body, retryAfter } = await this.request('GET', '/v1/peers', undefined, MAX_HTTP_DOCUMENT, signal);
    if (!ok) throw this.refused(body, status, retryAfter);
    return this.decode(() => peersFromJson(body));
  }

  async publish(notification: Notification, signal?: AbortSignal): Promise<PublishOutcome> {
    const { ok, status, body, retryAfter } = await this.request('POST', '/v1/notifications', formatNotificationJson(notification), MAX_HTTP_DOCUMENT, signal);
    if (!ok) return problemFromJson(body, status, retryAfter);
    return this.decode(() => publishAnswerFromJson(body, status));
  }

  async fetch(query: FetchQuery, signal?: AbortSignal): Promise<FetchPage> {
    const params = new URLSearchParams();
    if (query.tag) {
      params.set('tag', toHex(query.tag));
    } else if (query.prefix) {
      params.set('tag_prefix', toHex(query.prefix.bytes));
      params.set('prefix_bits', String(query.prefix.bits));
    } else {
      throw new NnrpFormatError('a fetch names a tag or a tag prefix');
    }
    if (query.since !== undefined && query.since > 0n) params.set('since', query.since.toString());
    if (query.limit !== undefined && query.limit > 0) params.set('limit', String(query.limit));
    if (query.cursor && query.cursor.length > 0) params.set('cursor', formatCursor(query.cursor));
    const { ok, status, body, retryAfter } = await this.request('GET', `/v1/notifications?${params}`, undefined, MAX_HTTP_RESPONSE, signal);
    if (!ok) throw this.refused(body, status, retryAfter);
    return this.decode(() => fetchPageFromJson(body));
  }

  async close(): Promise<void> {
    // Nothing held: fetch pools its own connections.
  }

  private async request(method: string, path: string, json: string | undefined, limit: number, signal?: AbortSignal): Promise<{ ok: boolean; status: number; body: unknown; retryAfter: string | null }> {
    const combined = withTimeout(signal, this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(this.endpoint + path, {
        method,
        signal: combined,
        headers: json === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        ...(json === undefined ? {} : { body: json }),
        redirect: 'error',
        credentials: 'omit',
      });
      text = await readBoundedText(response, limit, this.endpoint);
    } catch (e) {
      if (signal?.aborted) throw e;
      if (e instanceof NodeUnreachableError) throw e;
      const why = combined.aborted ? `no answer within ${this.timeoutMs} ms` : `unreachable: ${(e as Error).message}`;
      throw new NodeUnreachableError(this.endpoint, why, { cause: e });
    }
    let body: unknown;
    try {
      body = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw new NodeUnreachableError(this.endpoint, `HTTP ${response.status} with a body that is not JSON`);
    }
    return { ok: response.ok, status: response.status, body, retryAfter: response.headers.get('retry-after') };
  }

  private refused(body: unknown, status: number, retryAfter: string | null): NodeRefusedError {
    const outcome = problemFromJson(body, status, retryAfter);
    const bits = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).min_prefix_bits : undefined;
    return new NodeRefusedError(this.endpoint, outcome.reason, outcome.message ?? `HTTP ${status}`, {
      ...(outcome.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: outcome.retryAfterSeconds }),
      ...(typeof bits === 'number' && Number.isInteger(bits) && bits >= 0 && bits <= 256 ? { minPrefixBits: bits } : {}),
    });
  }

  /** A malformed answer is this node's failure (as if unreachable), never an exception of the parser. */
  private decode<T>(read: () => T): T {
    try {
      return read();
    } catch (e) {
      throw new NodeUnreachableError(this.endpoint, `malformed answer: ${(e as Error).message}`, { cause: e });
    }
  }
}

function field(doc: Record<string, unknown>, name: string): unknown {
  if (!(name in doc)) throw new NnrpFormatError(`the status has no "${name}"`);
  return doc[name];
}

function uint(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new NnrpFormatError(`${name} is a non-negative integer`);
  return value;
}

function stringList(value: unknown, max: number): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((a): a is string => typeof a === 'string' && a.length <= 1024).slice(0, max);
}

/** §12 `GET /v1/status`; `addresses` (browser doors) and `addrs` (every advertised multiaddr) merged. */
export function statusFromJson(body: unknown): NodeStatus {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new NnrpFormatError('a status is a JSON object');
  const doc = body as Record<string, unknown>;
  const threshold = (name: string): bigint => {
    const v = field(doc, name);
    if (typeof v !== 'string') throw new NnrpFormatError(`${name} is 16 hex digits`);
    return parseWork(v);
  };
  const agent = field(doc, 'agent');
  const status: NodeStatus = {
    agent: typeof agent === 'string' ? agent.slice(0, 256) : '',
    protocolVersion: uint(field(doc, 'protocol_version'), 'protocol_version'),
    baseThreshold: threshold('base_threshold'),
    currentThreshold: threshold('current_threshold'),
    stored: BigInt(uint(field(doc, 'stored'), 'stored')),
    now: BigInt(uint(field(doc, 'now'), 'now')),
    maxPayload: uint(field(doc, 'max_payload'), 'max_payload'),
    minTtl: uint(field(doc, 'min_ttl'), 'min_ttl'),
    maxTtl: uint(field(doc, 'max_ttl'), 'max_ttl'),
    maxPage: uint(field(doc, 'max_page'), 'max_page'),
  };
  if (typeof doc.peer_id === 'string' && doc.peer_id.length <= 128) status.peerId = doc.peer_id;
  // `addresses`: the browser doors (without /p2p/); `addrs`: every advertised multiaddr (with it).
  const addresses = [...new Set([...stringList(doc.addresses, MAX_ADDRESSES_PER_PEER), ...stringList(doc.addrs, MAX_ADDRESSES_PER_PEER)])];
  if (addresses.length > 0) status.addresses = addresses;
  return status;
}

/** `GET /v1/peers`: `{"peers": [{"peer_id", "addresses": […]}]}`, bounded. */
export function peersFromJson(body: unknown): PeerInfo[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as Record<string, unknown>).peers)) {
    throw new NnrpFormatError('a peers document has a "peers" array');
  }
  const peers: PeerInfo[] = [];
  for (const entry of ((body as Record<string, unknown>).peers as unknown[]).slice(0, MAX_PEERS)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    if (typeof e.peer_id !== 'string' || e.peer_id.length > 128) continue;
    peers.push({ peerId: e.peer_id, addresses: stringList(e.addresses, MAX_ADDRESSES_PER_PEER) });
  }
  return peers;
}
