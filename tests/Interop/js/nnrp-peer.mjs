// A js-libp2p NNRP peer written from protocols/NNRP.md alone (no code from this repo), driven by
// tests/Interop/NodeInteropTests.cs with the JSON-lines protocol of peer.mjs: one JSON command
// per stdin line, one JSON answer per stdout line, plus {"event":"message", data, hash} lines
// for notifications gossiped to it.
//
// It builds notifications (§3: fields, §3.2 content hash, §3.4 protobuf, §6.1 Nano work with
// BLAKE2b), publishes and fetches them over /nnrp/1.0 (§11: uvarint-length-prefixed protobuf,
// one request per stream), checks store receipts (§11.6, Ed25519), and joins the GossipSub
// topic as NNRP runs it (§14.3: StrictNoSign, message id = content hash ‖ work).
//
// Start: node --import ./js/polyfill.mjs js/nnrp-peer.mjs      (env LISTEN, HEARTBEAT_MS)
import { out, serve } from './driver.mjs'
import { randomBytes, createHash } from 'node:crypto'
import { blake2b } from '@noble/hashes/blake2.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'

// NNRP.md §14.3: one topic per depth-8 shard; a notification goes to its tag's (first byte's) topic.
const TOPIC_PREFIX = '/nnrp/notifications/1.0/8/'
const TOPIC = TOPIC_PREFIX + '0'
const topicOf = (bytes) => TOPIC_PREFIX + decodeNotification(bytes).tag[0]
const PROTOCOL = '/nnrp/1.0'
// §11.1: responses are at most 2 MiB.
const MAX_RESPONSE = 2 * 1024 * 1024
const MAX_TTL = 7776000

const hex = (b) => Buffer.from(b).toString('hex')
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'))
const utf8 = (s) => new TextEncoder().encode(s)
const concat = (...parts) => new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))))
const beBytes = (n, size) => { const b = new Uint8Array(size); let v = BigInt(n); for (let i = size - 1; i >= 0; i--) { b[i] = Number(v & 0xffn); v >>= 8n } return b }
const leU64 = (b) => new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true)
const u64Le = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n), true); return b }
const hex16 = (n) => BigInt(n).toString(16).padStart(16, '0')

// ---- protobuf, proto3 wire format by hand ----
function varint (n) {
  let v = BigInt(n); const out = []
  do { let b = Number(v & 0x7fn); v >>= 7n; if (v > 0n) b |= 0x80; out.push(b) } while (v > 0n)
  return new Uint8Array(out)
}
const tagged = (number, wire) => varint((number << 3) | wire)
const pbVarint = (number, n) => concat(tagged(number, 0), varint(n))
const pbBytes = (number, bytes) => concat(tagged(number, 2), varint(bytes.length), bytes)
const pbFixed64 = (number, n) => concat(tagged(number, 1), u64Le(n))

function readVarint (buf, at) {
  let n = 0n
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (at >= buf.length) throw new Error('truncated varint')
    const b = buf[at++]
    n |= BigInt(b & 0x7f) << shift
    if ((b & 0x80) === 0) return [n, at]
  }
  throw new Error('varint too long')
}

// Decodes one message into { fieldNumber: [values] }; unknown fields are kept and ignored.
function decode (buf) {
  const fields = {}
  let at = 0
  while (at < buf.length) {
    let key; [key, at] = readVarint(buf, at)
    const number = Number(key >> 3n); const wire = Number(key & 7n)
    let value
    if (wire === 0) [value, at] = readVarint(buf, at)
    else if (wire === 1) { if (at + 8 > buf.length) throw new Error('truncated fixed64'); value = leU64(buf.subarray(at, at + 8)); at += 8 } else if (wire === 2) {
      let len; [len, at] = readVarint(buf, at)
      if (at + Number(len) > buf.length) throw new Error('truncated bytes field')
      value = buf.subarray(at, at + Number(len)); at += Number(len)
    } else if (wire === 5) { value = buf.subarray(at, at + 4); at += 4 } else throw new Error(`unsupported wire type ${wire}`)
    ;(fields[number] ??= []).push(value)
  }
  return fields
}
const one = (f, n, dflt) => f[n]?.at(-1) ?? dflt

