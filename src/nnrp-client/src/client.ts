// NnrpClient: the wallet's view of the network (NNRP.md §6 work, §7 sealing, §11/§12 publish and
// fetch). Rules, matched to the C# SDK (src/Nnrp.Client: Sending/Publisher, Mailbox/MailboxFetcher,
// Mailbox/FetchCheckpoint):
//
// send   seal → threshold (the highest current_threshold of the first nodes asked, capped at
//        `maxMultiplier` × their base) → work → publish to `publishTo` nodes in parallel, each
//        failed node replaced by the next candidate. A receipt counts when its signature verifies,
//        it names this hash and expiry, and its signer is the node dialed (libp2p: the /p2p/ id;
//        HTTP: the peer id the node's address named, when one did); a signer counts once. A node
//        answering insufficient_work gets the same notification once more with work for its
//        required threshold (one search shared by all nodes; the hash does not change, so earlier
//        receipts stay valid). The send fails (SendFailedError, carrying the result) when fewer
//        than min(publishTo, candidate nodes) receipts were collected; `metTarget` says whether
//        `publishTo` was reached, as C#'s SendResult.MetTarget does.
// fetch  by the top `prefixBits` (8) bits of the tag, so a node learns which 1/256 of the tag
//        space a wallet reads, never its tag; a node answering over_capacity to the first page is
//        asked again 8 bits narrower (or at its min_prefix_bits). `fetchFrom` nodes are read to
//        the last page in parallel, a failing node replaced by the next; copies are merged by the
//        recomputed content hash, filtered to the exact tag, checked (form, work ≥ `minimumWork`)
//        and opened. The checkpoint (a JSON string, C#'s FetchCheckpoint format) restarts one hour
//        before the last fetch began and skips what was already delivered in that hour.
import type { FetchQuery, NodeTransport, Notification, NotificationKeyPair, PaymentEvent, Reason, StoreReceipt } from './api.js';
import { equalBytes, fromHex, toHex } from './bytes.js';
import { decodeNanoNym, nnrpDestinationOf } from './encoding/nanonym-address.js';
import { parseNotificationUri } from './encoding/notification-uri.js';
import { encodeRelayAddress } from './encoding/relay-address.js';
import { NnrpFormatError, SealingError } from './errors.js';
import { contentHash } from './notification/hash.js';
import { DEFAULT_TTL, MAX_PAGE } from './notification/limits.js';
import { checkForm } from './notification/validate.js';
import { checkReceipt, receiptPeerId } from './receipts/receipt.js';
import { open, seal } from './sealing/seal.js';
import { paymentEvent } from './sealing/payment-event.js';
import { generateWork, type GenerateWorkOptions } from './work/generate.js';
import { BASE_THRESHOLD, toMultiplier } from './work/thresholds.js';
import { workValue } from './work/work-value.js';
import { discover, type DiscoveredNode, type DiscoverOptions } from './net/discover.js';
import { parseNodeEndpoint, type NodeEndpoint } from './net/endpoints.js';
import { NodeRefusedError } from './net/errors.js';
import { HttpNodeTransport } from './net/http-transport.js';
import { Libp2pDialer, type TransportFactories } from './net/libp2p-dialer.js';
import { Libp2pNodeTransport } from './net/libp2p-transport.js';
import { DEFAULT_TIMEOUT_MS } from './net/timeouts.js';
import { FetchCheckpoint } from './net/checkpoint.js';

