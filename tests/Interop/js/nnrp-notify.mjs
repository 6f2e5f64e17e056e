// An outside check of NNRP written from protocols/NNRP.md alone (no code from this repo):
// seals a NanoNym payment event to an nnrp: URI, computes Nano-style work and publishes it to
// a node over /nnrp/1.0 with js-libp2p; or fetches a mailbox from a node and opens it.
// Primitives: @noble/hashes (BLAKE2b, SHA-256, HKDF), @noble/curves (X25519),
// @noble/ciphers (ChaCha20-Poly1305). HPKE (RFC 9180 base mode) is composed here.
//
//   node --import ./js/polyfill.mjs js/nnrp-notify.mjs send  '{"uri":…,"node":…,"R":…,"tx_hash":…,"threshold":"ff00000000000000"}'
//   node --import ./js/polyfill.mjs js/nnrp-notify.mjs fetch '{"private_key":…,"node":…}'
// Output: one JSON object per line on stdout; exit 1 with {"error":…} on failure.
import { blake2b } from '@noble/hashes/blake2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { extract, expand } from '@noble/hashes/hkdf.js'
import { x25519 } from '@noble/curves/ed25519.js'
import { chacha20poly1305 } from '@noble/ciphers/chacha.js'
import { randomBytes } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'

const utf8 = (s) => new TextEncoder().encode(s)
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}
const hex = (b) => Buffer.from(b).toString('hex')
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'))
const u16be = (n) => new Uint8Array([n >> 8, n & 0xff])
const u32be = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n); return b }
const u64be = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b }

// §10.1 Nano base32, leading padding: 52 characters → 260 bits, the first 4 zero.
const ALPHABET = '13456789abcdefghijkmnopqrstuwxyz'
function nanoBase32DecodeLeading (text) {
  let bits = 0n
  for (const c of text.toLowerCase()) {
    const v = ALPHABET.indexOf(c)
    if (v < 0) throw new Error(`not Nano base32: ${c}`)
    bits = (bits << 5n) | BigInt(v)
  }
  if (text.length !== 52 || bits >> 256n !== 0n) throw new Error('a key is 52 characters with 4 zero padding bits')
  return unhex(bits.toString(16).padStart(64, '0'))
}

// §10.3 nnrp:<key>[?relay=…]
function parseUri (uri) {
  if (!uri.toLowerCase().startsWith('nnrp:')) throw new Error('not an nnrp: URI')
  return nanoBase32DecodeLeading(uri.slice(5).split('?')[0])
}

// §4 recipient_tag = BLAKE2b-32("nnrp-tag-v1" ‖ K)
const tagOf = (key) => blake2b(concat(utf8('nnrp-tag-v1'), key), { dkLen: 32 })

// §7 HPKE base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 (RFC 9180 §4, §5).
const KEM_SUITE = concat(utf8('KEM'), u16be(0x0020))
const HPKE_SUITE = concat(utf8('HPKE'), u16be(0x0020), u16be(0x0001), u16be(0x0003))
const labeledExtract = (suite, salt, label, ikm) => extract(sha256, concat(utf8('HPKE-v1'), suite, utf8(label), ikm), salt)
const labeledExpand = (suite, prk, label, info, length) => expand(sha256, prk, concat(u16be(length), utf8('HPKE-v1'), suite, utf8(label), info), length)

function sharedSecret (dh, enc, pkR) {
  if (dh.every((b) => b === 0)) throw new Error('all-zero X25519 output')
  const prk = labeledExtract(KEM_SUITE, new Uint8Array(0), 'eae_prk', dh)
  return labeledExpand(KEM_SUITE, prk, 'shared_secret', concat(enc, pkR), 32)
}

