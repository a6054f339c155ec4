# SPDX-License-Identifier: BSD-3-Clause
"""Frames for the tunnel-knob test (test/integration/knobs_pcap.sh), and the
check of what the gateway sent, with scapy as the independent ESP
implementation.  Run with Debian's /usr/bin/python3 (python3-scapy).

    knobs_frames.py keys SEED        KEY=0x... lines for lab_render
    knobs_frames.py make SEED DIR    DIR/in_rx.pcap, DIR/out_rx.pcap
    knobs_frames.py check SEED DIR   read DIR/in_tx.pcap and DIR/out_tx.pcap

The gateway (test/lab/knobs.conf.in) has four manual SA pairs with the peer
10.30.0.2: kclamp (tcp_mss 1360, mtu 1400, df copy), kfix (dscp 46, ecn
compat, df set, ttl_decrement false), kdef (defaults) and k6 (inner IPv6,
tcp_mss 1300, mtu 1280, df copy).  in_rx.pcap holds cleartext from the
host 192.168.10.10 / 2001:db8:20::10 (encapsulation cases E*), out_rx.pcap
ESP from the peer that scapy encrypted (decapsulation cases D*, some with
the outer ECN field set).  Every case is marked by its UDP/TCP source port.
`check` decrypts every ESP packet of out_tx.pcap with scapy and reads the
outer and inner headers; in_tx.pcap holds the decapsulated packets and
the ICMP errors.  Checksums are recomputed here from the bytes.  Prints one
line per case and a summary; exit status 1 on any failure.  `make` prints
the number of frames of each file and the expected outputs.
"""

import hashlib
import struct
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, IPv6, Raw, rdpcap, wrpcap  # noqa: E402
from scapy.layers.inet import IPerror, UDPerror, TCPerror  # noqa: E402
from scapy.layers.inet6 import ICMPv6ND_NA, ICMPv6PacketTooBig  # noqa: E402
from scapy.layers.ipsec import ESP, SecurityAssociation  # noqa: E402
from scapy.utils import checksum  # noqa: E402

GW_IN_MAC, GW_OUT_MAC = "02:70:63:61:70:00", "02:70:63:61:70:01"
HOST_MAC, PEER_MAC = "02:00:00:00:00:10", "02:00:00:00:00:02"
HOST4, HOST6 = "192.168.10.10", "2001:db8:20::10"
GW4, PEER4 = "10.30.0.1", "10.30.0.2"
# name: (spi_in, spi_out, a remote host of its selectors)
SAS = {
    "kclamp": (0x5101, 0x5201, "172.16.1.9"),
    "kfix": (0x5102, 0x5202, "172.16.2.9"),
    "kdef": (0x5103, 0x5203, "172.16.3.9"),
    "k6": (0x5104, 0x5204, "2001:db8:40::9"),
}
DF = 2  # IPv4 flags value of DF in scapy
MSS_SENT = {41002: 1200}  # by source port; else 1460
NO = None


def key(seed, name, d):
    """The 20-byte AES-128-GCM key + salt of SA name, direction d."""
    return hashlib.sha256(("%s:%s:%s" % (seed, name, d)).encode()).digest()[:20]


def sa(seed, name, d, outer_tos=0):
    spi_in, spi_out, _ = SAS[name]
    return SecurityAssociation(
        ESP, spi=spi_in if d == "in" else spi_out, crypt_algo="AES-GCM",
        crypt_key=key(seed, name, d),
        tunnel_header=IP(src=PEER4, dst=GW4, tos=outer_tos))


def inner(name, sport, l4, size=0, tos=0, ttl=64, flags=0, rev=False):
    """An inner packet of SA name's selectors (rev: from its remote host)."""
    far = SAS[name][2]
    v6 = ":" in far
    src, dst = (far, HOST6 if v6 else HOST4) if rev else (HOST6 if v6 else HOST4, far)
    if l4 == "udp":
        l4p = UDP(sport=sport, dport=53)
    else:
        # Odd ports: the MSS option after a NOP, at an odd offset.
        mss = MSS_SENT.get(sport, 1460)
        l4p = TCP(sport=sport, dport=443, flags=l4, seq=1000,
                  options=[("NOP", None), ("MSS", mss), ("WScale", 7)] if sport % 2 else
                  [("MSS", mss), ("SAckOK", b"")])
    ip = IPv6(src=src, dst=dst, tc=tos, hlim=ttl) if v6 else \
        IP(src=src, dst=dst, tos=tos, ttl=ttl, flags=flags, id=sport & 0xffff)
    p = ip / l4p
    pad = size - len(p)
    return p / Raw(bytes(i & 0xff for i in range(pad))) if pad > 0 else p


