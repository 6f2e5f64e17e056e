// From the one URL the page was given to every node it can reach (nnrp-client's discovery asks
// /v1/status and /v1/peers, breadth first), each with the two doors a page served over https may
// open: the node's HTTPS API and its libp2p secure WebSocket (/tls/ws or /wss). A node is one row
// however many doors it has.
import { discover, type DiscoveredNode, type NodeStatus } from 'nnrp-client';

/** Discovery stops once this many nodes answered (or the peers lists are exhausted). */
const DISCOVER_AT_MOST = 8;
const DISCOVERY_TIMEOUT_MS = 15_000;

export interface PageNode {
  peerId: string;
  https?: string;
  /** A `/tls/ws` or `/wss` multiaddr ending in `/p2p/<peerId>`. */
  wss?: string;
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
    status: node.status,
  };
}

export async function discoverNodes(url: string): Promise<PageNode[]> {
  const found = await discover(url, { want: DISCOVER_AT_MOST, timeoutMs: DISCOVERY_TIMEOUT_MS });
  return found.map(pageNode).filter((n): n is PageNode => n !== undefined);
}

/** The lowest base threshold the nodes state: fetched items with less work are refused (§6). */
export function lowestBaseThreshold(nodes: readonly PageNode[]): bigint | undefined {
  return nodes.reduce<bigint | undefined>((low, n) => (low === undefined || n.status.baseThreshold < low ? n.status.baseThreshold : low), undefined);
}
