// The js-libp2p side of the `gossipsub` bench harness (issue 4 "make bench"): N
// @libp2p/gossipsub nodes in THIS one node process (the C# side also runs all its hosts in one
// process), on loopback TCP + Noise + Yamux, shaped like
// tests/Nnrp.Benchmarks/Libp2p/GossipSubHarness.cs:
//   - StrictNoSign, message id = SHA-256 of the data, D = 6 / D_lo = 4 / D_hi = 12 /
//     D_score = 4 / D_out = 2 / D_lazy = 6, heartbeat 1 s, mcache 5 windows / gossip 3, flood
//     publish, PX on prune, seen TTL 2 min, and the C# default score parameters and thresholds (js's own
//     defaults differ: P3 on, P6 on loopback without a whitelist);
//   - node i dials `links` random earlier nodes; wait until every node has a mesh peer;
//   - `messages` messages of `size` bytes (byte 0 = 1, bytes 1..4 = index LE, rest random) are
//     published from random nodes, message m due at m * interval (publishMs: when the last went);
//     latency = receive − publish on the same clock (performance.now), over every
//     (message, receiver) pair.
// Duplicates are counted as the C# GossipSubMetrics.Duplicates: a received copy whose id is
// already in the seen cache (js reports each to its scorer's duplicateMessage, counted here),
// divided by messages delivered to the application (ours excluded).
// Prints ONE JSON line: { nodes, messages, publishMs, delivered, expected, p50, p99, dueP50, dueP99
// (ms; due = receive − due time), duplicates,
// duplicatesPerDelivered }.
// Run: node --import ./js/polyfill.mjs js/gossip-net.mjs [nodes=50] [messages=200] [interval-ms=5]
//      (or NODES / MESSAGES / LINKS / SIZE / TOPIC in the environment)
import { createHash, randomBytes } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'

const size = Number(process.argv[2] ?? process.env.NODES ?? 50)
const messages = Number(process.argv[3] ?? process.env.MESSAGES ?? 200)
const links = Number(process.env.LINKS ?? 3)
const messageSize = Number(process.env.SIZE ?? 200)
const topic = process.env.TOPIC ?? '/nnrp/notifications/1.0'
const publishInterval = Number(process.argv[4] ?? process.env.INTERVAL ?? 5) // ms between due times, as GossipSubHarness
const warmup = 100 // messages before measuring, as GossipSubHarness.WarmupMessages

// mulberry32: a seeded generator, so every run draws the same topology and publishers.
let seed = 1
const random = () => {
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
// Same rank as GossipSubHarness.Percentile: index floor(p·n).
const percentile = (sorted, p) => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const sha256 = (data) => new Uint8Array(createHash('sha256').update(data).digest())

// The C# PeerScoreParams / TopicScoreParams / PeerScoreThresholds defaults (times in ms).
const scoreParams = {
  topics: {
    [topic]: {
      topicWeight: 1,
      timeInMeshWeight: 0.01,
      timeInMeshQuantum: 1000,
      timeInMeshCap: 300,
      firstMessageDeliveriesWeight: 1,
      firstMessageDeliveriesDecay: 0.5,
      firstMessageDeliveriesCap: 10,
      meshMessageDeliveriesWeight: 0,
      meshMessageDeliveriesDecay: 0.5,
      meshMessageDeliveriesCap: 10,
      meshMessageDeliveriesThreshold: 1,
      meshMessageDeliveriesWindow: 10,
      meshMessageDeliveriesActivation: 30000,
      meshFailurePenaltyWeight: 0,
      meshFailurePenaltyDecay: 0.5,
      invalidMessageDeliveriesWeight: -10,
      invalidMessageDeliveriesDecay: 0.99
    }
  },
  topicScoreCap: 10,
  appSpecificScore: () => 0,
  appSpecificWeight: 1,
  IPColocationFactorWeight: -10,
  IPColocationFactorThreshold: 10,
  IPColocationFactorWhitelist: new Set(['127.0.0.1']), // C#: 127.0.0.0/8; every node here is 127.0.0.1
  behaviourPenaltyWeight: -10,
  behaviourPenaltyThreshold: 6,
  behaviourPenaltyDecay: 0.9,
  decayInterval: 1000,
  decayToZero: 0.01,
  retainScore: 10 * 60 * 1000
}
const scoreThresholds = { gossipThreshold: -10, publishThreshold: -50, graylistThreshold: -80, acceptPXThreshold: 5, opportunisticGraftThreshold: 1 }

const createNode = () => createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    pubsub: gossipsub({
      globalSignaturePolicy: StrictNoSign,
      msgIdFn: (msg) => sha256(msg.data),
      allowPublishToZeroTopicPeers: true,
      emitSelf: false,
      D: 6,
      Dlo: 4,
      Dhi: 12,
      Dscore: 4,
      Dout: 2,
      Dlazy: 6,
      gossipFactor: 0.25,
      heartbeatInterval: 1000,
      fanoutTTL: 60000,
      mcacheLength: 5,
      mcacheGossip: 3,
      seenTTL: 120000,
      floodPublish: true,
      doPX: true, // C# sends PX on prune; js defaults to not
      idontwantMinDataSize: 1000,
      scoreParams,
      scoreThresholds
    })
  },
  // Every node dials from 127.0.0.1: lift js's per-host inbound rate limit (5 connections/s),
  // which otherwise refuses dials of the topology; the C# host has no such limit.
  connectionManager: { maxConnections: 1000, allow: ['/ip4/127.0.0.0/ipcidr/8'] },
  // js-libp2p 3 pings every connection on a new /ipfs/ping stream every 10 s (the connection
  // monitor): with 50 nodes all meshed that is hundreds of pings per second in this one event
  // loop, work the C# host does not do (it relies on Yamux keep-alive, as js also does).
  connectionMonitor: { enabled: false }
})

