// One mailbox from every discovered node: each node is asked over its secure WebSocket door when
// it has one, else over HTTPS, by the key's tag (NNRP.md §11.5, pages followed by cursor up to a
// bound); answers are merged by content hash, so one node missing or down loses nothing the
// others hold; each notification is opened with the key (§7) and shown newest first.
import {
  contentHash, HttpNodeTransport, Libp2pNodeTransport, openPaymentEvent, toHex,
  type Notification, type NodeTransport, type PaymentEvent,
} from 'nnrp-client';
import { dialer } from './dialer.js';
import type { WalletKey } from './keys.js';
import type { PageNode } from './nodes.js';
import type { Transport } from './send.js';

/** Pages read from one node at most (a page is ≤ 500 notifications, §11.5). */
const MAX_PAGES = 8;

export interface MailboxItem {
  hash: string;
  timestamp: bigint;
  event: PaymentEvent;
}

export interface Source {
  peerId: string;
  transport: Transport;
  count: number;
  error?: string;
}

export interface Mailbox {
  items: MailboxItem[];
  sources: Source[];
  /** Notifications under the tag that this key could not open (someone else's, or garbage). */
  unreadable: number;
}

function doorOf(node: PageNode): [Transport, NodeTransport] {
  if (node.wss) return ['wss', new Libp2pNodeTransport(node.wss, dialer())];
  return ['https', new HttpNodeTransport(node.https!)];
}

async function fetchAll(door: NodeTransport, tag: Uint8Array): Promise<Notification[]> {
  const all: Notification[] = [];
  let cursor: Uint8Array | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await door.fetch({ tag, ...(cursor ? { cursor } : {}) });
    all.push(...answer.notifications);
    cursor = answer.nextCursor;
    if (!cursor || cursor.length === 0) break;
  }
  return all;
}

export async function fetchMailbox(key: WalletKey, nodes: PageNode[], onSource?: (source: Source) => void): Promise<Mailbox> {
  const merged = new Map<string, Notification>();
  const sources = await Promise.all(nodes.filter((n) => n.wss || n.https).map(async (node): Promise<Source> => {
    const [transport, door] = doorOf(node);
    let source: Source;
    try {
      const found = await fetchAll(door, key.keyPair.tag);
      for (const n of found) merged.set(toHex(contentHash(n)), n);
      source = { peerId: node.peerId, transport, count: found.length };
    } catch (e) {
      source = { peerId: node.peerId, transport, count: 0, error: e instanceof Error ? e.message : String(e) };
    } finally {
      await door.close();
    }
    onSource?.(source);
    return source;
  }));
  const items: MailboxItem[] = [];
  let unreadable = 0;
  for (const [hash, n] of merged) {
    try {
      items.push({ hash, timestamp: n.timestamp, event: await openPaymentEvent(key.keyPair, n) });
    } catch {
      unreadable++;
    }
  }
  items.sort((a, b) => (a.timestamp === b.timestamp ? a.hash.localeCompare(b.hash) : a.timestamp > b.timestamp ? -1 : 1));
  return { items, sources, unreadable };
}
