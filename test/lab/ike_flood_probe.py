#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What a flood does to the gateway, sampled (test/integration/ike_flood.sh).

  ike_flood_probe.py --sock SOCKET --pid PID --iface IF --src-ip A --dst-ip B
                     --duration S --out FILE [--interval S] [--t0 EPOCH]
                     [--cookie-base N]

Run it in a namespace on the gateway's link (IF there, with address A).
Every --interval (0.05 s) it times one telemetry round trip
(/ipsecgw/ikev2/stats: half_open, ikev2_cookie_sent), and reads the
gateway's VmRSS from /proc/PID/status; every 0.1 s it sends an ARP request
for B from IF (an AF_PACKET socket) and counts the replies that came back
within 1 s.  /ipsecgw/punt is read once a second when the gateway has it.
The summary (JSON, also printed) holds:
  rtt_ms {p50, p99, max, n}, half_open_max, half_open_last, cookie_on_s
  (seconds from --t0 to the first sample with ikev2_cookie_sent above
  --cookie-base, or above its first value; null if never), rss_kb {first, max, last}, arp {sent,
  answered}, telemetry_errors, and the samples [t, rtt_ms, half_open,
  cookie_sent, rss_kb].
"""

import argparse
import json
import os
import select
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tmquery import Telemetry  # noqa: E402

ETH_P_ARP = 0x0806


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(p / 100.0 * len(v)))], 3)


class Arp:
    def __init__(self, iface, src_ip, dst_ip):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
        self.sock.bind((iface, ETH_P_ARP))
        self.sock.setblocking(False)
        self.mac = self.sock.getsockname()[4][:6]
        self.src, self.dst = socket.inet_aton(src_ip), socket.inet_aton(dst_ip)
        self.sent = []		# send times
        self.replies = []	# reply times

    def send(self):
        frame = (b"\xff" * 6 + self.mac + struct.pack(">H", ETH_P_ARP) +
                 struct.pack(">HHBBH", 1, 0x0800, 6, 4, 1) + self.mac + self.src +
                 b"\0" * 6 + self.dst)
        self.sock.send(frame)
        self.sent.append(time.time())

    def recv(self):
        while True:
            try:
                f = self.sock.recv(2048)
            except BlockingIOError:
                return
            # an ARP reply from dst to us
            if len(f) >= 42 and f[20:22] == b"\x00\x02" and f[28:32] == self.dst and \
                    f[38:42] == self.src:
                self.replies.append(time.time())

    def answered(self):
        """Requests with a reply within 1 s (one reply per request)."""
        n, replies = 0, list(self.replies)
        for t in self.sent:
            for i, r in enumerate(replies):
                if t <= r <= t + 1.0:
                    n += 1
                    del replies[i]
                    break
        return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src-ip", required=True)
    ap.add_argument("--dst-ip", required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--t0", type=float, default=None)
    ap.add_argument("--cookie-base", type=int, default=None,
                    help="ikev2_cookie_sent before the flood (default: the first sample)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    tm = Telemetry(a.sock)
    arp = Arp(a.iface, a.src_ip, a.dst_ip)
    start = time.time()
    t0 = a.t0 if a.t0 is not None else start
    samples, rtts, errors, punt = [], [], 0, None
    cookie_first, cookie_on = a.cookie_base, None
    next_arp = next_punt = start
    while not stop and time.time() - start < a.duration:
        now = time.time()
        if now >= next_arp:
            arp.send()
            next_arp = now + 0.1
        try:
            t1 = time.monotonic()
            st = tm.query("/ipsecgw/ikev2/stats").get("/ipsecgw/ikev2/stats") or {}
            rtt = (time.monotonic() - t1) * 1e3
            rtts.append(rtt)
            ho, ck = st.get("half_open"), st.get("ikev2_cookie_sent")
        except (OSError, ValueError):
            errors += 1
            rtt = ho = ck = None
            try:
                tm = Telemetry(a.sock)
            except OSError:
                pass
        if ck is not None:
            if cookie_first is None:
                cookie_first = ck
            elif cookie_on is None and ck > cookie_first:
                cookie_on = now - t0
        samples.append([round(now - t0, 3), None if rtt is None else round(rtt, 3), ho, ck,
                         rss_kb(a.pid)])
        if now >= next_punt:
            try:
                p = tm.query("/ipsecgw/punt").get("/ipsecgw/punt")
                punt = p if isinstance(p, dict) else punt
            except (OSError, ValueError):
                pass
            next_punt = now + 1.0
        end = now + a.interval
        while True:
            left = end - time.time()
            if left <= 0:
                break
            r, _, _ = select.select([arp.sock], [], [], left)
            if r:
                arp.recv()
    time.sleep(0.3)
    arp.recv()
    hos = [s[2] for s in samples if s[2] is not None]
    rss = [s[4] for s in samples if s[4] is not None]
    out = {
        "rtt_ms": {"p50": pct(rtts, 50), "p99": pct(rtts, 99),
                   "max": round(max(rtts), 3) if rtts else None, "n": len(rtts)},
        "half_open_max": max(hos) if hos else None,
        "half_open_last": hos[-1] if hos else None,
        "cookie_on_s": None if cookie_on is None else round(cookie_on, 3),
        "rss_kb": {"first": rss[0] if rss else None, "max": max(rss) if rss else None,
                   "last": rss[-1] if rss else None},
        "arp": {"sent": len(arp.sent), "answered": arp.answered()},
        "telemetry_errors": errors,
        "punt": punt,
        "samples": samples,
    }
    with open(a.out, "w") as f:
        json.dump(out, f)
    brief = dict(out)
    del brief["samples"]
    print(json.dumps(brief))


if __name__ == "__main__":
    main()
