// From the one URL the page was given to every node it can reach (NnrpClient discovery:
// /v1/status and /v1/peers), each with the two doors a page served over https may open: the
// node's HTTPS API and its libp2p secure WebSocket (/tls/ws or /wss). A node is one row however
// many doors it has.
import { discover, type DiscoveredNode, type NodeStatus } from 'nnrp-client';
import { dialerFor } from './dialer.js';

/** Discovery stops once this many nodes answered (or the peers lists are exhausted). */
const DISCOVER_AT_MOST = 8;
const DISCOVERY_TIMEOUT_MS = 15_000;

export interface PageNode {
  peerId: string;
  https?: string;
  /** A `/tls/ws` or `/wss` multiaddr ending in `/p2p/<peerId>`. */
  wss?: string;
  threshold: bigint;
  status: NodeStatus;
}

function pageNode(node: DiscoveredNode): PageNode | undefined {
  if (!node.peerId) return undefined; // receipts are checked against the peer id: a node must name it
  const https = node.endpoints.find((e) => e.kind === 'http' && e.url.startsWith('https:'));
  const wss = node.endpoints.find((e) => e.kind === 'libp2p' && /\/(tls\/ws|wss)(\/|$)/.test(e.multiaddr));
  return {
    peerId: node.peerId,
    ...(https?.kind === 'http' ? { https: https.url } : {}),
    ...(wss?.kind === 'libp2p' ? { wss: wss.multiaddr } : {}),
    threshold: node.status.currentThreshold,
    status: node.status,
  };
}

export async function discoverNodes(url: string): Promise<PageNode[]> {
  const found = await discover(url, { want: DISCOVER_AT_MOST, timeoutMs: DISCOVERY_TIMEOUT_MS, dialer: dialerFor(url) });
  return found.map(pageNode).filter((n): n is PageNode => n !== undefined);
}