export interface NnrpClientOptions {
  /** Nodes: http(s) URLs, multiaddrs (`/ws`, `/tls/ws`, `/wss`, `/…/http`), discovered nodes or transports. */
  nodes: readonly (string | DiscoveredNode | NodeTransport)[];
  /** Distinct nodes that must store a notification (default 3). */
  publishTo?: number;
  /** Distinct nodes read completely and merged on fetch (default 2). */
  fetchFrom?: number;
  /** Proof-of-work settings (workers, work server). */
  work?: GenerateWorkOptions;
  /** Time one node gets for one request (default 15 s). */
  timeoutMs?: number;
  /** libp2p transports (default WebSockets only, the browser's). Node.js may add @libp2p/tcp. */
  libp2pTransports?: TransportFactories;
  /** A libp2p node to share (default: one of the client's own, created on first use with `libp2pTransports`). */
  dialer?: Libp2pDialer;
  /** Accept plain `/tcp` libp2p addresses (only with a TCP transport; default false). */
  dialTcp?: boolean;
  /** The most work a node may demand, as a multiple of the base, before it is given up (default 1024). */
  maxMultiplier?: number;
  fetch?: typeof globalThis.fetch;
}

/** A payment to send (NNRP.md §7.1; version and protocol are filled in). */
export interface PaymentFields {
  R: string;
  txHash: string;
  amountRaw?: string;
  memo?: string;
}

export interface SendOptions {
  /** Lifetime in seconds (default 90 days). */
  ttl?: number;
  signal?: AbortSignal;
}

/** Why a node did not store or serve: a §11.4 reason, or the client's own finding. */
export type FailureReason = Reason | 'unreachable' | 'invalid_receipt' | 'same_node';

export interface NodeFailure {
  endpoint: string;
  reason: FailureReason;
  message: string;
}

export interface ReceiptSummary {
  endpoint: string;
  /** The signer's PeerId (derived from the receipt's key). */
  peerId: string;
  expiresAt: bigint;
  receipt: StoreReceipt;
}

export interface SendResult {
  /** Content hash, 64 hex. */
  hash: string;
  /** `nr_…` relay address. */
  address: string;
  notification: Notification;
  receipts: ReceiptSummary[];
  failures: NodeFailure[];
  /** `publishTo`. */
  target: number;
  /** receipts.length ≥ target. */
  metTarget: boolean;
}

/** Too few nodes stored the notification; `result` says who did and why the others did not. */
export class SendFailedError extends Error {
  override name = 'SendFailedError';
  constructor(readonly result: SendResult, required: number) {
    super(`stored on ${result.receipts.length} of the ${required} nodes required: ${result.failures.map((f) => `${f.endpoint}: ${f.reason}`).join('; ')}`);
  }
}

export interface FetchOptions {
  /** From a previous FetchResult.checkpoint (same key). */
  checkpoint?: string;
  /** Tag prefix bits sent to nodes (default 8; 256 = the exact tag). */
  prefixBits?: number;
  /** Oldest timestamp wanted (the checkpoint's is used when later). */
  since?: bigint;
  /** Work floor of a fetched item (default the normative base; lower only for private testnets). */
  minimumWork?: bigint;
  /** Pages read from one node at most (default 1000). */
  maxPagesPerNode?: number;
  signal?: AbortSignal;
}

export interface FetchedEvent {
  hash: string;
  address: string;
  timestamp: number;
  event: PaymentEvent;
}

export interface RejectedItem {
  hash: string;
  timestamp: number;
  reason: 'invalid_form' | 'insufficient_work' | 'undecryptable' | 'invalid_payment_event';
  message: string;
}

export interface NodeFetchReport {
  endpoint: string;
  complete: boolean;
  items: number;
  pages: number;
  prefixBits: number;
  error?: string;
}

export interface FetchResult {
  /** New payments, ordered by (timestamp, hash). */
  events: FetchedEvent[];
  /** Items for our tag that failed a check. */
  rejected: RejectedItem[];
  /** Save it; pass it to the next fetch. Unchanged when no node answered completely. */
  checkpoint: string;
  nodes: NodeFetchReport[];
}

/** No node answered a fetch completely. */
export class FetchFailedError extends Error {
  override name = 'FetchFailedError';
  constructor(readonly nodes: NodeFetchReport[]) {
    super(`no node answered completely: ${nodes.map((n) => `${n.endpoint}: ${n.error}`).join('; ')}`);
  }
}

