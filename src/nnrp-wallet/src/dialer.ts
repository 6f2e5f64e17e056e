// The page's one js-libp2p node (client only, secure WebSockets), shared by every libp2p door.
// js-libp2p in a browser refuses private and loopback addresses by default (a public page has no
// business probing the visitor's LAN); the page lifts that only when the node it was pointed at
// is itself on such an address (a testnet or a node on the same machine), and then for every
// address, as that network's other nodes sit beside it.
import { Libp2pDialer } from 'nnrp-client';

let current: Libp2pDialer | undefined;
let currentPrivate = false;

const PRIVATE_HOST = /^(localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|\[::1\]|\[f[cd][0-9a-f]{2}:.*\])$/i;

/** Whether `url` names a loopback or private-network host. */
export function isPrivateUrl(url: string): boolean {
  try {
    return PRIVATE_HOST.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The dialer for a page pointed at `entryUrl` (a new one when the private-address rule changes). */
export function dialerFor(entryUrl: string): Libp2pDialer {
  const allowPrivate = isPrivateUrl(entryUrl);
  if (!current || allowPrivate !== currentPrivate) {
    void current?.stop();
    current = new Libp2pDialer({ allowPrivateAddresses: allowPrivate });
    currentPrivate = allowPrivate;
  }
  return current;
}

/** The dialer of the last discovery. */
export function dialer(): Libp2pDialer {
  if (!current) throw new Error('discover nodes first');
  return current;
}