// ---- §3 notification ----
// §3.2: BLAKE2b-32(version:u8 ‖ recipient_tag:32 ‖ timestamp:u64 BE ‖ ttl:u32 BE ‖ payload)
const contentHash = (n) => blake2b(concat(new Uint8Array([n.version]), n.tag, beBytes(n.timestamp, 8), beBytes(n.ttl, 4), n.payload), { dkLen: 32 })
// §6.1: value = BLAKE2b-8(work:u64 LE ‖ hash) read as u64 LE; valid iff value ≥ threshold.
const workValue = (hash, work) => leU64(blake2b(concat(u64Le(work), hash), { dkLen: 8 }))

// §3.4: message Notification { uint32 version = 1; bytes recipient_tag = 2; uint64 timestamp = 3;
//                              uint32 ttl = 4; bytes payload = 5; fixed64 work = 6; }
const encodeNotification = (n) => concat(pbVarint(1, n.version), pbBytes(2, n.tag), pbVarint(3, n.timestamp), pbVarint(4, n.ttl), pbBytes(5, n.payload), pbFixed64(6, n.work))
function decodeNotification (buf) {
  const f = decode(buf)
  return { version: Number(one(f, 1, 0n)), tag: one(f, 2, new Uint8Array(0)), timestamp: one(f, 3, 0n), ttl: Number(one(f, 4, 0n)), payload: one(f, 5, new Uint8Array(0)), work: one(f, 6, 0n) }
}

// Work search: `good` finds value ≥ threshold, otherwise a value < threshold (a bad-work sample).
function findWork (hash, threshold, good) {
  for (let work = leU64(randomBytes(8)); ; work = (work + 1n) & 0xffffffffffffffffn) {
    if ((workValue(hash, work) >= threshold) === good) return work
  }
}

function describe (n) {
  const hash = contentHash(n)
  return { hash: hex(hash), tag: hex(n.tag), timestamp: Number(n.timestamp), ttl: n.ttl, work: hex16(n.work), work_value: hex16(workValue(hash, n.work)), encoded: hex(encodeNotification(n)) }
}

// ---- §11 /nnrp/1.0 ----
async function exchange (addr, request) {
  const conn = await node.dial(multiaddr(addr))
  const stream = await conn.newStream(PROTOCOL)
  const chunks = []; let size = 0
  // Resolves to the read error, if any, so a reset is never an unhandled rejection.
  const reading = (async () => {
    for await (const buf of stream) {
      const bytes = buf.subarray(); size += bytes.length
      if (size > MAX_RESPONSE + 4) throw new Error('response over the 2 MiB limit of §11.1')
      chunks.push(bytes)
    }
  })().then(() => null, (err) => err)
  let failure = null
  try {
    stream.send(concat(varint(request.length), request))
    await stream.close()
  } catch (err) { failure = err }
  // §11.1: a refusal of a malformed request is followed by a reset; the answer before it counts.
  failure = (await reading) ?? failure
  const raw = concat(...chunks)
  if (failure && !completeFrame(raw)) throw failure
  const [len, at] = readVarint(raw, 0)
  if (at + Number(len) !== raw.length) throw new Error(`response framing: prefix ${len}, ${raw.length - at} bytes followed`)
  const f = decode(raw.subarray(at))
  const status = Number(one(f, 1, 0n))
  // §11.4: UNSPECIFIED is never sent.
  if (status === 0) throw new Error('response without a status')
  // remotePeer is the identity Noise authenticated: a receipt must be signed with its key.
  return { status, message: new TextDecoder().decode(one(f, 2, new Uint8Array(0))), requiredThreshold: one(f, 3, 0n), fields: f, remotePeer: conn.remotePeer }
}

function completeFrame (raw) {
  try { const [len, at] = readVarint(raw, 0); return raw.length === at + Number(len) } catch { return false }
}