function keySchedule (shared, info) {
  const empty = new Uint8Array(0)
  const context = concat(new Uint8Array([0]), labeledExtract(HPKE_SUITE, empty, 'psk_id_hash', empty), labeledExtract(HPKE_SUITE, empty, 'info_hash', info))
  const secret = labeledExtract(HPKE_SUITE, shared, 'secret', empty)
  return { key: labeledExpand(HPKE_SUITE, secret, 'key', context, 32), nonce: labeledExpand(HPKE_SUITE, secret, 'base_nonce', context, 12) }
}

const INFO = utf8('nnrp/1 payment-event')
const aadOf = (tag, timestamp, ttl) => concat(tag, u64be(timestamp), u32be(ttl))

function seal (pkR, tag, timestamp, ttl, plaintext) {
  const skE = randomBytes(32)
  const enc = x25519.getPublicKey(skE)
  const { key, nonce } = keySchedule(sharedSecret(x25519.getSharedSecret(skE, pkR), enc, pkR), INFO)
  return concat(enc, chacha20poly1305(key, nonce, aadOf(tag, timestamp, ttl)).encrypt(plaintext))
}

function open (skR, n) {
  const enc = n.payload.subarray(0, 32)
  const pkR = x25519.getPublicKey(skR)
  const { key, nonce } = keySchedule(sharedSecret(x25519.getSharedSecret(skR, enc), enc, pkR), INFO)
  return chacha20poly1305(key, nonce, aadOf(n.tag, n.timestamp, n.ttl)).decrypt(n.payload.subarray(32))
}

// §3.2 content hash and §6.1 work: value = BLAKE2b-8(work u64 LE ‖ hash) as u64 LE.
const contentHash = (n) => blake2b(concat(new Uint8Array([n.version]), n.tag, u64be(n.timestamp), u32be(n.ttl), n.payload), { dkLen: 32 })
function workValue (hash, work) {
  const w = new Uint8Array(8)
  new DataView(w.buffer).setBigUint64(0, work, true)
  return new DataView(blake2b(concat(w, hash), { dkLen: 8 }).buffer).getBigUint64(0, true)
}
function findWork (hash, threshold) {
  for (let work = BigInt(`0x${hex(randomBytes(8))}`); ; work = (work + 1n) & 0xffffffffffffffffn) {
    if (workValue(hash, work) >= threshold) return work
  }
}

// Protobuf by hand (§3.4, §11): varints, length-delimited fields, fixed64.
function varint (n) {
  n = BigInt(n)
  const out = []
  do { let b = Number(n & 0x7fn); n >>= 7n; if (n > 0n) b |= 0x80; out.push(b) } while (n > 0n)
  return new Uint8Array(out)
}
const field = (number, wire, body) => concat(varint((number << 3) | wire), wire === 2 ? varint(body.length) : new Uint8Array(0), body)
const vfield = (number, n) => field(number, 0, varint(n))
function fixed64 (n) { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, n, true); return b }

const encodeNotification = (n) => concat(vfield(1, n.version), field(2, 2, n.tag), vfield(3, n.timestamp), vfield(4, n.ttl), field(5, 2, n.payload), field(6, 1, fixed64(n.work)))

function readVarint (buf, at) {
  let n = 0n; let shift = 0n
  for (;;) {
    if (at >= buf.length) throw new Error('truncated varint')
    const b = buf[at++]
    n |= BigInt(b & 0x7f) << shift
    if (!(b & 0x80)) return [n, at]
    shift += 7n
    if (shift > 63n) throw new Error('varint too long')
  }
}
function parseMessage (buf) {
  const fields = []
  let at = 0
  while (at < buf.length) {
    let key; [key, at] = readVarint(buf, at)
    const number = Number(key >> 3n); const wire = Number(key & 7n)
    let value
    if (wire === 0) { [value, at] = readVarint(buf, at) } else if (wire === 1) { value = new DataView(buf.buffer, buf.byteOffset + at, 8).getBigUint64(0, true); at += 8 } else if (wire === 2) {
      let len; [len, at] = readVarint(buf, at); value = buf.subarray(at, at + Number(len)); at += Number(len)
    } else if (wire === 5) { at += 4; continue } else throw new Error(`wire type ${wire}`)
    fields.push({ number, wire, value })
  }
  return fields
}
const first = (fields, number) => fields.find((f) => f.number === number)?.value
function decodeNotification (buf) {
  const f = parseMessage(buf)
  return { version: Number(first(f, 1) ?? 0n), tag: first(f, 2) ?? new Uint8Array(0), timestamp: first(f, 3) ?? 0n, ttl: Number(first(f, 4) ?? 0n), payload: first(f, 5) ?? new Uint8Array(0), work: first(f, 6) ?? 0n }
}

