#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ipsecgw with 2 workers on net_af_packet between two namespaces (see
# test/lab/lab.sh): every interface has one RX and one TX queue per worker
# (af_packet qpairs=2: two receive sockets in one kernel fanout group, which
# spreads flows by hash), and each port's control-plane TX ring is drained by
# one worker.  Checks: a config whose af_packet vdevs lack qpairs=2 is refused
# at start with a clear message; the gateway reports 2 workers; ping both ways
# (IPv4 and IPv6); ARP and ND resolve on both ports, also after the peers
# forget the gateway; 64 UDP flows each way (IPv4 and IPv6) arrive complete,
# exactly once, and both workers received and forwarded part of them; no
# TX-full or punt-ring drops; SIGTERM exits 0.
#
#   test/integration/multi_worker.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init multi_worker "${1:?usage: multi_worker.sh IPSECGW IPSECGW_CLI}" "${2:?}"
lab_topology

WORKERS=2
# lcore 0 (control plane) on CPU 0, the two workers on CPU 1: this box has 2
# CPUs, so the gateway's default "-l 0-2" would name a CPU that does not exist.
LCORES=--lcores=0@0,1@1,2@1
FLOWS=64		# UDP flows per run, one source port each
PER_FLOW=16		# datagrams per flow
UDP_PORT=5001
SPORT_BASE=40000

# ---------------------------------------------------------------- refused
lab_say "af_packet queue count must match the workers"
# run_refused NAME CONF WANT: ipsecgw must exit non-zero at start, saying WANT.
run_refused() {
	local name=$1 conf=$2 want=$3 out rc
	out=$(RUNTIME_DIRECTORY=$LAB_RUNDIR timeout 60 ip netns exec "$NS_GW" \
		"$IPSECGW" -c "$conf" -- --file-prefix="$LAB_PREFIX-$name" </dev/null 2>&1)
	rc=$?
	grep -iE 'qpairs|queue|workers|EAL init|exit' <<<"$out" | head -n 5
	if ((rc == 0 || rc == 124)); then
		echo "ipsecgw exited $rc; expected a refusal at start"
		return 1
	fi
	grep -qF -- "$want" <<<"$out" || { echo "expected '$want' in its output (exit $rc)"; return 1; }
	echo "exit status $rc"
}
check_ok() { "$IPSECGW" -c "$1" --check; }

lab_conf_workers "$LAB_TMP/noqpairs.conf" "$WORKERS" "" "$LCORES"
lab_check "workers = 2 without qpairs passes --check (queues are a device matter)" \
	check_ok "$LAB_TMP/noqpairs.conf"
lab_check "workers = 2 on af_packet without qpairs is refused at start" \
	run_refused noqpairs "$LAB_TMP/noqpairs.conf" "give the vdev qpairs=<workers>"
lab_conf_workers "$LAB_TMP/qpairs3.conf" "$WORKERS" 3 "$LCORES"
lab_check "workers = 2 on af_packet with qpairs=3 is refused at start" \
	run_refused qpairs3 "$LAB_TMP/qpairs3.conf" "set qpairs=2"

# ---------------------------------------------------------------- start
lab_say "ipsecgw with $WORKERS workers, af_packet qpairs=$WORKERS, $LCORES"
lab_conf_workers "$LAB_TMP/gw.conf" "$WORKERS" "$WORKERS" "$LCORES"
grep -E '^workers|qpairs|lcores' "$LAB_TMP/gw.conf" | sed 's/^/    /'
lab_gw_start "$LAB_TMP/gw.conf"

GW_OUT_MAC=$(lab_mac "$NS_GW" "$IF_GW_OUT")
GW_IN_MAC=$(lab_mac "$NS_GW" "$IF_GW_IN")
HQ_MAC=$(lab_mac "$NS_HQ" "$IF_HQ")
BR_MAC=$(lab_mac "$NS_BR" "$IF_BR")

version_workers() {
	local n
	lab_cli show version || return 1
	n=$(lab_cli --raw /ipsecgw/version | "$LAB_PY" "$LAB_SRC/jsonget.py" workers) || return 1
	expect_eq "/ipsecgw/version workers" "$WORKERS" "$n"
}
# worker_array NAME: the per-worker array "worker_NAME" of /ipsecgw/stats, one line.
worker_array() {
	lab_cli --raw /ipsecgw/stats | "$LAB_PY" "$LAB_SRC/jsonget.py" "worker_$1" | tr '\n' ' '
}
worker_lcores() {
	local lc
	lc=$(worker_array lcore) || return 1
	expect_eq "worker lcores (from $LCORES)" "1 2 " "$lc"
}
queues_logged() {
	grep -E 'interface .* queues' "$LAB_GW_LOG" | sed 's/^.*interface/interface/'
	[[ $(grep -cE "interface .*x $WORKERS queues" "$LAB_GW_LOG") -eq 2 ]] ||
		{ echo "expected both interfaces started with $WORKERS queues"; return 1; }
}
lab_check "the gateway reports $WORKERS workers (show version, /ipsecgw/version)" version_workers
lab_check "workers run on lcores 1 and 2" worker_lcores
lab_check "both interfaces started with $WORKERS queue pairs" queues_logged

