# SPDX-License-Identifier: BSD-3-Clause
"""Hand-made frames for the ipsecgw lab, sent with scapy from a namespace.

Run with Debian's interpreter (/usr/bin/python3 has python3-scapy), inside the
namespace that owns IFACE:

    frames.py malformed KIND IFACE DST_MAC SRC_IP DST_IP [COUNT]
        KIND: runt (10 bytes: a veth pads it to 14) | eth-only (14 bytes, type
        IPv4, no IP header) | ip-hdr | ip-cksum | ip-len | arp-truncated
    frames.py pcap-malformed FILE DST_MAC SRC_IP DST_IP COUNT
        COUNT frames of every kind into a pcap file, where a runt stays a runt
    frames.py ike IFACE DST_MAC SRC_IP DST_IP PORT SIZE [--marker] [--fragsize N]
        an IKE-looking UDP datagram (PORT 500 or 4500; --marker puts the
        4-byte zero non-ESP marker first), IP-fragmented when --fragsize is given
        (--reverse sends the fragments last first)
    frames.py sock DST_IP PORT SIZE [--marker] [--count N]
        the same datagram through a kernel UDP socket bound to PORT (the
        kernel fragments it when it exceeds the MTU)
    frames.py keepalive IFACE DST_MAC SRC_IP DST_IP
        a NAT-T keepalive: one 0xff byte to UDP 4500 (RFC 3948)
    frames.py pcap FILE DST_MAC SRC_IP DST_NET FRAME_LEN COUNT
        COUNT UDP frames of FRAME_LEN bytes (without FCS), spread over
        COUNT destinations in DST_NET (a /16 given as "a.b"), for benchmarks

Every frame is printed as one summary line, so a test log shows what was sent.
"""

import argparse
import logging
import os
import socket
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ARP, IP, UDP, Ether, Raw, fragment, get_if_hwaddr, sendp, wrpcap  # noqa: E402


def ike_header(length):
    """A 28-byte IKEv2 header: SPIs, next payload 0, version 2.0, IKE_SA_INIT."""
    spi_i = os.urandom(8)
    return spi_i + bytes(8) + bytes([0, 0x20, 34, 0x08]) + bytes(4) + length.to_bytes(4, "big")


def malformed(kind, src_mac, dst_mac, src_ip, dst_ip):
    eth = Ether(src=src_mac, dst=dst_mac)
    ok_ip = IP(src=src_ip, dst=dst_ip, ttl=64) / UDP(sport=40000, dport=9) / Raw(b"x" * 32)
    if kind == "runt":
        # Shorter than an Ethernet header: destination MAC and 4 more bytes.
        return Raw(bytes.fromhex(dst_mac.replace(":", "")) + b"\x02\x00\x00\x00")
    if kind == "eth-only":
        return Ether(src=src_mac, dst=dst_mac, type=0x0800)
    if kind == "ip-hdr":
        # IHL 4: a header shorter than the 20-byte minimum.
        pkt = eth / IP(bytes(ok_ip))
        raw = bytearray(bytes(pkt))
        raw[14] = 0x44
        return Ether(bytes(raw))
    if kind == "ip-cksum":
        pkt = IP(bytes(ok_ip))
        pkt.chksum = (IP(bytes(ok_ip)).chksum ^ 0x5a5a) or 1
        return eth / pkt
    if kind == "ip-len":
        # Total length claims 200 bytes more than the frame holds.
        pkt = IP(bytes(ok_ip))
        pkt.len = len(ok_ip) + 200
        del pkt.chksum
        return eth / IP(bytes(pkt))
    if kind == "arp-truncated":
        arp = bytes(ARP(op=1, hwsrc=src_mac, psrc=src_ip, pdst=dst_ip))
        return Ether(src=src_mac, dst=dst_mac, type=0x0806) / Raw(arp[:12])
    raise SystemExit(f"unknown malformed kind {kind!r}")


KINDS = ["runt", "eth-only", "ip-hdr", "ip-cksum", "ip-len", "arp-truncated"]


def cmd_pcap_malformed(args):
    frames = []
    for kind in KINDS:
        frame = malformed(kind, "02:00:00:00:10:10", args.dst_mac, args.src_ip, args.dst_ip)
        frames += [frame] * args.count
        print(f"{args.file}: {args.count} x {kind}: {len(bytes(frame))} bytes")
    wrpcap(args.file, frames)


def cmd_malformed(args):
    src_mac = get_if_hwaddr(args.iface)
    frame = malformed(args.kind, src_mac, args.dst_mac, args.src_ip, args.dst_ip)
    print(f"sending {args.count} x {args.kind}: {len(bytes(frame))} bytes: {bytes(frame)[:40].hex()}")
    sendp(frame, iface=args.iface, count=args.count, verbose=False)


