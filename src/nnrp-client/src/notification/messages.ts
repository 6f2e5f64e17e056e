// NNRP.md §3.4 and §11.2–§11.7: the protobuf messages of protocols/nnrp.proto a wallet speaks
// (Notification, Request with publish/fetch/status, Response with its bodies). Sync (§11.8) is
// node-to-node and not here. Encoders write fields in number order with zero values omitted
// (the §6.4 "standard encoder" size); decoders are bounded by their input and refuse
// malformed bytes with NnrpFormatError.
import type { FetchPage, FetchQuery, NodeStatus, Notification, Reason, StoreReceipt } from '../api.js';
import { NnrpFormatError } from '../errors.js';
import { MAX_CURSOR, MAX_ENCODED_NOTIFICATION, MAX_PAGE, MAX_PAYLOAD, MAX_REQUEST_SIZE, MAX_RESPONSE_SIZE, TAG_SIZE } from './limits.js';
import { ProtoReader, ProtoWriter, WireType } from './protobuf.js';

// ── Notification (§3.4) ──────────────────────────────────────────────────────────────────

function writeNotification(w: ProtoWriter, n: Notification): void {
  w.uint(1, n.version).bytes(2, n.recipientTag).uint(3, n.timestamp).uint(4, n.ttl).bytes(5, n.payload).fixed64(6, n.work);
}

export function encodeNotification(n: Notification): Uint8Array {
  const w = new ProtoWriter();
  writeNotification(w, n);
  return w.finish();
}

/** §3.4: refuses > 2304 bytes before parsing, a tag that is not 32 bytes and a payload over 2048. */
export function decodeNotification(bytes: Uint8Array): Notification {
  if (bytes.length > MAX_ENCODED_NOTIFICATION) throw new NnrpFormatError(`an encoded notification is at most ${MAX_ENCODED_NOTIFICATION} bytes, not ${bytes.length}`);
  const r = new ProtoReader(bytes, 'notification');
  const n: Notification = { version: 0, recipientTag: new Uint8Array(0), timestamp: 0n, ttl: 0, payload: new Uint8Array(0), work: 0n };
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(wire, WireType.Varint, field); n.version = r.uint32(); break;
      case 2: r.expect(wire, WireType.Bytes, field); n.recipientTag = r.bytesField().slice(); break;
      case 3: r.expect(wire, WireType.Varint, field); n.timestamp = r.varint(); break;
      case 4: r.expect(wire, WireType.Varint, field); n.ttl = r.uint32(); break;
      case 5: r.expect(wire, WireType.Bytes, field); n.payload = r.bytesField().slice(); break;
      case 6: r.expect(wire, WireType.Fixed64, field); n.work = r.fixed64(); break;
      default: r.skip(wire);
    }
  }
  if (n.recipientTag.length !== TAG_SIZE) throw new NnrpFormatError(`recipient_tag must be ${TAG_SIZE} bytes, not ${n.recipientTag.length}`);
  if (n.payload.length > MAX_PAYLOAD) throw new NnrpFormatError(`payload must be at most ${MAX_PAYLOAD} bytes, not ${n.payload.length}`);
  return n;
}

// ── Request (§11.2) ──────────────────────────────────────────────────────────────────────

export type Request =
  | { publish: Notification }
  | { fetch: FetchQuery }
  | { status: true };

function checkFetchQuery(q: FetchQuery): void {
  if ((q.tag === undefined) === (q.prefix === undefined)) throw new NnrpFormatError('a fetch names exactly one of tag and prefix');
  if (q.tag !== undefined && q.tag.length !== TAG_SIZE) throw new NnrpFormatError(`a fetch tag is ${TAG_SIZE} bytes`);
  if (q.prefix !== undefined) {
    const { bits, bytes } = q.prefix;
    if (!Number.isInteger(bits) || bits < 0 || bits > 256) throw new NnrpFormatError('tag_prefix.bits is 0..256');
    if (bytes.length !== Math.ceil(bits / 8)) throw new NnrpFormatError('tag_prefix.prefix is exactly ⌈bits/8⌉ bytes');
    if (bits % 8 !== 0 && (bytes[bytes.length - 1]! & (0xff >> (bits % 8))) !== 0) throw new NnrpFormatError('tag_prefix has unused low bits set');
  }
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 0 || q.limit > MAX_PAGE)) throw new NnrpFormatError(`limit is 0..${MAX_PAGE}`);
  if (q.cursor !== undefined && q.cursor.length > MAX_CURSOR) throw new NnrpFormatError(`a cursor is at most ${MAX_CURSOR} bytes`);
}

