# SPDX-License-Identifier: BSD-3-Clause
"""Abuse of a running gateway's telemetry socket (test/integration/tm_abuse.sh).

    tm_abuse.py SOCKET SA_KEEP SA_CLEAR TRUSTPOINT

SA_KEEP and SA_CLEAR are manual SAs of the gateway's configuration (the
second is cleared at the end, as the positive control), TRUSTPOINT a
configured trustpoint with a CRL URL.  Prints one "ok" / "FAIL" line per
check and the figures; exit status 1 if any check failed.

What it does, on DPDK 22.11's SOCK_SEQPACKET socket (greeting, then one
request per message, at most 1023 bytes read of each):
  - socket level: unknown commands, names with bad characters, an empty
    message, 1023-byte and longer requests, binary garbage, NUL bytes, a
    client that connects and sends nothing, more than the 10 clients DPDK
    serves;
  - parameters: every malformed value on every /ipsecgw/ command the
    gateway registers (read-only and state-changing alike): each must get
    {"error": ...}; the state-changing commands with their own malformed
    forms get exactly {"error": "usage: ..."};
  - the state read back before and after is the same, the positive controls
    change it, and the gateway (same pid) still answers.
"""

import json
import random
import socket
import sys
import time

MAX_CLIENTS = 10            # DPDK 22.11 telemetry: MAX_CONNECTIONS
TIMEOUT_S = 10.0

FAILS = []
PASSES = [0]


def check(desc, cond, detail=""):
    if cond:
        PASSES[0] += 1
        print(f"ok   - {desc}")
    else:
        FAILS.append(desc)
        print(f"FAIL - {desc}" + (f": {detail}" if detail else ""))
    return cond


class Conn:
    """One telemetry client; raw bytes in, the reply's bytes out."""

    def __init__(self, path, greet=True):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(TIMEOUT_S)
        self.sock.connect(path)
        self.greeting = self.sock.recv(1024) if greet else None

    def raw(self, data):
        """Send data; the reply's bytes, or b"" when the server closed."""
        self.sock.send(data)
        return self.sock.recv(65536)

    def query(self, cmd):
        reply = self.raw(cmd.encode() if isinstance(cmd, str) else cmd)
        return json.loads(reply.decode())

    def body(self, cmd):
        """The dict under the command's name (None for DPDK's null)."""
        if isinstance(cmd, str):
            cmd = cmd.encode()
        name = cmd.split(b",")[0].split(b"\x00")[0].decode()
        return self.query(cmd).get(name)

    def close(self):
        self.sock.close()


def is_error(body):
    return isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"] != ""


def show(x):
    s = repr(x)
    return s if len(s) <= 70 else s[:67] + "..."


# ---------------------------------------------------------------- state

def state(c, tp_id):
    """What the state-changing commands could change, read back."""
    st = {}
    for v in ("ikev2", "isakmp"):
        st[f"{v}_drp"] = c.body(f"/ipsecgw/{v}/disconnect_revoked_peers")["enabled"]
    sa = c.body("/ipsecgw/sa_stats")
    for k in ("live", "retiring", "installed", "retired", "manual_sas", "policies"):
        st[f"sa_{k}"] = sa[k]
    sas = c.body("/ipsecgw/sas")
    st["sas"] = list(zip(sas["ids"], sas["name"], sas["spi"], sas["state"]))
    tp = c.body(f"/ipsecgw/pki/trustpoint,{tp_id}")
    st["crl_operator_requests"] = tp["operator_requests"]
    ike = c.body("/ipsecgw/ikev2/stats")
    st["ikev2_sessions"] = ike["sessions"]
    st["ikev2_half_open"] = ike["half_open"]
    st["isakmp_sessions"] = c.body("/ipsecgw/isakmp/stats")["sessions"]
    return st


def same_state(desc, before, after):
    diff = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
    return check(desc, not diff, f"changed: {diff}")


# ---------------------------------------------------------------- values

