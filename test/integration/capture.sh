#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Packet capture to pcapng through telemetry (issue 9), on the lab gateway
# (net_af_packet between namespaces, see test/lab/lab.sh).  Every capture is
# started and stopped with ipsecgw-cli and read back with an independent
# reader (test/lab/pcapng_read.py: its own block walker, scapy to decode)
# and with tcpdump when installed:
#
#   rx        iface=inside,dir=rx while the branch pings the hq: exactly
#             the echo requests, on the inside port, inbound; nothing
#             outbound, nothing from the outside; the file 0600
#   both      every interface, both directions: each ping as it came in on
#             one port and left by the other (TTL one less), the replies
#             likewise, in time order; the gateway's own echo replies (the
#             control plane's frames) outbound; timestamps within the run
#   refused   a second start while one runs; file names with "..", "/",
#             a leading ".", outside the capture directory, an existing
#             file, a symlink (its target untouched); malformed parameters;
#             none creates a file, the last capture's status stays
#   bounds    max_bytes: the capture stops by itself, the file within the
#             bound and no more than one packet short of it, what did not
#             fit counted; max_packets: exactly that many
#   audit     every start and stop, refused or not, in the audit events
#   shutdown  SIGTERM with a capture running: exit 0, the file complete
#
#   test/integration/capture.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init capture "${1:?usage: capture.sh IPSECGW IPSECGW_CLI}" "${2:?}"
lab_topology
CAPDIR=$LAB_TMP/capture
READ=("$LAB_PY" "$LAB_SRC/pcapng_read.py")
lab_conf_af_packet "$LAB_TMP/gw.conf"
cat >>"$LAB_TMP/gw.conf" <<EOF

capture = { dir = "$CAPDIR"; max_bytes = 4194304; mbufs = 1024; };
EOF
lab_gw_start "$LAB_TMP/gw.conf"
T_RUN0=$(date +%s.%N)

