// NNRP.md §3.1, §3.4, §5, §11.1, §11.5, §12: every limit a named constant beside its rule.
export const NOTIFICATION_VERSION = 1;
export const TAG_SIZE = 32;
export const HASH_SIZE = 32;
/** §3.1: 60 ≤ ttl ≤ 7 776 000 (90 days); senders default to the maximum. */
export const MIN_TTL = 60;
export const MAX_TTL = 7_776_000;
export const DEFAULT_TTL = MAX_TTL;
/** §3.1: payload ≤ 2048 bytes. */
export const MAX_PAYLOAD = 2048;
/** §3.4: an encoded notification longer than this is refused before parsing. */
export const MAX_ENCODED_NOTIFICATION = 2304;
/** §5: a timestamp more than this far ahead of the receiver's clock is FUTURE. */
export const MAX_CLOCK_SKEW_SECONDS = 600;
/** §11.1: request / response size limits (the protobuf bytes after the length prefix). */
export const MAX_REQUEST_SIZE = 4096;
export const MAX_RESPONSE_SIZE = 2 * 1024 * 1024;
/** §11.5: page size 1..500, 0 means 100; cursor ≤ 64 bytes. */
export const MAX_PAGE = 500;
export const DEFAULT_PAGE = 100;
export const MAX_CURSOR = 64;
/** §12: JSON documents over 8 KiB are refused. */
export const MAX_JSON_DOCUMENT = 8 * 1024;