const nodes = []
try {
  const latencies = []
  const sentAt = new Float64Array(messages + warmup)
  const dueLatencies = []
  let warmupReceived = 0
  let publishStart = 0
  let duplicates = 0
  for (let i = 0; i < size; i++) {
    const node = await createNode()
    const pubsub = node.services.pubsub
    const duplicateMessage = pubsub.score.duplicateMessage.bind(pubsub.score)
    pubsub.score.duplicateMessage = (...args) => { duplicates++; return duplicateMessage(...args) }
    pubsub.addEventListener('message', (evt) => {
      const id = Buffer.from(evt.detail.data).readInt32LE(1)
      if (id >= messages) {
        warmupReceived++
        return
      }
      dueLatencies.push(performance.now() - (publishStart + id * publishInterval))
      latencies.push(performance.now() - sentAt[id])
    })
    pubsub.subscribe(topic)
    nodes.push(node)
  }
  for (let i = 1; i < size; i++) {
    const earlier = [...Array(i).keys()]
    for (let n = 0; n < Math.min(links, i); n++) {
      const [j] = earlier.splice(Math.floor(random() * earlier.length), 1)
      await nodes[i].dial(nodes[j].getMultiaddrs()[0])
    }
  }
  let deadline = Date.now() + 60000
  while (nodes.some((n) => n.services.pubsub.getMeshPeers(topic).length === 0) && Date.now() < deadline) {
    await delay(20)
  }

  const publishStream = async (first, count, start) => {
    const publishes = []
    for (let m = 0; m < count; m++) {
      // A steady stream on a fixed schedule (message m due at m * interval), as the C# harness: a
      // relative delay after each publish stretches the stream when this one event loop is busy
      // (measured: 200 messages took 7-10 s instead of 1 s), which lowers js's offered load.
      await delay(Math.max(0, start + m * publishInterval - performance.now()))
      const data = randomBytes(messageSize)
      data[0] = 1
      data.writeInt32LE(first + m, 1)
      sentAt[first + m] = performance.now()
      publishes.push(nodes[Math.floor(random() * size)].services.pubsub.publish(topic, data))
    }
    await Promise.all(publishes)
  }
  // Warm-up as the C# harness: `warmup` messages on the same schedule, delivered, not measured.
  await publishStream(messages, warmup, performance.now())
  deadline = Date.now() + 60000
  while (warmupReceived < warmup * (size - 1) && Date.now() < deadline) {
    await delay(20)
  }
  duplicates = 0
  publishStart = performance.now()
  await publishStream(0, messages, publishStart)
  const publishMs = sentAt[messages - 1] - publishStart
  const expected = messages * (size - 1)
  deadline = Date.now() + 60000
  while (latencies.length < expected && Date.now() < deadline) {
    await delay(20)
  }
  const delivered = latencies.length
  latencies.sort((a, b) => a - b)
  dueLatencies.sort((a, b) => a - b)
  process.stdout.write(JSON.stringify({
    nodes: size,
    messages,
    publishMs,
    delivered,
    expected,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    dueP50: percentile(dueLatencies, 0.5),
    dueP99: percentile(dueLatencies, 0.99),
    duplicates,
    duplicatesPerDelivered: delivered === 0 ? 0 : duplicates / delivered
  }) + '\n')
} finally {
  await Promise.all(nodes.map((n) => n.stop()))
}
process.exit(0)
