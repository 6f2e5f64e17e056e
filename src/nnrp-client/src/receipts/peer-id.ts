// The libp2p PeerId of an Ed25519 key (libp2p/specs peer-ids/peer-ids.md): the identity
// multihash of the protobuf PublicKey { Type = Ed25519 (1), Data = key }, in base58btc —
// "12D3KooW…". Lets a wallet match a store receipt's node_public_key (NNRP.md §11.6) to a node.
import { NnrpFormatError } from '../errors.js';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let s = '';
  while (n > 0n) {
    s = BASE58[Number(n % 58n)]! + s;
    n /= 58n;
  }
  return '1'.repeat(zeros) + s;
}

/** The multihash bytes of an Ed25519 peer id: 0x00 0x24 ‖ 08 01 12 20 ‖ key. */
export function peerIdBytesOf(ed25519PublicKey: Uint8Array): Uint8Array {
  if (ed25519PublicKey.length !== 32) throw new NnrpFormatError(`an Ed25519 public key is 32 bytes, not ${ed25519PublicKey.length}`);
  const out = new Uint8Array(6 + 32);
  out.set([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]);
  out.set(ed25519PublicKey, 6);
  return out;
}

/** The peer id text (`12D3KooW…`) of a node's Ed25519 identity key. */
export function peerIdOf(ed25519PublicKey: Uint8Array): string {
  return base58btc(peerIdBytesOf(ed25519PublicKey));
}
