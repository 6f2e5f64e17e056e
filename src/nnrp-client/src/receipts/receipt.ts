// NNRP.md §11.6: a store receipt proves which node took a notification until when.
//   signature = Ed25519( node key, "nnrp/receipt/1" ‖ hash:32 ‖ expires_at:u64 BE )   (54 bytes signed)
//   expires_at = timestamp + ttl; node_public_key is the node's libp2p identity key.
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Notification, StoreReceipt } from '../api.js';
import { equalBytes, utf8 } from '../bytes.js';
import { contentHash } from '../notification/hash.js';
import { peerIdOf } from './peer-id.js';

const DOMAIN = utf8.encode('nnrp/receipt/1');

/** The 54 signed bytes. */
export function receiptSignedBytes(hash: Uint8Array, expiresAt: bigint): Uint8Array {
  const out = new Uint8Array(DOMAIN.length + 32 + 8);
  out.set(DOMAIN, 0);
  out.set(hash.subarray(0, 32), DOMAIN.length);
  new DataView(out.buffer).setBigUint64(DOMAIN.length + 32, BigInt.asUintN(64, expiresAt), false);
  return out;
}

/** True when the signature is the node key's over (hash, expires_at); never throws on bad input. */
export function verifyReceiptSignature(receipt: StoreReceipt): boolean {
  if (receipt.hash.length !== 32 || receipt.nodePublicKey.length !== 32 || receipt.signature.length !== 64) return false;
  if (receipt.expiresAt < 0n || receipt.expiresAt > 0xffffffffffffffffn) return false;
  try {
    return ed25519.verify(receipt.signature, receiptSignedBytes(receipt.hash, receipt.expiresAt), receipt.nodePublicKey);
  } catch {
    return false;
  }
}

export type ReceiptProblem = 'signature' | 'hash' | 'expires_at' | 'node';

/**
 * Checks a receipt against the notification it should be for: the signature, the hash, that
 * expires_at = timestamp + ttl, and (when given) that it comes from the node with this peer id.
 * Returns the problems found (empty: valid).
 */
export function checkReceipt(receipt: StoreReceipt, notification: Notification, expectedPeerId?: string): ReceiptProblem[] {
  const problems: ReceiptProblem[] = [];
  if (!verifyReceiptSignature(receipt)) problems.push('signature');
  if (!equalBytes(receipt.hash, contentHash(notification))) problems.push('hash');
  if (receipt.expiresAt !== notification.timestamp + BigInt(notification.ttl)) problems.push('expires_at');
  if (expectedPeerId !== undefined && (receipt.nodePublicKey.length !== 32 || peerIdOf(receipt.nodePublicKey) !== expectedPeerId)) problems.push('node');
  return problems;
}

/** The peer id of the node that signed a receipt. */
export function receiptPeerId(receipt: StoreReceipt): string {
  return peerIdOf(receipt.nodePublicKey);
}