# ---------------------------------------------------------------- ping
# Forwarding first: the gateway must resolve hq and branch itself, each
# request and reply leaving through its port's control-plane TX ring.
lab_say "ping across the gateway, both ways, IPv4 and IPv6"
lab_check "branch -> hq ($LAB_HQ_IP4)" ping_ok "$NS_BR" -c 3 -i 0.2 -W 2 "$LAB_HQ_IP4"
lab_check "hq -> branch ($LAB_BR_IP4)" ping_ok "$NS_HQ" -c 3 -i 0.2 -W 2 "$LAB_BR_IP4"
lab_check "branch -> hq ($LAB_HQ_IP6)" ping_ok "$NS_BR" -6 -c 3 -i 0.2 -W 2 "$LAB_HQ_IP6"
lab_check "hq -> branch ($LAB_BR_IP6)" ping_ok "$NS_HQ" -6 -c 3 -i 0.2 -W 2 "$LAB_BR_IP6"
lab_check "branch -> hq LAN $LAB_HQ_LAN_IP4 via the default route" ping_ok "$NS_BR" -c 3 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4"
lab_check "hq pings the gateway ($LAB_GW_OUT_IP4)" ping_ok "$NS_HQ" -c 3 -i 0.2 -W 2 "$LAB_GW_OUT_IP4"
lab_check "branch pings the gateway ($LAB_GW_IN_IP6)" ping_ok "$NS_BR" -6 -c 3 -i 0.2 -W 2 "$LAB_GW_IN_IP6"

# ---------------------------------------------------------------- ARP / ND
lab_say "ARP and ND with the control-plane TX rings drained by one worker each"
neighbours_learned() {
	local bad=0
	lab_neigh_is "$NS_HQ" "$IF_HQ" "$LAB_GW_OUT_IP4" "$GW_OUT_MAC" || bad=1
	lab_neigh_is "$NS_BR" "$IF_BR" "$LAB_GW_IN_IP4" "$GW_IN_MAC" || bad=1
	lab_neigh_is "$NS_HQ" "$IF_HQ" "$LAB_GW_OUT_IP6" "$GW_OUT_MAC" || bad=1
	lab_neigh_is "$NS_BR" "$IF_BR" "$LAB_GW_IN_IP6" "$GW_IN_MAC" || bad=1
	return $bad
}
lab_check "hq and branch learned the gateway's MACs by ARP and ND" neighbours_learned
lab_check "the gateway's ARP table has hq and branch" \
	lab_show_words show arp -- "$LAB_HQ_IP4" "$HQ_MAC" "$LAB_BR_IP4" "$BR_MAC"
lab_check "the gateway's ND table has hq and branch" \
	lab_show_words show ipv6 neighbors -- "$LAB_HQ_IP6" "$HQ_MAC" "$LAB_BR_IP6" "$BR_MAC"
