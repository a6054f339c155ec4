# SPDX-License-Identifier: BSD-3-Clause
"""A host on an 802.1Q VLAN, in scapy, for labs whose kernel has no VLAN
support (no 8021q, no VLAN-filtering bridge): it sends and answers tagged
frames on a plain interface (the kernel there ignores frames tagged with a
VLAN it has no device for).

    vlan_host.py serve IFACE VLAN MAC IP[,IP...]
        Answer ARP and ICMP echo (IPv4), neighbour solicitations and
        ICMPv6 echo (IPv6) for the IPs, tagged VLAN, from MAC, until
        SIGTERM.  Every frame it receives for MAC (or broadcast/multicast
        with a tag) is printed, one line each: "rx vlan=N ..." or
        "rx untagged ...".
    vlan_host.py ping IFACE VLAN MAC SRC DST COUNT
        Resolve DST (ARP, or NS for IPv6) tagged VLAN, then send COUNT
        echo requests from SRC; print what came back and exit 0 when every
        request got a reply, each tagged VLAN.
    vlan_host.py send IFACE VLAN MAC COUNT
        Send COUNT ARP requests tagged VLAN (for a VLAN the other side may
        not have) and exit.

Run it with Debian's /usr/bin/python3 (scapy).
"""

import signal
import socket
import sys
import time

from scapy.all import (ARP, ICMP, IP, AsyncSniffer, Dot1Q, Ether,
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, IPv6, conf, sendp)
from scapy.utils6 import in6_getnsma, in6_getnsmac

conf.verb = 0


def tag_of(p):
    return p[Dot1Q].vlan if Dot1Q in p else None


def nsma(addr):
    """Solicited-node multicast address and MAC of an IPv6 address."""
    group = socket.inet_ntop(socket.AF_INET6,
                             in6_getnsma(socket.inet_pton(socket.AF_INET6, addr)))
    return group, in6_getnsmac(socket.inet_pton(socket.AF_INET6, group))


