#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Forwarding benchmark: one ipsecgw worker over in-memory vdevs, against
# dpdk-testpmd io forwarding on the same vdevs, in the same run.
#
#   test/bench/bench.sh IPSECGW IPSECGW_CLI [SECONDS]
#   BENCH_ESP=path/to/bench_esp test/bench/bench.sh ...   (adds the ESP part)
#
# BENCH_PARTS ("fwd esp" by default, "esp" only when BENCH_ESP is set)
# picks the parts; see the ESP part's comment below for its knobs.
#
# net_pcap replays a pcap file forever (infinite_rx=1) into port 0; the
# gateway routes every frame (LPM lookup, TTL decrement, checksum update,
# Ethernet rewrite to a static neighbour) out of net_null (no-rx=1), which
# drops them.  testpmd io forwarding moves the same frames port 0 -> port 1
# untouched: the ceiling of these vdevs on this machine.  Rates are
# counter deltas read over telemetry, SECONDS (default 5) apart, after
# a one-second warm-up: fwd_pkts for ipsecgw, port 1 opackets for testpmd.
# Frame sizes are Ethernet frames without FCS.  For ipsecgw it also prints
# the worker's TSC cycles per packet and how many of them classification
# took (the rest is the PMDs' RX and TX and the loop), from the prof_*
# counters of the one worker loop in 64 that the worker times.

set -uo pipefail

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lab/lab.sh
source "$BENCH_SRC/../lab/lab.sh"

IPSECGW=$(readlink -f "${1:?usage: bench.sh IPSECGW IPSECGW_CLI [SECONDS]}")
IPSECGW_CLI=$(readlink -f "${2:?usage: bench.sh IPSECGW IPSECGW_CLI [SECONDS]}")
SECONDS_RUN=${3:-5}
SIZES=(64 1420)
FLOWS=256
TESTPMD=${TESTPMD:-dpdk-testpmd}
# net_pcap's default MAC is 02:70:63:61:70:<instance> ("pcap"); checked below.
PCAP_MAC=02:70:63:61:70:00

BENCH_TMP=$(mktemp -d /tmp/ipsecgw-bench.XXXXXX)
BENCH_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
export RUNTIME_DIRECTORY=$BENCH_TMP/run
mkdir -p "$RUNTIME_DIRECTORY"
BENCH_PID=
LAB_NAME=bench

# shellcheck source=bench_lib.sh
source "$BENCH_SRC/bench_lib.sh"

bench_fail() {
	echo "ERROR: $*" >&2
	[[ -n ${2:-} && -f $2 ]] && tail -n 30 "$2" | sed 's/^/  | /' >&2
	exit 1
}

# bench_wait_socket SOCKET LOG COMMAND FIELD: until COMMAND's reply has FIELD.
bench_wait_socket() {
	local i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$BENCH_PID" 2>/dev/null || bench_fail "process exited during start-up" "$2"
		[[ -S $1 ]] && "$LAB_PY" "$LAB_SRC/tmquery.py" "$1" "$3" 2>/dev/null |
			"$LAB_PY" "$LAB_SRC/jsonget.py" "$4" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	bench_fail "no telemetry socket at $1 after 30 s" "$2"
}

# bench_field JSON FIELD: FIELD of a telemetry reply.
bench_field() {
	"$LAB_PY" "$LAB_SRC/jsonget.py" "$2" <<<"$1" || bench_fail "no $2 in $1"
}

# bench_cycles BEFORE AFTER: "(worker N cycles/pkt, M classifying)" into
# CYCLES, from two /ipsecgw/stats replies.
bench_cycles() {
	local pkts loop cls
	pkts=$(($(bench_field "$2" prof_pkts) - $(bench_field "$1" prof_pkts)))
	loop=$(($(bench_field "$2" prof_loop_cycles) - $(bench_field "$1" prof_loop_cycles)))
	cls=$(($(bench_field "$2" prof_cls_cycles) - $(bench_field "$1" prof_cls_cycles)))
	CYCLES="(worker: no loop timed)"
	((pkts > 0)) && CYCLES=$(awk -v p="$pkts" -v l="$loop" -v c="$cls" \
		'BEGIN { printf "(worker %.0f cycles/pkt, %.0f classifying)", l / p, c / p }')
}

# bench_rate SOCKET COMMAND FIELD: Mpps of FIELD over SECONDS_RUN into RATE.
bench_rate() {
	local sample delta secs
	sleep 1
	sample=$("$LAB_PY" "$LAB_SRC/tmquery.py" "$1" --sample "$SECONDS_RUN" "$2" "$3") ||
		bench_fail "cannot sample $2 $3"
	read -r delta secs <<<"$sample"
	RATE=$(awk -v d="$delta" -v s="$secs" 'BEGIN { printf "%.2f", d / s / 1e6 }')
}

