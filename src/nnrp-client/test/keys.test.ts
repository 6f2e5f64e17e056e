// NNRP.md §9 (seed recovery) and §4 (recipient tag), against keys.json and the §9 example.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveNotificationKey, keyPairFromPrivateKey, NnrpFormatError, notificationUriOf, recipientTagOf, toHex } from '../src/index.js';
import { hex, loadVectors, seed00to1f } from '../test-support/vectors.js';

interface KeyVector { description: string; seed: string; index: number; private_key: string; public_key: string; recipient_tag: string; uri: string }

describe('notification keys from a seed (§9, §4)', () => {
  it('the §9 example: seed 00..1f, index 0', () => {
    const k = deriveNotificationKey(seed00to1f, 0);
    assert.equal(toHex(k.privateKey), '7879813df80592812cb52e3e85e2f41dd58c01df5fdaaf0052a8460049b920ba');
    assert.equal(toHex(k.publicKey), '716dd5a590fa6546b065f59f1078cd4cfd6df32203a03141df5f4b85d1fe8505');
    assert.equal(toHex(k.tag), 'f687b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01');
  });
  for (const v of loadVectors<KeyVector>('keys.json')) {
    it(v.description, () => {
      const k = deriveNotificationKey(hex(v.seed), v.index);
      assert.equal(k.index, v.index);
      assert.equal(toHex(k.privateKey), v.private_key);
      assert.equal(toHex(k.publicKey), v.public_key);
      assert.equal(toHex(k.tag), v.recipient_tag);
      assert.equal(toHex(recipientTagOf(hex(v.public_key))), v.recipient_tag);
      assert.equal(notificationUriOf(k), v.uri);
      assert.deepEqual(keyPairFromPrivateKey(hex(v.private_key), v.index), k);
    });
  }
  it('refuses seeds outside 16..64 bytes and indexes outside u32', () => {
    assert.throws(() => deriveNotificationKey(new Uint8Array(15)), NnrpFormatError);
    assert.throws(() => deriveNotificationKey(new Uint8Array(65)), NnrpFormatError);
    assert.doesNotThrow(() => deriveNotificationKey(new Uint8Array(16)));
    assert.throws(() => deriveNotificationKey(seed00to1f, -1), NnrpFormatError);
    assert.throws(() => deriveNotificationKey(seed00to1f, 2 ** 32), NnrpFormatError);
  });
  it('different indexes give different keys', () => {
    assert.notDeepEqual(deriveNotificationKey(seed00to1f, 0).publicKey, deriveNotificationKey(seed00to1f, 1).publicKey);
  });
});