# E: from the host.  Fields: sa, sport, l4, size, tos, ttl, flags, and what
# comes out: ("esp", outer DF, outer TOS, inner TTL, MSS or NO, inner TOS)
# or ("icmp", type, MTU).
ENC = [
    ("E1 SYN, MSS 1460 -> 1360, DF copied, DSCP+ECN copied",
     "kclamp", 41001, "S", 0, 0xb9, 64, DF, ("esp", 1, 0xb9, 63, 1360, 0xb9)),
    ("E2 SYN-ACK, MSS 1200 below the clamp",
     "kclamp", 41002, "SA", 0, 0, 64, 0, ("esp", 0, 0, 63, 1200, 0)),
    ("E3 UDP without DF: outer DF clear (copy), ECT(0) copied",
     "kclamp", 41004, "udp", 1000, 0x02, 64, 0, ("esp", 0, 0x02, 63, NO, 0x02)),
    ("E4 UDP with DF, 1401 > mtu 1400: ICMP fragmentation needed, MTU 1400",
     "kclamp", 41006, "udp", 1401, 0, 64, DF, ("icmp", 3, 1400)),
    ("E5 UDP without DF, 1401 > mtu 1400: encrypted whole",
     "kclamp", 41008, "udp", 1401, 0, 64, 0, ("esp", 0, 0, 63, NO, 0)),
    ("E6 UDP: df set, DSCP 46 fixed, ECN compat (CE -> Not-ECT), TTL kept",
     "kfix", 41010, "udp", 300, 0x03, 64, 0, ("esp", 1, 0xb8, 64, NO, 0x03)),
    ("E7 SYN on a tunnel without tcp_mss: MSS 1460 kept",
     "kfix", 41012, "S", 0, 0, 64, DF, ("esp", 1, 0xb8, 64, 1460, 0)),
    ("E8 UDP with DF, defaults: outer DF clear, TOS copied, TTL - 1",
     "kdef", 41014, "udp", 200, 0x2a, 64, DF, ("esp", 0, 0x2a, 63, NO, 0x2a)),
    ("E9 UDP with TTL 1: ICMP time exceeded, not encrypted",
     "kdef", 41016, "udp", 100, 0, 1, 0, ("icmp", 11, 0)),
    ("E10 IPv6 SYN, MSS 1460 -> 1300, outer DF set (copy, inner IPv6)",
     "k6", 41017, "S", 0, 0, 64, 0, ("esp", 1, 0, 63, 1300, 0)),
    ("E11 IPv6 UDP, 1281 > mtu 1280: ICMPv6 packet too big, MTU 1280",
     "k6", 41018, "udp", 1281, 0, 64, 0, ("icmp6", 2, 1280)),
    ("E12 IPv6 UDP, traffic class 0xb9 copied to the outer TOS",
     "k6", 41020, "udp", 100, 0xb9, 64, 0, ("esp", 1, 0xb9, 63, NO, 0xb9)),
]

# D: from the peer, ESP.  Fields: sa, sport, l4, inner TOS, outer TOS, TTL,
# and what comes out: (inner TOS, TTL, MSS or NO), or None: dropped.
DEC = [
    ("D1 SYN-ACK, MSS 1460 -> 1360 after decryption", "kclamp", 42001, "SA", 0, 0, 64,
     (0, 63, 1360)),
    ("D2 outer CE over inner ECT(0) -> CE", "kclamp", 42002, "udp", 0x02, 0x03, 64,
     (0x03, 63, NO)),
    ("D3 outer CE over inner Not-ECT -> dropped", "kclamp", 42004, "udp", 0, 0x03, 64, None),
    ("D4 outer ECT(1) over inner ECT(0) -> ECT(1)", "kclamp", 42006, "udp", 0x02, 0x01, 64,
     (0x01, 63, NO)),
    ("D5 outer ECT(0) over inner ECT(1): unchanged", "kclamp", 42008, "udp", 0xb9, 0x02, 64,
     (0xb9, 63, NO)),
    ("D6 ttl_decrement = false: TTL 64 kept", "kfix", 42010, "udp", 0, 0, 64, (0, 64, NO)),
    ("D7 outer DSCP 46 not copied inside; TTL - 1", "kdef", 42012, "udp", 0, 0xb8, 64,
     (0, 63, NO)),
    ("D8 IPv6 SYN, MSS 1460 -> 1300", "k6", 42013, "S", 0, 0, 64, (0, 63, 1300)),
    ("D9 IPv6: outer CE over ECT(0) -> CE", "k6", 42014, "udp", 0x02, 0x03, 64, (0x03, 63, NO)),
]


def enc_packet(c):
    _, name, sport, l4, size, tos, ttl, flags, _ = c
    return Ether(src=HOST_MAC, dst=GW_IN_MAC) / inner(name, sport, l4, size, tos, ttl, flags)