# Interface i's CP TX ring is drained by worker i % workers: with two
# interfaces, each worker sent some of the control plane's packets.
cptx_both() {
	local -a c
	read -ra c <<<"$(worker_array cptx_pkts)"
	echo "worker_cptx_pkts: ${c[*]}"
	((${#c[@]} == WORKERS && c[0] > 0 && c[1] > 0)) ||
		{ echo "expected both workers to have sent control-plane packets"; return 1; }
}
lab_check "both workers drained a control-plane TX ring" cptx_both
forget_gateway() {
	ip -n "$NS_HQ" neigh flush dev "$IF_HQ" &&
		ip -n "$NS_BR" neigh flush dev "$IF_BR" &&
		ip -n "$NS_HQ" -6 neigh flush dev "$IF_HQ" &&
		ip -n "$NS_BR" -6 neigh flush dev "$IF_BR"
}
lab_check "hq and branch forget their neighbours" forget_gateway
lab_check "branch -> hq after the flush ($LAB_HQ_IP4)" ping_ok "$NS_BR" -c 2 -i 0.2 -W 2 "$LAB_HQ_IP4"
lab_check "hq -> branch after the flush ($LAB_BR_IP6)" ping_ok "$NS_HQ" -6 -c 2 -i 0.2 -W 2 "$LAB_BR_IP6"
lab_check "hq -> branch after the flush ($LAB_BR_IP4)" ping_ok "$NS_HQ" -c 2 -i 0.2 -W 2 "$LAB_BR_IP4"
lab_check "branch -> hq after the flush ($LAB_HQ_IP6)" ping_ok "$NS_BR" -6 -c 2 -i 0.2 -W 2 "$LAB_HQ_IP6"
lab_check "ARP and ND resolved the gateway again" neighbours_learned

# ---------------------------------------------------------------- flows
lab_say "$FLOWS UDP flows x $PER_FLOW datagrams, each way, IPv4 and IPv6"
# The receiver counts every (flow, sequence) pair it sees and exits 0 only
# when each arrived exactly once; it gives up 3 s after the last datagram.
read -r -d '' PY_RECV <<'EOF'
import socket, sys, time
addr, port, flows, per_flow = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((addr, port))
s.settimeout(3.0)
print("listening", flush=True)
seen, dups, bad, sports = {}, 0, 0, set()
want = flows * per_flow
deadline = time.monotonic() + 60
while len(seen) < want and time.monotonic() < deadline:
    try:
        data, src = s.recvfrom(2048)
    except socket.timeout:
        break
    try:
        flow, seq = (int(x) for x in data.decode().split()[:2])
    except ValueError:
        bad += 1
        continue
    if not (0 <= flow < flows and 0 <= seq < per_flow):
        bad += 1
        continue
    sports.add(src[1])
    if (flow, seq) in seen:
        dups += 1
    seen[(flow, seq)] = src[1]
per = [sum(1 for (f, _) in seen if f == i) for i in range(flows)]
print(f"received {len(seen)} of {want} datagrams on {len(sports)} source ports; "
      f"per flow {min(per)}..{max(per)}; missing {want - len(seen)}, "
      f"duplicates {dups}, malformed {bad}")
sys.exit(0 if len(seen) == want and dups == 0 and bad == 0 else 1)
EOF
# The sender: flow i from source port SPORT_BASE + i, one datagram per flow
# per round, 10 ms between rounds: ~6 kpps, and a worker would have to stall
# for ~80 ms before af_packet's 512-frame receive ring of its queue filled.
read -r -d '' PY_SEND <<'EOF'
import socket, sys, time
src, dst, port, flows, per_flow, base = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for i in range(flows):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, base + i))
    socks.append(s)
for seq in range(per_flow):
    for i, s in enumerate(socks):
        s.sendto(f"{i} {seq} ".encode().ljust(200, b"x"), (dst, port))
    time.sleep(0.010)
print(f"sent {flows * per_flow} datagrams on {flows} flows, {src} ports "
      f"{base}..{base + flows - 1} -> [{dst}]:{port}")
EOF

# queue_rx PORT: the RX packets of each of the port's first WORKERS queues,
# from DPDK's own /ethdev/stats (af_packet counts per receive socket).
queue_rx() {
	lab_cli --raw "/ethdev/stats,$1" | "$LAB_PY" "$LAB_SRC/jsonget.py" q_ipackets |
		head -n "$WORKERS" | tr '\n' ' '
}

# flows FROM_NS SRC TO_NS DST PORT: one run of FLOWS flows into the gateway's
# port PORT, counted by the receiver; prints how they spread over its queues.
flows() {
	local from=$1 src=$2 to=$3 dst=$4 port=$5 bind=0.0.0.0 log i rc
	local -a q0 q1
	[[ $dst == *:* ]] && bind=::
	log=$LAB_TMP/recv-$to-$dst.log
	lab_bg_start recv "$log" ip netns exec "$to" "$LAB_PY" -c "$PY_RECV" \
		"$bind" "$UDP_PORT" "$FLOWS" "$PER_FLOW" >/dev/null
	for ((i = 0; i < 50; i++)); do
		grep -q listening "$log" 2>/dev/null && break
		sleep 0.1
	done
	read -ra q0 <<<"$(queue_rx "$port")"
	lab_in "$from" "$LAB_PY" -c "$PY_SEND" "$src" "$dst" "$UDP_PORT" "$FLOWS" "$PER_FLOW" \
		"$SPORT_BASE" || { lab_bg_stop recv; return 1; }
	lab_bg_wait recv 30
	rc=$?
	grep -v listening "$log"
	read -ra q1 <<<"$(queue_rx "$port")"
	echo "gateway port $port RX queues: queue 0 +$((q1[0] - q0[0])), queue 1 +$((q1[1] - q0[1]))"
	return $rc
}

read -ra rx0 <<<"$(worker_array rx_pkts)"
read -ra fwd0 <<<"$(worker_array fwd_pkts)"
read -ra port0_q0 <<<"$(queue_rx 0)"
read -ra port1_q0 <<<"$(queue_rx 1)"
lab_check "IPv4 branch -> hq: every datagram arrives" flows "$NS_BR" "$LAB_BR_IP4" "$NS_HQ" "$LAB_HQ_IP4" 1
lab_check "IPv4 hq -> branch: every datagram arrives" flows "$NS_HQ" "$LAB_HQ_IP4" "$NS_BR" "$LAB_BR_IP4" 0
lab_check "IPv6 branch -> hq: every datagram arrives" flows "$NS_BR" "$LAB_BR_IP6" "$NS_HQ" "$LAB_HQ_IP6" 1
lab_check "IPv6 hq -> branch: every datagram arrives" flows "$NS_HQ" "$LAB_HQ_IP6" "$NS_BR" "$LAB_BR_IP6" 0
read -ra rx1 <<<"$(worker_array rx_pkts)"
read -ra fwd1 <<<"$(worker_array fwd_pkts)"
read -ra port0_q1 <<<"$(queue_rx 0)"
read -ra port1_q1 <<<"$(queue_rx 1)"

SENT=$((4 * FLOWS * PER_FLOW))
# both_workers WHAT BEFORE[] AFTER[]: each worker's share of the runs.
both_workers() {
	local what=$1 d0 d1
	local -n b=$2 a=$3
	if ((${#b[@]} != WORKERS || ${#a[@]} != WORKERS)); then
		echo "worker_$what: expected $WORKERS entries, saw '${b[*]}' and '${a[*]}'"
		return 1
	fi
	d0=$((a[0] - b[0]))
	d1=$((a[1] - b[1]))
	echo "worker_$what during the runs: worker 0 $d0, worker 1 $d1 (total $((d0 + d1)), $SENT datagrams sent)"
	((d0 > 0 && d1 > 0)) || { echo "expected both workers to carry traffic"; return 1; }
	((d0 + d1 >= SENT)) || { echo "expected at least $SENT in total"; return 1; }
}
lab_check "both workers received part of the flows (worker_rx_pkts)" both_workers rx_pkts rx0 rx1
lab_check "both workers forwarded part of the flows (worker_fwd_pkts)" both_workers fwd_pkts fwd0 fwd1
# port_queues NAME BEFORE[] AFTER[]: the flows reached both RX queues of a port.
port_queues() {
	local name=$1 d0 d1
	local -n b=$2 a=$3
	if ((${#b[@]} != WORKERS || ${#a[@]} != WORKERS)); then
		echo "$name q_ipackets: expected $WORKERS queues, saw '${b[*]}' and '${a[*]}'"
		return 1
	fi
	d0=$((a[0] - b[0]))
	d1=$((a[1] - b[1]))
	echo "$name RX during the runs: queue 0 $d0, queue 1 $d1"
	((d0 > 0 && d1 > 0)) || { echo "expected the flows to spread over both RX queues"; return 1; }
}
lab_check "outside port: the flows reached both RX queues" port_queues outside port0_q0 port0_q1
lab_check "inside port: the flows reached both RX queues" port_queues inside port1_q0 port1_q1
lab_check "show ipsecgw stats has a row per worker" lab_show_words show ipsecgw stats -- worker

# ---------------------------------------------------------------- drops
lab_say "no drops"
counters_zero() {
	local c v bad=0
	for c in "$@"; do
		v=$(lab_counter "$c") || return 1
		expect_eq "$c" 0 "$v" || bad=1
	done
	return $bad
}
lab_check "no TX-full, punt-ring-full or CP-TX-ring-full drops" \
	counters_zero drop_tx_full drop_punt_ring_full drop_cptx_ring_full
port_clean() {
	local reply f v bad=0
	reply=$(lab_cli --raw "/ipsecgw/interface,$1") || return 1
	for f in rx_missed rx_nombuf tx_errors; do
		v=$("$LAB_PY" "$LAB_SRC/jsonget.py" "$f" <<<"$reply") || return 1
		expect_eq "interface $1 $f" 0 "$v" || bad=1
	done
	return $bad
}
lab_check "interface 0 (outside): no missed, no-mbuf or TX errors" port_clean 0
lab_check "interface 1 (inside): no missed, no-mbuf or TX errors" port_clean 1
lab_check "ipsecgw still running" lab_gw_alive

# ---------------------------------------------------------------- shutdown
lab_say "SIGTERM"
lab_gw_stop
lab_check "ipsecgw exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"
final_counters() {
	grep -A3 'final counters' "$LAB_GW_LOG" || { echo "no final counters in $LAB_GW_LOG"; return 1; }
}
lab_check "ipsecgw printed its final counters" final_counters

lab_finish
