#!/usr/bin/env python3
"""Writes the NNRP test vectors (protocols/NNRP.md §16) as one JSON file per family.

An implementation independent of the C# reference: Python's hashlib (BLAKE2b, SHA-256), hmac
(HKDF), and the `cryptography` package (X25519, Ed25519, ChaCha20-Poly1305). The C# tests in
tests/Nnrp.Core.Tests/Vectors/ check that the reference reproduces every value, so a change of
either side that moves a value fails there.

    python3 protocols/vectors/generate.py          # rewrites protocols/vectors/*.json

Schema (every file): {"family", "spec", "description", "vectors": [{"description", ...}]};
byte strings are lowercase hex; u64 values that may exceed 2^53 (work, thresholds, values) are
16-digit big-endian hex strings as Nano writes them; other integers are JSON numbers; field
names are snake_case. Files are only ever extended: fields and vectors are added, never renamed.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

OUT = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- primitives


def blake2b(data, size, key=b""):
    return hashlib.blake2b(data, digest_size=size, key=key).digest()


def h(b):
    return b.hex()


def u64hex(v):
    return "%016x" % v


ALPHABET = "13456789abcdefghijkmnopqrstuwxyz"


def base32_leading(data):
    bits = len(data) * 8
    chars = (bits + 4) // 5
    n = int.from_bytes(data, "big")
    return "".join(ALPHABET[(n >> (5 * (chars - 1 - i))) & 31] for i in range(chars))


def base32_trailing(data):
    bits = len(data) * 8
    chars = (bits + 4) // 5
    n = int.from_bytes(data, "big") << (chars * 5 - bits)
    return "".join(ALPHABET[(n >> (5 * (chars - 1 - i))) & 31] for i in range(chars))


def x25519_public(private):
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_varint_field(number, value):
    return varint(number << 3) + varint(value) if value else b""


def pb_bytes_field(number, value):
    return varint((number << 3) | 2) + varint(len(value)) + value if value else b""


def pb_fixed64_field(number, value):
    return varint((number << 3) | 1) + struct.pack("<Q", value) if value else b""


BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data):
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = BASE58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


# ---------------------------------------------------------------- NNRP rules


def derive_key(seed, index):  # §9
    k = blake2b(b"nnrp/notify/v1" + struct.pack(">I", index), 32, key=seed)
    return k, x25519_public(k)


def tag_of(key):  # §4
    return blake2b(b"nnrp-tag-v1" + key, 32)


def uri_of(key):  # §10.3
    return "nnrp:" + base32_leading(key)


def content_hash(version, tag, timestamp, ttl, payload):  # §3.2
    return blake2b(bytes([version]) + tag + struct.pack(">QI", timestamp, ttl) + payload, 32)


def work_value(work, hash_):  # §6.1
    return int.from_bytes(blake2b(struct.pack("<Q", work) + hash_, 8), "little")


def first_work(hash_, threshold):
    work = 0
    while work_value(work, hash_) < threshold:
        work += 1
    return work


def protobuf(version, tag, timestamp, ttl, payload, work):  # §3.4, fields in number order
    return (pb_varint_field(1, version) + pb_bytes_field(2, tag) + pb_varint_field(3, timestamp)
            + pb_varint_field(4, ttl) + pb_bytes_field(5, payload) + pb_fixed64_field(6, work))


def notification_json(version, tag, timestamp, ttl, payload, work):  # §12
    return ('{"version":%d,"recipient_tag":"%s","timestamp":%d,"ttl":%d,"payload":"%s","work":"%s"}'
            % (version, h(tag), timestamp, ttl, base64.b64encode(payload).decode(), u64hex(work)))


TWO64 = 1 << 64
BASE = 0xFFFFFE0000000000


def threshold_from_multiplier(m, base=BASE):  # §6.2: binary64 division, truncated
    distance = float(TWO64 - base) / m
    if distance < 1.0:
        return TWO64 - 1
    if distance >= float(TWO64):
        return 0
    return (TWO64 - int(distance)) % TWO64


# RFC 9180, suite (0x0020, 0x0001, 0x0003), base mode.
KEM_SUITE = b"KEM\x00\x20"
HPKE_SUITE = b"HPKE\x00\x20\x00\x01\x00\x03"


def hkdf_extract(salt, ikm):
    return hmac.new(salt if salt else b"\0" * 32, ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def labeled_extract(suite, salt, label, ikm):
    return hkdf_extract(salt, b"HPKE-v1" + suite + label + ikm)


def labeled_expand(suite, prk, label, info, length):
    return hkdf_expand(prk, struct.pack(">H", length) + b"HPKE-v1" + suite + label + info, length)


def hpke_seal(pk_r, sk_e, info, aad, plaintext):
    enc = x25519_public(sk_e)
    dh = X25519PrivateKey.from_private_bytes(sk_e).exchange(X25519PublicKey.from_public_bytes(pk_r))
    eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh)
    shared = labeled_expand(KEM_SUITE, eae_prk, b"shared_secret", enc + pk_r, 32)
    context = (b"\x00" + labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"")
               + labeled_extract(HPKE_SUITE, b"", b"info_hash", info))
    secret = labeled_extract(HPKE_SUITE, shared, b"secret", b"")
    key = labeled_expand(HPKE_SUITE, secret, b"key", context, 32)
    nonce = labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, 12)  # seq 0: nonce = base_nonce
    return enc, shared, key, nonce, ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)


def fingerprint(ids):  # §11.8.2
    return hashlib.sha256(b"".join(ids) + struct.pack(">Q", len(ids))).digest()[:16]


def shard_cid(bits, index):  # §8
    return b"\x01\x55\x12\x20" + hashlib.sha256(("nnrp/shard/v1/%d/%d" % (bits, index)).encode()).digest()


def cid_text(cid):
    return "b" + base64.b32encode(cid).decode().lower().rstrip("=")


def peer_id(ed25519_public):  # libp2p peer-id spec: identity multihash of the protobuf PublicKey
    key_pb = b"\x08\x01\x12\x20" + ed25519_public
    return base58btc(b"\x00" + varint(len(key_pb)) + key_pb)


QUERY_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'()*+,;:@/?")


def percent_encode(value):  # §10.3 writers: uppercase hex, UTF-8
    return "".join(c if c in QUERY_CHARS else "".join("%%%02X" % b for b in c.encode()) for c in value)


# ---------------------------------------------------------------- fixed inputs

SEED = bytes(range(32))
SEED64 = bytes(range(0x40, 0x80))
TIMESTAMP = 1767225600          # 2026-01-01T00:00:00Z
TTL = 7776000                   # 90 days
EXAMPLE_PAYLOAD = bytes(range(64))


def family(name, spec, description, vectors):
    doc = {"family": name, "spec": spec, "description": description, "vectors": vectors}
    with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


def keys():
    vectors = []
    for seed, index, what in [(SEED, 0, "32-byte seed 00..1f, index 0 (the §9 and §13 example)"),
                              (SEED, 7, "32-byte seed 00..1f, index 7"),
                              (SEED64, 0, "64-byte (BIP-39 sized) seed 40..7f, index 0"),
                              (SEED[:16], 4294967295, "16-byte seed 00..0f (the shortest), index 2^32-1")]:
        k, pub = derive_key(seed, index)
        vectors.append({"description": what, "seed": h(seed), "index": index, "private_key": h(k),
                        "public_key": h(pub), "recipient_tag": h(tag_of(pub)), "uri": uri_of(pub)})
    return vectors


def shards():
    _, pub = derive_key(SEED, 0)
    tag = tag_of(pub)
    vectors = []
    for bits, what in [(0, "everything"), (8, "the §8 example"), (16, "the deepest shard a provider record may name (§14.2)"),
                       (32, "the deepest shard")]:
        index = int.from_bytes(tag[:4], "big") >> (32 - bits) if bits else 0
        if bits == 8:
            index = 200
        cid = shard_cid(bits, index)
        vectors.append({"description": "shard (%d, %d): %s" % (bits, index, what), "bits": bits, "index": index,
                        "name": "nnrp/shard/v1/%d/%d" % (bits, index), "cid": h(cid), "cid_text": cid_text(cid),
                        "kad_key": h(cid[2:])})
    # The shard a tag falls in: its top b bits.
    tag_vectors = [{"description": "shard index of the §9 tag at %d bits" % b, "recipient_tag": h(tag), "bits": b,
                    "index": (int.from_bytes(tag[:4], "big") >> (32 - b)) if b else 0} for b in (0, 1, 8, 13, 32)]
    return vectors + tag_vectors


def notifications():
    _, pub = derive_key(SEED, 0)
    tag = tag_of(pub)
    out = []
    for payload, work, what in [(EXAMPLE_PAYLOAD, 0x000000000046D662, "the §13 example: payload 00..3f, a base-threshold work"),
                                (bytes(2048), 0xFFFFFFFFFFFFFFFF, "largest payload (2048 zero bytes), work 2^64-1")]:
        pre = bytes([1]) + tag + struct.pack(">QI", TIMESTAMP, TTL) + payload
        hash_ = blake2b(pre, 32)
        pb = protobuf(1, tag, TIMESTAMP, TTL, payload, work)
        v = {"description": what, "version": 1, "recipient_tag": h(tag), "timestamp": TIMESTAMP, "ttl": TTL,
             "payload": h(payload), "work": u64hex(work), "preimage": h(pre), "hash": h(hash_),
             "relay_address": "nr_" + base32_leading(hash_), "expires_at": TIMESTAMP + TTL,
             "work_value": u64hex(work_value(work, hash_)), "protobuf": h(pb), "size": len(pb),
             "json": notification_json(1, tag, TIMESTAMP, TTL, payload, work)}
        if len(payload) > 64:
            del v["preimage"], v["json"]
        out.append(v)
    return out


def work():
    _, pub = derive_key(SEED, 0)
    hash13 = content_hash(1, tag_of(pub), TIMESTAMP, TTL, EXAMPLE_PAYLOAD)
    values = [
        ("the §13 notification with its example work", hash13, 0x000000000046D662),
        ("nano-work-server README example (a Nano block root)",
         bytes.fromhex("718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2"), 0x2BF29EF00786A6BC),
        ("Nano live genesis: root = the genesis account key",
         bytes.fromhex("E89208DD038FBB269987689621D52292AE9C35941A7484756ECCED92A65093BA"), 0x62F05417DD3FB691),
        ("work 0 on the §13 notification (not valid at the base)", hash13, 0),
    ]
    value_vectors = [{"description": d, "hash": h(r), "work": u64hex(w), "value": u64hex(work_value(w, r)),
                      "valid_at_base": work_value(w, r) >= BASE} for d, r, w in values]
    multipliers = [(1.0, "1: the base itself"), (2.0, "2"), (64.0, "64: Nano's epoch-2 send threshold"),
                   (1.5, "1.5, not an integer: 2^41/1.5 = 1466015503701.33 truncates"),
                   (3.0, "3: 2^41/3 is not an integer"),
                   (2.0 ** (35 / 64), "2^(35/64): the escalation the 100th notification of an hour meets (n = 99)"),
                   (0.5, "0.5: easier than the base"), (2.0 ** 40, "2^40: the §6.3 cap"),
                   (2.0 ** 42, "2^42: past 2^41, the distance is below 1 and the threshold clamps to 2^64-1")]
    threshold_vectors = [{"description": "threshold(multiplier) for " + d, "base": u64hex(BASE),
                          "multiplier": m, "threshold": u64hex(threshold_from_multiplier(m))} for m, d in multipliers]
    multiplier_vectors = [{"description": "multiplier(threshold) for " + d, "base": u64hex(BASE), "threshold": u64hex(t),
                           "multiplier": float(TWO64 - BASE) / float(TWO64 - t)}
                          for t, d in [(0xFFFFFFF800000000, "Nano's send threshold"), (0xFFFFFF2707104CB4, "the §13 work value"),
                                       (BASE, "the base")]]
    required_vectors = []
    for n, u, d in [(0, 0.0, "a fresh tag on an idle node"), (64, 0.0, "the 65th notification of the hour (n = 64): still the base"),
                    (65, 0.0, "the 66th (n = 65): 2^(1/64)"), (99, 0.0, "the 100th (n = 99): 2^(35/64)"),
                    (999, 0.0, "the 1000th (n = 999): 2^(935/64)"), (0, 0.9, "a fresh tag at 90 % fill: 64^0.6"),
                    (0, 1.0, "a fresh tag on a full node: 64"), (3000, 1.0, "n = 3000 on a full node: capped at 2^40")]:
        escalation = 2.0 ** (max(0, n - 64) / 64)
        load = 1.0 if u <= 0.75 else 64.0 ** ((min(u, 1.0) - 0.75) / (1.0 - 0.75))
        m = min(max(escalation * load, 1.0), 2.0 ** 40)
        required_vectors.append({"description": "§6.3 required threshold, default constants: " + d, "n": n,
                                 "utilisation": u, "multiplier": m, "threshold": u64hex(threshold_from_multiplier(m))})
    return value_vectors, threshold_vectors, multiplier_vectors, required_vectors


def sealing():
    k, pub = derive_key(SEED, 0)
    tag = tag_of(pub)
    event = ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","amount_raw":"%s","memo":"%s"}'
             % ("11" * 32, "22" * 32, "1000000000000000000000000000000", "thanks for the coffee")).encode()
    sk_e = bytes(range(0xA0, 0xC0))
    info = b"nnrp/1 payment-event"
    aad = tag + struct.pack(">QI", TIMESTAMP, TTL)
    enc, shared, key, nonce, ct = hpke_seal(pub, sk_e, info, aad, event)
    payload = enc + ct
    hash_ = content_hash(1, tag, TIMESTAMP, TTL, payload)
    low = 0xFFF0000000000000
    w = first_work(hash_, low)
    pb = protobuf(1, tag, TIMESTAMP, TTL, payload, w)
    return [{
        "description": "a payment event sealed to the §9 key (seed 00..1f, index 0) with a fixed ephemeral key; "
                       "work is the least u64 counting from 0 that meets the low test threshold",
        "seed": h(SEED), "index": 0, "recipient_private_key": h(k), "recipient_public_key": h(pub),
        "recipient_tag": h(tag), "timestamp": TIMESTAMP, "ttl": TTL, "info": h(info),
        "plaintext": h(event), "plaintext_text": event.decode(),
        "ephemeral_private_key": h(sk_e), "enc": h(enc), "aad": h(aad),
        "shared_secret": h(shared), "key": h(key), "base_nonce": h(nonce),
        "ciphertext": h(ct), "payload": h(payload), "hash": h(hash_),
        "relay_address": "nr_" + base32_leading(hash_),
        "threshold": u64hex(low), "work": u64hex(w), "work_value": u64hex(work_value(w, hash_)),
        "protobuf": h(pb), "json": notification_json(1, tag, TIMESTAMP, TTL, payload, w),
    }]


def receipts():
    # RFC 8032 §7.1 test 1 secret key, so the public key is a published value.
    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    pub = sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    _, kpub = derive_key(SEED, 0)
    hash13 = content_hash(1, tag_of(kpub), TIMESTAMP, TTL, EXAMPLE_PAYLOAD)
    out = []
    for hash_, expires, what in [(hash13, TIMESTAMP + TTL, "receipt for the §13 notification: expires_at = timestamp + ttl"),
                                 (bytes(32), 0, "all-zero hash, expires_at 0 (the signed bytes still carry 8 zero bytes)")]:
        signed = b"nnrp/receipt/1" + hash_ + struct.pack(">Q", expires)
        sig = sk.sign(signed)
        out.append({"description": what, "node_seed": h(seed), "node_public_key": h(pub), "peer_id": peer_id(pub),
                    "hash": h(hash_), "expires_at": expires, "signed_bytes": h(signed), "signature": h(sig),
                    "valid": True})
    bad = dict(out[0])
    bad.update({"description": "the first receipt with expires_at one second later: the signature no longer verifies",
                "expires_at": TIMESTAMP + TTL + 1, "valid": False})
    del bad["signed_bytes"]
    out.append(bad)
    return out


def sync():
    def hid(i):
        return hashlib.sha256(b"nnrp vector id %d" % i).digest()
    items = [(TIMESTAMP + 5, hid(0)), (TIMESTAMP, hid(1)), (TIMESTAMP, hid(2)), (TIMESTAMP + 5, hid(3))]
    out = []
    for subset, what in [([], "no items: SHA-256 of n = 0 as 8 zero bytes"),
                         (items[:1], "one item"),
                         (items, "four items given out of order: the fingerprint hashes them in (timestamp, hash) order, "
                                 "the id list sorts them by hash alone")]:
        ordered = sorted(subset, key=lambda it: (it[0], it[1]))
        out.append({"description": what,
                    "items": [{"timestamp": t, "hash": h(i)} for t, i in subset],
                    "fingerprint": h(fingerprint([i for _, i in ordered])),
                    "ids": h(b"".join(sorted(i for _, i in subset)))})
    return out


def encodings():
    genesis = bytes.fromhex("E89208DD038FBB269987689621D52292AE9C35941A7484756ECCED92A65093BA")
    _, pub = derive_key(SEED, 0)
    check = blake2b(genesis, 5)[::-1]
    base32 = [{"description": d, "bytes": h(b), "leading": base32_leading(b), "trailing": base32_trailing(b)}
              for b, d in [(b"", "empty"), (b"\x00", "one zero byte"), (b"\xff", "one 0xff byte"),
                           (bytes(range(5)), "5 bytes: 40 bits, no padding either way"),
                           (genesis, "32 bytes: 4 padding bits")]]
    accounts = [{"description": "Nano live genesis account", "public_key": h(genesis),
                 "checksum": h(check), "account": "nano_" + base32_leading(genesis) + base32_leading(check)}]
    relays = ["/dns4/relay.example.org/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
              "/ip4/203.0.113.7/tcp/443/tls/http", "/dns4/r.example/tcp/4001/x&k=v#f%_é"]
    uris = [{"description": "the §9 key, no hints", "public_key": h(pub), "relays": [], "uri": uri_of(pub)},
            {"description": "two hints, nothing to escape", "public_key": h(pub), "relays": relays[:2],
             "uri": uri_of(pub) + "?relay=" + relays[0] + "&relay=" + relays[1]},
            {"description": "a hint with & = # % and non-ASCII: writers escape with uppercase hex "
                            "(a valid multiaddr never needs this; the rule is shown on purpose)",
             "public_key": h(pub), "relays": [relays[2]],
             "uri": uri_of(pub) + "?relay=" + percent_encode(relays[2])}]
    parse_uris = [
        {"description": "lowercase escapes and an uppercase scheme read the same", "text":
            "NNRP:" + base32_leading(pub) + "?relay=%2fip4%2f203.0.113.7%2ftcp%2f443", "public_key": h(pub),
         "relays": ["/ip4/203.0.113.7/tcp/443"]},
        {"description": "order is kept and duplicates are kept; unknown parameters and empty pairs are ignored",
         "text": uri_of(pub) + "?relay=/ip4/1.2.3.4/tcp/1&x=y&&relay=/ip4/5.6.7.8/tcp/2&relay=/ip4/1.2.3.4/tcp/1",
         "public_key": h(pub), "relays": ["/ip4/1.2.3.4/tcp/1", "/ip4/5.6.7.8/tcp/2", "/ip4/1.2.3.4/tcp/1"]},
        {"description": "malformed escape: refused", "text": uri_of(pub) + "?relay=/ip4/1.2.3.4%2", "error": True},
        {"description": "a hint that does not start with '/': refused", "text": uri_of(pub) + "?relay=ip4/1.2.3.4", "error": True},
        {"description": "an escaped space: refused after decoding", "text": uri_of(pub) + "?relay=/dns4/a%20b", "error": True},
        {"description": "a fragment: refused", "text": uri_of(pub) + "#x", "error": True},
    ]
    spend, view = bytes([0x11]) * 32, bytes([0x22]) * 32
    nnyms = []
    for uri, d in [(uri_of(pub), "B_spend = 32x11, B_view = 32x22, the §9 URI (the §13 example)"),
                   (uri_of(pub) + "?relay=" + relays[1], "the same keys, a URI with one hint")]:
        body = bytes([2]) + spend + view + struct.pack(">H", len(uri.encode())) + uri.encode()
        checksum = blake2b(body, 5)
        nnyms.append({"description": d, "spend_public_key": h(spend), "view_public_key": h(view), "uri": uri,
                      "bytes": h(body + checksum), "checksum": h(checksum),
                      "address": "nnym_" + base32_trailing(body + checksum)})
    return base32, accounts, uris, parse_uris, nnyms


def payment_events():
    r, tx = "ab" * 32, "22" * 32
    ok = [('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r, tx), "required fields only"),
          ('{"tx_hash":"%s","R":"%s","protocol":"nanonym","version":2,"amount_raw":"0","memo":"","extra":{"a":[1]}}' % (tx, r),
           "any order, amount 0, empty memo, an unknown field ignored"),
          ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","amount_raw":"340282366920938463463374607431768211455"}' % (r, tx),
           "amount_raw 2^128-1"),
          (' {"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s"} \n' % (r, tx), "whitespace around the object"),
          ('{"version":2.0,"protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r, tx), "version 2.0: a number whose value is 2"),
          ('{"version":2e0,"protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r, tx), "version 2e0: a number whose value is 2"),
          ('{"version":2,"protocol":"nanonym","R":"%s","R":"%s","tx_hash":"%s"}' % ("xyz", r, tx), "R twice: the last one counts"),
          ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","x":%s%s}' % (r, tx, "[" * 15, "]" * 15),
           "an unknown field nested 16 levels deep counting the object (the deepest a reader must take)"),
          ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","memo":"caf\\u00e9 \\ud83d\\ude00 <&>"}' % (r, tx),
           "JSON escapes in a string: a surrogate pair and a Latin-1 letter")]
    bad = [('{"version":2,"protocol":"nanonym","R":"%s"}' % r, "tx_hash missing"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r.upper(), tx), "R in uppercase hex"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r[:62], tx), "R of 62 digits"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","amount_raw":1000}' % (r, tx), "amount_raw as a JSON number"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","amount_raw":"0100"}' % (r, tx), "amount_raw with a leading zero"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","amount_raw":"340282366920938463463374607431768211456"}' % (r, tx),
            "amount_raw 2^128"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","memo":null}' % (r, tx), "memo null (a present field must have its type)"),
           ('{"version":"2","protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r, tx), "version as a string"),
           ('{"version":2,"protocol":"nanonym","R":"%s","R":"%s","tx_hash":"%s"}' % (r, "xyz", tx), "R twice, the last malformed"),
           ('{"version":2.5,"protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r, tx), "version 2.5"),
           ('{"version":1,"protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r, tx), "version 1"),
           ('{"version":2,"protocol":"NanoNym","R":"%s","tx_hash":"%s"}' % (r, tx), "protocol in another case"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s"}x' % (r, tx), "bytes after the object"),
           ('[{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s"}]' % (r, tx), "an array, not an object"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","x":%s%s}' % (r, tx, "[" * 16, "]" * 16),
            "an unknown field nested 17 levels deep counting the object"),
           ('\ufeff{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s"}' % (r, tx), "a UTF-8 byte order mark before the object"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","memo":"a\x01"}' % (r, tx), "memo with a raw control character (U+0001) in the string"),
           ('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","memo":"\\ud83d"}' % (r, tx),
            "memo escaping a lone surrogate (not a Unicode string)")]
    out = [{"description": d, "plaintext": h(t.encode()), "valid": True, "r": r, "tx_hash": tx} for t, d in ok]
    for v, (t, _) in zip(out, ok):
        if "caf" in t:
            v["memo"] = "caf\u00e9 \U0001F600 <&>"
        if '"amount_raw":"0"' in t:
            v["amount_raw"], v["memo"] = "0", ""
        if "211455" in t:
            v["amount_raw"] = "340282366920938463463374607431768211455"
    out += [{"description": d, "plaintext": h(t.encode()), "valid": False} for t, d in bad]
    # Bytes that are not UTF-8 (0xc3 0x28), inside an unknown field that a lazy reader would skip.
    out.append({"description": "invalid UTF-8 inside an unknown field", "valid": False, "plaintext":
                h(('{"version":2,"protocol":"nanonym","R":"%s","tx_hash":"%s","x":"' % (r, tx)).encode() + b"\xc3\x28" + b'"}')})
    return out


def main():
    family("keys", "§9, §4, §10.3", "Seed recovery: k = BLAKE2b-32(key = seed, \"nnrp/notify/v1\" ‖ index:u32 BE), "
           "K = X25519(k, 9), tag = BLAKE2b-32(\"nnrp-tag-v1\" ‖ K), uri = nnrp: + leading base32(K).", keys())
    family("shards", "§8", "Shard DHT keys: CIDv1 raw sha2-256 of \"nnrp/shard/v1/{b}/{i}\" (cid, and its text form); "
           "kad_key is the multihash the Kad wire carries (§14.2). Vectors with only recipient_tag, bits and index give "
           "the shard of a tag (its top b bits).", shards())
    family("notifications", "§3, §12, §13", "Content hash, relay address, protobuf encoding (a standard encoder: fields in "
           "number order, zero values omitted) and JSON form of whole notifications.", notifications())
    values, thresholds, multipliers, required = work()
    family("work", "§6.1, §6.2", "Work values (BLAKE2b-8(work LE ‖ hash) read LE), thresholds from multipliers "
           "(binary64 division of 2^64 − base by the multiplier, truncated; multiplier is the binary64 value of the JSON "
           "number) and multipliers from thresholds (binary64 quotient); required_threshold vectors follow §6.3 with the default "
           "constants (pow as binary64; an implementation's pow may differ in the last bit, see §6.2).",
           [{"kind": "value", **v} for v in values] + [{"kind": "threshold_from_multiplier", **v} for v in thresholds]
           + [{"kind": "multiplier_from_threshold", **v} for v in multipliers]
           + [{"kind": "required_threshold", **v} for v in required])
    family("sealing", "§7", "HPKE base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 with a fixed "
           "ephemeral private key (a sender MUST use a fresh random one); payload = enc ‖ ciphertext; then the content hash "
           "and a work for a low test threshold.", sealing())
    family("receipts", "§11.6", "Store receipts: Ed25519 (RFC 8032, deterministic) over \"nnrp/receipt/1\" ‖ hash ‖ "
           "expires_at:u64 BE with the node's raw 32-byte identity key; peer_id is the key's libp2p peer id.", receipts())
    family("sync", "§11.8.2", "Range summaries: fingerprint = SHA-256(ids in (timestamp, hash) order ‖ n:u64 BE)[0..16]; "
           "ids = the hashes sorted by hash bytes, concatenated.", sync())
    base32, accounts, uris, parse_uris, nnyms = encodings()
    family("encodings", "§10", "Nano base32 (leading and trailing padding), Nano accounts, nnrp: URIs (written and read) "
           "and NanoNym v2 addresses.",
           [{"kind": "base32", **v} for v in base32] + [{"kind": "nano_account", **v} for v in accounts]
           + [{"kind": "uri_write", **v} for v in uris] + [{"kind": "uri_read", **v} for v in parse_uris]
           + [{"kind": "nanonym", **v} for v in nnyms])
    family("payment_events", "§7.1", "Payment event plaintexts a reader accepts (valid: true, with the fields it reads) "
           "or refuses (valid: false).", payment_events())


if __name__ == "__main__":
    sys.exit(main())
