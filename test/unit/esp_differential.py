#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Differential test of our ESP (dataplane/esp_out.c, esp_in.c) against
scapy's SecurityAssociation (Debian's python3-scapy 2.5): run with
/usr/bin/python3, which has scapy.

    esp_differential.py PATH/TO/esp_difftool

For every algorithm of common/gw_esp.h's ESP_ALG_LIST x inner IPv4/IPv6 x
outer IPv4/IPv6 x UDP encapsulation (RFC 3948, 4500 -> 4500) off/on x ESN
off/on, one fresh SA pair per combination, a burst of 3 packets (UDP, TCP,
ICMP; sizes varied so that every pad length occurs):

 (a) our encryption -> scapy decrypts -> the inner packet equals the
     original, byte for byte;
 (b) scapy encrypts the same inner packet with our IV and sequence number
     -> its outer packet equals ours, byte for byte, except for the masked
     outer fields (MASK below), which are checked on our packet instead;
 (c) scapy encrypts (its own random IV) -> our decryption gives back the
     inner packet byte for byte, and, in the same burst, a copy with one
     ciphertext byte flipped -> DROP drop_icv, and a replay of the first
     packet -> DROP drop_replay; the window's top must then be the last
     good sequence number (a forged packet never moves it).

Sequence numbers: the tool sets the OUT SA's counter to SEQ - 1 (test
hook), so packets carry SEQ, SEQ+1...  With ESN every base lies past 2^32
or crosses it inside the burst, and the IN SA's replay window is primed to
SEQ - 1 (esp_replay_advance) so that RFC 4303 A2.2 infers the high bits.

scapy 2.5 gaps, stated where they are worked around:
 * ESN with HMAC: scapy's ESP sign()/verify() ignore esn (they only feed
   it to AH and to the GCM AAD), so they compute the ICV without the high
   32 bits, against RFC 4303 2.2.1.  For HMAC + ESN the ICV is computed
   here with Python's hmac over ESP header || IV || ciphertext || seq_hi
   (the same helper reproduces scapy's ICV without ESN: checked on every
   non-ESN packet), and scapy's own verify is required to FAIL on our
   packets (proof that our ICV covers the high bits).  Cipher, padding,
   framing and GCM (whose AAD scapy does extend) are scapy's throughout.
 * scapy zeroes the UDP checksum, also over IPv6: masked (ours is verified).
 * NAT-T over IPv4: scapy 2.5 rebuilds the IPv4 header before appending
   the ESP payload, which freezes the UDP length at 8.  The script writes
   the right length into scapy's packet (and fails if scapy ever stops
   writing 8); the UDP length is then compared, not masked.
