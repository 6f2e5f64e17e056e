// NNRP.md §7.1: the sealed plaintext, a NanoNym payment event (NanoNymNault RFC 0002), UTF-8 JSON:
//   {"version": 2, "protocol": "nanonym", "R": "<64 lowercase hex>", "tx_hash": "<64 lowercase hex>",
//    "amount_raw": "<decimal string, fits u128>", "memo": "<text>"}
// version, protocol, R, tx_hash required; amount_raw and memo optional; unknown fields ignored.
import type { PaymentEvent } from '../api.js';
import { utf8 } from '../bytes.js';
import { NnrpFormatError } from '../errors.js';
import { nestingDepth } from '../json-text.js';

/** 2048 − enc 32 − AEAD tag 16. */
export const MAX_PAYMENT_EVENT_BYTES = 2000;
/** Nesting bound for hostile plaintexts (the reference reader's MaxDepth). */
export const MAX_DEPTH = 16;
const HEX64 = /^[0-9a-f]{64}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const U128_MAX = (1n << 128n) - 1n;

function checkHex(value: unknown, name: string): string {
  if (typeof value !== 'string' || !HEX64.test(value)) throw new NnrpFormatError(`${name} must be 64 lowercase hex digits`);
  return value;
}

function checkAmount(value: unknown): string {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value) || value.length > 39 || BigInt(value) > U128_MAX) {
    throw new NnrpFormatError('amount_raw must be a decimal string with no leading zeros that fits u128');
  }
  return value;
}

/** A checked event (throws NnrpFormatError on a broken rule). */
export function paymentEvent(fields: { R: string; txHash: string; amountRaw?: string; memo?: string }): PaymentEvent {
  const event: PaymentEvent = { version: 2, protocol: 'nanonym', R: checkHex(fields.R, 'R'), txHash: checkHex(fields.txHash, 'tx_hash') };
  if (fields.amountRaw !== undefined) event.amountRaw = checkAmount(fields.amountRaw);
  if (fields.memo !== undefined) {
    if (typeof fields.memo !== 'string') throw new NnrpFormatError('memo is a string');
    // JSON can escape a lone surrogate ("\ud800"), which is no Unicode string (RFC 8259 §8.2).
    if (LONE_SURROGATE.test(fields.memo)) throw new NnrpFormatError('memo is not a Unicode string (a lone surrogate)');
    event.memo = fields.memo;
  }
  return event;
}

/** UTF-8 JSON of the event, fields in the order of §7.1. */
export function encodePaymentEvent(event: PaymentEvent): Uint8Array {
  const e = paymentEvent(event);
  const json: Record<string, unknown> = { version: 2, protocol: 'nanonym', R: e.R, tx_hash: e.txHash };
  if (e.amountRaw !== undefined) json.amount_raw = e.amountRaw;
  if (e.memo !== undefined) json.memo = e.memo;
  const bytes = utf8.encode(JSON.stringify(json));
  if (bytes.length > MAX_PAYMENT_EVENT_BYTES) throw new NnrpFormatError(`a payment event is at most ${MAX_PAYMENT_EVENT_BYTES} bytes of JSON, not ${bytes.length}`);
  return bytes;
}

/** Parses and checks a payment event; a missing required field or a broken rule is refused. */
export function decodePaymentEvent(bytes: Uint8Array): PaymentEvent {
  if (bytes.length > MAX_PAYMENT_EVENT_BYTES) throw new NnrpFormatError(`a payment event is at most ${MAX_PAYMENT_EVENT_BYTES} bytes`);
  // A byte order mark is not stripped: the JSON starts with '{' (§7.1, RFC 8259 §8.1).
  const text = utf8.decode(bytes, 'a payment event', true);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new NnrpFormatError('a payment event is one JSON object');
  }
  if (nestingDepth(text) > MAX_DEPTH) throw new NnrpFormatError(`a payment event nests at most ${MAX_DEPTH} levels`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new NnrpFormatError('a payment event is a JSON object');
  const o = value as Record<string, unknown>;
  for (const f of ['version', 'protocol', 'R', 'tx_hash']) {
    if (!(f in o)) throw new NnrpFormatError(`a payment event needs version, protocol, R and tx_hash (missing ${f})`);
  }
  if (o.version !== 2) throw new NnrpFormatError(`payment event version must be 2, not ${JSON.stringify(o.version)}`);
  if (o.protocol !== 'nanonym') throw new NnrpFormatError('payment event protocol must be "nanonym"');
  if (o.memo !== undefined && typeof o.memo !== 'string') throw new NnrpFormatError('memo is a string');
  return paymentEvent({
    R: o.R as string,
    txHash: o.tx_hash as string,
    ...(o.amount_raw === undefined ? {} : { amountRaw: o.amount_raw as string }),
    ...(o.memo === undefined ? {} : { memo: o.memo as string }),
  });
}
