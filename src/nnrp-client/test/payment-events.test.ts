// NNRP.md §7.1: what a reader accepts and refuses as a payment event (payment_events.json).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePaymentEvent, encodePaymentEvent, NnrpFormatError, paymentEvent } from '../src/index.js';
import { hex, loadVectors } from '../test-support/vectors.js';

interface PV { description: string; plaintext: string; valid: boolean; r?: string; tx_hash?: string; amount_raw?: string; memo?: string }

describe('payment events (§7.1)', () => {
  for (const v of loadVectors<PV>('payment_events.json')) {
    it(`${v.valid ? 'accepts' : 'refuses'}: ${v.description}`, () => {
      if (!v.valid) {
        assert.throws(() => decodePaymentEvent(hex(v.plaintext)), NnrpFormatError);
        return;
      }
      const e = decodePaymentEvent(hex(v.plaintext));
      assert.equal(e.R, v.r);
      assert.equal(e.txHash, v.tx_hash);
      assert.equal(e.amountRaw, v.amount_raw);
      assert.equal(e.memo, v.memo);
    });
  }
  it('writes what it reads, fields in §7.1 order', () => {
    const e = paymentEvent({ R: 'ab'.repeat(32), txHash: '22'.repeat(32), amountRaw: '340282366920938463463374607431768211455', memo: 'ünïcode' });
    const bytes = encodePaymentEvent(e);
    assert.ok(new TextDecoder().decode(bytes).startsWith('{"version":2,"protocol":"nanonym","R":'));
    assert.deepEqual(decodePaymentEvent(bytes), e);
  });
  it('refuses to build an event that breaks a rule or does not fit 2000 bytes', () => {
    assert.throws(() => paymentEvent({ R: 'AB'.repeat(32), txHash: '22'.repeat(32) }), /R/);
    assert.throws(() => paymentEvent({ R: 'ab'.repeat(32), txHash: '22'.repeat(32), amountRaw: '340282366920938463463374607431768211456' }), /u128/);
    assert.throws(() => encodePaymentEvent(paymentEvent({ R: 'ab'.repeat(32), txHash: '22'.repeat(32), memo: 'x'.repeat(2000) })), /2000/);
  });
});
