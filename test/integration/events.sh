#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Observability (issue 9): structured events, the audit log, port xstats
# and per-tunnel counters, on the revocation lab (test/lab/revlab.sh) with
# one strongSwan peer (peer1) and the CA's CRLs over HTTP.  The gateway's
# events go to a private syslog socket (events.syslog_socket in its
# configuration) where a small collector (python, unix datagram socket,
# as journald's /dev/log) writes every datagram to a file: nothing global
# is touched.
#
#   1. start: one crl_accepted per CRL downloaded (daemon.info); peer1
#      initiates: session_up with its id, version, peer, addresses and
#      identities (daemon.notice); the same lines in the DPDK log.
#   2. ping through the tunnel: /ipsecgw/ikev2/session,ID's packets_in and
#      packets_out count it; `show crypto ikev2 session detail` prints
#      the tunnel totals.
#   3. /ipsecgw/port/xstats,ID of both ports: non-empty, rx_good_packets
#      bracketed by two reads around /ipsecgw/interface,ID's rx_packets;
#      `show controllers` lists them.
#   4. audit: `crypto pki crl request` logs result=ok; a refused sa_clear
#      and a malformed clear/crypto_session log result=error with their
#      params; reads (stats, sessions) log nothing.
#   5. a forged CRL: crl_rejected (daemon.warning) with its reason; peer1
#      stays up.
#   6. `clear crypto session`: session_down with reason "cleared by the
#      operator".
#   7. peer1 again, then a CRL revoking it: crl_accepted (number 02),
#      revoked with issuer and serial, session_down with the revocation as
#      its reason.
#   /ipsecgw/events: every datagram sent, none failed.
#
#   test/integration/events.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"
# shellcheck source=../lab/revlab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/revlab.sh"

REVLAB_PEERS=1
revlab_init events "${1:?usage: events.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}" "${3:?}"
T_START=$(date +%s%N)
SYSLOG_SOCK=$LAB_TMP/log.sock
SYSLOG_OUT=$LAB_TMP/syslog.txt
TAG='ipsecgw\[[0-9]+\]: '

# ---------------------------------------------------------------- helpers

cat >"$LAB_TMP/collect.py" <<'PY'
import socket, sys
path, out = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(out, "a", buffering=1) as f:
    while True:
        f.write(s.recv(65536).decode("ascii", "replace").rstrip("\n") + "\n")
PY

# syslog_has REGEX [SECONDS]: a collected line matches (waits up to 10 s);
# the last matching line is shown.
syslog_has() {
	local i
	for ((i = 0; i < ${2:-10} * 10; i++)); do
		grep -qE -- "$1" "$SYSLOG_OUT" 2>/dev/null && break
		sleep 0.1
	done
	grep -E -- "$1" "$SYSLOG_OUT" 2>/dev/null | tail -n 1 | grep . ||
		{ echo "no syslog line matches /$1/ ($(wc -l <"$SYSLOG_OUT") lines collected)"; return 1; }
}

# syslog_count REGEX: how many collected lines match.
syslog_count() { grep -cE -- "$1" "$SYSLOG_OUT" 2>/dev/null; }

# last_up_id: the id of the last session_up of peer1.
last_up_id() {
	grep -E "event=session_up .*peer=peer1 " "$SYSLOG_OUT" | tail -n 1 |
		sed -n 's/.*event=session_up id=\([0-9]*\) .*/\1/p'
}

# session_counts ID MIN: telemetry session ID is peer1's and counted at
# least MIN packets both ways.
session_counts() {
	"$LAB_PY" - "$LAB_SOCK" "$LAB_SRC" "$1" "$2" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from tmquery import Telemetry
sock, _, sid, low = sys.argv[1:]
r = Telemetry(sock).query("/ipsecgw/ikev2/session," + sid)["/ipsecgw/ikev2/session"]
keys = ("peer", "packets_in", "packets_out", "bytes_in", "bytes_out", "drops_in", "drops_out")
print("session %s: %s" % (sid, ", ".join("%s=%s" % (k, r.get(k)) for k in keys)))
ok = r.get("peer") == "peer1" and r.get("packets_in", 0) >= int(low) and \
    r.get("packets_out", 0) >= int(low) and r.get("bytes_in", 0) > 0
sys.exit(0 if ok else 1)
PY
}

