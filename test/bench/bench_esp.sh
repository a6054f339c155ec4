# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2153  # bench.sh sets BENCH_ID, BENCH_TMP, PCAP_MAC...
#
# ESP part of bench.sh (sourced by it; uses its helpers): the full I/O
# path.  The gateway, one worker, one manual SA pair (bench_esp.conf.in),
# gets from a net_pcap vdev (infinite_rx=1)
#   enc  plain frames LAN host -> 172.16.0.0/24 (256 flows) that match the
#        SA's protect policy: it encrypts them and sends them to net_null;
#   dec  the peer's ESP packets for our inbound SA, made by
#        `bench_esp --write-pcap` with our own encrypt path and the keys of
#        the config (BENCH_ESP_PKTS <= 8192 packets, sequence numbers
#        1..N, so the config sets benchmark_no_replay_check): it decrypts
#        them and forwards the inner packets to net_null.
# Its rate is the worker's esp_out_pkts / esp_in_pkts counter read over
# telemetry across a 1 s window.  Then the gateway is frozen (SIGSTOP) and
# `bench_esp --ceiling-only` runs the raw intel-ipsec-mb ceiling for 1 s
# (same algorithm, direction and sizes) pinned to the worker's CPU; then
# SIGCONT.  ESP_PAIRS (default 7) such pairs per figure; printed: the
# median of the per-pair ratios with min and max, both sides' median Mpps
# and Gbps (plain frame bytes), and the gateway worker's cycles per packet
# (the prof_* counters of the one loop in 64 that the worker times).
#
# Knobs: ESP_DIRS (enc dec), ESP_ALGS (gcm cbc), ESP_SIZES (64 512 1420),
# ESP_PAIRS, ESP_MEM (the gateway's -m, default 512).

ESP_DIRS=${ESP_DIRS:-enc dec}
ESP_ALGS=${ESP_ALGS:-gcm cbc}
ESP_SIZES=${ESP_SIZES:-64 512 1420}
ESP_PAIRS=${ESP_PAIRS:-7}
ESP_MEM=${ESP_MEM:-512}
BENCH_ESP_PKTS=4096
ESP_SPI_IN=0x1001
ESP_SPI_OUT=0x2001
# Lab keys (never use them anywhere else).  GCM: 16-byte key || 4-byte salt.
ESP_GCM_KEY_IN=0x0102030405060708090a0b0c0d0e0f10a1a2a3a4
ESP_GCM_KEY_OUT=0x1112131415161718191a1b1c1d1e1f20b1b2b3b4
ESP_CBC_KEY_IN=0x2122232425262728292a2b2c2d2e2f30
ESP_CBC_KEY_OUT=0x3132333435363738393a3b3c3d3e3f40
ESP_AUTH_KEY_IN=0x4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60
ESP_AUTH_KEY_OUT=0x6162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80

# esp_stats: median / min / max of the numbers on stdin, "%.3f %.3f %.3f".
esp_stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "0 0 0"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}

# esp_conf DIR ALG PCAP OUT: render the gateway's configuration.
esp_conf() {
	local dir=$1 alg=$2 pcap=$3 out=$4 inside=net_pcap0 outside=net_null0
	local esp=aes128gcm16 kin=$ESP_GCM_KEY_IN kout=$ESP_GCM_KEY_OUT
	local auth="" unsafe="allow_unsafe_manual_gcm = true;" replay=""

	if [[ $dir == dec ]]; then
		inside=net_null0
		outside=net_pcap0
		replay="benchmark_no_replay_check = true;"
	fi
	if [[ $alg == cbc ]]; then
		esp=aes128-sha256
		kin=$ESP_CBC_KEY_IN
		kout=$ESP_CBC_KEY_OUT
		auth="auth_key_in = \"$ESP_AUTH_KEY_IN\"; auth_key_out = \"$ESP_AUTH_KEY_OUT\";"
		unsafe=""
	fi
	lab_render "$BENCH_SRC/bench_esp.conf.in" "$out" "MEM=$ESP_MEM" "PCAP=$pcap" \
		"NO_REPLAY=$replay" "INSIDE_PORT=$inside" "OUTSIDE_PORT=$outside" "ESP=$esp" \
		"SPI_IN=$ESP_SPI_IN" "SPI_OUT=$ESP_SPI_OUT" "ENC_KEY_IN=$kin" "ENC_KEY_OUT=$kout" \
		"AUTH_KEYS=$auth" "UNSAFE_GCM=$unsafe"
}

# esp_pcap DIR ALG SIZE OUT: the frames the gateway receives.
esp_pcap() {
	local dir=$1 alg=$2 size=$3 out=$4 keys=()

	if [[ $dir == dec && $alg == gcm ]]; then
		keys=(--spi "$ESP_SPI_IN" --enc-key "$ESP_GCM_KEY_IN")
	elif [[ $dir == dec ]]; then
		keys=(--spi "$ESP_SPI_IN" --enc-key "$ESP_CBC_KEY_IN" --auth-key "$ESP_AUTH_KEY_IN")
	fi
	"$BENCH_ESP" --write-pcap "$out" --dir "$dir" --alg "$alg" --size "$size" \
		--count "$BENCH_ESP_PKTS" --mac "$PCAP_MAC" "${keys[@]}" >"$out.log" 2>&1 ||
		bench_fail "bench_esp --write-pcap failed" "$out.log"
}

