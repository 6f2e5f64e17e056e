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

/**
 * The least work a fetched item must carry (§6): the normative base unless the page's own URL
 * says otherwise with `min-work=<16 hex>` (a test network with cheap work). It is never taken
 * from what nodes report, so a lying node cannot lower the floor and slip spam into the mailbox.
 */
export function minimumWorkOf(search: string): bigint | undefined {
  const given = new URLSearchParams(search).get('min-work');
  if (given === null) return undefined;
  if (!/^[0-9a-fA-F]{16}$/.test(given)) throw new Error(`min-work must be 16 hex digits, not '${given}'`);
  return BigInt('0x' + given);
}