# Malformed on every command: no number, name, switch, key=value or list
# START may look like these.
BAD_ANY = [
    "99999999999999999999", "18446744073709551616", "-1", "+1", "1x", " 1", "1 ",
    "\t1", "1,2", ",", ",,", "1,,", "a b", "%s%n%x", '"', "\\", "'", "\u00fc",
    "\x7f", "\x01", "id=1 ", "remote=10.10.0.2,", "child=0x0x10", "A" * 1000,
]
# State-changing commands: their own malformed forms, each a usage error.
BAD_SWITCH = ["2", "01", "00", "0x1", "on", "true", "yes", "-0", "1.0", "0 "]
BAD_NAME = ["lab a", "lab,a", "lab/a", "lab.a", "lab;a", "lab\"a", "a" * 32, "*", "lab-a\n"]
BAD_CLEAR = [
    "remote=", "remote=10.10.0.256", "remote= 10.10.0.2", "remote=10.10.0.2 ",
    "remote=10.10.0.2/32", "remote=::ffff:10.10.0.2x", "remote=0x0a0a0002", "remote",
    "id=", "id=-1", "id=1x", "id=0x10", "id=99999999999999999999", "id= 1", "ID=1", "id",
    "x=1", "id=1,id=2", "id==1", "=1", "remote=10.10.0.2,id=1", "all", "0x10",
    "99999999999999999999",
]
BAD_REKEY = [
    "", "id=", "id=-1", "id=1x", "id=0x10", "id=99999999999999999999", "child=",
    "child=0x", "child=0x0x10", "child=0x100000000", "child=0x000000001",
    "child=4294967296", "child=0", "child=0x0", "child=-1", "child= 1", "child=1 ",
    "child=0x1g", "child=1e3", "spi=1", "id=1,child=1",
]


def usage_error(c, cmd, desc):
    body = c.body(cmd)
    return check(desc, is_error(body) and body["error"].startswith("usage:"), show(body))


# ---------------------------------------------------------------- checks

def socket_level(path):
    c = Conn(path)
    greet = json.loads(c.greeting.decode())
    check("greeting names max_output_len", "max_output_len" in greet, show(greet))
    for cmd in ["/ipsecgw/nope", "/ipsecgw/VERSION", "/ipsecgw/version;ls", "/ipsecgw/../version",
                "/ipsecgw//version", "/ipsecgw/version\n", "/ipsecgw/sa clear", "ipsecgw/version",
                "/ipsecgw/" + "v" * 60, "/\u00e9t\u00e9"]:
        reply = c.raw(cmd.encode())
        try:
            # DPDK writes the name back as it came (a newline too)
            body = json.loads(reply.decode(errors="replace"), strict=False)
            ok = isinstance(body, dict) and len(body) == 1 and list(body.values())[0] is None
        except ValueError:
            ok = False
        check(f"unknown command {show(cmd)}: DPDK's null reply", ok, show(reply))
    # DPDK echoes an unknown name into its reply as it is: a '"' makes it
    # bad JSON; what matters is that an answer comes and the server lives.
    reply = c.raw(b'/ipsecgw/x"y')
    check("unknown command with a quote: answered", reply != b"", show(reply))

    # a request of exactly 1023 bytes (DPDK reads at most that)
    req = "/ipsecgw/sa_clear," + "a" * (1023 - len("/ipsecgw/sa_clear,"))
    check("1023-byte request", len(req) == 1023)
    usage_error(c, req, "1023-byte request: usage error")
    for n in (1024, 1025, 4096, 60000):
        req = "/ipsecgw/pki/crl_request," + "b" * (n - len("/ipsecgw/pki/crl_request,"))
        usage_error(c, req, f"{n}-byte request (cut to 1023 by DPDK): usage error")
        body = c.body("/ipsecgw/version")
        check(f"after the {n}-byte request the connection still answers", "version" in body)
    # NUL bytes: DPDK's strings end at the first one
    body = c.body(b"/ipsecgw/ikev2/disconnect_revoked_peers,\x001")
    check("NUL before the value: a read, not a set", isinstance(body, dict) and "enabled" in body,
          show(body))
    body = c.body(b"/ipsecgw/sa_clear,no\x00ne")
    check("NUL inside a name: only 'no' seen, refused", is_error(body), show(body))
    body = c.body(b"/ipsecgw/version\x00,junk")
    check("NUL after the name: the command alone", isinstance(body, dict) and "version" in body,
          show(body))
    # binary garbage, reproducible
    rng = random.Random(8)
    answered = closed = 0
    for i in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        if i % 3 == 0:
            data = b"/ipsecgw/sa_clear," + data
        elif i % 3 == 1:
            data = b"/ipsecgw/clear/crypto_session," + data
        try:
            reply = c.raw(data)
        except OSError:
            reply = b""
        if reply == b"":
            closed += 1
            c.close()
            c = Conn(path)
            continue
        answered += 1
        if data.startswith(b"/ipsecgw/"):
            try:
                json.loads(reply.decode())
                ok = True
            except ValueError:
                ok = False
            if not ok:
                check("garbage after a command: the reply is JSON", False, show(reply))
    print(f"    binary garbage: 200 messages, {answered} answered, {closed} closed the connection")
    check("binary garbage: every message answered or the connection closed",
          answered + closed == 200)
    # an empty message: DPDK reads 0 bytes, which it takes for the end
    c2 = Conn(path)
    try:
        reply = c2.raw(b"")
    except socket.timeout:
        reply = None
    check("empty message: the connection is closed (DPDK reads it as EOF)", reply == b"",
          show(reply))
    c2.close()
    body = c.body("/ipsecgw/version")
    check("the first connection still answers", "version" in body)
    c.close()


