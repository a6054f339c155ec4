# SPDX-License-Identifier: BSD-3-Clause
"""Classify every frame of a capture taken between two ESP gateways.

    esp_capture.py PCAP GW_A GW_B INNER_PREFIX...

Prints one summary line

    frames=N esp=E natt=U keepalive=K arp=A nd=D leak=L other=O

and, for at most 10 frames each, what made a frame "leak" or "other":
  esp        IPv4/IPv6 protocol 50 between GW_A and GW_B
  natt       UDP 4500 <-> any port between GW_A and GW_B carrying ESP
             (non-zero SPI: RFC 3948 2.2's non-ESP marker is 4 zero bytes)
  keepalive  the 1-byte 0xFF NAT keepalive on 4500 between the gateways
  arp, nd    address resolution, ICMPv6 router/neighbour discovery and MLD
  leak       any IP packet to or from an INNER_PREFIX address, any ICMP or
             ICMPv6 echo: cleartext that should have been encrypted
  other      anything else (IKE on 500/4500 with the non-ESP marker too)
Exit status 0; the caller checks the counts.  Needs scapy (Debian's
python3-scapy, /usr/bin/python3).
"""

import ipaddress
import sys

from scapy.all import ARP, ICMP, IP, UDP, IPv6, rdpcap  # noqa: E402
from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest  # noqa: E402

ND_TYPES = {133, 134, 135, 136, 137, 143, 130, 131, 132}


def ip_layer(pkt):
    if IP in pkt:
        return pkt[IP]
    if IPv6 in pkt:
        return pkt[IPv6]
    return None


def icmp6_type(ip6):
    """The ICMPv6 type after any extension headers (MLD comes after a
    hop-by-hop header), or -1."""
    p = ip6.payload
    while p.__class__.__name__.startswith("IPv6ExtHdr"):
        p = p.payload
    if p.__class__.__name__.startswith(("ICMPv6", "_ICMPv6")) and hasattr(p, "type"):
        return p.type
    return -1


def classify(pkt, gws, inner):
    if ARP in pkt:
        return "arp", ""
    ip = ip_layer(pkt)
    if ip is None:
        return "other", pkt.summary()
    src, dst = ipaddress.ip_address(ip.src), ipaddress.ip_address(ip.dst)
    for a in (src, dst):
        if any(a in net for net in inner):
            return "leak", "inner address %s: %s" % (a, pkt.summary())
    if ICMP in pkt and pkt[ICMP].type in (0, 8):
        return "leak", "ICMP echo: " + pkt.summary()
    if ICMPv6EchoRequest in pkt or ICMPv6EchoReply in pkt:
        return "leak", "ICMPv6 echo: " + pkt.summary()
    proto = ip.proto if IP in pkt else ip.nh
    between = {str(src), str(dst)} == gws
    if proto == 50 and between:
        return "esp", ""
    if IPv6 in pkt and icmp6_type(ip) in ND_TYPES:
        return "nd", ""
    if UDP in pkt and between and 4500 in (pkt[UDP].sport, pkt[UDP].dport):
        data = bytes(pkt[UDP].payload)
        if data == b"\xff":
            return "keepalive", ""
        if len(data) >= 8 and data[:4] != b"\x00\x00\x00\x00":
            return "natt", ""
    return "other", pkt.summary()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    gws = {str(ipaddress.ip_address(sys.argv[2])), str(ipaddress.ip_address(sys.argv[3]))}
    inner = [ipaddress.ip_network(p) for p in sys.argv[4:]]
    counts = dict.fromkeys(["esp", "natt", "keepalive", "arp", "nd", "leak", "other"], 0)
    shown = {"leak": 0, "other": 0}
    frames = rdpcap(sys.argv[1])
    for pkt in frames:
        kind, why = classify(pkt, gws, inner)
        counts[kind] += 1
        if kind in shown and shown[kind] < 10:
            shown[kind] += 1
            print("%s: %s" % (kind, why))
    print("frames=%d " % len(frames) + " ".join("%s=%d" % kv for kv in counts.items()))


if __name__ == "__main__":
    main()