# bench_gw SIZE PCAP: ipsecgw Mpps into RATE, cycles per packet into CYCLES.
bench_gw() {
	local size=$1 pcap=$2
	local prefix=ipsecgw-bench-gw$size-$BENCH_ID conf log sock mac before after
	conf=$BENCH_TMP/gw$size.conf
	log=$BENCH_TMP/gw$size.log
	sock=$RUNTIME_DIRECTORY/dpdk/$prefix/dpdk_telemetry.v2
	lab_render "$BENCH_SRC/bench.conf.in" "$conf" "PCAP=$pcap"
	"$IPSECGW" -c "$conf" -- --file-prefix="$prefix" </dev/null >"$log" 2>&1 &
	BENCH_PID=$!
	bench_wait_socket "$sock" "$log" /ipsecgw/version version
	mac=$("$IPSECGW_CLI" --file-prefix "$prefix" --json show interfaces | grep -io "$PCAP_MAC" | head -1)
	[[ -n $mac ]] || bench_fail "net_pcap0's MAC is not $PCAP_MAC: frames would not be for us" "$log"
	before=$("$LAB_PY" "$LAB_SRC/tmquery.py" "$sock" /ipsecgw/stats) ||
		bench_fail "cannot read /ipsecgw/stats" "$log"
	bench_rate "$sock" /ipsecgw/stats fwd_pkts
	after=$("$LAB_PY" "$LAB_SRC/tmquery.py" "$sock" /ipsecgw/stats) ||
		bench_fail "cannot read /ipsecgw/stats" "$log"
	bench_cycles "$before" "$after"
	"$IPSECGW_CLI" --file-prefix "$prefix" show ipsecgw stats >"$BENCH_TMP/gw$size.stats" 2>&1
	bench_stop
	awk -v r="$RATE" 'BEGIN { exit !(r > 0) }' ||
		bench_fail "ipsecgw forwarded nothing at $size B" "$BENCH_TMP/gw$size.stats"
}

# bench_testpmd SIZE PCAP: testpmd io Mpps on the same vdevs into RATE.
bench_testpmd() {
	local size=$1 pcap=$2
	local prefix=ipsecgw-bench-tp$size-$BENCH_ID log sock
	log=$BENCH_TMP/testpmd$size.log
	sock=$RUNTIME_DIRECTORY/dpdk/$prefix/dpdk_telemetry.v2
	"$TESTPMD" --no-huge -m 512 --no-pci -l 0-1 --file-prefix="$prefix" \
		--vdev="net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev=net_null0,no-rx=1 -- \
		--forward-mode=io --total-num-mbufs=8192 --stats-period=1 \
		</dev/null >"$log" 2>&1 &
	BENCH_PID=$!
	bench_wait_socket "$sock" "$log" /ethdev/stats,1 opackets
	bench_rate "$sock" /ethdev/stats,1 opackets
	bench_stop
	awk -v r="$RATE" 'BEGIN { exit !(r > 0) }' ||
		bench_fail "testpmd forwarded nothing at $size B" "$log"
}

# shellcheck source=bench_esp.sh
source "$BENCH_SRC/bench_esp.sh"

BENCH_PARTS=${BENCH_PARTS:-fwd${BENCH_ESP:+ esp}}
[[ $BENCH_PARTS == *fwd* ]] || SIZES=()
((${#SIZES[@]} == 0)) ||
	command -v "$TESTPMD" >/dev/null || bench_fail "$TESTPMD not found (Debian package dpdk-dev)"
((${#SIZES[@]} == 0)) ||
	echo "ipsecgw forwarding benchmark: 1 worker, net_pcap(infinite_rx) -> net_null, $FLOWS flows, ${SECONDS_RUN}s per figure, -m 512 each"
echo "  $(nproc) CPUs: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
for size in "${SIZES[@]}"; do
	pcap=$BENCH_TMP/frames$size.pcap
	"$LAB_PY" "$LAB_SRC/frames.py" pcap "$pcap" "$PCAP_MAC" 192.168.10.10 10.20 "$size" "$FLOWS" >/dev/null ||
		bench_fail "cannot write $pcap"
	bench_gw "$size" "$pcap"
	gw=$RATE
	cycles=$CYCLES
	bench_testpmd "$size" "$pcap"
	tp=$RATE
	ratio=$(awk -v a="$gw" -v b="$tp" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
	echo "ipsecgw fwd ${size}B: $gw Mpps $cycles, testpmd io: $tp Mpps, ratio $ratio"
done
[[ $BENCH_PARTS != *esp* ]] || bench_esp_all
