// NNRP.md §10.2: nano_ accounts — 52 leading-padded characters of the key, then 8 of its
// BLAKE2b-5 checksum, byte-reversed (nano-node nano/lib/numbers.cpp encode_account).
import { equalBytes } from '../bytes.js';
import { NnrpFormatError } from '../errors.js';
import { blake2b } from './hashing.js';
import { decodeLeading, encodeLeading } from './nano-base32.js';

export const NANO_ACCOUNT_PREFIX = 'nano_';
const LEGACY_PREFIX = 'xrb_';
const BODY_LENGTH = 60;

function checksum(key: Uint8Array): Uint8Array {
  return blake2b(key, 5).reverse();
}

export function encodeNanoAccount(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new NnrpFormatError(`a Nano public key is 32 bytes, not ${publicKey.length}`);
  return NANO_ACCOUNT_PREFIX + encodeLeading(publicKey) + encodeLeading(checksum(publicKey));
}

/** The public key of a `nano_` (or legacy `xrb_`) account, checksum verified. */
export function decodeNanoAccount(address: string): Uint8Array {
  const body = address.startsWith(NANO_ACCOUNT_PREFIX) ? address.slice(NANO_ACCOUNT_PREFIX.length)
    : address.startsWith(LEGACY_PREFIX) ? address.slice(LEGACY_PREFIX.length) : undefined;
  if (body === undefined) throw new NnrpFormatError('a Nano account starts with nano_ or xrb_');
  if (body.length !== BODY_LENGTH) throw new NnrpFormatError(`a Nano account has ${BODY_LENGTH} characters after the prefix, not ${body.length}`);
  const key = decodeLeading(body.slice(0, 52), 32, 'a Nano account key');
  const check = decodeLeading(body.slice(52), 5, 'a Nano account checksum');
  if (!equalBytes(check, checksum(key))) throw new NnrpFormatError('Nano account checksum does not match');
  return key;
}