def clients(path):
    idle = [Conn(path)]
    time.sleep(0.2)
    c = Conn(path)
    check("a client that connects and sends nothing does not block another",
          "version" in c.body("/ipsecgw/version"))
    c.close()
    time.sleep(0.5)       # DPDK's count drops when its thread sees the close
    deadline = time.monotonic() + TIMEOUT_S
    while len(idle) < MAX_CLIENTS and time.monotonic() < deadline:
        x = Conn(path)
        if x.greeting:
            idle.append(x)
        else:                   # an earlier client not yet counted out
            x.close()
            time.sleep(0.1)
    check(f"{MAX_CLIENTS} clients connected and greeted", len(idle) == MAX_CLIENTS)
    extra = Conn(path, greet=False)
    try:
        got = extra.sock.recv(1024)
    except socket.timeout:
        got = None
    check(f"client {MAX_CLIENTS + 1}: closed at once, no greeting", got == b"", show(got))
    extra.close()
    for x in idle:
        x.close()
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            c = Conn(path)
            if c.greeting:
                break
            c.close()
        except OSError:
            pass
        if time.monotonic() > deadline:
            check("the idle clients gone, a new one is served", False)
            return
        time.sleep(0.1)
    check("the idle clients gone, a new one is served", "version" in c.body("/ipsecgw/version"))
    c.close()


def ipsecgw_commands(c):
    """Every /ipsecgw/ command the gateway registers, from DPDK's "/" list."""
    return sorted(x for x in c.query("/")["/"] if x.startswith("/ipsecgw/"))


def params_everywhere(c, cmds):
    bad = 0
    for cmd in cmds:
        for v in BAD_ANY:
            body = c.body(f"{cmd},{v}")
            if not is_error(body):
                bad += 1
                print(f"    {cmd},{show(v)} -> {show(body)}")
    print(f"    {len(cmds)} commands x {len(BAD_ANY)} malformed values")
    check(f"every malformed value refused with an error reply by all {len(cmds)} /ipsecgw/ commands",
          bad == 0, f"{bad} accepted")


def state_changing(c, sa_keep, sa_clear, tp):
    for v in ("ikev2", "isakmp"):
        cmd = f"/ipsecgw/{v}/disconnect_revoked_peers"
        for x in BAD_SWITCH + BAD_ANY:
            usage_error(c, f"{cmd},{x}", f"{v} switch {show(x)}: usage error")
    for x in BAD_NAME:
        usage_error(c, f"/ipsecgw/sa_clear,{x}", f"sa_clear {show(x)}: usage error")
        usage_error(c, f"/ipsecgw/pki/crl_request,{x}", f"crl_request {show(x)}: usage error")
    for x in BAD_CLEAR:
        usage_error(c, f"/ipsecgw/clear/crypto_session,{x}", f"clear/crypto_session {show(x)}: usage error")
    for x in BAD_REKEY:
        if x == "":
            body = c.body("/ipsecgw/ikev2/rekey")
            check("ikev2/rekey with no parameter: usage error",
                  is_error(body) and body["error"].startswith("usage:"), show(body))
            continue
        usage_error(c, f"/ipsecgw/ikev2/rekey,{x}", f"ikev2/rekey {show(x)}: usage error")
    # well-formed but naming nothing: an error, not a usage error
    for cmd, want in [(f"/ipsecgw/sa_clear,{sa_keep}x", "no manual SA named"),
                      ("/ipsecgw/pki/crl_request,NO-SUCH-TP", "no trustpoint"),
                      ("/ipsecgw/clear/crypto_session,id=99999", "no IKEv2 session with ID 99999"),
                      ("/ipsecgw/ikev2/rekey,id=18446744073709551615", "no IKEv2 session"),
                      ("/ipsecgw/ikev2/rekey,child=0xffffffff", "no installed CHILD SA")]:
        body = c.body(cmd)
        check(f"{show(cmd)}: '{want}'", is_error(body) and body["error"].startswith(want), show(body))


