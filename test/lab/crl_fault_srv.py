#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A CRL server that misbehaves on demand, for test/integration/crl_faults.sh.

    crl_fault_srv.py serve --bind IP --port PORT --dir DIR --control FILE --log LOG
                           [--trickle-bps N]
    crl_fault_srv.py set FILE MODE [PATH]     the mode of PATH (default: every path)
    crl_fault_srv.py requests LOG [PATH] [--since T]
                                              one line per request, with the
                                              interval to the previous one

Modes (the control file holds "PATH MODE" lines, "*" for every path; it is
read again whenever it changes, so a test switches behaviour at run time):

    file        200 with the file's bytes from DIR (Content-Length)
    down        nothing listens: the listening socket is closed (connection
                refused) until the mode of "*" is something else
    close       the request is read, then the connection closed, no answer
    slow        200 with the file's Content-Length, then the body trickled at
                --trickle-bps bytes/s (default 8): slower than any timeout
    500         500 Internal Server Error with a small HTML body
    garbage     200 with 4096 random bytes (Content-Length)
    huge        200, Content-Length 1073741824 (1 GiB), the body streamed
                until the client goes away
    huge-nolen  the same without Content-Length (read until close)

Every request is logged as one JSON line when it ends: t (when it came, Unix
s), path, mode, status, bytes (body bytes written), dur (s), end (how it
ended).  One thread per connection; stdlib only.
"""

import argparse
import json
import os
import select
import socket
import sys
import threading
import time

GIB = 1 << 30
CHUNK = 64 * 1024
MODES = ("file", "down", "close", "slow", "500", "garbage", "huge", "huge-nolen")


class Control:
    """The modes per path, re-read when the control file changes."""

    def __init__(self, path):
        self.path = path
        self.stamp = None
        self.modes = {"*": "file"}
        self.lock = threading.Lock()

    def refresh(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self.lock:
            if stamp == self.stamp:
                return
            modes = {"*": "file"}
            with open(self.path) as f:
                for line in f:
                    words = line.split()
                    if len(words) == 2 and words[1] in MODES:
                        modes[words[0]] = words[1]
            self.modes, self.stamp = modes, stamp

    def mode(self, path):
        self.refresh()
        with self.lock:
            return self.modes.get(path, self.modes["*"])


class Server:
    def __init__(self, args):
        self.args = args
        self.control = Control(args.control)
        self.log_lock = threading.Lock()
        self.log = open(args.log, "a", buffering=1)
        self.garbage = os.urandom(4096)
        self.filler = bytes(range(256)) * (CHUNK // 256)
        self.listener = None

    def note(self, rec):
        with self.log_lock:
            self.log.write(json.dumps(rec) + "\n")

    def state(self, what):
        """Tell `set` (which waits for it) whether we listen."""
        tmp = self.args.control + ".state.tmp"
        with open(tmp, "w") as f:
            f.write(what + "\n")
        os.replace(tmp, self.args.control + ".state")
        print("%s: %s" % (time.strftime("%H:%M:%S"), what), flush=True)

    def listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((self.args.bind, self.args.port))
        s.listen(64)
        self.listener = s
        self.state("listening")

    def unlisten(self):
        self.listener.close()
        self.listener = None
        self.state("down")

    def run(self):
        self.listen()
        while True:
            down = self.control.mode("*") == "down"
            if down and self.listener is not None:
                self.unlisten()
            elif not down and self.listener is None:
                self.listen()
            if self.listener is None:
                time.sleep(0.05)
                continue
            r, _, _ = select.select([self.listener], [], [], 0.05)
            if r:
                conn, peer = self.listener.accept()
                threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    @staticmethod
    def read_request(conn):
        """The request's path, or None (no complete request within 5 s)."""
        conn.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 16384:
                chunk = conn.recv(4096)
                if not chunk:
                    return None
                data += chunk
        except OSError:
            return None
        words = data.split(b"\r\n", 1)[0].split()
        if len(words) < 2:
            return None
        path = words[1].decode("latin-1")
        if "://" in path:		# absolute URI (through a proxy)
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        return path

    def file_bytes(self, path):
        name = os.path.basename(path)
        try:
            with open(os.path.join(self.args.dir, name), "rb") as f:
                return f.read()
        except OSError:
            return None

    def serve(self, conn):
        t0 = time.time()
        rec = {"t": round(t0, 3), "path": None, "mode": None, "status": 0, "bytes": 0, "end": "done"}
        try:
            path = self.read_request(conn)
            rec["path"] = path
            if path is None:
                rec["end"] = "no request"
                return
            mode = rec["mode"] = self.control.mode(path)
            conn.settimeout(None)
            self.answer(conn, path, mode, rec)
        except (BrokenPipeError, ConnectionResetError):
            rec["end"] = "client closed"
        except OSError as e:
            rec["end"] = "error: %s" % e
        finally:
            try:
                conn.close()
            except OSError:
                pass
            rec["dur"] = round(time.time() - t0, 3)
            self.note(rec)

    @staticmethod
    def head(status, reason, length=None, ctype="application/pkix-crl"):
        h = "HTTP/1.0 %d %s\r\nServer: crl_fault_srv\r\nContent-Type: %s\r\n" % (status, reason, ctype)
        if length is not None:
            h += "Content-Length: %d\r\n" % length
        return (h + "Connection: close\r\n\r\n").encode()

    def answer(self, conn, path, mode, rec):
        if mode in ("close", "down"):	# "down" for a path: as close
            rec["end"] = "closed without an answer"
            return
        if mode == "500":
            body = b"<html><body><h1>500 Internal Server Error</h1></body></html>\n"
            rec["status"] = 500
            conn.sendall(self.head(500, "Internal Server Error", len(body), "text/html") + body)
            rec["bytes"] = len(body)
            return
        if mode == "garbage":
            rec["status"] = 200
            conn.sendall(self.head(200, "OK", len(self.garbage)) + self.garbage)
            rec["bytes"] = len(self.garbage)
            return
        if mode in ("huge", "huge-nolen"):
            rec["status"] = 200
            conn.sendall(self.head(200, "OK", GIB if mode == "huge" else None))
            self.stream(conn, GIB, rec)
            return
        body = self.file_bytes(path)
        if body is None:
            rec["status"] = 404
            conn.sendall(self.head(404, "Not Found", 0, "text/plain"))
            return
        rec["status"] = 200
        conn.sendall(self.head(200, "OK", len(body)))
        if mode == "slow":
            self.trickle(conn, body, rec)
            return
        conn.sendall(body)
        rec["bytes"] = len(body)

    def stream(self, conn, total, rec):
        """total bytes as fast as the client reads them, or until it leaves."""
        sent = 0
        try:
            while sent < total:
                n = conn.send(self.filler[:min(CHUNK, total - sent)])
                sent += n
        finally:
            rec["bytes"] = sent

    def trickle(self, conn, body, rec):
        """body at --trickle-bps bytes/s; stops when the client leaves."""
        gap = 1.0 / self.args.trickle_bps
        for i in range(len(body)):
            conn.sendall(body[i:i + 1])
            rec["bytes"] = i + 1
            # A closed peer shows as readable (EOF) before a send fails.
            r, _, _ = select.select([conn], [], [], gap)
            if r and not conn.recv(1):
                rec["end"] = "client closed"
                return


