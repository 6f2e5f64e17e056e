// NNRP.md §3.3: relay address = "nr_" + leading-padded Nano base32 of the 32-byte content hash
// (55 characters). No checksum: whoever fetches the notification recomputes its hash.
import { NnrpFormatError } from '../errors.js';
import { decodeLeading, encodeLeading } from './nano-base32.js';

export const RELAY_ADDRESS_PREFIX = 'nr_';

export function encodeRelayAddress(hash: Uint8Array): string {
  if (hash.length !== 32) throw new NnrpFormatError(`a content hash is 32 bytes, not ${hash.length}`);
  return RELAY_ADDRESS_PREFIX + encodeLeading(hash);
}

export function decodeRelayAddress(address: string): Uint8Array {
  if (!address.startsWith(RELAY_ADDRESS_PREFIX)) throw new NnrpFormatError('a relay address starts with nr_');
  return decodeLeading(address.slice(RELAY_ADDRESS_PREFIX.length), 32, 'a relay address');
}
