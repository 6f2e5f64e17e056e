// nnrp-client: the NNRP wallet SDK (NNRP.md). The modules export their own functions; this
// file re-exports the public surface.
export * from './api.js';
export * from './core.js';
export const version = '0.1.0';
export * from './client.js';
export * from './net/endpoints.js';
export * from './net/errors.js';
export * from './net/http-transport.js';
export * from './net/libp2p-dialer.js';
export * from './net/libp2p-transport.js';
export * from './net/discover.js';
export * from './net/checkpoint.js';
