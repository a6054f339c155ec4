#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Continuous numbered UDP traffic for the namespace labs.

  seqflow.py echo ADDR PORT
      A UDP echo server bound to ADDR:PORT (run it in a peer's namespace):
      every datagram goes back to its sender unchanged.  Runs until SIGTERM.

  seqflow.py send [--rate PPS] [--duration S] [--drain S] [--status FILE]
                  [--out FILE] NAME=ADDR:PORT ...
      One process for every flow: each NAME gets a connected UDP socket and
      PPS sequence-numbered datagrams a second (default 1000), sent in small
      bursts every 10 ms; the echoes are matched by sequence number.  A
      sender that was not scheduled for a while (a loaded machine) does not
      catch up in one burst: it sends at most CATCHUP_TICKS bursts' worth
      and skips the rest ("skipped"; the stall is listed in "stalls"), since
      hundreds of datagrams at once overflow queues outside the path under
      test (a kernel-libipsec peer's UDP receive buffer).  Every second the
      running counts go to FILE (--status, replaced atomically).
      On SIGTERM or SIGINT, or after --duration: sending stops, echoes are
      awaited for --drain seconds (default 1.0, the packets in flight), and
      the summary is printed (and written to --out) as JSON:
        {"rate": PPS, "start": T, "stop": T, "stalls": [[T, MS], ...]
         (the sender's stalls over STALL_MS, at most 64), "stall_max_ms",
         "flows": {NAME: {
           "dst", "sent", "received", "lost", "lost_ranges":
           [[first_seq, last_seq, first_sent_time, last_sent_time], ...]
           (at most 64, the rest counted in "lost_ranges_cut"),
           "skipped", "duplicates", "reordered", "first_received", "last_received",
           "last_received_seq", "first_lost_sent", "last_lost_sent",
           "rtt_max_ms"}}}
      Times are seconds since the epoch (time.time()), so shell scripts can
      compare them with `date +%s.%N`.  Exit 0.

  seqflow.py status FILE [NAME]
      Print the running counts of a --status file, one line per flow.

Payload: magic "SEQF", flow index (u16), sequence number (u64), send time
(u64, ns since the epoch), padded to --size bytes (default 64).
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

MAGIC = b"SEQF"
HDR = struct.Struct(">4sHQQ")
TICK = 0.01			# a burst every 10 ms
MAX_RANGES = 64
CATCHUP_TICKS = 5		# at most 5 bursts' worth at once (50 ms)
STALL_MS = 50			# a longer gap between two bursts is a stall


def cmd_echo(args):
	sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
	sock.bind((args.addr, args.port))
	signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
	print(f"echo on {args.addr}:{args.port}", flush=True)
	while True:
		try:
			data, peer = sock.recvfrom(65535)
			sock.sendto(data, peer)
		except OSError:
			pass		# e.g. EPERM/EHOSTUNREACH while the tunnel is gone


class Flow:
	def __init__(self, idx, name, addr, port, size):
		self.idx, self.name, self.dst = idx, name, (addr, port)
		self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
		self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 21)
		self.sock.connect(self.dst)
		self.sock.setblocking(False)
		self.pad = b"\0" * max(0, size - HDR.size)
		self.sent_t = []	# send time (s) of each sequence number
		self.got = bytearray()	# 1 when its echo came back
		self.received = self.duplicates = self.reordered = 0
		self.send_errors = 0
		self.skipped = 0	# owed after a stall, never sent
		self.first_rx = self.last_rx = None
		self.last_rx_seq = -1
		self.rtt_max = 0.0

	def send(self, now):
		seq = len(self.sent_t)
		msg = HDR.pack(MAGIC, self.idx, seq, int(now * 1e9)) + self.pad
		self.sent_t.append(now)
		self.got.append(0)
		try:
			self.sock.send(msg)
		except OSError:
			self.send_errors += 1	# counted as sent: it is lost

	def recv(self, now):
		while True:
			try:
				data = self.sock.recv(65535)
			except (BlockingIOError, InterruptedError):
				return
			except OSError:
				continue	# ICMP errors surface here: ignore
			if len(data) < HDR.size:
				continue
			magic, idx, seq, t_ns = HDR.unpack_from(data)
			if magic != MAGIC or idx != self.idx or seq >= len(self.got):
				continue
			if self.got[seq]:
				self.duplicates += 1
				continue
			self.got[seq] = 1
			self.received += 1
			if seq < self.last_rx_seq:
				self.reordered += 1
			else:
				self.last_rx_seq = seq
			if self.first_rx is None:
				self.first_rx = now
			self.last_rx = now
			self.rtt_max = max(self.rtt_max, now - t_ns / 1e9)

	def lost_ranges(self):
		ranges, start = [], None
		for seq, ok in enumerate(self.got):
			if not ok and start is None:
				start = seq
			elif ok and start is not None:
				ranges.append((start, seq - 1))
				start = None
		if start is not None:
			ranges.append((start, len(self.got) - 1))
		return ranges

	def status(self):
		return {"dst": "%s:%d" % self.dst, "sent": len(self.sent_t), "received": self.received,
			"last_received": self.last_rx}

	def summary(self):
		ranges = self.lost_ranges()
		lost = sum(b - a + 1 for a, b in ranges)
		out = self.status()
		out.update({
			"lost": lost,
			"lost_ranges": [[a, b, self.sent_t[a], self.sent_t[b]] for a, b in ranges[:MAX_RANGES]],
			"lost_ranges_cut": max(0, len(ranges) - MAX_RANGES),
			"first_lost_sent": self.sent_t[ranges[0][0]] if ranges else None,
			"last_lost_sent": self.sent_t[ranges[-1][1]] if ranges else None,
			"duplicates": self.duplicates, "reordered": self.reordered,
			"send_errors": self.send_errors, "skipped": self.skipped,
			"first_received": self.first_rx, "last_received_seq": self.last_rx_seq,
			"rtt_max_ms": round(self.rtt_max * 1000, 3),
		})
		return out


def write_atomic(path, obj):
	tmp = f"{path}.tmp"
	with open(tmp, "w") as f:
		json.dump(obj, f)
	os.replace(tmp, path)


def cmd_send(args):
	flows = []
	for i, spec in enumerate(args.flows):
		name, _, dst = spec.partition("=")
		addr, _, port = dst.rpartition(":")
		if not name or not addr or not port.isdigit():
			sys.exit(f"seqflow: bad flow {spec!r} (NAME=ADDR:PORT)")
		flows.append(Flow(i, name, addr, int(port), args.size))
	by_fd = {f.sock.fileno(): f for f in flows}
	stop = []
	signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
	signal.signal(signal.SIGINT, lambda *_: stop.append(1))

	start = time.time()
	deadline = start + args.duration if args.duration else None
	next_status = start
	sending_until = None
	catchup = max(1, int(args.rate * TICK * CATCHUP_TICKS))
	stalls, stall_max, last_send = [], 0.0, start
	poll = select.poll()
	for f in flows:
		poll.register(f.sock, select.POLLIN)
	while True:
		now = time.time()
		if sending_until is None and (stop or (deadline and now >= deadline)):
			sending_until = now
		if sending_until is None:
			# Catch up to the rate: how many each flow owes by now,
			# at most catchup (the rest is skipped, not sent).
			due = int((now - start) * args.rate) + 1
			for f in flows:
				owed = due - len(f.sent_t) - f.skipped
				if owed > catchup:
					f.skipped += owed - catchup
					owed = catchup
				for _ in range(owed):
					f.send(now)
			gap = now - last_send
			if gap * 1000 > STALL_MS:
				stall_max = max(stall_max, gap)
				if len(stalls) < MAX_RANGES:
					stalls.append([last_send, round(gap * 1000, 1)])
			last_send = now
		elif now >= sending_until + args.drain:
			break
		if args.status and now >= next_status:
			write_atomic(args.status, {"time": now, "sending": sending_until is None,
						   "flows": {f.name: f.status() for f in flows}})
			next_status = now + 1.0
		try:
			events = poll.poll(TICK * 1000)
		except InterruptedError:
			events = []
		now = time.time()
		for fd, _ in events:
			by_fd[fd].recv(now)

	result = {"rate": args.rate, "start": start, "stop": sending_until,
		  "stalls": stalls, "stall_max_ms": round(stall_max * 1000, 1),
		  "drain": args.drain, "flows": {f.name: f.summary() for f in flows}}
	if args.status:
		write_atomic(args.status, {"time": time.time(), "sending": False,
					   "flows": {f.name: f.status() for f in flows}})
	if args.out:
		write_atomic(args.out, result)
	json.dump(result, sys.stdout, indent=1)
	print()


def cmd_status(args):
	with open(args.file) as f:
		st = json.load(f)
	for name, fl in st["flows"].items():
		if args.name and name != args.name:
			continue
		age = "" if fl["last_received"] is None else \
			" (last echo %.1f s before this status)" % (st["time"] - fl["last_received"])
		print(f"{name:8} -> {fl['dst']:18} sent {fl['sent']:7}  received {fl['received']:7}{age}")


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	sub = ap.add_subparsers(dest="cmd", required=True)
	e = sub.add_parser("echo")
	e.add_argument("addr")
	e.add_argument("port", type=int)
	s = sub.add_parser("send")
	s.add_argument("--rate", type=int, default=1000)
	s.add_argument("--size", type=int, default=64)
	s.add_argument("--duration", type=float, default=0)
	s.add_argument("--drain", type=float, default=1.0)
	s.add_argument("--status")
	s.add_argument("--out")
	s.add_argument("flows", nargs="+")
	st = sub.add_parser("status")
	st.add_argument("file")
	st.add_argument("name", nargs="?")
	args = ap.parse_args()
	{"echo": cmd_echo, "send": cmd_send, "status": cmd_status}[args.cmd](args)


if __name__ == "__main__":
	main()
