// A payment notification to several nodes over both doors a browser has: the event is sealed to
// the recipient's key (NNRP.md §7), worked to the highest threshold the chosen nodes ask (§6,
// Web Workers on every core), then published to each node over libp2p WebSocket (/nnrp/1.0) and
// over HTTPS (POST /v1/notifications). A receipt counts only when its signature verifies, it
// names this notification's hash, and its key is the node's own (the peer id we dialed, §11.6).
import {
  contentHash, equalBytes, generateWork, HttpNodeTransport, Libp2pNodeTransport, peerIdOfPublicKey,
  sealPaymentEvent, toHex, unixNow, verifyReceipt, DEFAULT_TTL, type NodeTransport, type PaymentEvent, type PublishOutcome,
} from 'nnrp-client';
import { dialer } from './dialer.js';
import type { PageNode } from './nodes.js';

export type Transport = 'wss' | 'https';

export interface PublishRow {
  peerId: string;
  transport: Transport;
  reason: string;
  verified: boolean;
  expiresAt?: bigint;
  message?: string;
}

export interface EventFields {
  txHash: string;
  amountRaw?: string;
  memo?: string;
}

export interface SendHooks {
  onWork?: (milliseconds: number) => void;
  onRow?: (row: PublishRow) => void;
}

function transportsOf(node: PageNode): [Transport, NodeTransport][] {
  const doors: [Transport, NodeTransport][] = [];
  if (node.wss) doors.push(['wss', new Libp2pNodeTransport(node.wss, dialer())]);
  if (node.https) doors.push(['https', new HttpNodeTransport(node.https)]);
  return doors;
}

function checkReceipt(outcome: PublishOutcome, hash: Uint8Array, peerId: string): boolean {
  const receipt = outcome.receipt;
  if (!receipt || (outcome.reason !== 'ok' && outcome.reason !== 'duplicate')) return false;
  return equalBytes(receipt.hash, hash) && verifyReceipt(receipt) && peerIdOfPublicKey(receipt.nodePublicKey) === peerId;
}

export async function publishEverywhere(recipientKey: Uint8Array, fields: EventFields, targets: PageNode[], hooks: SendHooks = {}): Promise<PublishRow[]> {
  const event: PaymentEvent = {
    version: 2,
    protocol: 'nanonym',
    // A NanoNym wallet puts the payment's ephemeral key here; this page makes a random one.
    R: toHex(crypto.getRandomValues(new Uint8Array(32))),
    txHash: fields.txHash,
    ...(fields.amountRaw ? { amountRaw: fields.amountRaw } : {}),
    ...(fields.memo ? { memo: fields.memo } : {}),
  };
  const sealed = await sealPaymentEvent(recipientKey, event, { timestamp: unixNow(), ttl: DEFAULT_TTL });
  const hash = contentHash(sealed);
  const threshold = targets.reduce((max, t) => (t.threshold > max ? t.threshold : max), 0n);
  const started = performance.now();
  const work = await generateWork(hash, threshold);
  hooks.onWork?.(performance.now() - started);
  const notification = { ...sealed, work };

  const rows: PublishRow[] = [];
  await Promise.all(targets.flatMap((node) => transportsOf(node).map(async ([transport, door]) => {
    let row: PublishRow;
    try {
      const outcome = await door.publish(notification);
      row = {
        peerId: node.peerId,
        transport,
        reason: outcome.reason,
        verified: checkReceipt(outcome, hash, node.peerId),
        ...(outcome.receipt ? { expiresAt: outcome.receipt.expiresAt } : {}),
        ...(outcome.message ? { message: outcome.message } : {}),
      };
    } catch (e) {
      row = { peerId: node.peerId, transport, reason: 'unreachable', verified: false, message: e instanceof Error ? e.message : String(e) };
    } finally {
      await door.close();
    }
    rows.push(row);
    hooks.onRow?.(row);
  })));
  return rows;
}