export function encodeRequest(request: Request): Uint8Array {
  const w = new ProtoWriter();
  if ('publish' in request) {
    w.message(1, (p) => p.message(1, (n) => writeNotification(n, request.publish)));
  } else if ('fetch' in request) {
    const q = request.fetch;
    checkFetchQuery(q);
    w.message(2, (f) => {
      if (q.tag !== undefined) f.bytes(1, q.tag, true);
      else if (q.prefix !== undefined) { const p = q.prefix; f.message(2, (t) => t.uint(1, p.bits).bytes(2, p.bytes)); }
      f.uint(3, q.since ?? 0n).uint(4, q.limit ?? 0).bytes(5, q.cursor);
    });
  } else {
    w.message(3, () => {});
  }
  const bytes = w.finish();
  if (bytes.length > MAX_REQUEST_SIZE) throw new NnrpFormatError(`a request is at most ${MAX_REQUEST_SIZE} bytes`);
  return bytes;
}

function decodeFetchQuery(bytes: Uint8Array): FetchQuery {
  const r = new ProtoReader(bytes, 'fetch request');
  const q: FetchQuery = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(wire, WireType.Bytes, field); q.tag = r.bytesField().slice(); delete q.prefix; break;
      case 2: {
        r.expect(wire, WireType.Bytes, field);
        const t = new ProtoReader(r.bytesField(), 'tag prefix');
        let bits = 0, prefix = new Uint8Array(0);
        while (!t.done) {
          const f = t.tag();
          if (f.field === 1) { t.expect(f.wire, WireType.Varint, 1); bits = t.uint32(); }
          else if (f.field === 2) { t.expect(f.wire, WireType.Bytes, 2); prefix = t.bytesField().slice(); }
          else t.skip(f.wire);
        }
        q.prefix = { bits, bytes: prefix };
        delete q.tag;
        break;
      }
      case 3: r.expect(wire, WireType.Varint, field); q.since = r.varint(); break;
      case 4: r.expect(wire, WireType.Varint, field); q.limit = r.uint32(); break;
      case 5: r.expect(wire, WireType.Bytes, field); q.cursor = r.bytesField().slice(); break;
      default: r.skip(wire);
    }
  }
  checkFetchQuery(q);
  return q;
}

export function decodeRequest(bytes: Uint8Array): Request {
  if (bytes.length > MAX_REQUEST_SIZE) throw new NnrpFormatError(`a request is at most ${MAX_REQUEST_SIZE} bytes`);
  const r = new ProtoReader(bytes, 'request');
  let request: Request | undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field >= 1 && field <= 3) r.expect(wire, WireType.Bytes, field);
    switch (field) {
      case 1: {
        const p = new ProtoReader(r.bytesField(), 'publish request');
        let n: Notification | undefined;
        while (!p.done) {
          const f = p.tag();
          if (f.field === 1) { p.expect(f.wire, WireType.Bytes, 1); n = decodeNotification(p.bytesField()); }
          else p.skip(f.wire);
        }
        if (!n) throw new NnrpFormatError('a publish request carries a notification');
        request = { publish: n };
        break;
      }
      case 2: request = { fetch: decodeFetchQuery(r.bytesField()) }; break;
      case 3: r.bytesField(); request = { status: true }; break;
      default: r.skip(wire);
    }
  }
  if (!request) throw new NnrpFormatError('a request carries publish, fetch or status');
  return request;
}

// ── Response (§11.3, §11.4) ──────────────────────────────────────────────────────────────

