// NNRP.md §12: the HTTP JSON form.
//   {"version": 1, "recipient_tag": "<64 hex>", "timestamp": <int>, "ttl": <int>,
//    "payload": "<standard base64>", "work": "<16 hex, big-endian u64>"}
// Writers use lowercase hex and padded base64; readers accept either hex case. All six fields
// are required, each at most once; unknown fields are ignored; documents over 8 KiB are refused.
// Receipts carry bytes as lowercase hex; mailbox pages carry next_cursor as base64url or null.
import type { FetchPage, Notification, PublishOutcome, Reason, StoreReceipt } from '../api.js';
import { fromBase64, fromHex, toBase64, toHex } from '../bytes.js';
import { NnrpFormatError } from '../errors.js';
import { topLevelKeys } from '../json-text.js';
import { formatWork, parseWork } from '../work/thresholds.js';
import { MAX_CURSOR, MAX_JSON_DOCUMENT, MAX_PAGE, MAX_PAYLOAD, TAG_SIZE } from './limits.js';

export interface NotificationJson {
  version: number;
  recipient_tag: string;
  timestamp: number;
  ttl: number;
  payload: string;
  work: string;
}

export function notificationToJson(n: Notification): NotificationJson {
  if (n.timestamp > BigInt(Number.MAX_SAFE_INTEGER)) throw new NnrpFormatError('timestamp does not fit a JSON integer');
  return {
    version: n.version,
    recipient_tag: toHex(n.recipientTag),
    timestamp: Number(n.timestamp),
    ttl: n.ttl,
    payload: toBase64(n.payload),
    work: formatWork(n.work),
  };
}

export function formatNotificationJson(n: Notification): string {
  return JSON.stringify(notificationToJson(n));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function integer(v: unknown, field: string, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) throw new NnrpFormatError(`${field} is an integer 0..${max}`);
  return v;
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new NnrpFormatError(`${field} is a string`);
  return v;
}

const NOTIFICATION_FIELDS = ['version', 'recipient_tag', 'timestamp', 'ttl', 'payload', 'work'] as const;

/** A notification from an already-parsed JSON value (e.g. an item of a mailbox page). */
export function notificationFromJson(value: unknown): Notification {
  if (!isObject(value)) throw new NnrpFormatError('a notification is a JSON object');
  for (const f of NOTIFICATION_FIELDS) if (!(f in value)) throw new NnrpFormatError(`a notification needs "${f}"`);
  const recipientTag = fromHex(text(value.recipient_tag, 'recipient_tag'), TAG_SIZE, 'recipient_tag');
  const payloadText = text(value.payload, 'payload');
  if (payloadText.length > Math.ceil(MAX_PAYLOAD / 3) * 4) throw new NnrpFormatError(`payload is at most ${MAX_PAYLOAD} bytes`);
  return {
    version: integer(value.version, 'version', 0xffffffff),
    recipientTag,
    timestamp: BigInt(integer(value.timestamp, 'timestamp', Number.MAX_SAFE_INTEGER)),
    ttl: integer(value.ttl, 'ttl', 0xffffffff),
    payload: fromBase64(payloadText, false, 'payload'),
    work: parseWork(text(value.work, 'work')),
  };
}

