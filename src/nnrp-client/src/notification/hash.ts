// NNRP.md §3.2: the content hash, the notification's identity and PoW root.
//   hash = BLAKE2b-32( version:u8 ‖ recipient_tag:32 ‖ timestamp:u64 BE ‖ ttl:u32 BE ‖ payload )
// `work` is not hashed, and neither are protobuf bytes (not canonical).
import type { Notification } from '../api.js';
import { blake2b } from '../encoding/hashing.js';
import { encodeRelayAddress } from '../encoding/relay-address.js';

/** The 45-byte header before the payload. */
export const HASH_HEADER_SIZE = 45;

/** The hash preimage (header ‖ payload). */
export function hashPreimage(n: Pick<Notification, 'version' | 'recipientTag' | 'timestamp' | 'ttl' | 'payload'>): Uint8Array {
  const out = new Uint8Array(HASH_HEADER_SIZE + n.payload.length);
  const view = new DataView(out.buffer);
  out[0] = n.version & 0xff;
  out.set(n.recipientTag.subarray(0, 32), 1);
  view.setBigUint64(33, BigInt.asUintN(64, n.timestamp), false);
  view.setUint32(41, n.ttl >>> 0, false);
  out.set(n.payload, HASH_HEADER_SIZE);
  return out;
}

export function contentHash(n: Pick<Notification, 'version' | 'recipientTag' | 'timestamp' | 'ttl' | 'payload'>): Uint8Array {
  return blake2b(hashPreimage(n), 32);
}

/** §3.3: the notification's `nr_` relay address. */
export function relayAddressOf(n: Pick<Notification, 'version' | 'recipientTag' | 'timestamp' | 'ttl' | 'payload'>): string {
  return encodeRelayAddress(contentHash(n));
}
