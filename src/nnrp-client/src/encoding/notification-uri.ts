// NNRP.md §10.3: the notification URI a NanoNym v2 address carries.
//   nnrp:<52 leading-padded Nano base32 chars of K>[?relay=<multiaddr>[&relay=<multiaddr>…]]
// Scheme case-insensitive, written lowercase; ≤ 8 relay hints, each a multiaddr starting with
// '/', ≤ 512 characters, no spaces; values percent-decoded (RFC 3986 §2.1, UTF-8, malformed
// escapes refused); writers percent-encode '&', '=', '#', '%', spaces and non-ASCII (upper-case
// hex digits, as the reference writes them). Other parameters are ignored. ≤ 8192 characters,
// no fragment.
import { utf8 } from '../bytes.js';
import { NnrpFormatError } from '../errors.js';
import { decodeLeading, encodeLeading } from './nano-base32.js';

export const NOTIFICATION_URI_SCHEME = 'nnrp:';
export const MAX_RELAYS = 8;
export const MAX_RELAY_LENGTH = 512;
export const MAX_NOTIFICATION_URI_LENGTH = 8192;

export interface NotificationUri {
  /** The recipient's X25519 notification key K (32 bytes). */
  notificationKey: Uint8Array;
  /** Relay multiaddrs the recipient suggests, in the URI's order. */
  relays: string[];
}

function checkRelay(relay: string): void {
  if (relay.length === 0 || relay[0] !== '/') throw new NnrpFormatError("a relay hint is a multiaddr starting with '/'");
  if (relay.length > MAX_RELAY_LENGTH) throw new NnrpFormatError(`a relay hint is at most ${MAX_RELAY_LENGTH} characters`);
  if (/[\s\p{Cc}]/u.test(relay)) throw new NnrpFormatError('a relay hint has no spaces or control characters');
}

// RFC 3986 §3.4 query characters, minus the delimiters '&', '=', '#' and the escape '%'.
const QUERY_CHAR = /^[A-Za-z0-9\-._~!$'()*+,;:@/?]$/;

function percentEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    if (ch.length === 1 && QUERY_CHAR.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of utf8.encode(ch)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function percentDecode(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37 /* % */) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new NnrpFormatError("a relay hint has a '%' not followed by two hex digits");
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 128) {
      bytes.push(c);
    } else {
      throw new NnrpFormatError('a relay hint is ASCII, with other characters percent-encoded');
    }
  }
  return utf8.decode(Uint8Array.from(bytes), 'a percent-encoded relay hint');
}

/** Builds the canonical text of a notification URI. */
export function formatNotificationUri(notificationKey: Uint8Array, relays: readonly string[] = []): string {
  if (notificationKey.length !== 32) throw new NnrpFormatError(`a notification key is 32 bytes, not ${notificationKey.length}`);
  if (relays.length > MAX_RELAYS) throw new NnrpFormatError(`a notification URI carries at most ${MAX_RELAYS} relay hints`);
  relays.forEach(checkRelay);
  let text = NOTIFICATION_URI_SCHEME + encodeLeading(notificationKey);
  relays.forEach((relay, i) => {
    text += (i === 0 ? '?' : '&') + 'relay=' + percentEncode(relay);
  });
  return text;
}

/** Parses an `nnrp:` URI. */
export function parseNotificationUri(text: string): NotificationUri {
  if (text.length > MAX_NOTIFICATION_URI_LENGTH) throw new NnrpFormatError(`a notification URI is at most ${MAX_NOTIFICATION_URI_LENGTH} characters`);
  if (text.slice(0, NOTIFICATION_URI_SCHEME.length).toLowerCase() !== NOTIFICATION_URI_SCHEME) {
    throw new NnrpFormatError('a notification URI starts with nnrp:');
  }
  if (text.includes('#')) throw new NnrpFormatError('a notification URI has no fragment');
  const rest = text.slice(NOTIFICATION_URI_SCHEME.length);
  const q = rest.indexOf('?');
  const body = q < 0 ? rest : rest.slice(0, q);
  const notificationKey = decodeLeading(body, 32, 'the key of a notification URI');
  const relays: string[] = [];
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      if (name !== 'relay') continue; // other parameters are reserved and ignored
      if (eq < 0) throw new NnrpFormatError('relay= needs a multiaddr value');
      if (relays.length === MAX_RELAYS) throw new NnrpFormatError(`a notification URI carries at most ${MAX_RELAYS} relay hints`);
      const relay = percentDecode(pair.slice(eq + 1));
      checkRelay(relay);
      relays.push(relay);
    }
  }
  return { notificationKey, relays };
}
