// NNRP.md §7: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20-Poly1305:
//   info    = "nnrp/1 payment-event"                              (20 ASCII bytes)
//   aad     = recipient_tag:32 ‖ timestamp:u64 BE ‖ ttl:u32 BE     (44 bytes)
//   payload = enc:32 ‖ Seal(aad, plaintext)                         (sequence number 0)
// Binding tag, timestamp and ttl into the AAD: a relay cannot re-address, back-date or extend a
// notification without the payload failing to open.
import { x25519 } from '@noble/curves/ed25519.js';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import type { Notification, NotificationKeyPair, PaymentEvent } from '../api.js';
import { utf8 } from '../bytes.js';
import { NnrpFormatError, SealingError } from '../errors.js';
import { recipientTagOf } from '../keys/notification-keys.js';
import { DEFAULT_TTL, MAX_PAYLOAD, NOTIFICATION_VERSION } from '../notification/limits.js';
import { unixNow } from '../notification/validate.js';
import { decodePaymentEvent, encodePaymentEvent } from './payment-event.js';

export const SEAL_INFO = utf8.encode('nnrp/1 payment-event');
export const ENC_SIZE = 32;
export const AEAD_TAG_SIZE = 16;
/** 2048 − 32 − 16. */
export const MAX_PLAINTEXT = MAX_PAYLOAD - ENC_SIZE - AEAD_TAG_SIZE;

let suite: CipherSuite | undefined;
function hpke(): CipherSuite {
  suite ??= new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  return suite;
}

/** The 44-byte AAD of §7. */
export function sealAad(tag: Uint8Array, timestamp: bigint, ttl: number): Uint8Array {
  const aad = new Uint8Array(44);
  aad.set(tag, 0);
  const view = new DataView(aad.buffer);
  view.setBigUint64(32, BigInt.asUintN(64, timestamp), false);
  view.setUint32(40, ttl >>> 0, false);
  return aad;
}

export interface SealOptions {
  timestamp?: bigint;          // default: now
  ttl?: number;                // default: 90 days
  /**
   * The ephemeral private key (32 bytes). Only for reproducible test vectors: a fixed
   * ephemeral key makes two payloads to one recipient linkable and is never used otherwise.
   */
  ephemeralPrivateKey?: Uint8Array;
}

/** RFC 9180 base-mode single-shot seal (sequence 0): returns enc and ciphertext. */
export async function hpkeSeal(recipientPublicKey: Uint8Array, info: Uint8Array, aad: Uint8Array, plaintext: Uint8Array,
  ephemeralPrivateKey?: Uint8Array): Promise<{ enc: Uint8Array; ciphertext: Uint8Array }> {
  const s = hpke();
  let pkR: CryptoKey;
  try {
    pkR = await s.kem.deserializePublicKey(recipientPublicKey);
  } catch {
    throw new NnrpFormatError('the recipient key is not an X25519 public key');
  }
  let sender;
  try {
    sender = await s.createSenderContext({
      recipientPublicKey: pkR,
      info,
      ...(ephemeralPrivateKey ? { ekm: await ephemeralKeyPair(s, ephemeralPrivateKey) } : {}),
    });
  } catch (e) {
    // An all-zero X25519 output (a small-order key, RFC 9180 §7.1.4) ends here.
    throw new SealingError(`HPKE setup failed (${e instanceof Error ? e.name : 'error'})`);
  }
  const ciphertext = new Uint8Array(await sender.seal(plaintext, aad));
  return { enc: new Uint8Array(sender.enc), ciphertext };
}

/** RFC 9180 base-mode single-shot open (sequence 0); SealingError when it does not open. */
export async function hpkeOpen(recipientPrivateKey: Uint8Array, enc: Uint8Array, info: Uint8Array, aad: Uint8Array,
  ciphertext: Uint8Array): Promise<Uint8Array> {
  const s = hpke();
  try {
    const recipient = await s.createRecipientContext({
      recipientKey: await s.kem.deserializePrivateKey(recipientPrivateKey),
      enc,
      info,
    });
    return new Uint8Array(await recipient.open(ciphertext, aad));
  } catch (e) {
    // DecapError (an all-zero shared secret, RFC 9180 §7.1.4) or OpenError (not for this key, tampered).
    throw new SealingError(`the payload does not open with this key (${e instanceof Error ? e.name : 'error'})`);
  }
}

async function ephemeralKeyPair(s: CipherSuite, privateKey: Uint8Array): Promise<CryptoKeyPair> {
  return {
    privateKey: await s.kem.deserializePrivateKey(privateKey),
    publicKey: await s.kem.deserializePublicKey(x25519.getPublicKey(privateKey)),
  };
}

/** Seals raw plaintext for a notification to K with these fields: enc ‖ ciphertext. */
export async function sealPayload(notificationKey: Uint8Array, tag: Uint8Array, timestamp: bigint, ttl: number, plaintext: Uint8Array,
  ephemeralPrivateKey?: Uint8Array): Promise<Uint8Array> {
  if (notificationKey.length !== 32) throw new NnrpFormatError(`a notification key is 32 bytes, not ${notificationKey.length}`);
  if (plaintext.length > MAX_PLAINTEXT) throw new NnrpFormatError(`plaintext must be at most ${MAX_PLAINTEXT} bytes to fit a payload`);
  const { enc, ciphertext } = await hpkeSeal(notificationKey, SEAL_INFO, sealAad(tag, timestamp, ttl), plaintext, ephemeralPrivateKey);
  const payload = new Uint8Array(ENC_SIZE + ciphertext.length);
  payload.set(enc, 0);
  payload.set(ciphertext, ENC_SIZE);
  return payload;
}

/** Opens a notification's payload with the recipient's private key k; SealingError if not for k or tampered. */
export async function openPayload(privateKey: Uint8Array, n: Pick<Notification, 'recipientTag' | 'timestamp' | 'ttl' | 'payload'>): Promise<Uint8Array> {
  if (privateKey.length !== 32) throw new NnrpFormatError(`an X25519 private key is 32 bytes, not ${privateKey.length}`);
  if (n.payload.length < ENC_SIZE + AEAD_TAG_SIZE) throw new SealingError(`a sealed payload is at least ${ENC_SIZE + AEAD_TAG_SIZE} bytes`);
  return hpkeOpen(privateKey, n.payload.slice(0, ENC_SIZE), SEAL_INFO, sealAad(n.recipientTag, n.timestamp, n.ttl), n.payload.slice(ENC_SIZE));
}

/**
 * A complete notification (work 0, for the generator to fill) carrying `event`, sealed to the
 * notification key K.
 */
export async function seal(notificationKey: Uint8Array, event: PaymentEvent, options: SealOptions = {}): Promise<Notification> {
  const timestamp = options.timestamp ?? unixNow();
  const ttl = options.ttl ?? DEFAULT_TTL;
  const recipientTag = recipientTagOf(notificationKey);
  const payload = await sealPayload(notificationKey, recipientTag, timestamp, ttl, encodePaymentEvent(event), options.ephemeralPrivateKey);
  return { version: NOTIFICATION_VERSION, recipientTag, timestamp, ttl, payload, work: 0n };
}

/** Opens a notification with a key pair and parses its payment event (SealingError / NnrpFormatError). */
export async function open(keyPair: Pick<NotificationKeyPair, 'privateKey'>, n: Notification): Promise<PaymentEvent> {
  return decodePaymentEvent(await openPayload(keyPair.privateKey, n));
}