/** §11.4 status codes by value. */
export const STATUS_CODES: readonly Reason[] = [
  'ok', 'duplicate', 'bad_form', 'insufficient_work', 'expired', 'future', 'over_capacity', 'rate_limited', 'internal',
  'wrong_shard', // 10: the tag is outside the node's shards (§8.3); the client asks another holder (§8.4)
];

/** The §11.4 code of a reason (`not_found` is HTTP's own and has none). */
export function statusCodeOf(reason: Reason): number {
  const i = STATUS_CODES.indexOf(reason);
  if (i < 0) throw new NnrpFormatError(`${reason} has no /nnrp/1.0 status code`);
  return i + 1;
}

export function reasonOf(statusCode: number): Reason {
  const reason = STATUS_CODES[statusCode - 1];
  if (reason === undefined) throw new NnrpFormatError(`status code ${statusCode} is not defined (§11.4)`);
  return reason;
}

export interface Shard { bits: number; index: number }

/** §11.7 as it travels (NodeStatus plus the shards a node stores). */
export interface WireStatus extends NodeStatus { shards: Shard[] }

export interface Response {
  reason: Reason;
  message?: string;
  requiredThreshold?: bigint;
  retryAfterSeconds?: number;
  publish?: { hash: Uint8Array; receipt?: StoreReceipt };
  fetch?: FetchPage;
  statusInfo?: WireStatus;
}

function writeReceipt(w: ProtoWriter, r: StoreReceipt): void {
  w.bytes(1, r.hash).uint(2, r.expiresAt).bytes(3, r.nodePublicKey).bytes(4, r.signature);
}

export function encodeResponse(response: Response): Uint8Array {
  const w = new ProtoWriter();
  w.uint(1, statusCodeOf(response.reason)).string(2, response.message)
    .fixed64(3, response.requiredThreshold ?? 0n).uint(4, response.retryAfterSeconds ?? 0);
  const { publish, fetch, statusInfo: s } = response;
  if (publish) w.message(10, (p) => p.bytes(1, publish.hash).message(2, publish.receipt && ((r) => writeReceipt(r, publish.receipt!))));
  if (fetch) w.message(11, (f) => { for (const n of fetch.notifications) f.message(1, (m) => writeNotification(m, n)); f.bytes(2, fetch.nextCursor); });
  if (s) {
    w.message(12, (m) => {
      m.string(1, s.agent).uint(2, s.protocolVersion).fixed64(3, s.baseThreshold).fixed64(4, s.currentThreshold)
        .uint(5, s.stored).uint(6, s.now).uint(7, s.maxPayload).uint(8, s.minTtl).uint(9, s.maxTtl).uint(10, s.maxPage);
      for (const shard of s.shards) m.message(11, (x) => x.uint(1, shard.bits).uint(2, shard.index));
    });
  }
  return w.finish();
}

function decodeReceipt(bytes: Uint8Array): StoreReceipt {
  const r = new ProtoReader(bytes, 'store receipt');
  const receipt: StoreReceipt = { hash: new Uint8Array(0), expiresAt: 0n, nodePublicKey: new Uint8Array(0), signature: new Uint8Array(0) };
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(wire, WireType.Bytes, field); receipt.hash = r.bytesField().slice(); break;
      case 2: r.expect(wire, WireType.Varint, field); receipt.expiresAt = r.varint(); break;
      case 3: r.expect(wire, WireType.Bytes, field); receipt.nodePublicKey = r.bytesField().slice(); break;
      case 4: r.expect(wire, WireType.Bytes, field); receipt.signature = r.bytesField().slice(); break;
      default: r.skip(wire);
    }
  }
  return receipt;
}

