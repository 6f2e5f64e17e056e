// The SDK's shared types: the contract between the core modules (keys, encodings, sealing,
// work, receipts — owned by the "core" half) and the network modules (transports, discovery,
// publish/fetch policy — owned by the "net" half). Field meanings are those of NNRP.md;
// section numbers are cited on each type.

/** NNRP.md §3.1: one notification as it travels (protobuf) and as HTTP JSON carries it (§12). */
export interface Notification {
  version: number;            // 1
  recipientTag: Uint8Array;   // 32 bytes (§4)
  timestamp: bigint;          // unix seconds (u64)
  ttl: number;                // seconds (u32)
  payload: Uint8Array;        // enc(32) ‖ ciphertext (§7), ≤ 2048 bytes
  work: bigint;               // u64 nonce (§6.1)
}

/** NNRP.md §9: a recipient's notification key at one index. */
export interface NotificationKeyPair {
  index: number;
  privateKey: Uint8Array;     // k, 32 bytes (X25519 scalar before clamping)
  publicKey: Uint8Array;      // K, 32 bytes
  tag: Uint8Array;            // recipient_tag of K (§4)
}

/** NNRP.md §7.1: the sealed plaintext, with JSON names mapped to camelCase. */
export interface PaymentEvent {
  version: 2;
  protocol: 'nanonym';
  R: string;                  // 64 lowercase hex
  txHash: string;             // 64 lowercase hex
  amountRaw?: string;         // decimal string, fits u128
  memo?: string;
}

/** NNRP.md §11.6: a store receipt; `verified` is set by the core's verifier. */
export interface StoreReceipt {
  hash: Uint8Array;           // 32
  expiresAt: bigint;
  nodePublicKey: Uint8Array;  // 32, Ed25519
  signature: Uint8Array;      // 64
}

/** NNRP.md §11.4 codes, in the words HTTP uses (§12). */
export type Reason =
  | 'ok' | 'duplicate' | 'bad_form' | 'insufficient_work' | 'expired' | 'future'
  | 'over_capacity' | 'rate_limited' | 'not_found' | 'internal' | 'wrong_shard';

/** One node's answer to a publish, from either transport. */
export interface PublishOutcome {
  reason: Reason;             // 'ok' (stored now) or 'duplicate' (already stored) on success
  hash?: Uint8Array;
  receipt?: StoreReceipt;
  requiredThreshold?: bigint; // with insufficient_work / over_capacity
  retryAfterSeconds?: number; // with rate_limited / over_capacity
  message?: string;
}

/** NNRP.md §11.5: what to fetch; exactly one of tag / prefix. */
export interface FetchQuery {
  tag?: Uint8Array;
  prefix?: { bits: number; bytes: Uint8Array };
  since?: bigint;
  limit?: number;
  cursor?: Uint8Array;
}

export interface FetchPage {
  notifications: Notification[];
  nextCursor?: Uint8Array;    // absent or empty: no more pages
}

/** NNRP.md §11.7 plus the HTTP status document's addresses (§12). */
export interface NodeStatus {
  agent: string;
  protocolVersion: number;
  baseThreshold: bigint;
  currentThreshold: bigint;
  stored: bigint;
  now: bigint;
  maxPayload: number;
  minTtl: number;
  maxTtl: number;
  maxPage: number;
  peerId?: string;
  addresses?: string[];       // multiaddrs, browser-usable ones included (/ws, /tls/ws, /http, /tls/http)
}

/** One node reached by one transport (HTTP(S) base URL or a libp2p /ws or /wss multiaddr). */
export interface NodeTransport {
  /** A stable label for logs and results: the URL or the multiaddr. */
  readonly endpoint: string;
  status(signal?: AbortSignal): Promise<NodeStatus>;
  publish(notification: Notification, signal?: AbortSignal): Promise<PublishOutcome>;
  fetch(query: FetchQuery, signal?: AbortSignal): Promise<FetchPage>;
  close(): Promise<void>;
}

/** How to find proof of work (§6): local Web Workers / worker_threads, or a Nano work server. */
export interface WorkOptions {
  workers?: number;           // default: navigator.hardwareConcurrency (every core)
  workServerUrl?: string;     // Nano node RPC `work_generate`, tried first when set
  signal?: AbortSignal;
  onProgress?: (hashes: bigint) => void;
}