def ike_payload(size, marker):
    """size bytes of UDP payload: [non-ESP marker] IKE header, counting bytes."""
    body_len = size - (4 if marker else 0)
    if body_len < 28:
        raise SystemExit("size too small for an IKE header")
    body = ike_header(body_len) + bytes((i & 0xFF for i in range(body_len - 28)))
    return bytes(4) + body if marker else body


def cmd_ike(args):
    src_mac = get_if_hwaddr(args.iface)
    body = ike_payload(args.size, args.marker)
    ip = IP(src=args.src_ip, dst=args.dst_ip, id=os.getpid() & 0xFFFF) / UDP(
        sport=args.port, dport=args.port) / Raw(body)
    pkts = fragment(ip, fragsize=args.fragsize) if args.fragsize else [ip]
    if args.reverse:
        pkts = list(reversed(pkts))
    frames = [Ether(src=src_mac, dst=args.dst_mac) / p for p in pkts]
    for frame in frames:
        print(f"sending {frame[IP].summary()} ({len(bytes(frame))} bytes, "
              f"frag offset {frame[IP].frag * 8}, MF {int(frame[IP].flags.MF)})")
    sendp(frames, iface=args.iface, verbose=False)


def cmd_sock(args):
    family = socket.AF_INET6 if ":" in args.dst_ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("", args.port))
        for _ in range(args.count):
            sent = sock.sendto(ike_payload(args.size, args.marker), (args.dst_ip, args.port))
            print(f"sent {sent} bytes from UDP {args.port} to {args.dst_ip}:{args.port}"
                  f"{' with non-ESP marker' if args.marker else ''}")


def cmd_keepalive(args):
    src_mac = get_if_hwaddr(args.iface)
    frame = Ether(src=src_mac, dst=args.dst_mac) / IP(src=args.src_ip, dst=args.dst_ip) / UDP(
        sport=4500, dport=4500) / Raw(b"\xff")
    print(f"sending NAT-T keepalive {frame[IP].summary()}")
    sendp(frame, iface=args.iface, verbose=False)


def cmd_pcap(args):
    hdr = 14 + 20 + 8
    if args.frame_len < 60 or args.frame_len > 9000:
        raise SystemExit("frame length must be 60..9000")
    net = args.dst_net.split(".")
    frames = []
    for i in range(args.count):
        dst = f"{net[0]}.{net[1]}.{(i >> 8) & 0xFF}.{(i & 0xFF) or 1}"
        frames.append(Ether(src="02:00:00:00:10:10", dst=args.dst_mac) /
                      IP(src=args.src_ip, dst=dst, ttl=64) /
                      UDP(sport=1024 + i, dport=9) / Raw(bytes(args.frame_len - hdr)))
    wrpcap(args.file, frames)
    print(f"{args.file}: {len(frames)} frames of {len(bytes(frames[0]))} bytes to {args.dst_mac}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("malformed")
    p.add_argument("kind", choices=KINDS)
    for name in ("iface", "dst_mac", "src_ip", "dst_ip"):
        p.add_argument(name)
    p.add_argument("count", type=int, nargs="?", default=1)
    p.set_defaults(fn=cmd_malformed)

    p = sub.add_parser("pcap-malformed")
    for name in ("file", "dst_mac", "src_ip", "dst_ip"):
        p.add_argument(name)
    p.add_argument("count", type=int)
    p.set_defaults(fn=cmd_pcap_malformed)

    p = sub.add_parser("ike")
    for name in ("iface", "dst_mac", "src_ip", "dst_ip"):
        p.add_argument(name)
    p.add_argument("port", type=int, choices=[500, 4500])
    p.add_argument("size", type=int, help="UDP payload bytes")
    p.add_argument("--marker", action="store_true")
    p.add_argument("--fragsize", type=int, default=0)
    p.add_argument("--reverse", action="store_true")
    p.set_defaults(fn=cmd_ike)

    p = sub.add_parser("sock")
    p.add_argument("dst_ip")
    p.add_argument("port", type=int, choices=[500, 4500])
    p.add_argument("size", type=int, help="UDP payload bytes")
    p.add_argument("--marker", action="store_true")
    p.add_argument("--count", type=int, default=1)
    p.set_defaults(fn=cmd_sock)

    p = sub.add_parser("keepalive")
    for name in ("iface", "dst_mac", "src_ip", "dst_ip"):
        p.add_argument(name)
    p.set_defaults(fn=cmd_keepalive)

    p = sub.add_parser("pcap")
    for name in ("file", "dst_mac", "src_ip", "dst_net"):
        p.add_argument(name)
    p.add_argument("frame_len", type=int)
    p.add_argument("count", type=int)
    p.set_defaults(fn=cmd_pcap)

    args = ap.parse_args()
    args.fn(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
