// The js-libp2p side of the `kad` bench harness (issue 3 "make bench"): N @libp2p/kad-dht nodes
// in THIS one node process (the C# side also runs all its hosts in one process), on loopback
// TCP + Noise + Yamux, shaped like tests/Nnrp.Benchmarks/Libp2p/KadHarness.cs:
//   - protocol /nnrp/kad/1.0, server mode, k = 20, α = 3, one lookup path (the C# lookup has no
//     disjoint paths; js defaults to α = 10 and α disjoint paths, so both are set here);
//   - nodes start one after another, each bootstrapping from the first (dial it, then a
//     FIND_NODE walk for its own id); once all run, every node walks for its own id again;
//   - then `lookups` FIND_NODE walks (getClosestPeers) from a random node for the peer id of a
//     random node, each timed from the call until the walk has ended.
// Prints ONE JSON line: { nodes, lookups, p50, p99 (ms), queriesPerLookup (SEND_QUERY events
// yielded per walk), meanTable, failed }.
// Run: node --import ./js/polyfill.mjs js/kad-net.mjs [nodes=50] [lookups=200]
//      (or NODES / LOOKUPS in the environment)
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'

const size = Number(process.argv[2] ?? process.env.NODES ?? 50)
const lookups = Number(process.argv[3] ?? process.env.LOOKUPS ?? 200)

// mulberry32: a seeded generator, so every run picks the same (source, target) index pairs.
let seed = 1
const random = () => {
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
// Same rank as KadHarness.Percentile: the ceil(p·n)-th smallest.
const percentile = (sorted, p) => sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]

const createNode = () => createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    ping: ping(),
    // Loopback testnet: keep private addresses (the C# side sets AllowPrivateAddresses).
    dht: kadDHT({
      protocol: '/nnrp/kad/1.0',
      clientMode: false,
      peerInfoMapper: passthroughMapper,
      allowQueryWithZeroPeers: true,
      kBucketSize: 20,
      alpha: 3,
      disjointPaths: 1
    })
  },
  // Every node dials from 127.0.0.1: lift js's per-host inbound rate limit (5 connections/s),
  // which otherwise refuses most of the table-filling dials; the C# host has no such limit.
  connectionManager: { maxConnections: 1000, allow: ['/ip4/127.0.0.0/ipcidr/8'] },
  // js-libp2p 3 pings every connection on a new /ipfs/ping stream every 10 s (the connection
  // monitor): with 50 nodes all meshed that is hundreds of pings per second in this one event
  // loop, work the C# host does not do (it relies on Yamux keep-alive, as js also does).
  connectionMonitor: { enabled: false }
})

// One FIND_NODE walk to its end; answers the SEND_QUERY events it yielded.
async function walk (node, key) {
  let queries = 0
  for await (const e of node.services.dht.getClosestPeers(key, { signal: AbortSignal.timeout(60000) })) {
    if (e.name === 'SEND_QUERY') queries++
  }
  return queries
}

// Dials, retrying a connect reset while the listener is busy (the C# side has no such resets).
async function dial (node, addr) {
  for (let attempt = 1; ; attempt++) {
    try { return await node.dial(addr) } catch (err) {
      if (attempt === 5) throw err
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt))
    }
  }
}

// js adds a peer to the table only after identify showed the protocol and a ping answered (the
// C# bootstrap walk starts from its configured bootstrap peer directly), so wait for that.
async function tableNotEmpty (node) {
  const deadline = Date.now() + 30000
  while (node.services.dht.routingTable.size === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const nodes = []
try {
  for (let i = 0; i < size; i++) {
    const node = await createNode()
    nodes.push(node)
    if (i > 0) {
      await dial(node, nodes[0].getMultiaddrs()[0])
      await tableNotEmpty(node)
      await walk(node, node.peerId.toMultihash().bytes)
    }
  }
  for (const node of nodes) {
    await walk(node, node.peerId.toMultihash().bytes)
  }

  const latencies = []
  let queries = 0
  let failed = 0
  for (let i = 0; i < lookups; i++) {
    const node = nodes[Math.floor(random() * nodes.length)]
    const target = nodes[Math.floor(random() * nodes.length)]
    const start = performance.now()
    try {
      queries += await walk(node, target.peerId.toMultihash().bytes)
    } catch {
      failed++
    }
    latencies.push(performance.now() - start)
  }
  latencies.sort((a, b) => a - b)
  const meanTable = nodes.reduce((sum, n) => sum + n.services.dht.routingTable.size, 0) / nodes.length
  process.stdout.write(JSON.stringify({
    nodes: size,
    lookups,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    queriesPerLookup: queries / lookups,
    meanTable,
    failed
  }) + '\n')
} finally {
  await Promise.all(nodes.map((n) => n.stop()))
}
process.exit(0)
