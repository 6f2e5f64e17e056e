// One mailbox from every discovered node with NnrpClient.fetch: each node is read over its secure
// WebSocket door when it has one, else over HTTPS, by the top 8 bits of the tag (so no node
// learns the tag itself, NNRP.md §11.5), to the last page; copies are merged by content hash, so
// a node that is down loses nothing the others hold; each item is checked (form, work) and
// opened with the key (§7).
import { FetchFailedError, NnrpClient, type FetchedEvent, type NodeFetchReport } from 'nnrp-client';
import type { WalletKey } from './keys.js';
import type { PageNode } from './nodes.js';
import type { Transport } from './send.js';

export interface Source {
  peerId: string;
  transport: Transport;
  count: number;
  error?: string;
}

export interface Mailbox {
  events: FetchedEvent[];
  sources: Source[];
  /** Items under the tag that failed a check or could not be opened with this key. */
  rejected: number;
}

export async function fetchMailbox(key: WalletKey, nodes: PageNode[], minimumWork: bigint | undefined): Promise<Mailbox> {
  const doors = new Map<string, [PageNode, Transport]>();
  for (const node of nodes) {
    if (node.wss) doors.set(node.wss, [node, 'wss']);
    else if (node.https) doors.set(node.https, [node, 'https']);
  }
  const client = new NnrpClient({ nodes: [...doors.keys()], fetchFrom: doors.size });
  const source = (report: NodeFetchReport): Source => {
    const [node, transport] = doors.get(report.endpoint) ?? [undefined, 'https' as const];
    return { peerId: node?.peerId ?? report.endpoint, transport, count: report.items, ...(report.error ? { error: report.error } : {}) };
  };
  try {
    const result = await client.fetch(key.keyPair, minimumWork === undefined ? {} : { minimumWork });
    // Newest first.
    const events = [...result.events].sort((a, b) => b.timestamp - a.timestamp || a.hash.localeCompare(b.hash));
    return { events, sources: result.nodes.map(source), rejected: result.rejected.length };
  } catch (e) {
    if (e instanceof FetchFailedError) return { events: [], sources: e.nodes.map(source), rejected: 0 };
    throw e;
  } finally {
    await client.close();
  }
}
