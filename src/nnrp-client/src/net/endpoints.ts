// Which door of a node a wallet can use (NNRP.md §12 HTTP, §14.1 libp2p): a node endpoint is an
// http(s) URL or a multiaddr. Multiaddrs of the HTTP API (`/…/tcp/N/http`, `/…/tcp/N/tls/http`,
// `/…/tcp/N/https`) become URLs; libp2p WebSocket doors (`/ws`, `/tls/ws`, `/wss`) are dialed with
// js-libp2p and must name the node (`/p2p/<id>`: the Noise handshake proves it, and receipts must
// be signed by it). Plain `/tcp` libp2p addresses are usable only where a TCP transport exists
// (Node.js; `dialTcp`), and everything else (QUIC, WebRTC, circuit relays) is skipped.
import { multiaddr } from '@multiformats/multiaddr';

export type NodeEndpoint =
  /** The HTTP API at `url` (no trailing slash); `peerId` when a multiaddr or /v1/status named it. */
  | { kind: 'http'; url: string; peerId?: string }
  /** A libp2p address ending in `/p2p/<peerId>`. */
  | { kind: 'libp2p'; multiaddr: string; peerId: string };

export interface EndpointOptions {
  /** Accept `/tcp` libp2p addresses without `/ws` (Node.js with @libp2p/tcp; never in a browser). */
  dialTcp?: boolean;
}

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6']);

/** The endpoint a text names, or undefined when this client cannot use it (or it is not an address). */
export function parseNodeEndpoint(text: string, options: EndpointOptions = {}): NodeEndpoint | undefined {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return undefined;
    }
    if (url.username || url.password || url.search || url.hash) return undefined;
    return { kind: 'http', url: url.href.replace(/\/+$/, '') };
  }
  if (!trimmed.startsWith('/')) return undefined;
  let components: { name: string; value?: string }[];
  try {
    components = multiaddr(trimmed).getComponents();
  } catch {
    return undefined;
  }
  const [host, tcp, ...rest] = components;
  if (!host || !tcp || !HOST_PROTOCOLS.has(host.name) || tcp.name !== 'tcp' || host.value === undefined) return undefined;
  const peerId = rest.at(-1)?.name === 'p2p' ? rest.at(-1)!.value : undefined;
  const names = rest.filter((c) => c.name !== 'p2p' && c.name !== 'sni').map((c) => c.name).join('/');
  const tls = names === 'tls/http' || names === 'https';
  if (names === 'http' || tls) {
    const name = host.name === 'ip6' ? `[${host.value}]` : host.value;
    const port = tcp.value;
    const scheme = tls ? 'https' : 'http';
    const defaultPort = tls ? '443' : '80';
    const url = `${scheme}://${name}${port === defaultPort ? '' : `:${port}`}`;
    return peerId === undefined ? { kind: 'http', url } : { kind: 'http', url, peerId };
  }
  const websocket = names === 'ws' || names === 'tls/ws' || names === 'wss';
  if (peerId !== undefined && (websocket || (names === '' && options.dialTcp === true))) {
    return { kind: 'libp2p', multiaddr: trimmed, peerId };
  }
  return undefined;
}

/** What makes two endpoints the same door before any answer (the URL or the multiaddr). */
export function endpointLabel(endpoint: NodeEndpoint): string {
  return endpoint.kind === 'http' ? endpoint.url : endpoint.multiaddr;
}

/**
 * The usable endpoints among `addresses` of one node (its /v1/status or /v1/peers entry),
 * each given `/p2p/<peerId>` when the node's id is known and the address lacks it.
 */
export function endpointsOf(addresses: readonly string[], peerId: string | undefined, options: EndpointOptions = {}): NodeEndpoint[] {
  const found: NodeEndpoint[] = [];
  for (const address of addresses) {
    if (typeof address !== 'string' || address.length > 1024) continue;
    const withId = peerId !== undefined && address.startsWith('/') && !address.includes('/p2p/') ? `${address}/p2p/${peerId}` : address;
    const endpoint = parseNodeEndpoint(withId, options);
    if (endpoint === undefined) continue;
    if (endpoint.kind === 'http' && endpoint.peerId === undefined && peerId !== undefined) endpoint.peerId = peerId;
    if (!found.some((f) => endpointLabel(f) === endpointLabel(endpoint))) found.push(endpoint);
  }
  return found;
}

/**
 * One node's endpoints in the order a wallet tries them: HTTPS, then secure WebSockets, then
 * plain HTTP, plain WebSockets and TCP. A page served over https may call only the secure ones.
 */
export function preferredOrder(endpoints: readonly NodeEndpoint[]): NodeEndpoint[] {
  const rank = (e: NodeEndpoint): number => {
    if (e.kind === 'http') return e.url.startsWith('https:') ? 0 : 2;
    return /\/(tls\/ws|wss)(\/|$)/.test(e.multiaddr) ? 1 : /\/ws(\/|$)/.test(e.multiaddr) ? 3 : 4;
  };
  return [...endpoints].sort((a, b) => rank(a) - rank(b));
}
