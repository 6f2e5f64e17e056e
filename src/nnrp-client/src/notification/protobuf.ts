// A small protobuf (proto3) codec, enough for nnrp.proto: varints, fixed64, length-delimited.
// The reader is bounded by its input, refuses truncated or malformed input with
// NnrpFormatError (rule "Encoding"), skips unknown fields, and never allocates more than the
// input it was given.
import { NnrpFormatError } from '../errors.js';

export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export class ProtoWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    this.ensure(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
    return this;
  }

  tag(field: number, wire: WireType): this {
    return this.varint((field << 3) | wire);
  }

  /** A uint32/uint64/enum/bool field; zero is omitted (proto3). */
  uint(field: number, value: number | bigint | boolean): this {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    if (v === 0 || v === 0n) return this;
    return this.tag(field, WireType.Varint).varint(v);
  }

  /** A fixed64 field; zero is omitted. */
  fixed64(field: number, value: bigint): this {
    if (value === 0n) return this;
    this.tag(field, WireType.Fixed64);
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset).setBigUint64(this.len, BigInt.asUintN(64, value), true);
    this.len += 8;
    return this;
  }

  /** A bytes field; empty is omitted unless `always` (for oneof members and present-but-empty). */
  bytes(field: number, value: Uint8Array | undefined, always = false): this {
    if (value === undefined || (value.length === 0 && !always)) return this;
    this.tag(field, WireType.Bytes).varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  string(field: number, value: string | undefined): this {
    return value ? this.bytes(field, new TextEncoder().encode(value)) : this;
  }

  /** An embedded message (always written when given, even if empty: oneof presence). */
  message(field: number, write: ((w: ProtoWriter) => void) | undefined): this {
    if (write === undefined) return this;
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish(), true);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class ProtoReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array, private readonly what = 'protobuf message') {}

  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  fail(reason: string): never {
    throw new NnrpFormatError(`${this.what}: ${reason}`);
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.bytes.length) this.fail('truncated varint');
      const b = this.bytes[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffffffffffffn) this.fail('varint over 64 bits');
        return result;
      }
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A varint that must fit a u32 (protobuf uint32 / enum). */
  uint32(): number {
    const v = this.varint();
    if (v > 0xffffffffn) this.fail('uint32 field out of range');
    return Number(v);
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.bytes.length) this.fail('truncated fixed64');
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getBigUint64(0, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's bytes (a view of the input). */
  bytesField(): Uint8Array {
    const n = this.varint();
    if (n > BigInt(this.bytes.length - this.pos)) this.fail('length-delimited field runs past the end');
    const start = this.pos;
    this.pos += Number(n);
    return this.bytes.subarray(start, this.pos);
  }

  string(): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytesField());
    } catch (e) {
      if (e instanceof NnrpFormatError) throw e;
      return this.fail('string field is not UTF-8');
    }
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0 || field > 0x1fffffff) this.fail('bad field number');
    return { field, wire };
  }

  expect(wire: number, want: WireType, field: number): void {
    if (wire !== want) this.fail(`field ${field} has wire type ${wire}, not ${want}`);
  }

  /** Skips an unknown field (groups, wire types 3 and 4, are refused). */
  skip(wire: number): void {
    switch (wire) {
      case WireType.Varint: this.varint(); return;
      case WireType.Fixed64:
        if (this.pos + 8 > this.bytes.length) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WireType.Bytes: this.bytesField(); return;
      case WireType.Fixed32:
        if (this.pos + 4 > this.bytes.length) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default: this.fail(`unsupported wire type ${wire}`);
    }
  }
}

/** A uvarint (the §11.1 length prefix). */
export function encodeUvarint(value: number): Uint8Array {
  return new ProtoWriter().varint(value).finish();
}

/** §11.1: one message with its uvarint length prefix. */
export function lengthPrefixed(message: Uint8Array): Uint8Array {
  const prefix = encodeUvarint(message.length);
  const out = new Uint8Array(prefix.length + message.length);
  out.set(prefix);
  out.set(message, prefix.length);
  return out;
}

/**
 * §11.1: reads one length-prefixed message from the start of `buffer`. Returns undefined when
 * more bytes are needed; throws when the prefix is malformed or announces more than `maxSize`
 * (checked before any buffering, so a hostile length costs nothing).
 */
export function readLengthPrefixed(buffer: Uint8Array, maxSize: number): { message: Uint8Array; consumed: number } | undefined {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= buffer.length) return undefined;
    const b = buffer[i]!;
    length += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (length > maxSize) throw new NnrpFormatError(`message of ${length} bytes is over the ${maxSize}-byte limit`);
      const end = i + 1 + length;
      if (buffer.length < end) return undefined;
      return { message: buffer.subarray(i + 1, end), consumed: end };
    }
  }
  throw new NnrpFormatError('length prefix longer than 5 bytes');
}
