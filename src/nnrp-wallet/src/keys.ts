// The wallet's notification key: index 0 of a 32-byte seed (NNRP.md §9) and its `nnrp:` URI (§10.3).
import { deriveNotificationKey, notificationUriOf, type NotificationKeyPair } from 'nnrp-client';

export interface WalletKey {
  keyPair: NotificationKeyPair;
  /** The `nnrp:` URI payers send to. */
  uri: string;
}

export function keyFromSeed(seed: Uint8Array): WalletKey {
  const keyPair = deriveNotificationKey(seed, 0);
  return { keyPair, uri: notificationUriOf(keyPair) };
}