// §11.1: one request per stream, uvarint length prefix, write side closed, one response.
async function exchange (node, target, request) {
  const stream = await node.dialProtocol(multiaddr(target), '/nnrp/1.0')
  const reading = (async () => { const chunks = []; for await (const buf of stream) chunks.push(buf.subarray()); return concat(...chunks) })()
  stream.send(concat(varint(request.length), request))
  await stream.close()
  const raw = await reading
  const [len, at] = readVarint(raw, 0)
  const response = parseMessage(raw.subarray(at, at + Number(len)))
  return { status: Number(first(response, 1) ?? 0n), message: new TextDecoder().decode(first(response, 2) ?? new Uint8Array(0)), fields: response }
}

const out = (obj) => process.stdout.write(JSON.stringify(obj, (_, v) => typeof v === 'bigint' ? v.toString() : v) + '\n')

const [command, argument] = process.argv.slice(2)
const args = JSON.parse(argument ?? '{}')
const node = await createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] })
try {
  if (command === 'send') {
    const key = parseUri(args.uri)
    const tag = tagOf(key)
    const event = { version: 2, protocol: 'nanonym', R: args.R, tx_hash: args.tx_hash }
    if (args.amount_raw) event.amount_raw = args.amount_raw
    if (args.memo) event.memo = args.memo
    const n = { version: 1, tag, timestamp: BigInt(args.timestamp ?? Math.floor(Date.now() / 1000)), ttl: args.ttl ?? 7776000 }
    n.payload = seal(key, tag, n.timestamp, n.ttl, utf8(JSON.stringify(event)))
    const hash = contentHash(n)
    n.work = findWork(hash, BigInt(`0x${args.threshold ?? 'fffffe0000000000'}`))
    const request = field(1, 2, field(1, 2, encodeNotification(n)))
    const { status, message } = await exchange(node, args.node, request)
    out({ hash: hex(hash), status, message, work: n.work.toString(16).padStart(16, '0') })
    if (status !== 1 && status !== 2) process.exitCode = 1
  } else if (command === 'fetch') {
    const skR = unhex(args.private_key)
    const tag = tagOf(x25519.getPublicKey(skR))
    let cursor = new Uint8Array(0)
    do {
      const request = field(2, 2, concat(field(1, 2, tag), vfield(4, 500), cursor.length ? field(5, 2, cursor) : new Uint8Array(0)))
      const { status, message, fields } = await exchange(node, args.node, request)
      if (status !== 1) throw new Error(`fetch refused: ${status} ${message}`)
      const page = parseMessage(first(fields, 11) ?? new Uint8Array(0))
      for (const f of page.filter((x) => x.number === 1)) {
        const n = decodeNotification(f.value)
        const hash = hex(contentHash(n))
        try {
          out({ hash, timestamp: n.timestamp, work_value: workValue(contentHash(n), n.work).toString(16), event: JSON.parse(new TextDecoder().decode(open(skR, n))) })
        } catch (err) {
          out({ hash, error: err.message })
        }
      }
      cursor = first(page, 2) ?? new Uint8Array(0)
    } while (cursor.length > 0)
  } else {
    throw new Error(`unknown command ${command}; use send or fetch`)
  }
} catch (err) {
  out({ error: `${err.name}: ${err.message}` })
  process.exitCode = 1
} finally {
  await node.stop()
}