# The capture's status field KEY (from /ipsecgw/capture).
cap_field() { lab_cli --raw /ipsecgw/capture | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"; }

# cap_start OPTIONS: ipsecgw-cli capture start, its output shown.
cap_start() { lab_cli capture start "$@"; }
cap_stop() {
	sleep 0.3	# a tick (100 ms) or two: what the workers copied is written
	lab_cli capture stop
}

# cap_count FILE PATTERN: packets of FILE whose line matches PATTERN (ERE).
cap_count() { "${READ[@]}" "$CAPDIR/$1" | grep -cE -- "$2"; }

# expect_count FILE PATTERN N
expect_count() { expect_eq "packets of $1 matching '$2'" "$3" "$(cap_count "$1" "$2")"; }

# Resolve both sides' neighbours first: the captures count exact pings.
lab_check "branch -> hq forwards" ping_ok "$NS_BR" -c 2 -i 0.2 -W 2 "$LAB_HQ_IP4"
lab_check "show capture: available, none run yet" \
	lab_show_words show capture -- "no capture since start-up" "$CAPDIR"

# ---------------------------------------------------------------- rx
lab_say "iface=inside,dir=rx"
lab_check "capture start iface=inside,dir=rx,file=rx.pcapng" \
	cap_start iface=inside,dir=rx,file=rx.pcapng
lab_check "show capture: running" lab_show_words show capture -- "capture running" rx.pcapng
lab_check "5 pings branch -> hq" ping_ok "$NS_BR" -c 5 -i 0.2 -W 2 "$LAB_HQ_IP4"
lab_check "capture stop" cap_stop
rx_file() {
	local mode
	"${READ[@]}" "$CAPDIR/rx.pcapng" | sed 's/^/  /'
	mode=$(stat -c '%a %U' "$CAPDIR/rx.pcapng")
	expect_eq "mode and owner of rx.pcapng" "600 root" "$mode" || return 1
	expect_count rx.pcapng "^$IF_GW_IN in icmp $LAB_BR_IP4 $LAB_HQ_IP4 echo-request" 5 &&
		expect_count rx.pcapng " out " 0 && expect_count rx.pcapng "^$IF_GW_OUT " 0 &&
		expect_count rx.pcapng "echo-reply" 0 &&
		expect_eq "packets written (status) = packets in the file" \
			"$(cap_count rx.pcapng .)" "$(cap_field packets)" &&
		expect_eq "bytes written (status) = file size" \
			"$(stat -c %s "$CAPDIR/rx.pcapng")" "$(cap_field bytes)"
}
lab_check "rx.pcapng: the 5 echo requests in on inside, nothing else of them" rx_file
names_map() {
	local info
	info=$("${READ[@]}" --info "$CAPDIR/rx.pcapng") || return 1
	echo "$info" | sed 's/^/  /'
	grep -q "^0 $IF_GW_OUT\$" <<<"$info" && grep -q "^1 $IF_GW_IN\$" <<<"$info" &&
		grep -q "0=outside (net_af_packet0)" <<<"$info" &&
		grep -q "1=inside (net_af_packet1)" <<<"$info"
}
lab_check "the file names both ports and maps them to outside and inside" names_map
tcpdump_reads() {
	local out
	command -v tcpdump >/dev/null || { echo "no tcpdump: skipped"; return 0; }
	out=$(tcpdump -nn -r "$CAPDIR/$1" 2>&1) || { echo "$out"; return 1; }
	sed 's/^/  /' <<<"$out" | head -4
	expect_eq "echo requests tcpdump reads in $1" "$2" "$(grep -c 'ICMP echo request' <<<"$out")"
}
lab_check "tcpdump reads rx.pcapng" tcpdump_reads rx.pcapng 5

# ---------------------------------------------------------------- both
lab_say "every interface, both directions"
lab_check "capture start file=both.pcapng" cap_start file=both.pcapng
T0=$(date +%s.%N)
lab_check "3 pings branch -> hq" ping_ok "$NS_BR" -c 3 -i 0.2 -W 2 "$LAB_HQ_IP4"
lab_check "2 pings branch -> the gateway" ping_ok "$NS_BR" -c 2 -i 0.2 -W 2 "$LAB_GW_IN_IP4"
T1=$(date +%s.%N)
lab_check "capture stop" cap_stop
both_file() {
	local bad=0 p
	for p in "^$IF_GW_IN in icmp $LAB_BR_IP4 $LAB_HQ_IP4 echo-request" \
		"^$IF_GW_OUT out icmp $LAB_BR_IP4 $LAB_HQ_IP4 echo-request" \
		"^$IF_GW_OUT in icmp $LAB_HQ_IP4 $LAB_BR_IP4 echo-reply" \
		"^$IF_GW_IN out icmp $LAB_HQ_IP4 $LAB_BR_IP4 echo-reply"; do
		expect_count both.pcapng "$p" 3 || bad=1
	done
	# the control plane's own frames go out through the same TX stage
	expect_count both.pcapng "^$IF_GW_IN in icmp $LAB_BR_IP4 $LAB_GW_IN_IP4 echo-request" 2 || bad=1
	expect_count both.pcapng "^$IF_GW_IN out icmp $LAB_GW_IN_IP4 $LAB_BR_IP4 echo-reply" 2 || bad=1
	return $bad
}
lab_check "both.pcapng: each ping in and out of the right ports, the gateway's replies out" both_file
both_order() {
	"${READ[@]}" "$CAPDIR/both.pcapng" | "$LAB_PY" -c '
import sys
t0, t1 = float(sys.argv[1]), float(sys.argv[2])
rows = [l.split() for l in sys.stdin]
ts = [float(r[-1][3:]) for r in rows]
print("%d packets from %.3f to %.3f; pings from %.3f to %.3f" % (len(ts), min(ts), max(ts), t0, t1))
ok = all(t0 - 0.5 <= t <= t1 + 0.5 for t in ts)
seen = {}
for r, t in zip(rows, ts):
    if r[2] == "icmp" and r[3] != sys.argv[3] and r[4] != sys.argv[3]:
        seen[(r[0], r[1], r[5], r[6])] = t
for s in ("seq=1", "seq=2", "seq=3"):
    a = seen.get((sys.argv[4], "in", "echo-request", s))
    b = seen.get((sys.argv[5], "out", "echo-request", s))
    c = seen.get((sys.argv[5], "in", "echo-reply", s))
    d = seen.get((sys.argv[4], "out", "echo-reply", s))
    if None in (a, b, c, d) or not a <= b <= c <= d:
        print("%s: not in order in -> out -> reply in -> reply out: %s" % (s, (a, b, c, d)))
        ok = False
sys.exit(0 if ok else 1)
' "$T0" "$T1" "$LAB_GW_IN_IP4" "$IF_GW_IN" "$IF_GW_OUT"
}
lab_check "timestamps within the run, each ping's four copies in order" both_order
same_payload() {
	local lines i_in i_out a b
	lines=$("${READ[@]}" "$CAPDIR/both.pcapng" |
		grep -n "icmp $LAB_BR_IP4 $LAB_HQ_IP4 echo-request seq=1 ") || return 1
	i_in=$(grep ":$IF_GW_IN in " <<<"$lines" | cut -d: -f1)
	i_out=$(grep ":$IF_GW_OUT out " <<<"$lines" | cut -d: -f1)
	[[ -n $i_in && -n $i_out ]] || { echo "seq=1 not found in and out: $lines"; return 1; }
	a=$("${READ[@]}" --raw "$CAPDIR/both.pcapng" $((i_in - 1)))
	b=$("${READ[@]}" --raw "$CAPDIR/both.pcapng" $((i_out - 1)))
	"$LAB_PY" - "$a" "$b" <<'EOF'
import sys
from scapy.layers.inet import IP
from scapy.layers.l2 import Ether
a, b = Ether(bytes.fromhex(sys.argv[1])), Ether(bytes.fromhex(sys.argv[2]))
print("in:  %s ttl %d\nout: %s ttl %d" % (a.summary(), a[IP].ttl, b.summary(), b[IP].ttl))
ok = b[IP].ttl == a[IP].ttl - 1 and bytes(a[IP].payload) == bytes(b[IP].payload) \
    and a.dst != b.dst
sys.exit(0 if ok else 1)
EOF
}
lab_check "the same echo request in and out: TTL one less, new Ethernet header, same payload" \
	same_payload
lab_check "tcpdump reads both.pcapng" tcpdump_reads both.pcapng 8

# ---------------------------------------------------------------- refused
lab_say "refusals"
lab_check "capture start file=run.pcapng" cap_start file=run.pcapng,iface=outside
refused() {
	local want=$1 out rc
	shift
	out=$(lab_cli "$@" 2>&1)
	rc=$?
	echo "$out" | head -3
	[[ $rc -ne 0 ]] || { echo "ipsecgw-cli $* succeeded"; return 1; }
	grep -qiF -- "$want" <<<"$out" || { echo "expected '$want'"; return 1; }
}
lab_check "a second start is refused" refused "already running" capture start file=second.pcapng
lab_check "capture stop" cap_stop
lab_check "stop with none running is refused" refused "no capture running" capture stop
ls_before=$(ls -A "$CAPDIR")
touch "$LAB_TMP/target"
ln -s "$LAB_TMP/target" "$CAPDIR/link.pcapng"
lab_check "file=../x.pcapng refused" refused "bad file" capture start file=../x.pcapng
lab_check "file=sub/x.pcapng refused" refused "bad file" capture start file=sub/x.pcapng
lab_check "file=.hidden refused" refused "bad file" capture start file=.hidden
lab_check "file=$LAB_TMP/x.pcapng (outside) refused" refused "bad file" \
	capture start "file=$LAB_TMP/x.pcapng"
lab_check "file=$CAPDIR/../x.pcapng refused" refused "bad file" \
	capture start "file=$CAPDIR/../x.pcapng"
lab_check "an existing file (rx.pcapng) refused" refused "exists" capture start file=rx.pcapng
lab_check "a symlink in the directory refused" refused "exists" capture start file=link.pcapng
lab_check "iface=nosuch refused" refused "no interface" capture start iface=nosuch
lab_check "dir=up refused" refused "dir must be" capture start dir=up
lab_check "a key given twice refused" refused "twice" capture start dir=rx,dir=tx
lab_check "an unknown key refused" refused "KEY=VALUE" capture start bpf=icmp
lab_check "max_bytes=100 refused" refused "at least 4096" capture start max_bytes=100
lab_check "max_bytes above capture.max_bytes refused" refused "configured limit" \
	capture start max_bytes=4194305
raw_refused() {
	local out
	out=$(lab_cli --raw "$1" 2>&1)
	echo "$out"
	grep -q '"error"' <<<"$out"
}
lab_check "an empty pair refused (raw)" raw_refused "/ipsecgw/capture/start,dir=rx,,iface=any"
lab_check "stop with a parameter refused (raw)" raw_refused "/ipsecgw/capture/stop,now"
lab_check "the CLI refuses OPTIONS with a space" refused "bad OPTIONS" capture start "file=a b"
untouched() {
	expect_eq "files in the capture directory" \
		"$(printf '%s\n' "$ls_before" link.pcapng | sort | tr '\n' ' ')" \
		"$(ls -A "$CAPDIR" | sort | tr '\n' ' ')" &&
		expect_eq "size of the symlink's target" 0 "$(stat -c %s "$LAB_TMP/target")" &&
		expect_eq "files outside" "" "$(ls "$LAB_TMP"/x.pcapng 2>/dev/null)" &&
		expect_eq "the last capture's file (status)" "$CAPDIR/run.pcapng" "$(cap_field file)"
}
lab_check "no refused start created a file or touched the status" untouched

# ---------------------------------------------------------------- bounds
lab_say "max_bytes and max_packets"
# cap_wait_stop REASON: the capture stopped by itself (5 s), for REASON.
cap_wait_stop() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ $(cap_field running) == 0 ]] && break
		sleep 0.1
	done
	lab_cli show capture
	expect_eq "running" 0 "$(cap_field running)" &&
		expect_eq "stop reason" "$1" "$(cap_field stop_reason)"
}
lab_check "capture start max_bytes=16384,file=size.pcapng" cap_start max_bytes=16384,file=size.pcapng
lab_in "$NS_BR" ping -n -q -c 30 -i 0.02 -s 1000 -W 1 "$LAB_HQ_IP4" >/dev/null 2>&1
lab_check "it stopped by itself at max_bytes" cap_wait_stop "max_bytes reached"
size_bound() {
	local size
	size=$(stat -c %s "$CAPDIR/size.pcapng")
	"${READ[@]}" "$CAPDIR/size.pcapng" | tail -2 | sed 's/^/  /'
	echo "file $size bytes, bound 16384, $(cap_count size.pcapng .) packets," \
		"$(cap_field dropped_limit) dropped over the limit"
	((size <= 16384 && size > 16384 - 1100)) &&
		expect_eq "bytes (status)" "$size" "$(cap_field bytes)" &&
		(($(cap_field dropped_limit) > 0))
}
lab_check "size.pcapng: within 16384 bytes, less than one packet short, the rest counted" size_bound
lab_check "capture start max_packets=4,iface=inside,dir=rx" \
	cap_start max_packets=4,iface=inside,dir=rx,file=count.pcapng
