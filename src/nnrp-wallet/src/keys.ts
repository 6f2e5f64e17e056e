// The wallet's notification key (NNRP.md §9, index 0 of a 32-byte seed) and the recipients a
// payer may paste: an `nnrp:` URI (§10.3) or a NanoNym v2 address (§10.4) carrying one.
import { decodeNanoNym, deriveNotificationKey, nnrpDestinationOf, notificationUriOf, parseNotificationUri, type NotificationKeyPair } from 'nnrp-client';

export interface WalletKey {
  keyPair: NotificationKeyPair;
  /** The `nnrp:` URI payers send to. */
  uri: string;
}

export function keyFromSeed(seed: Uint8Array): WalletKey {
  const keyPair = deriveNotificationKey(seed, 0);
  return { keyPair, uri: notificationUriOf(keyPair) };
}

/** The notification key K of a pasted recipient. */
export function parseRecipient(text: string): Uint8Array {
  if (text.toLowerCase().startsWith('nnym_')) return nnrpDestinationOf(decodeNanoNym(text)).notificationKey;
  return parseNotificationUri(text).notificationKey;
}