# xstats_consistent ID: the port's xstats are there and agree with the
# port counters of /ipsecgw/interface (read between two xstats reads).
xstats_consistent() {
	"$LAB_PY" - "$LAB_SOCK" "$LAB_SRC" "$1" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from tmquery import Telemetry
sock, _, i = sys.argv[1:]
tm = Telemetry(sock)
x1 = tm.query("/ipsecgw/port/xstats," + i)["/ipsecgw/port/xstats"]
st = tm.query("/ipsecgw/interface," + i)["/ipsecgw/interface"]
x2 = tm.query("/ipsecgw/port/xstats," + i)["/ipsecgw/port/xstats"]
n = x1.get("xstats", 0)
print("interface %s (%s, port %s): %d xstats, e.g. %s" % (i, x1.get("interface"), x1.get("port"), n,
      ", ".join("%s=%s" % kv for kv in list(x1.items())[3:8])))
bad = n == 0 or "rx_good_packets" not in x1 or "tx_good_packets" not in x1
for k, s in (("rx_good_packets", "rx_packets"), ("tx_good_packets", "tx_packets"),
             ("rx_good_bytes", "rx_bytes")):
    a, b, c = x1.get(k, -1), st.get(s, -2), x2.get(k, -3)
    print("  %s %s <= %s %s <= %s" % (k, a, s, b, c))
    bad = bad or not (0 <= a <= b <= c)
bad = bad or x1.get("rx_good_packets", 0) == 0
sys.exit(1 if bad else 0)
PY
}

# refused CMD TEXT: the telemetry command gets an error reply holding TEXT
# (ipsecgw-cli exits 1).
refused() {
	local out rc
	out=$(lab_cli --raw "$1" 2>&1)
	rc=$?
	echo "$out"
	((rc != 0)) && grep -qF -- "$2" <<<"$out"
}

# events_counters: /ipsecgw/events sent every collected line, none failed.
events_counters() {
	local sent failed lines
	sent=$(lab_cli --raw /ipsecgw/events | "$LAB_PY" "$LAB_SRC/jsonget.py" syslog_sent) || return 1
	failed=$(lab_cli --raw /ipsecgw/events | "$LAB_PY" "$LAB_SRC/jsonget.py" syslog_failed) || return 1
	lines=$(wc -l <"$SYSLOG_OUT")
	echo "/ipsecgw/events: syslog_sent $sent, syslog_failed $failed; lines collected $lines"
	((sent == lines && failed == 0))
}

# ---------------------------------------------------------------- 1
lab_say "1. set-up: syslog collector, namespaces, PKI, CRL server, ipsecgw, peer1"
lab_bg_start syslog "$LAB_TMP/collect.log" "$LAB_PY" "$LAB_TMP/collect.py" "$SYSLOG_SOCK" "$SYSLOG_OUT"
for ((i = 0; i < 50; i++)); do [[ -S $SYSLOG_SOCK ]] && break; sleep 0.1; done
[[ -S $SYSLOG_SOCK ]] || lab_die "the syslog collector did not bind $SYSLOG_SOCK"
revlab_topology
revlab_pki
revlab_crl_server
revlab_gw_conf "$LAB_TMP/gw.conf" true
printf 'events = { syslog = true; syslog_socket = "%s"; };\n' "$SYSLOG_SOCK" >>"$LAB_TMP/gw.conf"
revlab_gw_start "$LAB_TMP/gw.conf"
lab_check "three crl_accepted at start, daemon.info" eval \
	'syslog_has "^<30>.* ${TAG}event=crl_accepted trustpoint=LAB-CA issuer=\"[^\"]*Inter2 CA[^\"]*\" number=01 delta=0 source=http://[^ ]* verdict=\"accepted: new content\"$" &&
	 (($(syslog_count "event=crl_accepted") == 3))'
revlab_peer 1
lab_check "peer1 establishes its session" revlab_peer_up 1
lab_check "session_up: id, version, peer, addresses, identities (daemon.notice)" \
	syslog_has "^<29>.* ${TAG}event=session_up id=[0-9]+ version=2 peer=peer1 remote=10\.10\.0\.11 local=10\.10\.0\.1 local_id=gw\.lab\.example remote_id=peer1\.lab\.example$"
SID=$(last_up_id)
lab_check "the DPDK log has the same line" gw_logged "event: event=session_up id=$SID "

# ---------------------------------------------------------------- 2
lab_say "2. per-tunnel counters"
lab_check "ping branch -> peer1's LAN through the tunnel" \
	ping_ok "$NS_BR" -c 5 -i 0.2 -W 2 "$(revlab_lan 1)"
lab_check "/ipsecgw/ikev2/session,$SID counts >= 5 packets each way" session_counts "$SID" 5
lab_check "show crypto ikev2 session detail: tunnel totals" \
	lab_show_words show crypto ikev2 session detail -- "Tunnel totals: packets in/out"