"""

import hashlib
import hmac
import os
import random
import re
import struct
import subprocess
import sys
import time

from scapy.compat import raw
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.layers.ipsec import ESP, IPSecIntegrityError, SecurityAssociation
from scapy.packet import Raw
from scapy.utils import checksum

MASK = ("outer IPv4: Identification (2 B), TTL (1 B), header checksum (2 B); "
        "outer IPv6: hop limit (1 B); UDP: checksum (2 B).  On our packet: "
        "the IPv4 header checksum must verify, the UDP checksum must verify "
        "over IPv6 (non-zero) and be 0 or verify over IPv4.  The outer "
        "TOS/traffic class is not masked: scapy's tunnel header gets the "
        "inner packet's (RFC 4301 5.1.2 copy); DF is not masked (both clear).")

# proposal word -> (scapy crypt algo, cipher key bytes, scapy auth algo, hashlib name)
ALGS = {
    "aes128gcm16": ("AES-GCM", 16, None, None),
    "aes192gcm16": ("AES-GCM", 24, None, None),
    "aes256gcm16": ("AES-GCM", 32, None, None),
    "aes128-sha1": ("AES-CBC", 16, "HMAC-SHA1-96", "sha1"),
    "aes128-sha256": ("AES-CBC", 16, "SHA2-256-128", "sha256"),
    "aes128-sha384": ("AES-CBC", 16, "SHA2-384-192", "sha384"),
    "aes128-sha512": ("AES-CBC", 16, "SHA2-512-256", "sha512"),
    "aes256-sha1": ("AES-CBC", 32, "HMAC-SHA1-96", "sha1"),
    "aes256-sha256": ("AES-CBC", 32, "SHA2-256-128", "sha256"),
    "aes256-sha384": ("AES-CBC", 32, "SHA2-384-192", "sha384"),
    "aes256-sha512": ("AES-CBC", 32, "SHA2-512-256", "sha512"),
    "null-sha1": ("NULL", 0, "HMAC-SHA1-96", "sha1"),
    "null-sha256": ("NULL", 0, "SHA2-256-128", "sha256"),
    "null-sha384": ("NULL", 0, "SHA2-384-192", "sha384"),
    "null-sha512": ("NULL", 0, "SHA2-512-256", "sha512"),
}
HASH_OUT = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}

OUTER = {4: ("10.10.0.1", "10.10.0.2"), 6: ("2001:db8:a::1", "2001:db8:a::2")}
INNER = {4: ("192.168.10.5", "172.16.1.9"), 6: ("fd00:10::5", "fd00:16::9")}
NATT = 4500
BURST = 3


class Failure(Exception):
    pass


def header_algs():
    """ESP_ALG_LIST of common/gw_esp.h: [(word, cipher, key, integ, icv)]."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", "common", "gw_esp.h")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    rows = re.findall(r'X\((\w+), "([^"]+)", (\w+), (\d+), (\w+), (\d+)\)', text)
    if not rows:
        raise SystemExit("cannot read ESP_ALG_LIST from " + path)
    return [(w, c, int(k), a, int(i)) for _, w, c, k, a, i in rows]