// §11.6: signature = Ed25519(node key, "nnrp/receipt/1" ‖ hash:32 ‖ expires_at:u64 BE); the
// key must be the node's PeerId key: PeerId = identity multihash of the protobuf PublicKey
// { KeyType Type = 1 (Ed25519); bytes Data = 2 } (libp2p peer-ids spec).
function checkReceipt (receiptBytes, expectedHash, expectedExpiry, remotePeer) {
  const r = decode(receiptBytes)
  const hash = one(r, 1, new Uint8Array(0)); const expiresAt = one(r, 2, 0n)
  const key = one(r, 3, new Uint8Array(0)); const signature = one(r, 4, new Uint8Array(0))
  const signed = concat(utf8('nnrp/receipt/1'), hash, beBytes(expiresAt, 8))
  const signatureValid = key.length === 32 && signature.length === 64 && ed25519.verify(signature, signed, key)
  const peerKey = concat(new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]), key)
  return {
    hash: hex(hash),
    expires_at: Number(expiresAt),
    node_public_key: hex(key),
    signature_valid: signatureValid,
    matches_notification: hex(hash) === expectedHash && expiresAt === expectedExpiry,
    signed_by_node: hex(remotePeer.toMultihash().bytes) === hex(peerKey)
  }
}

// §14.3: the message id is content hash ‖ work (u64 BE); data that is no notification gets SHA-256.
function messageId (data) {
  try { const n = decodeNotification(data); return concat(contentHash(n), beBytes(n.work, 8)) } catch { return new Uint8Array(createHash('sha256').update(data).digest()) }
}

const node = await createLibp2p({
  addresses: { listen: [process.env.LISTEN ?? '/ip4/127.0.0.1/tcp/0'] },
  // LISTEN picks the transport peers reach us on (…/tcp/N or …/tcp/N/ws); both dial out.
  transports: [tcp(), webSockets()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify({ agentVersion: 'js-nnrp-peer/1.0' }),
    pubsub: gossipsub({
      globalSignaturePolicy: StrictNoSign,
      msgIdFn: (msg) => messageId(msg.data),
      emitSelf: false,
      heartbeatInterval: Number(process.env.HEARTBEAT_MS ?? 1000)
    })
  },
  connectionManager: { maxConnections: 1000 }
})
const pubsub = node.services.pubsub

pubsub.addEventListener('message', (evt) => {
  const data = evt.detail.data
  let hash = null
  try { hash = hex(contentHash(decodeNotification(data))) } catch { }
  out({ event: 'message', topic: evt.detail.topic, data: hex(data), hash })
})
for (let i = 0; i < 256; i++) pubsub.subscribe(TOPIC_PREFIX + i)

