// The core half of the SDK (pure, no I/O but the optional work server): keys, text encodings,
// notification codecs and rules, sealing, proof of work, receipts. Re-exported by index.ts.
export { NnrpFormatError, NotificationRuleError, SealingError, WorkCancelledError, type NotificationRule } from './errors.js';
export { toHex, fromHex, toBase64, fromBase64, concatBytes, equalBytes, compareBytes } from './bytes.js';
export { blake2b } from './encoding/hashing.js';
export { encodeLeading, encodeTrailing, decodeLeading, decodeTrailing, NANO_BASE32_ALPHABET } from './encoding/nano-base32.js';
export { encodeNanoAccount, decodeNanoAccount } from './encoding/nano-account.js';
export { encodeRelayAddress, decodeRelayAddress } from './encoding/relay-address.js';
export { formatNotificationUri, parseNotificationUri, MAX_RELAYS, MAX_RELAY_LENGTH, MAX_NOTIFICATION_URI_LENGTH, type NotificationUri } from './encoding/notification-uri.js';
export { encodeNanoNym, decodeNanoNym, nnrpDestinationOf, type NanoNymAddress } from './encoding/nanonym-address.js';
export { deriveNotificationKey, keyPairFromPrivateKey, publicKeyOf, recipientTagOf, notificationUriOf } from './keys/notification-keys.js';
export * from './notification/limits.js';
export { contentHash, hashPreimage, relayAddressOf } from './notification/hash.js';
export { checkForm, checkClock, validateNotification, unixNow } from './notification/validate.js';
export {
  encodeNotification, decodeNotification, encodeRequest, decodeRequest, encodeResponse, decodeResponse,
  statusCodeOf, reasonOf, type Request, type Response, type Shard, type WireStatus,
} from './notification/messages.js';
export { lengthPrefixed, readLengthPrefixed, encodeUvarint } from './notification/protobuf.js';
export {
  notificationToJson, notificationFromJson, formatNotificationJson, parseNotificationJson, parseJsonDocument,
  receiptToJson, receiptFromJson, publishAnswerFromJson, problemFromJson, fetchPageFromJson, formatCursor,
  type NotificationJson, type StoreReceiptJson,
} from './notification/json.js';
export { paymentEvent, encodePaymentEvent, decodePaymentEvent, MAX_PAYMENT_EVENT_BYTES } from './sealing/payment-event.js';
export { seal, open, sealPayload, openPayload, hpkeSeal, hpkeOpen, sealAad, SEAL_INFO, MAX_PLAINTEXT, type SealOptions } from './sealing/seal.js';
export {
  BASE_THRESHOLD, NANO_SEND_THRESHOLD, toMultiplier, fromMultiplier, expectedHashes, formatWork, parseWork,
} from './work/thresholds.js';
export { workValue, workValueReference, isValidWork } from './work/work-value.js';
export { generateWork, defaultWorkerCount, type GenerateWorkOptions, type WorkResult } from './work/generate.js';
export { requestServerWork } from './work/work-server.js';
export { searchEngine, type SearchEngine } from './work/work-search.js';
export { verifyReceiptSignature, checkReceipt, receiptSignedBytes, receiptPeerId, type ReceiptProblem } from './receipts/receipt.js';
export { peerIdOf, peerIdBytesOf } from './receipts/peer-id.js';
