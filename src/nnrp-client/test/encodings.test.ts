// NNRP.md §10 (base32, nano_, nnrp: URIs, nnym_) and §3.3 (nr_), against the vectors and §13.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeLeading, decodeNanoAccount, decodeNanoNym, decodeRelayAddress, decodeTrailing, encodeLeading, encodeNanoAccount,
  encodeNanoNym, encodeRelayAddress, encodeTrailing, formatNotificationUri, NnrpFormatError, nnrpDestinationOf,
  parseNotificationUri, toHex,
} from '../src/index.js';
import { hex, loadVectors } from '../test-support/vectors.js';

interface V { kind: string; description: string; [k: string]: unknown }
const vectors = loadVectors<V>('encodings.json');
const of = (kind: string): V[] => {
  const list = vectors.filter((v) => v.kind === kind);
  assert.ok(list.length > 0, `no ${kind} vectors`);
  return list;
};

describe('Nano base32 (§10.1)', () => {
  for (const v of of('base32')) {
    it(`${v.description}: both paddings encode and decode`, () => {
      const bytes = hex(v.bytes as string);
      assert.equal(encodeLeading(bytes), v.leading);
      assert.equal(encodeTrailing(bytes), v.trailing);
      assert.deepEqual(decodeLeading(v.leading as string, bytes.length), bytes);
      assert.deepEqual(decodeTrailing(v.trailing as string), bytes);
      assert.deepEqual(decodeLeading((v.leading as string).toUpperCase(), bytes.length), bytes, 'either case');
    });
  }
  it('refuses non-zero padding bits, wrong lengths and foreign characters', () => {
    assert.throws(() => decodeLeading('9z', 1).length && decodeLeading('zz', 1), NnrpFormatError);
    assert.throws(() => decodeTrailing('zz'), NnrpFormatError);
    assert.throws(() => decodeLeading('111', 1), NnrpFormatError);
    assert.throws(() => decodeTrailing('1'), NnrpFormatError);
    assert.throws(() => decodeLeading('1l', 1), NnrpFormatError); // 'l' is not in the alphabet
    assert.throws(() => decodeLeading('1\u00e9', 1), NnrpFormatError);
  });
});

describe('nano_ accounts (§10.2)', () => {
  for (const v of of('nano_account')) {
    it(v.description, () => {
      assert.equal(encodeNanoAccount(hex(v.public_key as string)), v.account);
      assert.equal(toHex(decodeNanoAccount(v.account as string)), v.public_key);
    });
  }
  it('refuses a bad checksum', () => {
    const good = of('nano_account')[0]!.account as string;
    const bad = good.slice(0, -1) + (good.endsWith('3') ? '4' : '3');
    assert.throws(() => decodeNanoAccount(bad), /checksum/);
  });
});

describe('nr_ relay addresses (§3.3)', () => {
  it('the §13 hash', () => {
    const hash = hex('bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de');
    assert.equal(encodeRelayAddress(hash), 'nr_3hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1py');
    assert.deepEqual(decodeRelayAddress('nr_3hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1py'), hash);
    assert.throws(() => decodeRelayAddress('nr_5hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1py'), NnrpFormatError);
    assert.throws(() => decodeRelayAddress('nx_3hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1py'), NnrpFormatError);
  });
});

describe('nnrp: URIs (§10.3)', () => {
  for (const v of of('uri_write')) {
    it(`writes: ${v.description}`, () => {
      assert.equal(formatNotificationUri(hex(v.public_key as string), v.relays as string[]), v.uri);
      const back = parseNotificationUri(v.uri as string);
      assert.equal(toHex(back.notificationKey), v.public_key);
      assert.deepEqual(back.relays, v.relays);
    });
  }
  for (const v of of('uri_read')) {
    it(`reads: ${v.description}`, () => {
      if (v.error) {
        assert.throws(() => parseNotificationUri(v.text as string), NnrpFormatError);
      } else {
        const uri = parseNotificationUri(v.text as string);
        assert.equal(toHex(uri.notificationKey), v.public_key);
        assert.deepEqual(uri.relays, v.relays);
      }
    });
  }
  it('enforces the limits: 8 hints, 512 characters a hint, 8192 a URI', () => {
    const key = hex('716dd5a590fa6546b065f59f1078cd4cfd6df32203a03141df5f4b85d1fe8505');
    const eight = Array.from({ length: 8 }, (_, i) => `/ip4/10.0.0.${i}/tcp/1`);
    assert.deepEqual(parseNotificationUri(formatNotificationUri(key, eight)).relays, eight);
    assert.throws(() => formatNotificationUri(key, [...eight, '/ip4/1.1.1.1/tcp/1']), /at most 8/);
    assert.throws(() => parseNotificationUri(formatNotificationUri(key, eight) + '&relay=/x'), /at most 8/);
    assert.throws(() => formatNotificationUri(key, ['/' + 'a'.repeat(512)]), /512/);
    assert.throws(() => parseNotificationUri('nnrp:' + 'x'.repeat(8200)), /8192/);
    assert.throws(() => parseNotificationUri('nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7?relay=/a%C3%28'), /UTF-8/);
    assert.throws(() => parseNotificationUri('http:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7'), NnrpFormatError);
  });
});

describe('nnym_ NanoNym v2 addresses (§10.4)', () => {
  for (const v of of('nanonym')) {
    it(v.description, () => {
      const address = { spendPublicKey: hex(v.spend_public_key as string), viewPublicKey: hex(v.view_public_key as string), notificationUri: v.uri as string };
      assert.equal(encodeNanoNym(address), v.address);
      const back = decodeNanoNym(v.address as string);
      assert.deepEqual(back, address);
    });
  }
  it('the §13 example and its nnrp: destination', () => {
    const text = 'nnym_1aaj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj4aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj411wpwumkg1x54xu6est91tum8fwptfu3gjs5is5reox5aeuqeot8tgdresrq8tsp87w54g3q87w9kwdnejnq4rdth1sp4fufqiu3oqi';
    const a = decodeNanoNym(text);
    assert.equal(toHex(a.spendPublicKey), '11'.repeat(32));
    assert.equal(toHex(a.viewPublicKey), '22'.repeat(32));
    assert.equal(toHex(nnrpDestinationOf(a).notificationKey), '716dd5a590fa6546b065f59f1078cd4cfd6df32203a03141df5f4b85d1fe8505');
    assert.equal(encodeNanoNym(a), text);
  });
  it('refuses a changed character, a wrong version, truncation and a URI without a scheme', () => {
    const text = of('nanonym')[0]!.address as string;
    const i = 30;
    const flipped = text.slice(0, i) + (text[i] === '3' ? '4' : '3') + text.slice(i + 1);
    assert.throws(() => decodeNanoNym(flipped), NnrpFormatError);
    assert.throws(() => decodeNanoNym(text.slice(0, -8)), NnrpFormatError);
    assert.throws(() => decodeNanoNym('nnym_'), NnrpFormatError);
    assert.throws(() => decodeNanoNym('nano_' + text.slice(5)), /nnym_/);
    assert.throws(() => encodeNanoNym({ spendPublicKey: new Uint8Array(32), viewPublicKey: new Uint8Array(32), notificationUri: 'no-scheme' }), /scheme/);
  });
});