# ---------------------------------------------------------------- 3
lab_say "3. port xstats"
lab_check "/ipsecgw/port/xstats,0 consistent with /ipsecgw/interface,0" xstats_consistent 0
lab_check "/ipsecgw/port/xstats,1 consistent with /ipsecgw/interface,1" xstats_consistent 1
lab_check "show controllers" lab_show_words show controllers -- rx_good_packets tx_good_bytes
lab_check "/ipsecgw/port/xstats,9 refused" refused /ipsecgw/port/xstats,9 "no interface with ID 9"

# ---------------------------------------------------------------- 4
lab_say "4. audit of state-changing commands"
lab_cli --raw /ipsecgw/stats >/dev/null
lab_cli --raw /ipsecgw/ikev2/sessions >/dev/null
lab_check "crypto pki crl request LAB-CA" revlab_crl_request
lab_check "audit: crl_request, result=ok" \
	syslog_has "^<29>.* ${TAG}event=audit cmd=/ipsecgw/pki/crl_request params=LAB-CA result=ok$"
lab_check "sa_clear of an unknown SA is refused" refused /ipsecgw/sa_clear,no-such-sa error
lab_check "audit: sa_clear, result=error" \
	syslog_has "${TAG}event=audit cmd=/ipsecgw/sa_clear params=no-such-sa result=error$"
lab_check "a malformed clear/crypto_session is refused" \
	refused /ipsecgw/clear/crypto_session,id=1x "usage: "
lab_check "audit: clear/crypto_session, result=error" \
	syslog_has "${TAG}event=audit cmd=/ipsecgw/clear/crypto_session params=\"id=1x\" result=error$"
lab_check "reads are not audited" eval \
	'n=$(syslog_count "cmd=/ipsecgw/(stats|ikev2/sessions|interface|port/xstats)"); echo "audit lines of reads: $n"; ((n == 0))'

# ---------------------------------------------------------------- 5
lab_say "5. a forged CRL"
revlab_publish forged 5 "$(revlab_serial 1)"
lab_check "crypto pki crl request LAB-CA" revlab_crl_request
lab_check "crl_rejected with its reason (daemon.warning)" \
	syslog_has "^<28>.* ${TAG}event=crl_rejected trustpoint=LAB-CA .*source=http://[^ ]*/inter\.crl verdict=\"rejected: [^\"]*\" why=."
lab_check "peer1 still up" revlab_still_up 1

# ---------------------------------------------------------------- 6
lab_say "6. clear crypto session"
lab_check "clear crypto session" lab_cli clear crypto session
lab_check "session_down id=$SID, reason \"cleared by the operator\"" \
	syslog_has "^<29>.* ${TAG}event=session_down id=$SID version=2 peer=peer1 remote=10\.10\.0\.11 reason=\"cleared by the operator\"$"
lab_check "audit: clear/crypto_session, result=ok" \
	syslog_has "${TAG}event=audit cmd=/ipsecgw/clear/crypto_session params=\"\" result=ok$"

# ---------------------------------------------------------------- 7
lab_say "7. peer1 again, then revoked"
sleep 1
lab_check "peer1 establishes a new session" revlab_peer_up 1
SID2=$(last_up_id)
lab_check "a second session_up (id $SID2, was $SID)" eval '[[ -n $SID2 && $SID2 != "$SID" ]]'
revlab_publish inter 2 "$(revlab_serial 1)"
lab_check "crypto pki crl request LAB-CA" revlab_crl_request
lab_check "crl_accepted: inter's CRL number 02" \
	syslog_has "${TAG}event=crl_accepted trustpoint=LAB-CA issuer=\"[^\"]*Inter CA[^\"]*\" number=02 "
lab_check "revoked: session $SID2, issuer, serial (daemon.warning)" \
	syslog_has "^<28>.* ${TAG}event=revoked id=$SID2 peer=peer1 remote=10\.10\.0\.11 issuer=\"[^\"]*Inter CA[^\"]*\" serial=0*3001 crl_number=0*2 reason=.+$"
lab_check "session_down id=$SID2 with the revocation as its reason" \
	syslog_has "${TAG}event=session_down id=$SID2 version=2 peer=peer1 remote=10\.10\.0\.11 reason=\"peer certificate revoked \(CRL 0*2\)\"$"

lab_say "summary"
lab_check "/ipsecgw/events: every datagram sent" events_counters
echo "collected syslog lines:"
sed 's/^/  | /' "$SYSLOG_OUT"
lab_log "whole run: $((($(date +%s%N) - T_START) / 1000000)) ms"
lab_finish
