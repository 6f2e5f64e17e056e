// NNRP.md §7: HPKE sealing — RFC 9180 A.2 (the suite itself), the repository's sealed-payload
// vector (fixed ephemeral key), and the properties: wrong key, tampering and re-addressing fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  contentHash, deriveNotificationKey, encodeNotification, hpkeOpen, hpkeSeal, open, openPayload, paymentEvent, seal, SealingError, toHex,
  workValue, type Notification,
} from '../src/index.js';
import { hex, loadVectors, seed00to1f } from '../test-support/vectors.js';

describe('HPKE suite (RFC 9180 A.2.1, DHKEM(X25519) / HKDF-SHA256 / ChaCha20-Poly1305)', () => {
  const skEm = hex('f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600');
  const pkEm = hex('1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a');
  const skRm = hex('8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb');
  const pkRm = hex('4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a');
  const info = hex('4f6465206f6e2061204772656369616e2055726e');
  const pt = hex('4265617574792069732074727574682c20747275746820626561757479');
  const aad = hex('436f756e742d30');
  const ct = '1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28';
  it('sequence 0 seals to the vector ciphertext and opens it', async () => {
    const sealed = await hpkeSeal(pkRm, info, aad, pt, skEm);
    assert.deepEqual(sealed.enc, pkEm);
    assert.equal(toHex(sealed.ciphertext), ct);
    assert.deepEqual(await hpkeOpen(skRm, pkEm, info, aad, hex(ct)), pt);
  });
  it('refuses the all-zero (small-order) key on both sides (RFC 9180 §7.1.4)', async () => {
    await assert.rejects(hpkeSeal(new Uint8Array(32), info, aad, pt), SealingError);
    await assert.rejects(hpkeOpen(skRm, new Uint8Array(32), info, aad, hex(ct)), SealingError);
  });
});

interface SV { seed: string; index: number; recipient_private_key: string; recipient_public_key: string; recipient_tag: string; timestamp: number; ttl: number;
  plaintext: string; ephemeral_private_key: string; enc: string; aad: string; ciphertext: string; payload: string; hash: string; work: string; work_value: string; protobuf: string }

describe('sealed payload vector (§7, sealing.json)', () => {
  for (const v of loadVectors<SV>('sealing.json')) {
    it('seals to the vector payload with the fixed ephemeral key and opens it', async () => {
      const key = deriveNotificationKey(hex(v.seed), v.index);
      assert.equal(toHex(key.publicKey), v.recipient_public_key);
      const event = JSON.parse(new TextDecoder().decode(hex(v.plaintext))) as { R: string; tx_hash: string; amount_raw?: string; memo?: string };
      const n = await seal(key.publicKey, paymentEvent({ R: event.R, txHash: event.tx_hash, ...(event.amount_raw ? { amountRaw: event.amount_raw } : {}), ...(event.memo ? { memo: event.memo } : {}) }),
        { timestamp: BigInt(v.timestamp), ttl: v.ttl, ephemeralPrivateKey: hex(v.ephemeral_private_key) });
      assert.equal(toHex(n.payload), v.payload);
      assert.equal(toHex(n.payload.subarray(0, 32)), v.enc);
      assert.equal(toHex(contentHash(n)), v.hash);
      const withWork: Notification = { ...n, work: BigInt('0x' + v.work) };
      assert.equal(workValue(contentHash(n), withWork.work).toString(16), v.work_value);
      assert.equal(toHex(encodeNotification(withWork)), v.protobuf);
      assert.deepEqual(await openPayload(key.privateKey, n), hex(v.plaintext));
      assert.equal((await open(key, n)).txHash, event.tx_hash);
    });
  }
});

describe('sealing properties (§7)', () => {
  const key = deriveNotificationKey(seed00to1f, 0);
  const event = paymentEvent({ R: '11'.repeat(32), txHash: '22'.repeat(32), amountRaw: '5', memo: 'hi' });
  it('a fresh ephemeral key each time: two seals differ, both open', async () => {
    const a = await seal(key.publicKey, event, { timestamp: 1767225600n });
    const b = await seal(key.publicKey, event, { timestamp: 1767225600n });
    assert.notDeepEqual(a.payload, b.payload);
    assert.deepEqual(await open(key, a), event);
    assert.deepEqual(await open(key, b), event);
    assert.equal(a.ttl, 7_776_000);
    assert.equal(a.payload.length, 32 + new TextEncoder().encode(JSON.stringify({ version: 2, protocol: 'nanonym', R: event.R, tx_hash: event.txHash, amount_raw: '5', memo: 'hi' })).length + 16);
  });
  it('another key, a changed tag, timestamp, ttl or payload byte do not open', async () => {
    const n = await seal(key.publicKey, event, { timestamp: 1767225600n, ttl: 3600 });
    const other = deriveNotificationKey(seed00to1f, 1);
    await assert.rejects(open(other, n), SealingError);
    const tag = n.recipientTag.slice();
    tag[0]! ^= 1;
    const payload = n.payload.slice();
    payload[40]! ^= 1;
    for (const changed of [{ ...n, recipientTag: tag }, { ...n, timestamp: n.timestamp + 1n }, { ...n, ttl: n.ttl + 1 }, { ...n, payload }, { ...n, payload: n.payload.subarray(0, 47) }]) {
      await assert.rejects(open(key, changed), SealingError);
    }
  });
});