export const DEFAULT_PUBLISH_TO = 3;
export const DEFAULT_FETCH_FROM = 2;
/** C# SendOptions.MaxMultiplier: a node asking more is under a flood or hostile. */
export const DEFAULT_MAX_MULTIPLIER = 1024;
/** NNRP.md §11.5: the reference node's narrowest-served width, and the privacy default. */
export const DEFAULT_PREFIX_BITS = 8;
export const DEFAULT_MAX_PAGES_PER_NODE = 1000;

/** A node the client may use, with the peer id its address named (if any). */
interface Candidate {
  transport: NodeTransport;
  peerId?: string;
}

export class NnrpClient {
  private readonly candidates: Candidate[] = [];
  private readonly dialer: Libp2pDialer;
  private readonly publishTo: number;
  private readonly fetchFrom: number;
  private readonly timeoutMs: number;
  private readonly maxMultiplier: number;

  constructor(private readonly options: NnrpClientOptions) {
    this.publishTo = Math.max(1, options.publishTo ?? DEFAULT_PUBLISH_TO);
    this.fetchFrom = Math.max(1, options.fetchFrom ?? DEFAULT_FETCH_FROM);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxMultiplier = options.maxMultiplier ?? DEFAULT_MAX_MULTIPLIER;
    this.dialer = options.dialer ?? new Libp2pDialer(options.libp2pTransports ? { transports: options.libp2pTransports } : {});
    for (const node of options.nodes) this.addCandidates(this.candidates, node);
  }

  /**
   * A client on the nodes `discover` finds from `bootstrap` (one https URL of one node is enough
   * where nodes list their peers): as many as publishing needs, plus one spare.
   */
  static async connect(bootstrap: string | readonly string[], options: Omit<NnrpClientOptions, 'nodes'> & { discovery?: DiscoverOptions } = {}): Promise<NnrpClient> {
    const want = Math.max(options.publishTo ?? DEFAULT_PUBLISH_TO, options.fetchFrom ?? DEFAULT_FETCH_FROM) + 1;
    const dialer = options.dialer ?? new Libp2pDialer(options.libp2pTransports ? { transports: options.libp2pTransports } : {});
    const found = await discover(bootstrap, {
      want,
      dialer,
      ...(options.dialTcp === undefined ? {} : { dialTcp: options.dialTcp }),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...options.discovery,
    });
    return new NnrpClient({ ...options, nodes: found, dialer });
  }

  /** The transports in use, in the order they are tried. */
  get nodes(): readonly NodeTransport[] {
    return this.candidates.map((c) => c.transport);
  }

