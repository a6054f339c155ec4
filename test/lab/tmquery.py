# SPDX-License-Identifier: BSD-3-Clause
"""A minimal DPDK telemetry client, independent of ipsecgw-cli.

    tmquery.py SOCKET COMMAND...            one JSON reply a line
    tmquery.py SOCKET --sample SECONDS COMMAND FIELD
        read FIELD of COMMAND's reply twice, SECONDS apart, and print
        "<delta> <elapsed seconds>" measured with a monotonic clock

The socket is DPDK's SOCK_SEQPACKET telemetry socket
(<runtime dir>/dpdk/<file-prefix>/dpdk_telemetry.v2): it greets with a JSON
object holding max_output_len, then answers one command per message.
"""

import json
import socket
import sys
import time


class Telemetry:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.connect(path)
        greeting = json.loads(self.sock.recv(1024).decode())
        self.buf_len = int(greeting.get("max_output_len", 16384))

    def query(self, cmd):
        self.sock.send(cmd.encode())
        return json.loads(self.sock.recv(self.buf_len).decode())

    def field(self, cmd, name):
        reply = self.query(cmd)
        inner = reply.get(cmd.split(",")[0], reply) if isinstance(reply, dict) else reply
        if not isinstance(inner, dict) or name not in inner:
            raise SystemExit(f"tmquery: no field {name!r} in reply to {cmd}: {reply}")
        return int(inner[name])


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    tm = Telemetry(argv[1])
    if argv[2] == "--sample":
        seconds, cmd, name = float(argv[3]), argv[4], argv[5]
        v0, t0 = tm.field(cmd, name), time.monotonic()
        time.sleep(seconds)
        v1, t1 = tm.field(cmd, name), time.monotonic()
        print(f"{v1 - v0} {t1 - t0:.6f}")
        return 0
    for cmd in argv[2:]:
        print(json.dumps(tm.query(cmd)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