# esp_pairs DIR ALG SIZE SOCK FIELD: ESP_PAIRS paired windows; results in
# ESP_GW, ESP_CEIL, ESP_RATIO ("median min max" each).
esp_pairs() {
	local dir=$1 alg=$2 size=$3 sock=$4 field=$5 cpu p sample delta secs gw ceil
	local gws=() ceils=() ratios=()

	cpu=$(($(nproc) > 1 ? 1 : 0))
	for ((p = 0; p < ESP_PAIRS; p++)); do
		sample=$("$LAB_PY" "$LAB_SRC/tmquery.py" "$sock" --sample 1 /ipsecgw/stats "$field") ||
			bench_fail "cannot sample $field"
		read -r delta secs <<<"$sample"
		gw=$(awk -v d="$delta" -v s="$secs" 'BEGIN { printf "%.4f", d / s / 1e6 }')
		kill -STOP "$BENCH_PID"
		ceil=$(taskset -c "$cpu" "$BENCH_ESP" --ceiling-only --dir "$dir" --alg "$alg" \
			--size "$size" --seconds 1 | sed -n 's/^ceiling mpps=\([0-9.]*\) .*/\1/p')
		kill -CONT "$BENCH_PID"
		[[ -n $ceil ]] || bench_fail "bench_esp --ceiling-only failed"
		gws+=("$gw")
		ceils+=("$ceil")
		ratios+=("$(awk -v a="$gw" -v b="$ceil" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')")
	done
	ESP_GW=$(printf '%s\n' "${gws[@]}" | esp_stats)
	ESP_CEIL=$(printf '%s\n' "${ceils[@]}" | esp_stats)
	ESP_RATIO=$(printf '%s\n' "${ratios[@]}" | esp_stats)
}

# esp_run DIR ALG SIZE: one figure of the full I/O path.
esp_run() {
	local dir=$1 alg=$2 size=$3
	local prefix=ipsecgw-bench-esp-$dir$alg$size-$BENCH_ID conf log sock pcap field
	local before after tgt="" gw ceil gbps cgbps
	conf=$BENCH_TMP/esp-$dir-$alg-$size.conf
	log=$BENCH_TMP/esp-$dir-$alg-$size.log
	pcap=$BENCH_TMP/esp-$dir-$alg-$size.pcap
	sock=$RUNTIME_DIRECTORY/dpdk/$prefix/dpdk_telemetry.v2
	field=$([[ $dir == enc ]] && echo esp_out_pkts || echo esp_in_pkts)
	esp_pcap "$dir" "$alg" "$size" "$pcap"
	esp_conf "$dir" "$alg" "$pcap" "$conf"
	"$IPSECGW" -c "$conf" -- --file-prefix="$prefix" </dev/null >"$log" 2>&1 &
	BENCH_PID=$!
	bench_wait_socket "$sock" "$log" /ipsecgw/version version
	sleep 1
	before=$("$LAB_PY" "$LAB_SRC/tmquery.py" "$sock" /ipsecgw/stats) || bench_fail "no stats" "$log"
	esp_pairs "$dir" "$alg" "$size" "$sock" "$field"
	after=$("$LAB_PY" "$LAB_SRC/tmquery.py" "$sock" /ipsecgw/stats) || bench_fail "no stats" "$log"
	bench_cycles "$before" "$after"
	"$IPSECGW_CLI" --file-prefix "$prefix" show ipsecgw stats >"$log.stats" 2>&1
	bench_stop
	read -r gw _ _ <<<"$ESP_GW"
	read -r ceil _ _ <<<"$ESP_CEIL"
	awk -v r="$gw" 'BEGIN { exit !(r > 0) }' ||
		bench_fail "ipsecgw processed no ESP at $dir $alg $size B (stats in $log.stats)" "$log"
	[[ $alg == gcm && $size == 1420 ]] && tgt="  (target >= 0.55)"
	[[ $alg == gcm && $size == 64 ]] && tgt="  (target >= 0.35)"
	gbps=$(awk -v m="$gw" -v s="$size" 'BEGIN { printf "%.2f", m * s * 8 / 1e3 }')
	cgbps=$(awk -v m="$ceil" -v s="$size" 'BEGIN { printf "%.2f", m * s * 8 / 1e3 }')
	printf 'esp %s %s %5sB: gw %7.3f Mpps %6s Gbps %s | ceiling %7.3f Mpps %6s Gbps | ratio %s [%s]%s\n' \
		"$dir" "$alg" "$size" "$gw" "$gbps" "$CYCLES" "$ceil" "$cgbps" \
		"${ESP_RATIO%% *}" "${ESP_RATIO#* }" "$tgt"
}

bench_esp_all() {
	local dir alg size

	[[ -x ${BENCH_ESP:-} ]] || bench_fail "BENCH_ESP (the bench_esp binary) not set"
	echo "ipsecgw ESP full I/O benchmark: 1 worker, net_pcap(infinite_rx, $BENCH_ESP_PKTS pkts) -> net_null, one manual SA pair, gateway -m $ESP_MEM (--no-huge)"
	echo "  $ESP_PAIRS pairs per figure: 1 s gateway window (telemetry), then 1 s of bench_esp --ceiling-only (no EAL) with the gateway stopped"
	echo "  size = plain Ethernet frame; dec: benchmark_no_replay_check = true (the pcap repeats its sequence numbers)"
	for dir in $ESP_DIRS; do
		for alg in $ESP_ALGS; do
			for size in $ESP_SIZES; do
				esp_run "$dir" "$alg" "$size"
			done
		done
	done
	echo "targets (printed, not asserted): full I/O AES-128-GCM >= 0.55 of the ceiling at 1420 B, >= 0.35 at 64 B"
}
