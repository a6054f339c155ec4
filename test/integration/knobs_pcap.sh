#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Tunnel knobs against a capture, scapy as the independent ESP
# implementation.  One gateway (test/lab/knobs.conf.in) with net_pcap ports
# only, in a namespace of its own (no veth: nothing leaves the files):
#
#   in_rx.pcap  -> [inside  net_pcap0] ipsecgw [outside net_pcap1] <- out_rx.pcap
#   in_tx.pcap  <-                                                 -> out_tx.pcap
#
# Four manual SA pairs with the peer 10.30.0.2: kclamp (tcp_mss 1360,
# mtu 1400, df copy), kfix (dscp 46, ecn compat, df set, ttl_decrement
# false), kdef (defaults), k6 (inner IPv6, tcp_mss 1300, mtu 1280).
# test/lab/knobs_frames.py writes the input (cleartext from the host, and
# ESP from the peer that scapy encrypted with the config's keys, some with
# the outer ECN field set), and then checks the output case by case:
# every ESP packet the gateway sent decrypted by scapy, its outer DF and
# TOS and the inner TOS, TTL, MSS and checksums read from the bytes; the
# decapsulated packets (RFC 6040 4.2 ECN, MSS, TTL) and the ICMP errors
# (fragmentation needed with the tunnel's MTU, ICMPv6 packet too big, time
# exceeded).  The gateway's counters must agree exactly: tunnel_mss_clamped,
# tunnel_ce_marked, tunnel_mtu_exceeded, drop_ecn (also on the SA).
#
#   test/integration/knobs_pcap.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init knobs_pcap "${1:?usage: knobs_pcap.sh IPSECGW IPSECGW_CLI}" "${2:?}"

FRAMES=$LAB_SRC/knobs_frames.py
SEED=$LAB_ID-$RANDOM$RANDOM		# the SAs' keys of this run (knobs_frames.py keys)
T0=$(date +%s%N)

lab_say "frames and keys (scapy)"
mapfile -t KEYS < <("$LAB_PY" "$FRAMES" keys "$SEED")
((${#KEYS[@]} == 8)) || lab_die "knobs_frames.py keys gave ${#KEYS[@]} keys, not 8"
COUNTS=$("$LAB_PY" "$FRAMES" make "$SEED" "$LAB_TMP") || lab_die "knobs_frames.py make failed"
lab_log "$COUNTS"
count() { sed -n "s/.*\<$1=\([0-9]*\).*/\1/p" <<<"$COUNTS"; }
N_RX=$(($(count in_rx) + $(count out_rx)))
N_ESP_OUT=$(count expect_out_tx)
lab_render "$LAB_SRC/knobs.conf.in" "$LAB_TMP/knobs.conf" "DIR=$LAB_TMP" "${KEYS[@]}"
lab_check "the configuration passes --check" lab_conf_ok "$LAB_TMP/knobs.conf"

lab_say "the gateway over the pcap files"
lab_netns_add "$NS_GW"
lab_gw_start "$LAB_TMP/knobs.conf"

# Every frame read, every ESP packet sent, every ICMP error made: the
# counters, read until they stop short of nothing (20 s at most).
want_counters=(rx_pkts="$N_RX" esp_out_pkts="$N_ESP_OUT" esp_in_pkts=8
	tunnel_mss_clamped=4 tunnel_ce_marked=2 tunnel_mtu_exceeded=2 drop_ecn=1)
counters_done() {
	local stats kv seen
	stats=$(lab_cli --raw /ipsecgw/stats) || return 1
	for kv in "${want_counters[@]}"; do
		seen=$("$LAB_PY" "$LAB_SRC/jsonget.py" "${kv%%=*}" <<<"$stats") || return 1
		((seen >= ${kv#*=})) || return 1
	done
	# the three ICMP errors, sent by the control plane
	seen=$("$LAB_PY" "$LAB_SRC/jsonget.py" cptx_pkts <<<"$stats") && ((seen >= 3))
}
for ((i = 0; i < 200; i++)); do
	counters_done && break
	sleep 0.1
done
lab_log "processed in $(((($(date +%s%N) - T0) / 1000000))) ms since the start of the test"

counters_exact() {
	local stats kv seen bad=0
	stats=$(lab_cli --raw /ipsecgw/stats) || return 1
	for kv in "${want_counters[@]}"; do
		seen=$("$LAB_PY" "$LAB_SRC/jsonget.py" "${kv%%=*}" <<<"$stats")
		expect_eq "${kv%%=*}" "${kv#*=}" "$seen" || bad=1
	done
	return $bad
}
lab_check "counters: frames, ESP, MSS clamps, CE marks, mtu punts, drop_ecn" counters_exact

# The inbound SA of kclamp counted its drop_ecn too.
sa_drop_ecn() {
	local h
	h=$(lab_cli --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = next(iter(json.load(sys.stdin).values()))
print(*[h for h, n, d in zip(r["ids"], r["name"], r["dir"]) if n == "kclamp" and d == "in"])') ||
		return 1
	[[ $h =~ ^[0-9]+$ ]] || { echo "no inbound SA kclamp in /ipsecgw/sas ($h)"; return 1; }
	expect_eq "drop_ecn of SA kclamp in (handle $h)" 1 \
		"$(lab_cli --raw "/ipsecgw/sa,$h" | "$LAB_PY" "$LAB_SRC/jsonget.py" drop_ecn)"
}
lab_check "the drop counted on its SA" sa_drop_ecn
lab_check "ipsecgw still running" lab_gw_alive
lab_gw_stop
lab_check "ipsecgw exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"

lab_say "the capture, case by case (scapy)"
lab_check "every knob on the wire as configured" "$LAB_PY" "$FRAMES" check "$SEED" "$LAB_TMP"
lab_log "test took $(((($(date +%s%N) - T0) / 1000000))) ms"

lab_finish