lab_check "8 pings" ping_ok "$NS_BR" -c 8 -i 0.1 -W 2 "$LAB_HQ_IP4"
lab_check "it stopped by itself at max_packets" cap_wait_stop "max_packets reached"
count_bound() {
	expect_eq "packets in count.pcapng" 4 "$(cap_count count.pcapng .)" &&
		expect_eq "packets (status)" 4 "$(cap_field packets)"
}
lab_check "count.pcapng: exactly 4 packets" count_bound

# ---------------------------------------------------------------- audit
audited() {
	local starts stops
	starts=$(grep -c 'event=audit cmd=/ipsecgw/capture/start' "$LAB_GW_LOG")
	stops=$(grep -c 'event=audit cmd=/ipsecgw/capture/stop' "$LAB_GW_LOG")
	grep 'event=audit cmd=/ipsecgw/capture/start.*result=error' "$LAB_GW_LOG" | tail -1 | sed 's/^/  /'
	echo "audit events: $starts starts, $stops stops"
	# the CLI's own refusals (bad OPTIONS) never reach the gateway
	((starts == 20 && stops == 5))
}
lab_check "every start and stop through telemetry was audited" audited

# ---------------------------------------------------------------- shutdown
lab_say "SIGTERM during a capture"
lab_check "capture start file=final.pcapng" cap_start file=final.pcapng
lab_check "2 pings" ping_ok "$NS_BR" -c 2 -i 0.2 -W 2 "$LAB_HQ_IP4"
lab_gw_stop
lab_check "ipsecgw exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"
final_file() {
	grep 'capture stopped' "$LAB_GW_LOG" | tail -1 | sed 's/^/  /'
	expect_count final.pcapng "^$IF_GW_IN in icmp $LAB_BR_IP4 $LAB_HQ_IP4 echo-request" 2
}
lab_check "final.pcapng complete, closed at shutdown" final_file
"$LAB_PY" -c 'import sys, time; print("%.1f s from the gateway start to its exit" % (time.time() - float(sys.argv[1])))' "$T_RUN0"

lab_finish
