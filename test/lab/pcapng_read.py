#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
An independent pcapng reader for the capture tests: it walks the blocks
itself (section header, interface descriptions, enhanced packets, statistics),
checks every block's framing (length at both ends, multiple of 4, inside the
file), and decodes each packet with scapy.

  pcapng_read.py FILE            one line per packet:
      IFNAME DIR PROTO SRC DST WHAT caplen=N len=N ts=SECONDS
  pcapng_read.py --info FILE     the section comment, then one line per
                                 interface: ID NAME
  pcapng_read.py --raw FILE N    packet N (from 0) as hex

DIR is "in", "out" or "?" (the EPB flags option, direction bits).  PROTO is
icmp, icmp6, udp, tcp, esp, arp or the ethertype; WHAT the ICMP type and
sequence ("echo-request seq=3") or the ports.  Exit status 1 (and a message)
when the file does not hold together.
"""
import struct
import sys

BT_SHB = 0x0A0D0D0A
BT_IDB = 1
BT_EPB = 6
BT_ISB = 5
OPT_END = 0
OPT_COMMENT = 1
IDB_NAME = 2
EPB_FLAGS = 2


def die(msg):
    print("pcapng_read: " + msg, file=sys.stderr)
    sys.exit(1)


def options(buf, endian):
    """Options of a block body: {code: [bytes, ...]}."""
    out = {}
    off = 0
    while off + 4 <= len(buf):
        code, length = struct.unpack_from(endian + "HH", buf, off)
        off += 4
        if code == OPT_END:
            break
        if off + length > len(buf):
            die("option %d runs past its block" % code)
        out.setdefault(code, []).append(buf[off:off + length])
        off += (length + 3) & ~3
    return out


def read(path):
    data = open(path, "rb").read()
    if len(data) < 28:
        die("%s: %d bytes, not a pcapng file" % (path, len(data)))
    bt = struct.unpack_from("<I", data, 0)[0]
    if bt != BT_SHB:
        die("%s: no section header block first" % path)
    magic = data[8:12]
    endian = {b"\x4d\x3c\x2b\x1a": "<", b"\x1a\x2b\x3c\x4d": ">"}.get(magic)
    if endian is None:
        die("%s: bad byte-order magic" % path)
    res = {"comment": "", "ifaces": [], "tsresol": [], "packets": [], "isb": 0}
    off = 0
    while off < len(data):
        if off + 12 > len(data):
            die("a truncated block at offset %d" % off)
        bt, blen = struct.unpack_from(endian + "II", data, off)
        if blen < 12 or blen % 4 or off + blen > len(data):
            die("block type %d at offset %d: bad length %d" % (bt, off, blen))
        if struct.unpack_from(endian + "I", data, off + blen - 4)[0] != blen:
            die("block type %d at offset %d: trailing length differs" % (bt, off))
        body = data[off + 8:off + blen - 4]
        if bt == BT_SHB:
            if struct.unpack_from(endian + "HH", body, 4) != (1, 0):
                die("section version is not 1.0")
            c = options(body[16:], endian).get(OPT_COMMENT)
            res["comment"] = c[0].decode("utf-8", "replace") if c else ""
        elif bt == BT_IDB:
            linktype = struct.unpack_from(endian + "H", body, 0)[0]
            if linktype != 1:
                die("interface %d: link type %d, not Ethernet" % (len(res["ifaces"]), linktype))
            o = options(body[8:], endian)
            res["ifaces"].append(o[IDB_NAME][0].decode() if IDB_NAME in o else "?")
            tsr = o.get(9)
            res["tsresol"].append(10 ** -tsr[0][0] if tsr and tsr[0][0] < 128 else 1e-6)
        elif bt == BT_EPB:
            ifid, tsh, tsl, caplen, origlen = struct.unpack_from(endian + "5I", body, 0)
            if ifid >= len(res["ifaces"]):
                die("packet for interface %d, which the file does not describe" % ifid)
            if 20 + caplen > len(body) or caplen > origlen:
                die("packet lengths do not hold: caplen %d, len %d" % (caplen, origlen))
            pkt = body[20:20 + caplen]
            o = options(body[20 + ((caplen + 3) & ~3):], endian)
            flags = struct.unpack_from(endian + "I", o[EPB_FLAGS][0])[0] if EPB_FLAGS in o else 0
            ts = ((tsh << 32) | tsl) * res["tsresol"][ifid]
            res["packets"].append((ifid, flags & 3, ts, caplen, origlen, pkt))
        elif bt == BT_ISB:
            res["isb"] += 1
        off += blen
    return res


def describe(pkt):
    from scapy.layers.inet import ICMP, IP, TCP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import ARP, Ether
    e = Ether(pkt)
    if ARP in e:
        a = e[ARP]
        return "arp %s %s %s" % (a.psrc, a.pdst, "request" if a.op == 1 else "reply")
    ip = e[IP] if IP in e else (e[IPv6] if IPv6 in e else None)
    if ip is None:
        return "0x%04x - - -" % e.type
    if ICMP in e:
        i = e[ICMP]
        what = {8: "echo-request", 0: "echo-reply"}.get(i.type, "type=%d" % i.type)
        return "icmp %s %s %s seq=%d" % (ip.src, ip.dst, what, i.seq)
    if UDP in e:
        return "udp %s %s %d>%d" % (ip.src, ip.dst, e[UDP].sport, e[UDP].dport)
    if TCP in e:
        return "tcp %s %s %d>%d" % (ip.src, ip.dst, e[TCP].sport, e[TCP].dport)
    proto = ip.proto if IP in e else ip.nh
    return "%s %s %s -" % ({50: "esp", 58: "icmp6"}.get(proto, "ip%d" % proto), ip.src, ip.dst)


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--info":
        r = read(args[1])
        print(r["comment"])
        for i, name in enumerate(r["ifaces"]):
            print(i, name)
        return
    if len(args) == 3 and args[0] == "--raw":
        r = read(args[1])
        print(r["packets"][int(args[2])][5].hex())
        return
    if len(args) != 1:
        die("usage: pcapng_read.py [--info] FILE | --raw FILE N")
    r = read(args[0])
    for ifid, d, ts, caplen, origlen, pkt in r["packets"]:
        print("%s %s %s caplen=%d len=%d ts=%.6f" % (
            r["ifaces"][ifid], {1: "in", 2: "out"}.get(d, "?"), describe(pkt), caplen, origlen, ts))


if __name__ == "__main__":
    main()