  /** Seals `fields` to `recipient` (nnym_…, nnrp:… or the 64-hex key K), computes work and publishes. */
  async send(recipient: string, fields: PaymentFields, options: SendOptions = {}): Promise<SendResult> {
    const { key, relays } = parseRecipient(recipient);
    const candidates = [...this.candidates];
    for (const relay of relays) this.addCandidates(candidates, relay);
    if (candidates.length === 0) throw new NnrpFormatError('no usable nodes: give http(s) URLs or /ws, /wss multiaddrs, or a recipient with relay hints');
    const sealed = await seal(key, paymentEvent(fields), { ttl: options.ttl ?? DEFAULT_TTL });
    const work = new SharedWork(sealed, this.options.work ?? {}, options.signal);
    await work.ensure(await this.startThreshold(candidates, options.signal));

    const hash = contentHash(sealed);
    const queue = [...candidates];
    const receipts: ReceiptSummary[] = [];
    const failures: NodeFailure[] = [];
    // A worker stops when the receipts plus the publishes still in flight would reach the
    // target; one whose node failed goes on to the next candidate.
    let inFlight = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (receipts.length + inFlight >= this.publishTo) return;
        const candidate = queue.shift();
        if (!candidate) return;
        inFlight++;
        const outcome = await this.publishOne(candidate, work, hash, options.signal).finally(() => inFlight--);
        if ('failure' in outcome) {
          failures.push(outcome.failure);
        } else if (receipts.some((r) => r.peerId === outcome.receipt.peerId)) {
          failures.push({ endpoint: candidate.transport.endpoint, reason: 'same_node', message: `same node (${outcome.receipt.peerId}) as an earlier receipt` });
        } else {
          receipts.push(outcome.receipt);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.publishTo, queue.length) }, worker));
    options.signal?.throwIfAborted();
    const result: SendResult = {
      hash: toHex(hash),
      address: encodeRelayAddress(hash),
      notification: work.current,
      receipts,
      failures,
      target: this.publishTo,
      metTarget: receipts.length >= this.publishTo,
    };
    const required = Math.min(this.publishTo, candidates.length);
    if (receipts.length < required) throw new SendFailedError(result, required);
    return result;
  }

  /** Fetches, verifies and opens `keyPair`'s mailbox from `fetchFrom` nodes. */
  async fetch(keyPair: NotificationKeyPair, options: FetchOptions = {}): Promise<FetchResult> {
    const started = BigInt(Math.floor(Date.now() / 1000));
    const checkpoint = options.checkpoint === undefined ? FetchCheckpoint.start(keyPair.tag) : FetchCheckpoint.parse(options.checkpoint);
    if (!equalBytes(checkpoint.tag, keyPair.tag)) throw new NnrpFormatError('the checkpoint belongs to another key');
    const since = options.since !== undefined && options.since > checkpoint.since ? options.since : checkpoint.since;
    const prefixBits = Math.min(256, Math.max(0, options.prefixBits ?? DEFAULT_PREFIX_BITS));
    const maxPages = options.maxPagesPerNode ?? DEFAULT_MAX_PAGES_PER_NODE;

    const queue = [...this.candidates];
    const fetched = new Map<string, Notification>();
    const reports: NodeFetchReport[] = [];
    let complete = 0;
    let inFlight = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (complete + inFlight >= this.fetchFrom) return;
        const candidate = queue.shift();
        if (!candidate) return;
        inFlight++;
        const { items, report } = await this.fetchOne(candidate.transport, keyPair.tag, prefixBits, since, maxPages, options.signal)
          .finally(() => inFlight--);
        reports.push(report);
        if (!report.complete) continue;
        complete++;
        // Merged by the hash recomputed here (a node's word is never taken for identity).
        for (const n of items) if (equalBytes(n.recipientTag, keyPair.tag)) fetched.set(toHex(contentHash(n)), n);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.fetchFrom, queue.length) }, worker));
    options.signal?.throwIfAborted();
    if (complete === 0) throw new FetchFailedError(reports);

    const minimumWork = options.minimumWork ?? BASE_THRESHOLD;
    const events: FetchedEvent[] = [];
    const rejected: RejectedItem[] = [];
    const ordered = [...fetched.entries()].sort(([ha, a], [hb, b]) => (a.timestamp === b.timestamp ? (ha < hb ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1));
    for (const [hash, n] of ordered) {
      if (n.timestamp < since || checkpoint.has(hash)) continue;
      const timestamp = Number(n.timestamp);
      try {
        checkForm(n);
      } catch (e) {
        rejected.push({ hash, timestamp, reason: 'invalid_form', message: (e as Error).message });
        continue;
      }
      if (workValue(fromHex(hash), n.work) < minimumWork) {
        rejected.push({ hash, timestamp, reason: 'insufficient_work', message: `work below ${minimumWork.toString(16)}` });
        continue;
      }
      try {
        events.push({ hash, address: encodeRelayAddress(fromHex(hash)), timestamp, event: await open(keyPair, n) });
      } catch (e) {
        // SealingError: tampered, or sealed to another key with a colliding tag; otherwise the
        // plaintext opened but is not a valid payment event (§7.1).
        const reason = e instanceof SealingError ? 'undecryptable' : 'invalid_payment_event';
        rejected.push({ hash, timestamp, reason, message: (e as Error).message });
      }
    }
    const delivered = [...events, ...rejected].map((e) => ({ hash: e.hash, timestamp: BigInt(e.timestamp) }));
    return { events, rejected, checkpoint: checkpoint.advance(delivered, started).toJson(), nodes: reports };
  }

  /** Stops the libp2p node if one was started (a dialer passed in options too). */
  async close(): Promise<void> {
    await Promise.all(this.candidates.map((c) => c.transport.close()));
    await this.dialer.stop();
  }

  private addCandidates(into: Candidate[], node: string | DiscoveredNode | NodeTransport): void {
    let candidate: Candidate | undefined;
    if (typeof node === 'string') {
      const endpoint = parseNodeEndpoint(node, { dialTcp: this.options.dialTcp ?? false });
      candidate = endpoint && this.transportFor(endpoint);
    } else if ('endpoints' in node) {
      const endpoint = node.endpoints[0];
      candidate = endpoint && this.transportFor(endpoint);
      if (candidate && node.peerId !== undefined) candidate.peerId = node.peerId;
    } else {
      candidate = { transport: node, ...(node instanceof Libp2pNodeTransport ? { peerId: node.peerId } : {}) };
    }
    if (!candidate) return;
    const same = (c: Candidate): boolean =>
      c.transport.endpoint === candidate.transport.endpoint || (c.peerId !== undefined && c.peerId === candidate.peerId);
    if (!into.some(same)) into.push(candidate);
  }

  private transportFor(endpoint: NodeEndpoint): Candidate {
    if (endpoint.kind === 'http') {
      const transport = new HttpNodeTransport(endpoint.url, { timeoutMs: this.timeoutMs, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) });
      return endpoint.peerId === undefined ? { transport } : { transport, peerId: endpoint.peerId };
    }
    return { transport: new Libp2pNodeTransport(endpoint.multiaddr, this.dialer, { timeoutMs: this.timeoutMs }), peerId: endpoint.peerId };
  }

  /** The highest current threshold among the first nodes that answer (capped), else the base. */
  private async startThreshold(candidates: Candidate[], signal?: AbortSignal): Promise<bigint> {
    const asked = candidates.slice(0, this.publishTo);
    const answers = await Promise.allSettled(asked.map((c) => c.transport.status(signal)));
    let threshold: bigint | undefined;
    for (const answer of answers) {
      if (answer.status !== 'fulfilled') continue;
      const { currentThreshold, baseThreshold } = answer.value;
      if (toMultiplier(currentThreshold, baseThreshold) > this.maxMultiplier) continue;
      if (threshold === undefined || currentThreshold > threshold) threshold = currentThreshold;
    }
    signal?.throwIfAborted();
    return threshold ?? BASE_THRESHOLD;
  }

  private async publishOne(candidate: Candidate, work: SharedWork, hash: Uint8Array, signal?: AbortSignal):
    Promise<{ receipt: ReceiptSummary } | { failure: NodeFailure }> {
    const endpoint = candidate.transport.endpoint;
    for (let attempt = 1; ; attempt++) {
      let outcome;
      try {
        outcome = await candidate.transport.publish(work.current, signal);
      } catch (e) {
        signal?.throwIfAborted();
        return { failure: { endpoint, reason: 'unreachable', message: (e as Error).message } };
      }
      if (outcome.reason === 'ok' || outcome.reason === 'duplicate') {
        const receipt = outcome.receipt;
        if (!receipt) return { failure: { endpoint, reason: 'invalid_receipt', message: 'stored without a receipt' } };
        const problems = checkReceipt(receipt, work.current, candidate.peerId);
        if (problems.length > 0) return { failure: { endpoint, reason: 'invalid_receipt', message: `the receipt's ${problems.join(', ')} do not match` } };
        return { receipt: { endpoint, peerId: receiptPeerId(receipt), expiresAt: receipt.expiresAt, receipt } };
      }
      const required = outcome.requiredThreshold;
      if (outcome.reason === 'insufficient_work' && attempt === 1 && required !== undefined && workValue(hash, work.current.work) < required) {
        const multiplier = toMultiplier(required);
        if (multiplier > this.maxMultiplier) {
          return { failure: { endpoint, reason: 'insufficient_work', message: `demands work ×${multiplier.toFixed(1)}, over the limit ×${this.maxMultiplier}` } };
        }
        await work.ensure(required);
        continue;
      }
      return { failure: { endpoint, reason: outcome.reason, message: outcome.message ?? outcome.reason } };
    }
  }

  private async fetchOne(transport: NodeTransport, tag: Uint8Array, bits: number, since: bigint, maxPages: number, signal?: AbortSignal):
    Promise<{ items: Notification[]; report: NodeFetchReport }> {
    const items: Notification[] = [];
    let pages = 0;
    let cursor: Uint8Array | undefined;
    const report = (error?: string): { items: Notification[]; report: NodeFetchReport } => ({
      items,
      report: { endpoint: transport.endpoint, complete: error === undefined, items: items.length, pages, prefixBits: bits, ...(error === undefined ? {} : { error }) },
    });
    for (;;) {
      let page;
      try {
        page = await transport.fetch(prefixQuery(tag, bits, since, cursor), signal);
      } catch (e) {
        signal?.throwIfAborted();
        if (e instanceof NodeRefusedError && e.reason === 'over_capacity' && pages === 0 && bits < 256) {
          // §11.5: the node serves no prefix this wide; ask again narrower.
          bits = Math.min(256, Math.max(bits + 8, e.details.minPrefixBits ?? 0));
          continue;
        }
        return report((e as Error).message);
      }
      pages++;
      items.push(...page.notifications);
      if (!page.nextCursor || page.nextCursor.length === 0) return report();
      if (pages >= maxPages) return report(`still more after ${pages} pages; stopped`);
      cursor = page.nextCursor;
    }
  }
}

