// One js-libp2p node per wallet, created on first use and shared by every Libp2pNodeTransport:
// a client-only node (no listen address) with Noise and Yamux over the given transports —
// WebSockets by default (all a browser can dial), plus @libp2p/tcp where the caller supplies it
// (Node.js). libp2p is imported lazily so an HTTP-only wallet never loads it.
import type { Libp2p, Libp2pOptions } from 'libp2p';

export type TransportFactories = NonNullable<Libp2pOptions['transports']>;

export interface Libp2pDialerOptions {
  /** Transports (default: `[webSockets()]`). Node.js tests add `tcp()` from @libp2p/tcp. */
  transports?: TransportFactories;
}

/** js-libp2p 3 calls Promise.withResolvers (ES2024), which Node.js 20 lacks. */
function ensurePromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export class Libp2pDialer {
  private node: Promise<Libp2p> | undefined;
  private stopped = false;

  constructor(private readonly options: Libp2pDialerOptions = {}) {}

  /** The shared node, started on first call. */
  get(): Promise<Libp2p> {
    if (this.stopped) return Promise.reject(new Error('the libp2p dialer was stopped'));
    this.node ??= this.create();
    return this.node;
  }

  /** Stops the node if it was ever started. */
  async stop(): Promise<void> {
    this.stopped = true;
    const node = this.node;
    this.node = undefined;
    if (node) await (await node.catch(() => undefined))?.stop();
  }

  private async create(): Promise<Libp2p> {
    ensurePromiseWithResolvers();
    const [{ createLibp2p }, { noise }, { yamux }, { identify }] = await Promise.all([
      import('libp2p'),
      import('@chainsafe/libp2p-noise'),
      import('@chainsafe/libp2p-yamux'),
      import('@libp2p/identify'),
    ]);
    const transports = this.options.transports ?? [(await import('@libp2p/websockets')).webSockets()];
    return createLibp2p({
      transports,
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
      // The wallet dials only addresses it was given or discovered from nodes it asked; loopback
      // and LAN nodes (testnets, a node beside the wallet) are as valid as public ones.
      connectionGater: { denyDialMultiaddr: async () => false },
    });
  }
}