function decodeStatus(bytes: Uint8Array): WireStatus {
  const r = new ProtoReader(bytes, 'status response');
  const s: WireStatus = {
    agent: '', protocolVersion: 0, baseThreshold: 0n, currentThreshold: 0n, stored: 0n, now: 0n,
    maxPayload: 0, minTtl: 0, maxTtl: 0, maxPage: 0, shards: [],
  };
  while (!r.done) {
    const { field, wire } = r.tag();
    const v = field === 3 || field === 4 ? WireType.Fixed64 : field === 1 || field === 11 ? WireType.Bytes : WireType.Varint;
    if (field <= 11) r.expect(wire, v, field);
    switch (field) {
      case 1: s.agent = r.string(); break;
      case 2: s.protocolVersion = r.uint32(); break;
      case 3: s.baseThreshold = r.fixed64(); break;
      case 4: s.currentThreshold = r.fixed64(); break;
      case 5: s.stored = r.varint(); break;
      case 6: s.now = r.varint(); break;
      case 7: s.maxPayload = r.uint32(); break;
      case 8: s.minTtl = r.uint32(); break;
      case 9: s.maxTtl = r.uint32(); break;
      case 10: s.maxPage = r.uint32(); break;
      case 11: {
        const x = new ProtoReader(r.bytesField(), 'shard');
        const shard: Shard = { bits: 0, index: 0 };
        while (!x.done) {
          const f = x.tag();
          if (f.field === 1 || f.field === 2) { x.expect(f.wire, WireType.Varint, f.field); shard[f.field === 1 ? 'bits' : 'index'] = x.uint32(); }
          else x.skip(f.wire);
        }
        if (s.shards.length >= 4096) r.fail('too many shards');
        s.shards.push(shard);
        break;
      }
      default: r.skip(wire);
    }
  }
  return s;
}

function decodeFetchPage(bytes: Uint8Array): FetchPage {
  const r = new ProtoReader(bytes, 'fetch response');
  const page: FetchPage = { notifications: [] };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) { r.expect(wire, WireType.Bytes, field); page.notifications.push(decodeNotification(r.bytesField())); }
    else if (field === 2) { r.expect(wire, WireType.Bytes, field); page.nextCursor = r.bytesField().slice(); }
    else r.skip(wire);
  }
  if (page.notifications.length > MAX_PAGE) throw new NnrpFormatError(`a page holds at most ${MAX_PAGE} notifications`);
  if (page.nextCursor !== undefined && page.nextCursor.length > MAX_CURSOR) throw new NnrpFormatError(`a cursor is at most ${MAX_CURSOR} bytes`);
  return page;
}

/** §11.3: a response; status UNSPECIFIED (0) or unknown is malformed. */
export function decodeResponse(bytes: Uint8Array): Response {
  if (bytes.length > MAX_RESPONSE_SIZE) throw new NnrpFormatError(`a response is at most ${MAX_RESPONSE_SIZE} bytes`);
  const r = new ProtoReader(bytes, 'response');
  let code = 0;
  const response: Omit<Response, 'reason'> = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1: r.expect(wire, WireType.Varint, field); code = r.uint32(); break;
      case 2: r.expect(wire, WireType.Bytes, field); response.message = r.string(); break;
      case 3: r.expect(wire, WireType.Fixed64, field); response.requiredThreshold = r.fixed64(); break;
      case 4: r.expect(wire, WireType.Varint, field); response.retryAfterSeconds = r.uint32(); break;
      case 10: {
        r.expect(wire, WireType.Bytes, field);
        const p = new ProtoReader(r.bytesField(), 'publish response');
        const publish: { hash: Uint8Array; receipt?: StoreReceipt } = { hash: new Uint8Array(0) };
        while (!p.done) {
          const f = p.tag();
          if (f.field === 1) { p.expect(f.wire, WireType.Bytes, 1); publish.hash = p.bytesField().slice(); }
          else if (f.field === 2) { p.expect(f.wire, WireType.Bytes, 2); publish.receipt = decodeReceipt(p.bytesField()); }
          else p.skip(f.wire);
        }
        response.publish = publish;
        break;
      }
      case 11: r.expect(wire, WireType.Bytes, field); response.fetch = decodeFetchPage(r.bytesField()); break;
      case 12: r.expect(wire, WireType.Bytes, field); response.statusInfo = decodeStatus(r.bytesField()); break;
      default: r.skip(wire);
    }
  }
  if (code === 0) throw new NnrpFormatError('a response must carry a status (UNSPECIFIED is malformed, §11.4)');
  return { reason: reasonOf(code), ...response };
}
