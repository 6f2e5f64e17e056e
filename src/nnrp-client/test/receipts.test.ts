// NNRP.md §11.6: store receipts (receipts.json) and the node's PeerId from its key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { checkReceipt, contentHash, peerIdOf, receiptPeerId, receiptSignedBytes, toHex, verifyReceiptSignature, type Notification } from '../src/index.js';
import { hex, loadVectors } from '../test-support/vectors.js';

interface RV { description: string; node_seed: string; node_public_key: string; peer_id: string; hash: string; expires_at: number; signed_bytes?: string; signature: string; valid: boolean }

describe('store receipts (§11.6)', () => {
  for (const v of loadVectors<RV>('receipts.json')) {
    it(v.description, () => {
      const receipt = { hash: hex(v.hash), expiresAt: BigInt(v.expires_at), nodePublicKey: hex(v.node_public_key), signature: hex(v.signature) };
      assert.equal(toHex(ed25519.getPublicKey(hex(v.node_seed))), v.node_public_key);
      if (v.signed_bytes) assert.equal(toHex(receiptSignedBytes(receipt.hash, receipt.expiresAt)), v.signed_bytes);
      assert.equal(verifyReceiptSignature(receipt), v.valid);
      assert.equal(peerIdOf(receipt.nodePublicKey), v.peer_id);
      assert.equal(receiptPeerId(receipt), v.peer_id);
    });
  }
  it('checks a receipt against its notification: hash, expires_at = timestamp + ttl, node', () => {
    const seed = new Uint8Array(32).fill(5);
    const n: Notification = { version: 1, recipientTag: new Uint8Array(32), timestamp: 1767225600n, ttl: 3600, payload: new Uint8Array(48), work: 0n };
    const nodePublicKey = ed25519.getPublicKey(seed);
    const sign = (hash: Uint8Array, expiresAt: bigint) => ({ hash, expiresAt, nodePublicKey, signature: ed25519.sign(receiptSignedBytes(hash, expiresAt), seed) });
    const good = sign(contentHash(n), 1767229200n);
    assert.deepEqual(checkReceipt(good, n, peerIdOf(nodePublicKey)), []);
    assert.deepEqual(checkReceipt(sign(contentHash(n), 1767229201n), n), ['expires_at']);
    assert.deepEqual(checkReceipt(sign(new Uint8Array(32), 1767229200n), n), ['hash']);
    assert.deepEqual(checkReceipt({ ...good, signature: new Uint8Array(64) }, n), ['signature']);
    assert.deepEqual(checkReceipt(good, n, '12D3KooWQK1wnefoLrcVHbbnf5tLzbopUd3K3bFAoJpA7YJgL5pV'), ['node']);
    assert.equal(verifyReceiptSignature({ ...good, signature: new Uint8Array(3) }), false);
  });
});
