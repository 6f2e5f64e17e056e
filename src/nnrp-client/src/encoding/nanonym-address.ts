// NNRP.md §10.4: NanoNym v2 address (NanoNymNault RFC 0001, checksum as @nanomyms/protocol
// writes it):
//   nnym_ + trailing base32( 0x02 ‖ B_spend:32 ‖ B_view:32 ‖ uri_len:u16 BE ‖ uri ‖ checksum:5 )
//   checksum = BLAKE2b-5(every preceding byte), in digest order
// The URI is UTF-8, non-empty, with a scheme; for NNRP an `nnrp:` URI (§10.3).
import { equalBytes, utf8 } from '../bytes.js';
import { NnrpFormatError } from '../errors.js';
import { blake2b } from './hashing.js';
import { decodeTrailing, encodeTrailing, encodedLength } from './nano-base32.js';
import { parseNotificationUri, type NotificationUri } from './notification-uri.js';

export const NANONYM_PREFIX = 'nnym_';
export const NANONYM_VERSION = 0x02;
const CHECKSUM_SIZE = 5;
const HEADER_SIZE = 1 + 32 + 32 + 2;
const MAX_URI_BYTES = 0xffff;
/** The longest address text that can be valid. */
export const MAX_NANONYM_LENGTH = NANONYM_PREFIX.length + encodedLength(HEADER_SIZE + MAX_URI_BYTES + CHECKSUM_SIZE);

export interface NanoNymAddress {
  spendPublicKey: Uint8Array;  // B_spend, Ed25519, 32 bytes
  viewPublicKey: Uint8Array;   // B_view, Ed25519, 32 bytes
  notificationUri: string;     // Tier-1 destination; `nnrp:` for NNRP
}

function checkUri(uri: string): void {
  if (uri.trim() === '') throw new NnrpFormatError('a NanoNym notification URI must not be empty');
  if (uri.indexOf(':') <= 0) throw new NnrpFormatError('a NanoNym notification URI must have a scheme');
}

export function encodeNanoNym(address: NanoNymAddress): string {
  const { spendPublicKey, viewPublicKey, notificationUri } = address;
  if (spendPublicKey.length !== 32 || viewPublicKey.length !== 32) throw new NnrpFormatError('NanoNym spend and view keys are 32 bytes each');
  checkUri(notificationUri);
  const uri = utf8.encode(notificationUri);
  if (uri.length > MAX_URI_BYTES) throw new NnrpFormatError(`a NanoNym notification URI is at most ${MAX_URI_BYTES} UTF-8 bytes`);
  const payload = new Uint8Array(HEADER_SIZE + uri.length + CHECKSUM_SIZE);
  payload[0] = NANONYM_VERSION;
  payload.set(spendPublicKey, 1);
  payload.set(viewPublicKey, 33);
  payload[65] = uri.length >> 8;
  payload[66] = uri.length & 0xff;
  payload.set(uri, HEADER_SIZE);
  const at = HEADER_SIZE + uri.length;
  payload.set(blake2b(payload.subarray(0, at), CHECKSUM_SIZE), at);
  return NANONYM_PREFIX + encodeTrailing(payload);
}

/** Parses an `nnym_` address, verifying version, lengths and checksum. */
export function decodeNanoNym(text: string): NanoNymAddress {
  if (!text.startsWith(NANONYM_PREFIX)) throw new NnrpFormatError('a NanoNym address starts with nnym_');
  if (text.length > MAX_NANONYM_LENGTH) throw new NnrpFormatError(`a NanoNym address is at most ${MAX_NANONYM_LENGTH} characters`);
  const p = decodeTrailing(text.slice(NANONYM_PREFIX.length), 'a NanoNym address body');
  if (p.length < HEADER_SIZE + CHECKSUM_SIZE) throw new NnrpFormatError(`a NanoNym payload is at least ${HEADER_SIZE + CHECKSUM_SIZE} bytes, not ${p.length}`);
  if (p[0] !== NANONYM_VERSION) throw new NnrpFormatError(`unsupported NanoNym version ${p[0]} (only 2)`);
  const uriLength = (p[65]! << 8) | p[66]!;
  if (p.length !== HEADER_SIZE + uriLength + CHECKSUM_SIZE) {
    throw new NnrpFormatError(`NanoNym payload length ${p.length} does not match its URI length ${uriLength}`);
  }
  const at = HEADER_SIZE + uriLength;
  if (!equalBytes(blake2b(p.subarray(0, at), CHECKSUM_SIZE), p.subarray(at))) throw new NnrpFormatError('NanoNym address checksum does not match');
  const notificationUri = utf8.decode(p.subarray(HEADER_SIZE, at), 'a NanoNym notification URI');
  checkUri(notificationUri);
  return { spendPublicKey: p.slice(1, 33), viewPublicKey: p.slice(33, 65), notificationUri };
}

/** The NNRP destination of a NanoNym: its notification URI parsed, or an error if it is not `nnrp:`. */
export function nnrpDestinationOf(address: NanoNymAddress): NotificationUri {
  return parseNotificationUri(address.notificationUri);
}