const commands = {
  async dial ({ addr }) {
    const conn = await node.dial(multiaddr(addr))
    return { peer: conn.remotePeer.toString() }
  },
  async peers () {
    return { subscribers: pubsub.getSubscribers(TOPIC).map(String), mesh: pubsub.getMeshPeers(TOPIC).map(String) }
  },
  // A fresh notification: random payload (a stand-in for the §7 sealed payload, as in §13),
  // work found against `threshold` (16 hex) — or deliberately below it when bad_work is set.
  async build ({ tag, threshold, payload_size: payloadSize = 200, ttl = MAX_TTL, timestamp, bad_work: badWork = false }) {
    const n = { version: 1, tag: tag ? unhex(tag) : new Uint8Array(randomBytes(32)), timestamp: BigInt(timestamp ?? Math.floor(Date.now() / 1000)), ttl, payload: new Uint8Array(randomBytes(payloadSize)) }
    n.work = findWork(contentHash(n), BigInt('0x' + threshold), !badWork)
    return describe(n)
  },
  // The §13 worked example's notification, as this peer encodes, hashes and works it.
  async example () {
    const payload = new Uint8Array(64).map((_, i) => i)
    return describe({ version: 1, tag: unhex('f687b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01'), timestamp: 1767225600n, ttl: 7776000, payload, work: 0x46d662n })
  },
  // §11.2/§11.6: Request { publish = 1 { notification = 1 } } → Response { status, publish = 10 { hash = 1, receipt = 2 } }.
  async publish ({ addr, encoded }) {
    const bytes = unhex(encoded)
    const n = decodeNotification(bytes)
    const expected = hex(contentHash(n))
    const response = await exchange(addr, pbBytes(1, pbBytes(1, bytes)))
    const body = one(response.fields, 10)
    const answer = { status: response.status, message: response.message, required_threshold: hex16(response.requiredThreshold) }
    if (body) {
      const p = decode(body)
      answer.hash = hex(one(p, 1, new Uint8Array(0)))
      const receipt = one(p, 2)
      if (receipt) answer.receipt = checkReceipt(receipt, expected, n.timestamp + BigInt(n.ttl), response.remotePeer)
    }
    return answer
  },
  // §14.3: the GossipSub message id this peer gives the data.
  async message_id ({ encoded }) {
    return { message_id: hex(messageId(unhex(encoded))) }
  },
  // §14.3: the protobuf bytes are the message data; no from, seqno or signature.
  async gossip ({ encoded }) {
    const result = await pubsub.publish(topicOf(unhex(encoded)), unhex(encoded))
    return { recipients: result.recipients.map(String) }
  },
  // §11.5: FetchRequest { recipient_tag = 1 | tag_prefix = 2 { bits, prefix }, since = 3, limit = 4, cursor = 5 },
  // following next_cursor until it is empty; every notification is checked against the query.
  async fetch ({ addr, tag, prefix_bits: bits, since = 0, limit = 0, threshold = '0000000000000000' }) {
    const target = bits === undefined ? pbBytes(1, unhex(tag)) : pbBytes(2, concat(pbVarint(1, bits), pbBytes(2, prefixOf(unhex(tag), bits))))
    const notifications = []; let pages = 0
    let cursor = new Uint8Array(0)
    do {
      const request = pbBytes(2, concat(target, pbVarint(3, since), pbVarint(4, limit), cursor.length ? pbBytes(5, cursor) : new Uint8Array(0)))
      const response = await exchange(addr, request)
      if (response.status !== 1) return { status: response.status, message: response.message, notifications }
      const page = decode(one(response.fields, 11, new Uint8Array(0)))
      for (const bytes of page[1] ?? []) {
        const n = decodeNotification(bytes)
        const d = describe(n)
        if (bits === undefined ? d.tag !== tag : !tagHasPrefix(n.tag, unhex(tag), bits)) throw new Error(`fetched notification ${d.hash} is outside the query`)
        if (workValue(contentHash(n), n.work) < BigInt('0x' + threshold)) throw new Error(`fetched notification ${d.hash} has too little work`)
        notifications.push(d)
      }
      cursor = one(page, 2, new Uint8Array(0))
      pages++
    } while (cursor.length > 0)
    return { status: 1, pages, notifications }
  },
  // §11.7: StatusResponse fields this peer checks.
  async status ({ addr }) {
    const response = await exchange(addr, pbBytes(3, new Uint8Array(0)))
    const s = decode(one(response.fields, 12, new Uint8Array(0)))
    return { status: response.status, agent: new TextDecoder().decode(one(s, 1, new Uint8Array(0))), base_threshold: hex16(one(s, 3, 0n)), current_threshold: hex16(one(s, 4, 0n)), stored: Number(one(s, 5, 0n)) }
  },
  // Any bytes as one framed request, for the refusal paths (§11.1: BAD_FORM when it does not decode).
  // A reset that arrives before the answer is reported as { reset: true }.
  async request ({ addr, body }) {
    try {
      const response = await exchange(addr, unhex(body))
      return { status: response.status, message: response.message }
    } catch (err) {
      if (err.name === 'StreamResetError') return { reset: true }
      throw err
    }
  },
  async stop () {
    await node.stop()
    setImmediate(() => process.exit(0))
    return {}
  }
}

// §11.5: ⌈bits/8⌉ bytes with the unused low bits zero.
function prefixOf (tag, bits) {
  const prefix = tag.slice(0, Math.ceil(bits / 8))
  if (bits % 8) prefix[prefix.length - 1] &= (0xff << (8 - bits % 8)) & 0xff
  return prefix
}

function tagHasPrefix (tag, prefix, bits) {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i % 8)
    if ((tag[i >> 3] & mask) !== (prefix[i >> 3] & mask)) return false
  }
  return true
}

serve(node, commands)