def positive(c, sa_keep, sa_clear, tp, tp_id, before):
    """The same commands well formed do change the state: the checks above can fail."""
    for v in ("ikev2", "isakmp"):
        cmd = f"/ipsecgw/{v}/disconnect_revoked_peers"
        was = before[f"{v}_drp"]
        body = c.body(f"{cmd},{1 - was}")
        check(f"{v} switch set to {1 - was}", body.get("enabled") == 1 - was, show(body))
        body = c.body(f"{cmd},{was}")
        check(f"{v} switch set back to {was}", body.get("enabled") == was, show(body))
    body = c.body(f"/ipsecgw/pki/crl_request,{tp}")
    check(f"crl_request,{tp}: queued", body.get("result") == "queued", show(body))
    n = c.body(f"/ipsecgw/pki/trustpoint,{tp_id}")["operator_requests"]
    check("operator_requests rose by 1", n == before["crl_operator_requests"] + 1,
          f"{before['crl_operator_requests']} -> {n}")
    body = c.body("/ipsecgw/clear/crypto_session,remote=10.10.0.99")
    check("clear/crypto_session,remote=10.10.0.99: cleared 0", body.get("cleared") == 0, show(body))
    body = c.body(f"/ipsecgw/sa_clear,{sa_clear}")
    check(f"sa_clear,{sa_clear}: 2 SAs retired", body.get("retired") == 2, show(body))
    body = c.body(f"/ipsecgw/sa_clear,{sa_clear}")
    check(f"sa_clear,{sa_clear} again: already cleared",
          is_error(body) and "already cleared" in body["error"], show(body))
    sa = c.body("/ipsecgw/sa_stats")
    check("sa_stats: 2 more retired", sa["retired"] == before["sa_retired"] + 2,
          f"{before['sa_retired']} -> {sa['retired']}")
    sas = c.body("/ipsecgw/sas")
    keep = [st for name, st in zip(sas["name"], sas["state"]) if name == sa_keep]
    check(f"{sa_keep}'s two SAs still live", keep == ["live", "live"], show(keep))


def main(argv):
    if len(argv) != 5:
        raise SystemExit(__doc__)
    path, sa_keep, sa_clear, tp = argv[1:]
    t0 = time.monotonic()
    c = Conn(path)
    pid = c.body("/ipsecgw/version")["pid"]
    tps = c.body("/ipsecgw/pki/trustpoints")["ids"]
    tp_id = next((i for i in tps if c.body(f"/ipsecgw/pki/trustpoint,{i}")["name"] == tp), None)
    if tp_id is None:
        raise SystemExit(f"tm_abuse: no trustpoint {tp}")
    cmds = ipsecgw_commands(c)
    print(f"    {len(cmds)} /ipsecgw/ commands: {' '.join(x[9:] for x in cmds)}")
    before = state(c, tp_id)
    c.close()

    print("# socket level")
    socket_level(path)
    print("# clients")
    clients(path)
    c = Conn(path)
    print("# malformed parameters on every command")
    params_everywhere(c, cmds)
    print("# the state-changing commands")
    state_changing(c, sa_keep, sa_clear, tp)
    same_state("the state read back is unchanged", before, state(c, tp_id))
    print("# positive controls")
    positive(c, sa_keep, sa_clear, tp, tp_id, before)
    body = c.body("/ipsecgw/version")
    check("the gateway still answers, same pid", body.get("pid") == pid, show(body))
    stats = c.body("/ipsecgw/stats")
    print(f"    tm_requests {stats.get('tm_requests')}, tm_timeouts {stats.get('tm_timeouts')}, "
          f"{time.monotonic() - t0:.1f} s")
    check("no telemetry request timed out", stats.get("tm_timeouts") == 0, show(stats.get("tm_timeouts")))
    c.close()
    print(f"tm_abuse.py: {PASSES[0]} checks passed, {len(FAILS)} failed")
    for f in FAILS:
        print(f"failed: {f}")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