def dec_packets(seed):
    seq = {}
    out = []
    for c in DEC:
        _, name, sport, l4, tos, otos, ttl, _ = c
        seq[name] = seq.get(name, 0) + 1
        p = inner(name, sport, l4, 120 if l4 == "udp" else 0, tos, ttl, rev=True)
        e = sa(seed, name, "in", otos).encrypt(p, seq_num=seq[name])
        out.append(Ether(src=PEER_MAC, dst=GW_OUT_MAC) / e)
    return out


def cmd_keys(seed):
    for name in SAS:
        for d in ("in", "out"):
            print("%s_%s=0x%s" % (name.upper(), d.upper(), key(seed, name, d).hex()))


def cmd_make(seed, d):
    wrpcap(d + "/in_rx.pcap", [enc_packet(c) for c in ENC])
    wrpcap(d + "/out_rx.pcap", dec_packets(seed))
    n_esp = sum(1 for c in ENC if c[-1][0] == "esp")
    n_in = sum(1 for c in ENC if c[-1][0] != "esp") + sum(1 for c in DEC if c[-1] is not None)
    print("in_rx=%d out_rx=%d expect_out_tx=%d expect_in_tx=%d" % (len(ENC), len(DEC), n_esp, n_in))


# ---- independent header checks on raw bytes ----

def ip4_hdr_ok(b):
    return checksum(b[:(b[0] & 15) * 4]) == 0


def l4_sum_ok(b):
    """The TCP/UDP checksum of the IP packet b verifies (pseudo-header + L4)."""
    if b[0] >> 4 == 4:
        ihl, tot = (b[0] & 15) * 4, struct.unpack("!H", b[2:4])[0]
        l4 = b[ihl:tot]
        ph = b[12:20] + struct.pack("!BBH", 0, b[9], len(l4))
    else:
        l4 = b[40:40 + struct.unpack("!H", b[4:6])[0]]
        ph = b[8:40] + struct.pack("!IxxxB", len(l4), b[6])
    return checksum(ph + l4) == 0


def tos_of(b):
    return b[1] if b[0] >> 4 == 4 else ((b[0] & 15) << 4) | (b[1] >> 4)


def ttl_of(b):
    return b[8] if b[0] >> 4 == 4 else b[7]


def mss_of(p):
    for k, v in p[TCP].options:
        if k == "MSS":
            return v
    return None


def sport_of(p):
    for layer in (UDP, TCP, UDPerror, TCPerror):
        if layer in p:
            return p[layer].sport
    return None


class Checker:
    def __init__(self):
        self.fails = 0
        self.passed = 0

    def case(self, what, errs):
        if errs:
            self.fails += 1
            print("FAIL %s: %s" % (what, "; ".join(errs)))
        else:
            self.passed += 1
            print("ok   %s" % what)


def announce(f):
    """The gateway's gratuitous ARP and unsolicited NA at start."""
    return ARP in f or ICMPv6ND_NA in f


def decrypt_out(seed, frames):
    """sport -> (outer bytes, inner scapy packet) for every ESP frame."""
    by_spi = {spi_out: name for name, (_, spi_out, _) in SAS.items()}
    got, errs = {}, []
    n = 0
    for f in frames:
        if announce(f):
            continue
        n += 1
        if IP not in f or ESP not in f:
            errs.append("not ESP: " + f.summary())
            continue
        outer = bytes(f[IP])
        name = by_spi.get(f[ESP].spi)
        if name is None:
            errs.append("unknown SPI %#x" % f[ESP].spi)
            continue
        try:
            p = sa(seed, name, "out").decrypt(IP(outer))
        except Exception as e:  # noqa: BLE001 - any scapy failure is a finding
            errs.append("SPI %#x: scapy cannot decrypt: %s" % (f[ESP].spi, e))
            continue
        got[sport_of(p)] = (outer, p, name)
    if n != len(got):
        errs.append("%d frames for %d cases" % (n, len(got)))
    return got, errs


def check_esp(c, got):
    what, name, sport, _, size, _, _, _, want = c
    _, df, otos, ttl, mss, itos = want
    if sport not in got:
        return ["no ESP packet for it"]
    outer, p, sa_name = got[sport]
    b = bytes(p)
    errs = []
    if sa_name != name:
        errs.append("came through SA %s" % sa_name)
    if not ip4_hdr_ok(outer):
        errs.append("outer IPv4 checksum wrong")
    if (outer[6] >> 6) & 1 != df:
        errs.append("outer DF %d, want %d" % ((outer[6] >> 6) & 1, df))
    if outer[1] != otos:
        errs.append("outer TOS %#04x, want %#04x" % (outer[1], otos))
    if tos_of(b) != itos:
        errs.append("inner TOS %#04x, want %#04x" % (tos_of(b), itos))
    if ttl_of(b) != ttl:
        errs.append("inner TTL %d, want %d" % (ttl_of(b), ttl))
    if b[0] >> 4 == 4 and not ip4_hdr_ok(b):
        errs.append("inner IPv4 checksum wrong")
    if not l4_sum_ok(b):
        errs.append("inner L4 checksum wrong")
    if mss is not None and mss_of(p) != mss:
        errs.append("MSS %s, want %d" % (mss_of(p), mss))
    if size and len(b) != size:
        errs.append("inner length %d, want %d" % (len(b), size))
    return errs