/** Parses a JSON document of at most 8 KiB whose top level is an object without repeated keys. */
export function parseJsonDocument(json: string, what: string, maxSize = MAX_JSON_DOCUMENT): Record<string, unknown> {
  if (json.length > maxSize) throw new NnrpFormatError(`${what} is at most ${maxSize} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new NnrpFormatError(`${what} is not JSON`);
  }
  if (!isObject(value)) throw new NnrpFormatError(`${what} is a JSON object`);
  const keys = topLevelKeys(json);
  if (new Set(keys).size !== keys.length) throw new NnrpFormatError(`${what} repeats a field`);
  return value;
}

/** §12: a notification document (e.g. a POST /v1/notifications body). */
export function parseNotificationJson(json: string): Notification {
  return notificationFromJson(parseJsonDocument(json, 'a notification document'));
}

// ── Receipts, publish answers, problems, pages ───────────────────────────────────────────

export interface StoreReceiptJson { hash: string; expires_at: number; node_public_key: string; signature: string }

export function receiptToJson(r: StoreReceipt): StoreReceiptJson {
  return { hash: toHex(r.hash), expires_at: Number(r.expiresAt), node_public_key: toHex(r.nodePublicKey), signature: toHex(r.signature) };
}

export function receiptFromJson(value: unknown): StoreReceipt {
  if (!isObject(value)) throw new NnrpFormatError('a receipt is a JSON object');
  return {
    hash: fromHex(text(value.hash, 'receipt hash'), 32, 'receipt hash'),
    expiresAt: BigInt(integer(value.expires_at, 'expires_at', Number.MAX_SAFE_INTEGER)),
    nodePublicKey: fromHex(text(value.node_public_key, 'node_public_key'), 32, 'node_public_key'),
    signature: fromHex(text(value.signature, 'signature'), 64, 'signature'),
  };
}

/** §12: the 200/202 answer of POST /v1/notifications: `{"hash", "address", "receipt"}`. */
export function publishAnswerFromJson(value: unknown, httpStatus: number): PublishOutcome {
  if (!isObject(value)) throw new NnrpFormatError('a publish answer is a JSON object');
  return {
    reason: httpStatus === 200 ? 'duplicate' : 'ok',
    hash: fromHex(text(value.hash, 'hash'), 32, 'hash'),
    ...(value.receipt === undefined || value.receipt === null ? {} : { receipt: receiptFromJson(value.receipt) }),
  };
}

const PROBLEM_REASONS: readonly Reason[] = [
  'bad_form', 'insufficient_work', 'expired', 'future', 'over_capacity', 'rate_limited', 'not_found', 'internal',
  'wrong_shard',
];

/**
 * §12: an RFC 9457 problem document read back as the §11.4 code in words. `retryAfter` is the
 * `Retry-After` header (whole seconds) when there is one.
 */
export function problemFromJson(value: unknown, httpStatus: number, retryAfter?: string | null): PublishOutcome {
  const doc = isObject(value) ? value : {};
  const reasonText = typeof doc.reason === 'string' ? doc.reason : undefined;
  const reason: Reason = reasonText !== undefined && (PROBLEM_REASONS as readonly string[]).includes(reasonText)
    ? reasonText as Reason
    : httpStatus === 429 ? 'rate_limited' : httpStatus === 404 ? 'not_found' : httpStatus === 421 ? 'wrong_shard'
      : httpStatus >= 500 ? 'internal' : 'bad_form';
  const outcome: PublishOutcome = { reason };
  if (typeof doc.required_threshold === 'string') outcome.requiredThreshold = parseWork(doc.required_threshold);
  const detail = typeof doc.detail === 'string' ? doc.detail : typeof doc.title === 'string' ? doc.title : undefined;
  if (detail !== undefined) outcome.message = detail.slice(0, 1024);
  if (retryAfter && /^\d{1,9}$/.test(retryAfter.trim())) outcome.retryAfterSeconds = Number(retryAfter.trim());
  return outcome;
}

/** §12: a mailbox page `{"notifications": [ … ], "next_cursor": <base64url or null>}` (size bounded by the caller). */
export function fetchPageFromJson(value: unknown): FetchPage {
  if (!isObject(value) || !Array.isArray(value.notifications)) throw new NnrpFormatError('a mailbox page has a notifications array');
  if (value.notifications.length > MAX_PAGE) throw new NnrpFormatError(`a page holds at most ${MAX_PAGE} notifications`);
  const page: FetchPage = { notifications: value.notifications.map(notificationFromJson) };
  if (value.next_cursor !== null && value.next_cursor !== undefined) {
    const cursor = fromBase64(text(value.next_cursor, 'next_cursor'), true, 'next_cursor');
    if (cursor.length > MAX_CURSOR) throw new NnrpFormatError(`a cursor is at most ${MAX_CURSOR} bytes`);
    if (cursor.length > 0) page.nextCursor = cursor;
  }
  return page;
}

/** A cursor as the `cursor` query parameter carries it (base64url, no padding). */
export function formatCursor(cursor: Uint8Array): string {
  return toBase64(cursor, true);
}
