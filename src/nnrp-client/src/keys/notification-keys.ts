// NNRP.md §9 (seed recovery) and §4 (recipient tag):
//   k(index) = BLAKE2b-32( key = seed, data = "nnrp/notify/v1" ‖ index:u32 BE )
//   K(index) = X25519(k(index), 9)                      (RFC 7748 clamping applies to k)
//   recipient_tag = BLAKE2b-32( "nnrp-tag-v1" ‖ K )
import { x25519 } from '@noble/curves/ed25519.js';
import type { NotificationKeyPair } from '../api.js';
import { concatBytes, u32be, utf8 } from '../bytes.js';
import { NnrpFormatError } from '../errors.js';
import { blake2b } from '../encoding/hashing.js';
import { formatNotificationUri } from '../encoding/notification-uri.js';

export const MIN_SEED_SIZE = 16;
/** The BLAKE2b key limit: a 64-byte BIP-39 seed fits. */
export const MAX_SEED_SIZE = 64;
const KEY_DOMAIN = utf8.encode('nnrp/notify/v1');
const TAG_DOMAIN = utf8.encode('nnrp-tag-v1');

/** The mailbox of a notification key K (§4). */
export function recipientTagOf(notificationKey: Uint8Array): Uint8Array {
  if (notificationKey.length !== 32) throw new NnrpFormatError(`a notification key is 32 bytes, not ${notificationKey.length}`);
  return blake2b(concatBytes(TAG_DOMAIN, notificationKey), 32);
}

/** The X25519 public key of a 32-byte private key. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== 32) throw new NnrpFormatError(`an X25519 private key is 32 bytes, not ${privateKey.length}`);
  return x25519.getPublicKey(privateKey);
}

/** A key pair from a 32-byte private key (copied). */
export function keyPairFromPrivateKey(privateKey: Uint8Array, index = 0): NotificationKeyPair {
  const publicKey = publicKeyOf(privateKey);
  return { index, privateKey: privateKey.slice(), publicKey, tag: recipientTagOf(publicKey) };
}

/** The notification key pair number `index` of `seed` (§9). */
export function deriveNotificationKey(seed: Uint8Array, index = 0): NotificationKeyPair {
  if (seed.length < MIN_SEED_SIZE || seed.length > MAX_SEED_SIZE) {
    throw new NnrpFormatError(`a seed is ${MIN_SEED_SIZE}..${MAX_SEED_SIZE} bytes, not ${seed.length}`);
  }
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new NnrpFormatError('a key index is a u32');
  const privateKey = blake2b(concatBytes(KEY_DOMAIN, u32be(index)), 32, seed);
  return keyPairFromPrivateKey(privateKey, index);
}

/** The `nnrp:` URI of a key pair, with optional relay hints (§10.3). */
export function notificationUriOf(keyPair: Pick<NotificationKeyPair, 'publicKey'>, relays: readonly string[] = []): string {
  return formatNotificationUri(keyPair.publicKey, relays);
}