def cmd_set(args):
    lines = {}
    try:
        with open(args.file) as f:
            for line in f:
                w = line.split()
                if len(w) == 2:
                    lines[w[0]] = w[1]
    except FileNotFoundError:
        pass
    if args.path == "*":
        lines = {}			# every path follows the new default
    lines[args.path] = args.mode
    tmp = args.file + ".tmp"
    with open(tmp, "w") as f:
        for p, m in lines.items():
            f.write("%s %s\n" % (p, m))
    os.replace(tmp, args.file)
    if args.path != "*":
        return 0
    # Wait until the server listens, or not, as the new default says.
    want = "down" if args.mode == "down" else "listening"
    for _ in range(100):
        try:
            with open(args.file + ".state") as f:
                if f.read().strip() == want:
                    return 0
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    print("crl_fault_srv: the server is not %s after 5 s" % want, file=sys.stderr)
    return 1


def cmd_requests(args):
    prev = None
    try:
        f = open(args.log)
    except FileNotFoundError:
        return
    recs = []
    for line in f:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if (args.path is None or r.get("path") == args.path) and r["t"] >= args.since:
            recs.append(r)
    for r in sorted(recs, key=lambda r: r["t"]):
        gap = "" if prev is None else "%.1f" % (r["t"] - prev)
        prev = r["t"]
        print("%.3f %s %s %s %d %.3f %s %s" % (r["t"], gap or "-", r["path"], r["mode"], r["status"],
                                              r.get("dur", 0), r["bytes"], r["end"].replace(" ", "_")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--bind", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--dir", required=True)
    s.add_argument("--control", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--trickle-bps", type=float, default=8.0)
    c = sub.add_parser("set")
    c.add_argument("file")
    c.add_argument("mode", choices=MODES)
    c.add_argument("path", nargs="?", default="*")
    q = sub.add_parser("requests")
    q.add_argument("log")
    q.add_argument("path", nargs="?")
    q.add_argument("--since", type=float, default=0.0)
    args = ap.parse_args()
    if args.cmd == "serve":
        Server(args).run()
    elif args.cmd == "set":
        return cmd_set(args)
    else:
        cmd_requests(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