class Host:
    def __init__(self, iface, vlan, mac):
        self.iface, self.vlan, self.mac = iface, int(vlan), mac

    def l2(self, dst):
        return Ether(src=self.mac, dst=dst) / Dot1Q(vlan=self.vlan)

    def send(self, pkt):
        sendp(pkt, iface=self.iface)

    def answer(self, p, ips):
        """The tagged answer to p (ARP, NS, echo for one of ips), or None."""
        if tag_of(p) != self.vlan:
            return None
        if ARP in p and p[ARP].op == 1 and p[ARP].pdst in ips:
            return self.l2(p[Ether].src) / ARP(
                op=2, hwsrc=self.mac, psrc=p[ARP].pdst, hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc)
        if IP in p and ICMP in p and p[ICMP].type == 8 and p[IP].dst in ips:
            return self.l2(p[Ether].src) / IP(src=p[IP].dst, dst=p[IP].src) / ICMP(
                type=0, id=p[ICMP].id, seq=p[ICMP].seq) / bytes(p[ICMP].payload)
        if IPv6 in p and ICMPv6ND_NS in p and p[ICMPv6ND_NS].tgt in ips:
            return self.l2(p[Ether].src) / IPv6(src=p[ICMPv6ND_NS].tgt, dst=p[IPv6].src) / \
                ICMPv6ND_NA(tgt=p[ICMPv6ND_NS].tgt, R=0, S=1, O=1) / \
                ICMPv6NDOptDstLLAddr(lladdr=self.mac)
        if IPv6 in p and ICMPv6EchoRequest in p and p[IPv6].dst in ips:
            q = p[ICMPv6EchoRequest]
            return self.l2(p[Ether].src) / IPv6(src=p[IPv6].dst, dst=p[IPv6].src) / \
                ICMPv6EchoReply(id=q.id, seq=q.seq, data=q.data)
        return None

    def serve(self, ips):
        def on(p):
            if p[Ether].src == self.mac:
                return
            mine = p[Ether].dst == self.mac
            if not mine and not (tag_of(p) is not None and p[Ether].dst[1] in "13579bdf"):
                return
            tag = tag_of(p)
            print(("rx vlan=%d " % tag if tag is not None else "rx untagged ") + p.summary(),
                  flush=True)
            a = self.answer(p, ips)
            if a is not None:
                self.send(a)
        sn = AsyncSniffer(iface=self.iface, prn=on, store=False)
        sn.start()
        print("serving %s on %s vlan %d as %s" % (",".join(ips), self.iface, self.vlan, self.mac),
              flush=True)
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        try:
            while True:
                time.sleep(1)
        finally:
            sn.stop()

    def exchange(self, pkt, match, timeout=2.0):
        """Send pkt, return the first received frame match() accepts, or None."""
        got = []
        sn = AsyncSniffer(iface=self.iface, store=False,
                          prn=lambda p: got.append(p) if match(p) else None)
        sn.start()
        time.sleep(0.3)
        self.send(pkt)
        t0 = time.monotonic()
        while not got and time.monotonic() - t0 < timeout:
            time.sleep(0.05)
        sn.stop()
        return got[0] if got else None

    def resolve(self, src, dst):
        v6 = ":" in dst
        if v6:
            group, gmac = nsma(dst)
            req = self.l2(gmac) / IPv6(src=src, dst=group) / ICMPv6ND_NS(tgt=dst) / \
                ICMPv6NDOptSrcLLAddr(lladdr=self.mac)
            r = self.exchange(req, lambda p: ICMPv6ND_NA in p and p[ICMPv6ND_NA].tgt == dst)
        else:
            req = self.l2("ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=self.mac, psrc=src, pdst=dst)
            r = self.exchange(req, lambda p: ARP in p and p[ARP].op == 2 and p[ARP].psrc == dst)
        if r is None:
            print("no answer resolving %s" % dst)
            return None
        print("resolved %s -> %s (answer %s)" % (
            dst, r[Ether].src, "vlan=%d" % tag_of(r) if tag_of(r) is not None else "untagged"))
        return r[Ether].src if tag_of(r) == self.vlan else None

    def ping(self, src, dst, count):
        mac = self.resolve(src, dst)
        if mac is None:
            return 1
        ok = 0
        for seq in range(1, count + 1):
            if ":" in dst:
                req = self.l2(mac) / IPv6(src=src, dst=dst) / ICMPv6EchoRequest(id=0x4747, seq=seq)
                r = self.exchange(req, lambda p, s=seq: ICMPv6EchoReply in p and
                                  p[ICMPv6EchoReply].seq == s and p[IPv6].src == dst)
            else:
                req = self.l2(mac) / IP(src=src, dst=dst) / ICMP(id=0x4747, seq=seq)
                r = self.exchange(req, lambda p, s=seq: ICMP in p and p[ICMP].type == 0 and
                                  p[ICMP].seq == s and p[IP].src == dst)
            tag = tag_of(r) if r is not None else None
            print("seq %d: %s" % (seq, "no reply" if r is None else
                                   "reply vlan=%s" % tag if tag is not None else "reply untagged"))
            ok += r is not None and tag == self.vlan
        print("%d echo requests, %d tagged replies" % (count, ok))
        return 0 if ok == count else 1

    def arp_burst(self, count):
        for i in range(count):
            self.send(self.l2("ff:ff:ff:ff:ff:ff") /
                      ARP(op=1, hwsrc=self.mac, psrc="10.99.%d.1" % (self.vlan % 256), pdst="10.99.0.2"))
        print("sent %d ARP requests tagged vlan %d" % (count, self.vlan))
        return 0


def main(argv):
    if len(argv) < 5:
        sys.exit(__doc__)
    mode, iface, vlan, mac = argv[1:5]
    h = Host(iface, vlan, mac)
    if mode == "serve" and len(argv) == 6:
        h.serve(argv[5].split(","))
        return 0
    if mode == "ping" and len(argv) == 8:
        return h.ping(argv[5], argv[6], int(argv[7]))
    if mode == "send" and len(argv) == 6:
        return h.arp_burst(int(argv[5]))
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
