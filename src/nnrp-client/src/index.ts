// nnrp-client: the NNRP wallet SDK (NNRP.md). The modules export their own functions; this
// file re-exports the public surface.
export * from './api.js';
export * from './core.js';
export const version = '0.1.0';