/** §11.5: the query for the top `bits` bits of `tag` (unused low bits zero). */
export function prefixQuery(tag: Uint8Array, bits: number, since: bigint, cursor?: Uint8Array): FetchQuery {
  const base: FetchQuery = { since, limit: MAX_PAGE, ...(cursor ? { cursor } : {}) };
  if (bits >= 256) return { ...base, tag };
  const bytes = tag.slice(0, Math.ceil(bits / 8));
  if (bits % 8 !== 0) bytes[bytes.length - 1]! &= (0xff << (8 - (bits % 8))) & 0xff;
  return { ...base, prefix: { bits, bytes } };
}

/** A recipient: `nnym_…` (its nnrp: URI), `nnrp:…` with relay hints, or the 64-hex key K. */
export function parseRecipient(text: string): { key: Uint8Array; relays: string[] } {
  const trimmed = text.trim();
  if (/^nnym_/i.test(trimmed)) {
    const { notificationKey, relays } = nnrpDestinationOf(decodeNanoNym(trimmed));
    return { key: notificationKey, relays };
  }
  if (/^nnrp:/i.test(trimmed)) {
    const { notificationKey, relays } = parseNotificationUri(trimmed);
    return { key: notificationKey, relays };
  }
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return { key: fromHex(trimmed, 32, 'notification key'), relays: [] };
  throw new NnrpFormatError('a recipient is an nnym_ address, an nnrp: URI or a 64-hex notification key');
}

/**
 * The notification with the most work so far; one search at a time, so two nodes demanding more
 * work at once cost one search, not two.
 */
class SharedWork {
  private chain: Promise<void> = Promise.resolve();
  private readonly hash: Uint8Array;

  constructor(public current: Notification, private readonly options: GenerateWorkOptions, private readonly signal?: AbortSignal) {
    this.hash = contentHash(current);
  }

  ensure(threshold: bigint): Promise<void> {
    const next = this.chain.then(async () => {
      if (workValue(this.hash, this.current.work) >= threshold) return;
      const signal = this.signal ?? this.options.signal;
      const { work } = await generateWork(this.hash, threshold, { ...this.options, ...(signal ? { signal } : {}) });
      this.current = { ...this.current, work };
    });
    this.chain = next.catch(() => {});
    return next;
  }
}

