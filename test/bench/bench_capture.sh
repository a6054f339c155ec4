#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# What packet capture costs the worker: the forwarding benchmark's set-up
# (bench.sh: one worker, net_pcap replaying 64-byte frames of 256 flows
# forever into the gateway, routed out of net_null) measured in windows of
# SECONDS, alternating, ROUNDS times:
#
#   off       no capture: the hooks' one load per RX and TX burst
#   filtered  a capture armed whose filter takes nothing of this traffic
#             (iface=outside,dir=rx: net_null receives nothing): the
#             flag, then the filter read, per burst
#   all       iface=any,dir=both: every packet copied (rte_pcapng_copy),
#             the ring full within microseconds, so nearly every copy is
#             made and then dropped (ring_full): the worst case
#   base      (with BASELINE) the same binary built without the capture
#             hooks, in a gateway of its own, alternating with "off"
#
# Printed per mode: forwarded Mpps and the worker's cycles per packet (the
# prof_* counters of bench.sh), min / median / max over the rounds, and
# for "all" the packets the control plane wrote per second.  The machine's
# speed swings: only figures from the same run are compared.
#
#   test/bench/bench_capture.sh IPSECGW IPSECGW_CLI [BASELINE_IPSECGW] [SECONDS] [ROUNDS]

set -uo pipefail

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lab/lab.sh
source "$BENCH_SRC/../lab/lab.sh"

IPSECGW=$(readlink -f "${1:?usage: bench_capture.sh IPSECGW IPSECGW_CLI [BASELINE] [SECONDS] [ROUNDS]}")
IPSECGW_CLI=$(readlink -f "${2:?}")
BASELINE=${3:+$(readlink -f "$3")}
SECS=${4:-3}
ROUNDS=${5:-3}
PCAP_MAC=02:70:63:61:70:00
BENCH_TMP=$(mktemp -d /tmp/ipsecgw-bench-capture.XXXXXX)
BENCH_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
export RUNTIME_DIRECTORY=$BENCH_TMP/run
mkdir -p "$RUNTIME_DIRECTORY"
mkdir -m 0700 "$BENCH_TMP/cap"		# ours, writable by no one else (cp_capture.c)
BENCH_PID=
PREFIX=
declare -A RES=()

# shellcheck source=bench_lib.sh
source "$BENCH_SRC/bench_lib.sh"
die() { echo "ERROR: $*" >&2; exit 1; }

cli() { "$IPSECGW_CLI" --file-prefix "$PREFIX" "$@"; }
stats() { "$LAB_PY" "$LAB_SRC/tmquery.py" "$RUNTIME_DIRECTORY/dpdk/$PREFIX/dpdk_telemetry.v2" "$1"; }
field() { "$LAB_PY" "$LAB_SRC/jsonget.py" "$2" <<<"$1"; }

# gw_start BINARY NAME: the benchmark gateway, with a capture directory.
gw_start() {
	local conf=$BENCH_TMP/$2.conf log=$BENCH_TMP/$2.log i
	PREFIX=ipsecgw-bcap-$2-$BENCH_ID
	lab_render "$BENCH_SRC/bench.conf.in" "$conf" "PCAP=$BENCH_TMP/frames.pcap"
	[[ $2 == base ]] || printf 'capture = { dir = "%s"; mbufs = 4096; };\n' "$BENCH_TMP/cap" >>"$conf"
	"$1" -c "$conf" -- --file-prefix="$PREFIX" </dev/null >"$log" 2>&1 &
	BENCH_PID=$!
	for ((i = 0; i < 300; i++)); do
		kill -0 "$BENCH_PID" 2>/dev/null || { tail "$log"; die "$2 exited"; }
		stats /ipsecgw/version 2>/dev/null | grep -q version && return 0
		sleep 0.1
	done
	die "no telemetry from $2"
}

# window MODE: SECS of forwarding; "Mpps cycles/pkt" appended to RES[MODE].
window() {
	local a b pkts loop t0 t1 mpps cyc
	sleep 0.5
	a=$(stats /ipsecgw/stats) && t0=$(date +%s.%N)
	sleep "$SECS"
	b=$(stats /ipsecgw/stats) && t1=$(date +%s.%N)
	pkts=$(($(field "$b" prof_pkts) - $(field "$a" prof_pkts)))
	loop=$(($(field "$b" prof_loop_cycles) - $(field "$a" prof_loop_cycles)))
	mpps=$(awk -v d="$(($(field "$b" fwd_pkts) - $(field "$a" fwd_pkts)))" -v t0="$t0" -v t1="$t1" \
		'BEGIN { printf "%.2f", d / (t1 - t0) / 1e6 }')
	cyc=$(awk -v l="$loop" -v p="$pkts" 'BEGIN { printf "%.0f", (p > 0 ? l / p : 0) }')
	RES[$1]+="$mpps $cyc;"
	printf '  %-9s %6s Mpps, %4s cycles/pkt\n' "$1" "$mpps" "$cyc"
}

# summary MODE: min / median / max of each column.
summary() {
	tr ';' '\n' <<<"${RES[$1]}" | awk -v m="$1" 'BEGIN { n = 0 } NF == 2 { r[n] = $1 + 0; c[n++] = $2 + 0 }
	function med(a, k,   i, j, t) { for (i = 0; i < k; i++) for (j = i + 1; j < k; j++)
		if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int(k / 2)] }
	END { if (n == 0) exit; printf "%-9s %s Mpps [%s..%s], %s cycles/pkt [%s..%s]\n", m,
		med(r, n), r[0], r[n - 1], med(c, n), c[0], c[n - 1] }'
}

"$LAB_PY" "$LAB_SRC/frames.py" pcap "$BENCH_TMP/frames.pcap" "$PCAP_MAC" 192.168.10.10 10.20 64 256 \
	>/dev/null || die "cannot write the pcap"
echo "capture cost: 1 worker, net_pcap(infinite_rx) -> net_null, 64 B, ${SECS} s windows, $ROUNDS rounds"
written=0
for ((r = 1; r <= ROUNDS; r++)); do
	echo "round $r"
	if [[ -n $BASELINE ]]; then
		gw_start "$BASELINE" base
		window base
		bench_stop
	fi
	gw_start "$IPSECGW" capture
	window off
	cli capture start iface=outside,dir=rx >/dev/null || die "capture start (filtered)"
	window filtered
	cli capture stop >/dev/null || die "capture stop"
	cli capture start iface=any,dir=both >/dev/null || die "capture start (all)"
	t0=$(date +%s.%N)
	window all
	st=$(cli --raw /ipsecgw/capture/stop) || die "capture stop"
	t1=$(date +%s.%N)
	echo "  all: $(field "$st" packets) written ($(awk -v p="$(field "$st" packets)" -v a="$t0" \
		-v b="$t1" 'BEGIN { printf "%.0f", p / (b - a) }')/s), $(field "$st" dropped_ring_full) ring full," \
		"$(field "$st" dropped_no_mbuf) no mbuf"
	bench_stop
	rm -f "$BENCH_TMP"/cap/*
done
echo "summary (median [min..max] over $ROUNDS rounds):"
for m in base off filtered all; do summary "$m"; done
