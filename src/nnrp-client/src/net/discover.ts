// From one or a few known nodes to several (issue 14: "from one https URL of one node, discover
// three nodes"): ask each node its status (its peer id and its own doors) and, over HTTP, its
// peers (`GET /v1/peers`, other nodes' browser-usable addresses); keep going breadth-first until
// `want` distinct nodes have answered a status request, with bounded fan-out, a bounded number of
// nodes asked, and an overall deadline. Nodes are distinct by peer id (two doors of one node are
// one node); a node that never names its peer id is known by its URL.
import type { NodeStatus } from '../api.js';
import { endpointLabel, endpointsOf, parseNodeEndpoint, preferredOrder, type EndpointOptions, type NodeEndpoint } from './endpoints.js';
import { HttpNodeTransport, type PeerInfo } from './http-transport.js';
import type { Libp2pDialer } from './libp2p-dialer.js';
import { Libp2pNodeTransport } from './libp2p-transport.js';

/** Requests in flight at once. */
export const DEFAULT_FAN_OUT = 4;
/** Nodes asked at most in one discovery, whatever the peers lists say. */
export const MAX_NODES_ASKED = 32;
/** Time a whole discovery may take. */
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 10_000;

export interface DiscoverOptions extends EndpointOptions {
  /** Distinct answering nodes wanted (default 3); discovery stops once it has them. */
  want?: number;
  fanOut?: number;
  /** Deadline of the whole discovery (default 10 s); per-request timeouts are `requestTimeoutMs`. */
  timeoutMs?: number;
  requestTimeoutMs?: number;
  /** Needed to ask libp2p-only nodes their status; without it they are listed unasked. */
  dialer?: Libp2pDialer;
  fetch?: typeof globalThis.fetch;
  signal?: AbortSignal;
}

/** A node that answered, with every door this client can use, best first. */
export interface DiscoveredNode {
  /** Its PeerId, when the node named it (HTTP status) or its address did (libp2p). */
  peerId?: string;
  endpoints: NodeEndpoint[];
  status: NodeStatus;
}

/**
 * Nodes reachable from `bootstrap` (URLs or multiaddrs). Returns every node that answered, in
 * the order they answered — at least `want` when the network has them, fewer otherwise.
 */
export async function discover(bootstrap: string | readonly string[], options: DiscoverOptions = {}): Promise<DiscoveredNode[]> {
  const want = options.want ?? 3;
  const fanOut = Math.max(1, options.fanOut ?? DEFAULT_FAN_OUT);
  const deadline = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;

  const found = new Map<string, DiscoveredNode>();
  const askedLabels = new Set<string>();
  const knownPeers = new Set<string>();
  const queue: { endpoint: NodeEndpoint; peerId?: string }[] = [];
  const enqueue = (endpoints: NodeEndpoint[], peerId?: string): void => {
    if (peerId !== undefined && knownPeers.has(peerId)) return;
    // One door per node is asked: the best one this client can use.
    const first = preferredOrder(endpoints)[0];
    if (!first || askedLabels.has(endpointLabel(first))) return;
    if (peerId !== undefined) knownPeers.add(peerId);
    askedLabels.add(endpointLabel(first));
    queue.push(peerId === undefined ? { endpoint: first } : { endpoint: first, peerId });
  };
  for (const text of typeof bootstrap === 'string' ? [bootstrap] : bootstrap) {
    const endpoint = parseNodeEndpoint(text, options);
    if (endpoint) enqueue([endpoint], endpoint.kind === 'libp2p' ? endpoint.peerId : endpoint.peerId);
  }

  let asked = 0;
  const askOne = async (item: { endpoint: NodeEndpoint; peerId?: string }): Promise<void> => {
    const { endpoint } = item;
    let status: NodeStatus;
    let peers: PeerInfo[] = [];
    if (endpoint.kind === 'http') {
      const http = new HttpNodeTransport(endpoint.url, { timeoutMs: requestTimeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) });
      status = await http.status(signal);
      // A node without /v1/peers (older) still counts; it just leads nowhere.
      peers = await http.peers(signal).catch(() => []);
    } else if (options.dialer) {
      status = await new Libp2pNodeTransport(endpoint.multiaddr, options.dialer, { timeoutMs: requestTimeoutMs }).status(signal);
    } else {
      return;
    }
    const peerId = status.peerId ?? item.peerId;
    if (peerId !== undefined && item.peerId !== undefined && peerId !== item.peerId) return; // not the node the address named
    const key = peerId ?? endpointLabel(endpoint);
    if (peerId !== undefined) knownPeers.add(peerId);
    if (!found.has(key) && found.size < Math.max(want, 1) * 4) {
      const own = endpointsOf(status.addresses ?? [], peerId, options);
      const endpoints = preferredOrder([endpoint, ...own.filter((e) => endpointLabel(e) !== endpointLabel(endpoint))]);
      found.set(key, peerId === undefined ? { endpoints, status } : { peerId, endpoints, status });
    }
    for (const peer of peers) enqueue(endpointsOf(peer.addresses, peer.peerId, options), peer.peerId);
  };

  const worker = async (): Promise<void> => {
    while (found.size < want && !signal.aborted) {
      const item = queue.shift();
      if (!item || asked >= MAX_NODES_ASKED) return;
      asked++;
      try {
        await askOne(item);
      } catch {
        // A node that does not answer is skipped; discovery is best effort within its deadline.
      }
    }
  };
  // Workers end when the queue is empty; a node answering later may refill it, so run rounds.
  while (found.size < want && queue.length > 0 && asked < MAX_NODES_ASKED && !signal.aborted) {
    await Promise.all(Array.from({ length: Math.min(fanOut, queue.length) }, worker));
  }
  options.signal?.throwIfAborted();
  return [...found.values()];
}