def check_icmp(c, icmps):
    what, name, sport, _, size, _, _, _, want = c
    kind, typ, mtu = want
    if sport not in icmps:
        return ["no ICMP error about it"]
    p = icmps[sport]
    if kind == "icmp6":
        if ICMPv6PacketTooBig not in p:
            return ["not an ICMPv6 packet too big: " + p.summary()]
        errs = [] if p[ICMPv6PacketTooBig].mtu == mtu else \
            ["MTU %d, want %d" % (p[ICMPv6PacketTooBig].mtu, mtu)]
        return errs + ([] if p[IPv6].dst == HOST6 else ["to %s" % p[IPv6].dst])
    errs = []
    if p[ICMP].type != typ:
        errs.append("ICMP type %d, want %d" % (p[ICMP].type, typ))
    if typ == 3 and (p[ICMP].code != 4 or p[ICMP].nexthopmtu != mtu):
        errs.append("code %d MTU %d, want 4 and %d" % (p[ICMP].code, p[ICMP].nexthopmtu, mtu))
    if p[IP].dst != HOST4:
        errs.append("to %s" % p[IP].dst)
    return errs


def check_dec(c, plain):
    what, name, sport, _, _, _, _, want = c
    if want is None:
        return ["delivered, want dropped"] if sport in plain else []
    if sport not in plain:
        return ["not delivered"]
    p = plain[sport]
    b = bytes(p[IP] if IP in p else p[IPv6])
    tos, ttl, mss = want
    errs = []
    if tos_of(b) != tos:
        errs.append("inner TOS %#04x, want %#04x" % (tos_of(b), tos))
    if ttl_of(b) != ttl:
        errs.append("TTL %d, want %d" % (ttl_of(b), ttl))
    if b[0] >> 4 == 4 and not ip4_hdr_ok(b):
        errs.append("IPv4 checksum wrong")
    if not l4_sum_ok(b):
        errs.append("L4 checksum wrong")
    if mss is not None and mss_of(p) != mss:
        errs.append("MSS %s, want %d" % (mss_of(p), mss))
    if p[Ether].dst != HOST_MAC:
        errs.append("to MAC %s" % p[Ether].dst)
    return errs


def cmd_check(seed, d):
    out_tx, in_tx = rdpcap(d + "/out_tx.pcap"), rdpcap(d + "/in_tx.pcap")
    ck = Checker()
    got, errs = decrypt_out(seed, out_tx)
    icmps, plain, other = {}, {}, []
    n_in = 0
    for f in in_tx:
        if announce(f):
            continue
        n_in += 1
        if (ICMP in f and f[ICMP].type in (3, 11)) or ICMPv6PacketTooBig in f:
            icmps[sport_of(f)] = f
        elif UDP in f or TCP in f:
            plain[sport_of(f)] = f
        else:
            other.append(f.summary())
    n_esp = sum(1 for c in ENC if c[-1][0] == "esp")
    if len(got) != n_esp:
        errs.append("%d ESP packets of distinct cases, want %d" % (len(got), n_esp))
    ck.case("out_tx.pcap: %d ESP packets, scapy decrypts each" % len(got), errs)
    errs = ["unexpected: " + s for s in other[:5]]
    n_icmp = len(ENC) - n_esp
    n_plain = sum(1 for c in DEC if c[-1] is not None)
    if len(icmps) != n_icmp or len(plain) != n_plain or n_icmp + n_plain + len(other) != n_in:
        errs.append("want %d ICMP errors and %d decapsulated packets, once each" % (
            n_icmp, n_plain))
    ck.case("in_tx.pcap: %d ICMP errors, %d decapsulated packets" % (len(icmps), len(plain)),
            errs)
    for c in ENC:
        errs = check_esp(c, got) if c[-1][0] == "esp" else check_icmp(c, icmps)
        if c[-1][0] != "esp" and c[2] in got:
            errs.append("also sent encrypted")
        ck.case(c[0], errs)
    for c in DEC:
        ck.case(c[0], check_dec(c, plain))
    print("knobs_frames: %d cases passed, %d failed" % (ck.passed, ck.fails))
    return 1 if ck.fails else 0


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("keys", "make", "check"):
        sys.exit(__doc__)
    seed = sys.argv[2]
    if sys.argv[1] == "keys":
        cmd_keys(seed)
        return 0
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        cmd_make(seed, sys.argv[3])
        return 0
    return cmd_check(seed, sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