class Tool:
    """esp_difftool over a pipe: one request line, one reply line."""

    def __init__(self, path):
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1)

    def req(self, *fields):
        self.p.stdin.write(" ".join(str(f) for f in fields) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise SystemExit("esp_difftool died (exit %s)" % self.p.poll())
        words = line.split()
        if words[0] != "OK":
            raise Failure("tool: " + line.strip())
        head = int(words[1].split("=")[1])
        return head, [w.split(":") for w in words[2:]]

    def close(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.close()
        return self.p.wait(timeout=30)


def inner_packets(v, combo, tos):
    """BURST inner packets (bytes) of family v, sizes varied by combo."""
    src, dst = INNER[v]
    pkts = []
    for j in range(BURST):
        n = (combo * 7 + j * 5) % 61 + [0, 300, 1300][j] * (combo % 4 == 3 or j != 2)
        data = Raw(bytes((combo + j + k) & 0xff for k in range(n)))
        l4 = [UDP(sport=1000 + j, dport=53) / data,
              TCP(sport=2000 + j, dport=443, flags="PA", seq=combo) / data,
              None][j]
        if v == 4:
            ip = IP(src=src, dst=dst, tos=tos, ttl=63, id=combo, flags="DF" if j else 0)
            pkts.append(raw(ip / (l4 if l4 is not None else ICMP(id=combo) / data)))
        else:
            ip = IPv6(src=src, dst=dst, tc=tos, fl=combo, hlim=63)
            pkts.append(raw(ip / (l4 if l4 is not None else ICMPv6EchoRequest(id=combo) / data)))
    return pkts


def parse_inner(b):
    return IP(b) if b[0] >> 4 == 4 else IPv6(b)


def esp_icv(hname, key, esp_wo_icv, icv_len, esn, hi):
    """HMAC ICV over ESP header || IV || ciphertext (|| seq_hi with ESN)."""
    msg = esp_wo_icv + (struct.pack("!I", hi) if esn else b"")
    return hmac.new(key, msg, getattr(hashlib, hname)).digest()[:icv_len]


class Combo:
    def __init__(self, idx, alg, iv_v, ov, encap, esn, rng):
        self.idx, self.alg, self.iv_v, self.ov = idx, alg, iv_v, ov
        self.encap, self.esn = encap, esn
        self.crypt, klen, self.auth, self.hname = ALGS[alg]
        self.gcm = self.crypt == "AES-GCM"
        self.enc_key = bytes(rng.getrandbits(8) for _ in range(klen + (4 if self.gcm else 0)))
        self.auth_key = bytes(rng.getrandbits(8) for _ in range(HASH_OUT.get(self.hname, 0)))
        self.spi = 0x1000 + idx
        self.tos = [0, 0xb8, 0x28, 0x01][idx % 4]
        if esn:
            self.seq = [(1 << 32) - 2, (5 << 32) + 0x1234, (0x89abcdef << 32) + 0xfffffffe][idx % 3]
        else:
            self.seq = [1, 0x7ffffffe, 0xfffffff0][idx % 3]
        self.src, self.dst = OUTER[ov]

    def name(self):
        return "%s in%d out%d %s%s seq=%#x" % (self.alg, self.iv_v, self.ov,
                                               "udp" if self.encap else "esp",
                                               " esn" if self.esn else "", self.seq)

    def keys_hex(self):
        return (self.enc_key.hex() or "-", self.auth_key.hex() or "-")

    def icv_len(self):
        return 16 if self.gcm else {"sha1": 12, "sha256": 16, "sha384": 24, "sha512": 32}[self.hname]

    def sa(self):
        if self.ov == 4:
            th = IP(src=self.src, dst=self.dst, tos=self.tos)
        else:
            th = IPv6(src=self.src, dst=self.dst, tc=self.tos)
        return SecurityAssociation(
            ESP, spi=self.spi, crypt_algo=self.crypt,
            crypt_key=self.enc_key if self.crypt != "NULL" else None,
            auth_algo=self.auth, auth_key=self.auth_key or None, tunnel_header=th,
            nat_t_header=UDP(sport=NATT, dport=NATT) if self.encap else None,
            esn_en=self.esn)

    def esp_off(self):
        return (20 if self.ov == 4 else 40) + (8 if self.encap else 0)

    def scapy_encrypt(self, inner, seq, iv):
        """scapy's outer packet (bytes) for inner with seq; HMAC+ESN ICV fixed."""
        sa = self.sa()
        lo, hi = seq & 0xffffffff, seq >> 32
        sa.seq_num = lo
        out = bytearray(raw(sa.encrypt(parse_inner(inner), seq_num=lo, iv=iv,
                                       esn_en=self.esn, esn=hi)))
        if self.encap and self.ov == 4:
            u = self.esp_off() - 8
            if out[u + 4:u + 6] != b"\0\x08":
                raise Failure("scapy's NAT-T UDP length bug is gone: drop this fix-up")
            out[u + 4:u + 6] = struct.pack("!H", len(out) - u)
        if not self.gcm:
            icv_len = self.icv_len()
            body = bytes(out[self.esp_off():len(out) - icv_len])
            ours = esp_icv(self.hname, self.auth_key, body, icv_len, self.esn, hi)
            if not self.esn and ours != out[-icv_len:]:
                raise Failure("python HMAC disagrees with scapy's ICV (no ESN)")
            out[-icv_len:] = ours
        return bytes(out)

    def scapy_decrypt(self, outer, seq):
        """scapy's inner packet (bytes) from our outer packet."""
        hi = seq >> 32
        pkt = IP(outer) if self.ov == 4 else IPv6(outer)
        if ESP not in pkt:
            raise Failure("scapy sees no ESP layer in our packet")
        esp = pkt[ESP]
        if esp.spi != self.spi or esp.seq != seq & 0xffffffff:
            raise Failure("SPI/seq on the wire %#x/%#x" % (esp.spi, esp.seq))
        if not self.gcm:
            icv_len = self.icv_len()
            body, icv = outer[self.esp_off():-icv_len], outer[-icv_len:]
            if esp_icv(self.hname, self.auth_key, body, icv_len, self.esn, hi) != icv:
                raise Failure("our ICV is wrong (Python HMAC%s)" % (" with seq_hi" if self.esn else ""))
            if self.esn:
                try:
                    self.sa().decrypt(IP(outer) if self.ov == 4 else IPv6(outer))
                    raise Failure("our ESN ICV verifies WITHOUT the high bits")
                except IPSecIntegrityError:
                    pass
            return raw(self.sa().decrypt(pkt, verify=False))
        return raw(self.sa().decrypt(pkt, esn_en=self.esn, esn=hi))


def ip4_cksum_ok(h):
    return checksum(h) == 0


def udp_cksum_ok(outer, ov):
    """Our UDP checksum: verifies (IPv6: and non-zero); IPv4 may be 0."""
    if ov == 4:
        ihl = (outer[0] & 15) * 4
        if outer[ihl + 6:ihl + 8] == b"\0\0":
            return True
        ph = outer[12:20] + struct.pack("!BBH", 0, 17, len(outer) - ihl)
        return checksum(ph + outer[ihl:]) == 0
    if outer[46:48] == b"\0\0":
        return False
    ph = outer[8:40] + struct.pack("!IxxxB", len(outer) - 40, 17)
    return checksum(ph + outer[40:]) == 0


def masked_compare(c, ours, theirs, ttls):
    """Byte compare with MASK; checks the masked fields on ours.  Returns
    the number of bytes compared."""
    if len(ours) != len(theirs):
        raise Failure("length ours %d scapy %d" % (len(ours), len(theirs)))
    masked = set()
    if c.ov == 4:
        masked |= {4, 5, 8, 10, 11}
        if not ip4_cksum_ok(ours[:20]):
            raise Failure("our outer IPv4 header checksum is wrong")
        ttls.add(ours[8])
    else:
        masked |= {7}
        ttls.add(ours[7])
    if c.encap:
        u = 20 if c.ov == 4 else 40
        masked |= {u + 6, u + 7}
        if not udp_cksum_ok(ours, c.ov):
            raise Failure("our UDP checksum is wrong (or zero over IPv6)")
    diff = [i for i in range(len(ours)) if i not in masked and ours[i] != theirs[i]]
    if diff:
        raise Failure("bytes differ at %s (ours %s / scapy %s)" % (
            diff[:8], ours[diff[0]:diff[0] + 8].hex(), theirs[diff[0]:diff[0] + 8].hex()))
    return len(ours) - len(masked)


def flip(pkt, c):
    """pkt with one ciphertext byte (just after the IV) flipped."""
    iv_len = {"AES-GCM": 8, "AES-CBC": 16, "NULL": 0}[c.crypt]
    b = bytearray(pkt)
    b[c.esp_off() + 8 + iv_len + 1] ^= 0x40
    return bytes(b)


def run_combo(tool, c, st, ttls, pads):
    ek, ak = c.keys_hex()
    inners = inner_packets(c.iv_v, c.idx, c.tos)
    align = 16 if c.crypt == "AES-CBC" else 4
    pads.setdefault(align, set()).update(-(len(p) + 2) % align for p in inners)
    # (a) ours -> scapy
    last, res = tool.req("enc", c.alg, c.spi, c.seq, int(c.esn), int(c.encap), c.src, c.dst,
                         ek, ak, ",".join(p.hex() for p in inners))
    if last != c.seq + BURST - 1 or len(res) != BURST or any(r[0] != "ok" for r in res):
        raise Failure("enc: seq=%#x results %s" % (last, [r[:2] if r[0] == "drop" else "ok" for r in res]))
    for i, (_, outer_hex, iv_hex) in enumerate(res):
        outer, iv = bytes.fromhex(outer_hex), bytes.fromhex(iv_hex if iv_hex != "-" else "")
        seq = c.seq + i
        if c.gcm and iv != struct.pack("!Q", seq):
            raise Failure("GCM IV %s is not the sequence number" % iv.hex())
        if c.scapy_decrypt(outer, seq) != inners[i]:
            raise Failure("(a) scapy's decryption of our packet %d differs" % i)
        st["a"] += 1
        # (b) scapy with our IV and sequence number
        st["bytes"] += masked_compare(c, outer, c.scapy_encrypt(inners[i], seq, iv), ttls)
        st["b"] += 1
    # (c) scapy (random IVs) -> ours, with a forged and a replayed packet
    pk = [c.scapy_encrypt(inners[i % BURST], c.seq + i, None) for i in range(BURST + 1)]
    burst = pk[:BURST] + [flip(pk[BURST], c), pk[0]]
    top, res = tool.req("dec", c.alg, c.spi, c.seq - 1, int(c.esn), int(c.encap), c.src, c.dst,
                        ek, ak, ",".join(p.hex() for p in burst))
    want = [["ok", p.hex()] for p in inners] + [["drop", "drop_icv"], ["drop", "drop_replay"]]
    if res != want:
        got = [r if r[0] == "drop" else ["ok" if r == w else
                                         "ok, want %s" % w[1] if w[0] == "drop" else
                                         "ok, inner differs"] for r, w in zip(res, want)]
        raise Failure("(c) our decryption: %s" % got)
    if top != c.seq + BURST - 1:
        raise Failure("(c) replay top %#x, want %#x" % (top, c.seq + BURST - 1))
    st["c"] += BURST
    st["neg"] += 2


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    seed = int(os.environ.get("ESP_DIFF_SEED", "20240603"))
    rng = random.Random(seed)
    algs = header_algs()
    missing = [w for w, *_ in algs if w not in ALGS]
    if missing:
        raise SystemExit("no scapy mapping for %s" % missing)
    for w, cipher, klen, _, icv in algs:
        c = Combo(0, w, 4, 4, False, False, rng)
        if c.icv_len() != icv or ALGS[w][1] != klen:
            raise SystemExit("%s: ICV/key length table disagrees with gw_esp.h" % w)
    t0 = time.monotonic()
    tool = Tool(sys.argv[1])
    table, failures, idx = {}, [], 0
    ttls, pads = set(), {}
    for w, *_ in algs:
        row = table.setdefault(w, {"combos": 0, "a": 0, "b": 0, "bytes": 0, "c": 0,
                                   "neg": 0, "fail": 0})
        for iv_v in (4, 6):
            for ov in (4, 6):
                for encap in (False, True):
                    for esn in (False, True):
                        c = Combo(idx, w, iv_v, ov, encap, esn, rng)
                        idx += 1
                        row["combos"] += 1
                        try:
                            run_combo(tool, c, row, ttls, pads)
                        except (Failure, IPSecIntegrityError, ValueError, TypeError) as e:
                            row["fail"] += 1
                            failures.append("%s: %s: %s" % (c.name(), type(e).__name__, e))
    rc = tool.close()
    dt = time.monotonic() - t0
    print("ESP differential test against scapy %s (seed %d, %.1f s)" % (
        __import__("scapy").__version__, seed, dt))
    print("mask: " + MASK)
    print("%-15s %6s %8s %8s %9s %8s %5s %5s" % ("algorithm", "combos", "ours->sc", "bytecmp",
                                              "bytes", "sc->ours", "neg", "FAIL"))
    tot = {k: 0 for k in ("combos", "a", "b", "bytes", "c", "neg", "fail")}
    for w, r in table.items():
        print("%-15s %6d %8d %8d %9d %8d %5d %5d" % (w, r["combos"], r["a"], r["b"], r["bytes"],
                                                  r["c"], r["neg"], r["fail"]))
        for k in tot:
            tot[k] += r[k]
    print("%-15s %6d %8d %8d %9d %8d %5d %5d" % ("total", tot["combos"], tot["a"], tot["b"],
                                              tot["bytes"], tot["c"], tot["neg"], tot["fail"]))
    print("outer TTL/hop limit seen on our packets (masked): %s" % sorted(ttls))
    for align, seen in sorted(pads.items()):
        print("pad lengths exercised with %2d-byte alignment: %s" % (align, sorted(seen)))
        if seen != set(range(align)):
            failures.append("not every pad length 0..%d was exercised" % (align - 1))
    for f in failures[:40]:
        print("FAIL " + f)
    if len(failures) > 40:
        print("... %d more failures" % (len(failures) - 40))
    expected = len(algs) * 16
    if rc != 0 or failures or tot["combos"] != expected:
        print("esp_differential: FAILED (tool exit %s, %d failures, %d/%d combos)" % (
            rc, len(failures), tot["combos"], expected))
        return 1
    print("esp_differential: all %d combinations agree" % tot["combos"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
