#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# IKEv2 handshake benchmark (issue 5): the RESPONDER's CPU time per
# handshake (IKE_SA_INIT + IKE_AUTH with certificates and one CHILD SA),
# ipsecgw against strongSwan's charon, with the same strongSwan initiators,
# in the same run.  The initiator is the expensive side (~5-6 ms CPU per
# certificate handshake), so setups/s measures the initiators and is
# printed for information only; the figure that counts is the responder's
# CPU per handshake and the ratio ipsecgw/charon (target <= 0.4).
#
#   branch-ID -- gw-ID (ipsecgw, net_af_packet, 10.10.0.1)
#                   |  gwo/hqo veth
#   hq-ID: bridge brk, 10.10.0.254 = charon "resp" (the strongSwan responder)
#                   |  one veth each
#   i1-ID .. iN-ID: 10.10.0.11.. = charons "i1".."iN" (the initiators)
#
# Initiators: reuse_ikesa = no (every swanctl --initiate makes a new IKE
# SA), unique = never (no INITIAL_CONTACT, so a new SA does not replace the
# older ones of the same identity), threads = 64.  All of them use one
# identity; ipsecgw has one peer with remote = "any" for it, charon one
# connection with remote_addrs = %any, both with unique = never semantics
# (ipsecgw replaces only on INITIAL_CONTACT).  Same proposals on both:
# aes128-sha256-ecp256, ESP aes128gcm16.  Cookies/DoS protection off on
# both responders (ipsecgw: cookie_threshold = max_half_open; charon:
# dos_protection = no), charon with a hashed IKE SA table.  Logging at the
# normal level on both (ipsecgw "notice", charon filelog level 1).
#
# One round = M handshakes (P concurrent swanctl loops per initiator) against
# one responder: its CPU time before and after (/proc/PID/task/*/schedstat,
# nanoseconds, all threads of charon; all threads of ipsecgw EXCEPT the DPDK
# worker lcores ("rte-worker-N"), which own the ports and poll them), minus
# the idle rate of the same threads measured beforehand, divided by M.  The
# handshakes are counted by the initiators (swanctl exit status) and checked
# against the responder afterwards (ipsecgw's ikev2_sa_established, charon's
# ESTABLISHED IKE SAs), outside the window: ipsecgw's telemetry runs on its
# control-plane thread.  Then every SA is deleted (swanctl --terminate on
# the initiators, outside the window) so the tables stay small.  Rounds
# alternate the responders; the median per responder is reported.
# Certificates: RSA-2048 (RSA CA chain) and ECDSA P-256 (ECDSA CA chain).
#
#   test/bench/bench_ike.sh IPSECGW IPSECGW_CLI PKI_TOOL [--quick]
#
# Environment: BENCH_IKE_N (handshakes per round, 120; --quick 24),
# BENCH_IKE_INIT (initiator charons, 3; --quick 2), BENCH_IKE_PAR (swanctl
# loops per initiator, 4), BENCH_IKE_ROUNDS (rounds per responder, 3;
# --quick 1), BENCH_IKE_KEYS ("rsa ec"), BENCH_IKE_TARGET (0.4: with
# BENCH_IKE_STRICT=1 a ratio above it fails the run).
# BENCH_IKE_VERBOSE=1: charons log at swan.sh's level (2 for ike, cfg, knl).
# BENCH_IKE_PERF=DIR: perf record (DWARF call graphs) of ipsecgw's main
# (control-plane) thread during the rounds, data and a report in DIR.

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"

QUICK=0
[[ ${4:-} == --quick ]] && QUICK=1
lab_init bench_ike "${1:?usage: bench_ike.sh IPSECGW IPSECGW_CLI PKI_TOOL [--quick]}" "${2:?}"
swan_init "${3:?usage: bench_ike.sh IPSECGW IPSECGW_CLI PKI_TOOL [--quick]}"

if ((QUICK)); then
	N=${BENCH_IKE_N:-24} NI=${BENCH_IKE_INIT:-2} ROUNDS=${BENCH_IKE_ROUNDS:-1}
else
	N=${BENCH_IKE_N:-120} NI=${BENCH_IKE_INIT:-3} ROUNDS=${BENCH_IKE_ROUNDS:-3}
fi
PAR=${BENCH_IKE_PAR:-4}
KEYS=${BENCH_IKE_KEYS:-rsa ec}
TARGET=${BENCH_IKE_TARGET:-0.4}
IKE_P=aes128-sha256-ecp256
ESP_P=aes128gcm16
RESP_IP4=$LAB_HQ_IP4		# charon "resp" on hq's bridge
GW_IP4=$LAB_GW_OUT_IP4
# Traffic selectors (never used for traffic).  kernel-libipsec needs an
# address of its own inside its local TS for the route it installs.
TS_I=10.77.0.0/16		# the initiators' side: 10.77.0.I on their lo
TS_R=$LAB_HQ_LAN_IP4/32		# hq's LAN address on lo: charon resp has it
IDLE_S=1

# ---------------------------------------------------------------- set-up

lab_say "set-up: namespaces (bridge in hq, $NI initiators), PKIs, charons"
lab_topology
# hq becomes the switch: a bridge with hqo (the gateway's outside port),
# charon resp's address and one veth per initiator.
ip -n "$NS_HQ" addr del "$LAB_HQ_IP4/24" dev "$IF_HQ" || lab_die "hq address"
ip -n "$NS_HQ" link add brk type bridge || lab_die "bridge"
ip -n "$NS_HQ" link set brk type bridge forward_delay 0 stp_state 0
ip -n "$NS_HQ" link set "$IF_HQ" master brk
ip -n "$NS_HQ" link set brk up
ip -n "$NS_HQ" addr add "$LAB_HQ_IP4/24" dev brk
declare -a NS_I=()
for ((i = 1; i <= NI; i++)); do
	NS_I[i]=i$i-$LAB_ID
	lab_netns_add "${NS_I[i]}"
	lab_veth "${NS_I[i]}" "ie$i$LAB_ID" "$NS_HQ" "is$i$LAB_ID"
	ip -n "$NS_HQ" link set "is$i$LAB_ID" master brk
	lab_tx_off "${NS_I[i]}" "ie$i$LAB_ID"
	ip -n "${NS_I[i]}" addr add "10.10.0.$((10 + i))/24" dev "ie$i$LAB_ID"
	ip -n "${NS_I[i]}" addr add "10.77.0.$i/32" dev lo
done

# Key type -> PKI dir, certificate names, identities.
declare -A PKI_OF=([rsa]=$LAB_TMP/pki-rsa [ec]=$LAB_TMP/pki-ec)
declare -A GW_CERT=([rsa]=gw [ec]=gw-ec) PEER_CERT=([rsa]=peer [ec]=peer-ec)
declare -A GW_ID=([rsa]=gw.lab.example [ec]=gw-ec.lab.example)
declare -A PEER_ID=([rsa]=peer.lab.example [ec]=peer-ec.lab.example)
for k in $KEYS; do
	[[ -n ${PKI_OF[$k]:-} ]] || lab_die "BENCH_IKE_KEYS: unknown key type $k (rsa, ec)"
done
mkdir -p "${PKI_OF[rsa]}" "${PKI_OF[ec]}"
"$SWAN_PKI_TOOL" init "${PKI_OF[rsa]}" >/dev/null || lab_die "pki_tool init (RSA CA)"
"$SWAN_PKI_TOOL" init "${PKI_OF[ec]}" --ca-key ec >/dev/null || lab_die "pki_tool init (ECDSA CA)"

# quiet_log NAME: charon's file log at level 1 (swan.sh writes 2 for ike/cfg/knl).
quiet_log() {
	[[ -z ${BENCH_IKE_VERBOSE:-} ]] || return 0
	sed -i -e 's/^\t\t\t\(ike\|cfg\|knl\) = 2$/\t\t\t\1 = 1/' "$SWAN_DIR/$1/strongswan.conf"
}

swan_instance resp "$NS_HQ"
swan_strongswan_conf resp "dos_protection = no" "ikesa_table_size = 1024" \
	"ikesa_table_segments = 16"
quiet_log resp
for ((i = 1; i <= NI; i++)); do
	swan_instance "i$i" "${NS_I[i]}"
	swan_strongswan_conf "i$i" "threads = 64" "reuse_ikesa = no"
	quiet_log "i$i"
done
for k in $KEYS; do
	for name in resp $(seq -f 'i%g' 1 "$NI"); do
		swan_trust "$name" "${PKI_OF[$k]}"
		# both CA sets have root.crt/inter.crt: keep them apart
		mv "$SWAN_DIR/$name/swanctl/x509ca/root.crt" "$SWAN_DIR/$name/swanctl/x509ca/root-$k.crt"
		mv "$SWAN_DIR/$name/swanctl/x509ca/inter.crt" "$SWAN_DIR/$name/swanctl/x509ca/inter-$k.crt"
	done
	swan_cert resp "${PKI_OF[$k]}" "${GW_CERT[$k]}"
	for ((i = 1; i <= NI; i++)); do
		swan_cert "i$i" "${PKI_OF[$k]}" "${PEER_CERT[$k]}"
	done
done
swan_start resp
for ((i = 1; i <= NI; i++)); do
	swan_start "i$i"
done

# unique_never NAME CONN: unique = never in that connection (swan_conn has no key).
unique_never() {
	sed -i 's/^\t\tversion = .*/&\n\t\tunique = never/' "$SWAN_DIR/$1/swanctl/conns/$2.conf" &&
		swan_write_swanctl "$1"
}

# swan_conf KEY: charon resp answers anyone with the KEY identity; every
# initiator has "gwd" (to ipsecgw) and "swr" (to charon resp).
swan_conf() {
	local k=$1 i
	swan_conns_reset resp
	swan_conn resp resp LOCAL_ADDRS="$RESP_IP4" REMOTE_ADDRS=%any \
		LOCAL_ID="${GW_ID[$k]}" REMOTE_ID="${PEER_ID[$k]}" CERT="${GW_CERT[$k]}.crt" \
		LOCAL_TS="$TS_R" REMOTE_TS="$TS_I" PROPOSALS="$IKE_P" ESP_PROPOSALS="$ESP_P" \
		DPD_DELAY=0s
	unique_never resp resp || return 1
	swan_load resp | grep -E '^(successfully|no )' || return 1
	for ((i = 1; i <= NI; i++)); do
		swan_conns_reset "i$i"
		swan_conn "i$i" gwd LOCAL_ADDRS="10.10.0.$((10 + i))" REMOTE_ADDRS="$GW_IP4" \
			LOCAL_ID="${PEER_ID[$k]}" REMOTE_ID="${GW_ID[$k]}" CERT="${PEER_CERT[$k]}.crt" \
			LOCAL_TS="$TS_I" REMOTE_TS="$TS_R" PROPOSALS="$IKE_P" ESP_PROPOSALS="$ESP_P" \
			DPD_DELAY=0s
		swan_conn "i$i" swr LOCAL_ADDRS="10.10.0.$((10 + i))" REMOTE_ADDRS="$RESP_IP4" \
			LOCAL_ID="${PEER_ID[$k]}" REMOTE_ID="${GW_ID[$k]}" CERT="${PEER_CERT[$k]}.crt" \
			LOCAL_TS="$TS_I" REMOTE_TS="$TS_R" PROPOSALS="$IKE_P" ESP_PROPOSALS="$ESP_P" \
			DPD_DELAY=0s
		unique_never "i$i" gwd && unique_never "i$i" swr || return 1
		swan_load "i$i" | grep -E '^(successfully|no )' || return 1
	done
}

# gw_conf OUT KEY
gw_conf() {
	local k=$2 pki=${PKI_OF[$2]}
	lab_conf_af_packet "$1" || lab_die "cannot render $1"
	sed -i 's/^log_level = .*/log_level = "notice";/' "$1"
	cat >>"$1" <<EOF
pki = {
  identities = ( { cert = "$pki/${GW_CERT[$k]}.crt"; key = "$pki/${GW_CERT[$k]}.key"; chain = "$pki/inter.crt"; } );
  trustpoints = ( { name = "LAB-CA"; ca = "$pki/ca.crt"; revocation_check = "none"; } );
};
crypto = { ikev2 = { dpd_interval = 0; max_half_open = 8192; cookie_threshold = 8192; }; };
peers = (
  { name = "bench"; ike_version = 2; remote = "any";
    remote_id = "${PEER_ID[$k]}"; local_id = "${GW_ID[$k]}"; trustpoint = "LAB-CA";
    ike_proposals = [ "$IKE_P" ]; esp_proposals = [ "$ESP_P" ];
    local_ts = [ "$TS_R" ]; remote_ts = [ "$TS_I" ];
    initiate = "none"; }
);
EOF
}

# ---------------------------------------------------------------- measuring

# cpu_ns PID FILTER: nanoseconds on CPU of PID's threads (schedstat), all of
# them (FILTER "all") or all but the DPDK worker lcores (FILTER "noworker").
cpu_ns() {
	local pid=$1 filter=$2 t comm sum=0 v
	for t in /proc/"$pid"/task/*; do
		comm=$(<"$t/comm") 2>/dev/null || continue
		[[ $filter == noworker && $comm == *-worker-* ]] && continue
		read -r v _ <"$t/schedstat" 2>/dev/null || continue
		sum=$((sum + v))
	done
	echo "$sum"
}

# threads_of PID: "comm(us/s) ..." for its threads, over a second of idle.
threads_of() {
	local t out= v
	local -A c0=()
	for t in /proc/"$1"/task/*; do
		read -r v _ <"$t/schedstat" && c0[$t]=$v
	done
	sleep 1
	for t in /proc/"$1"/task/*; do
		read -r v _ <"$t/schedstat" || continue
		out+="$(<"$t/comm")($(((v - ${c0[$t]:-0}) / 1000))) "
	done
	echo "$out"
}

now_ns() { date +%s%N; }

# idle_rate PID FILTER: ns of CPU per s while idle (IDLE_S seconds).
idle_rate() {
	local c0 c1 t0 t1
	c0=$(cpu_ns "$1" "$2")
	t0=$(now_ns)
	sleep "$IDLE_S"
	c1=$(cpu_ns "$1" "$2")
	t1=$(now_ns)
	echo $(((c1 - c0) * 1000000000 / (t1 - t0)))
}

# loop INIT CONN COUNT OUTFILE: COUNT handshakes one after the other.
loop() {
	local i ok=0
	for ((i = 0; i < $3; i++)); do
		swan_ctl "$1" --initiate --child net --ike "$2" --timeout 30 >"$4.log" 2>&1 && ok=$((ok + 1))
	done
	echo "$ok" >"$4"
	((ok == $3)) && rm -f "$4.log"
}

# burst CONN TOTAL: TOTAL handshakes, spread over NI initiators x PAR loops;
# prints how many succeeded.
burst() {
	local conn=$1 total=$2 loops=$((NI * PAR)) i p j=0 n ok=0 f pids=()
	for ((i = 1; i <= NI; i++)); do
		for ((p = 0; p < PAR; p++)); do
			n=$((total / loops + (j < total % loops ? 1 : 0)))
			loop "i$i" "$conn" "$n" "$LAB_TMP/ok.$i.$p.n" &
			pids+=($!)
			j=$((j + 1))
		done
	done
	wait "${pids[@]}"
	for f in "$LAB_TMP"/ok.*.n; do
		ok=$((ok + $(<"$f")))
	done
	rm -f "$LAB_TMP"/ok.*.n
	echo "$ok"
}

# teardown_sas CONN: every initiator deletes its SAs of CONN.
teardown_sas() {
	local i pids=()
	for ((i = 1; i <= NI; i++)); do
		swan_ctl "i$i" --terminate --ike "$1" --timeout 60 >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
}

gw_stat() { lab_cli --raw /ipsecgw/ikev2/stats | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"; }
resp_established() {
	swan_ctl resp --list-sas --ike resp --raw 2>/dev/null | grep -o 'state=ESTABLISHED' | wc -l
}

# wait_empty WHO: the responder's table is empty again (30 s).
wait_empty() {
	local i n
	for ((i = 0; i < 300; i++)); do
		if [[ $1 == gw ]]; then
			n=$(gw_stat sessions)
		else
			n=$(swan_ctl resp --list-sas --raw 2>/dev/null | grep -c '^list-sa event')
		fi
		[[ $n == 0 ]] && return 0
		sleep 0.1
	done
	echo "$1: $n sessions left after 30 s"
	return 1
}

# round WHO KEY: one measured round; appends "WHO KEY ms_per_hs setups/s" to RESULTS.
round() {
	local who=$1 k=$2 pid filter conn rate c0 c1 t0 t1 ok seen before ms sps
	if [[ $who == gw ]]; then
		pid=$LAB_GW_PID filter=noworker conn=gwd
		before=$(gw_stat ikev2_sa_established)
	else
		pid=${LAB_BG[swan-resp]} filter=all conn=swr
	fi
	rate=$(idle_rate "$pid" "$filter")
	c0=$(cpu_ns "$pid" "$filter")
	t0=$(now_ns)
	ok=$(burst "$conn" "$N")
	t1=$(now_ns)
	c1=$(cpu_ns "$pid" "$filter")
	if [[ $who == gw ]]; then
		seen=$(($(gw_stat ikev2_sa_established) - before))
	else
		seen=$(resp_established)
	fi
	teardown_sas "$conn"
	wait_empty "$who" || return 1
	if ((ok != N || seen != N)); then
		echo "$who $k: $ok of $N handshakes succeeded at the initiators, the responder saw $seen"
		return 1
	fi
	ms=$(awk -v c=$((c1 - c0)) -v r="$rate" -v t=$((t1 - t0)) -v n="$N" \
		'BEGIN { v = (c - r * t / 1e9) / n / 1e6; printf "%.3f", v < 0 ? 0 : v }')
	sps=$(awk -v t=$((t1 - t0)) -v n="$N" 'BEGIN { printf "%.0f", n * 1e9 / t }')
	printf '%-8s %-4s %4d handshakes in %6.2f s (%s/s): responder CPU %s ms/handshake (idle %s us/s subtracted)\n' \
		"$who" "$k" "$N" "$(awk -v t=$((t1 - t0)) 'BEGIN { print t / 1e9 }')" "$sps" "$ms" \
		"$((rate / 1000))"
	echo "$who $k $ms $sps" >>"$LAB_TMP/results"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else print v[int((NR + 1) / 2)] }'; }

# ---------------------------------------------------------------- run

: >"$LAB_TMP/results"
for k in $KEYS; do
	lab_say "$k certificates: $N handshakes per round, $NI initiators x $PAR loops, $ROUNDS rounds per responder"
	CONF=$LAB_TMP/gw-$k.conf
	gw_conf "$CONF" "$k"
	lab_check "$k: connections loaded (charon resp, $NI initiators)" swan_conf "$k" || break
	lab_gw_start "$CONF"
	lab_log "ipsecgw threads, us/s of CPU when idle: $(threads_of "$LAB_GW_PID")(counted: all but rte-worker-*)"
	lab_log "charon threads, us/s of CPU when idle: $(threads_of "${LAB_BG[swan-resp]}")(all counted)"
	# warm-up: certificates loaded, caches and ARP filled on both sides
	w=$(burst gwd $((NI * PAR))); teardown_sas gwd; wait_empty gw
	lab_check "$k: warm-up handshakes with ipsecgw ($w of $((NI * PAR)))" test "$w" -eq $((NI * PAR))
	w=$(burst swr $((NI * PAR))); teardown_sas swr; wait_empty resp
	lab_check "$k: warm-up handshakes with charon ($w of $((NI * PAR)))" test "$w" -eq $((NI * PAR))
	if [[ -n ${BENCH_IKE_PERF:-} ]]; then
		mkdir -p "$BENCH_IKE_PERF"
		perf record --call-graph dwarf,32768 -o "$BENCH_IKE_PERF/perf-$k.data" -t "$LAB_GW_PID" \
			>"$BENCH_IKE_PERF/perf-$k.log" 2>&1 &
		PERF_PID=$!
	fi
	for ((r = 1; r <= ROUNDS; r++)); do
		# alternate the order, so that drift hits both alike
		if ((r % 2)); then order="gw resp"; else order="resp gw"; fi
		for who in $order; do
			lab_check "$k round $r: $who" round "$who" "$k"
		done
	done
	if [[ -n ${BENCH_IKE_PERF:-} ]]; then
		kill -INT "$PERF_PID"
		wait "$PERF_PID"
		perf report -i "$BENCH_IKE_PERF/perf-$k.data" --children --stdio --sort sym -g none \
			2>/dev/null | grep -v '^$' | head -n 120 >"$BENCH_IKE_PERF/perf-$k.txt"
		lab_log "perf profile: $BENCH_IKE_PERF/perf-$k.txt"
	fi
	lab_gw_stop
	lab_log "gateway exit status $LAB_GW_RC"
done

lab_say "IKEv2 responder CPU per handshake (IKE_SA_INIT + IKE_AUTH + 1 CHILD SA; median of rounds)"
printf '%-6s %14s %14s %8s %12s %12s\n' keys "ipsecgw ms" "charon ms" ratio "ipsecgw/s" "charon/s"
worst=0
for k in $KEYS; do
	g=$(awk -v k="$k" '$1 == "gw" && $2 == k { print $3 }' "$LAB_TMP/results" | median)
	c=$(awk -v k="$k" '$1 == "resp" && $2 == k { print $3 }' "$LAB_TMP/results" | median)
	gs=$(awk -v k="$k" '$1 == "gw" && $2 == k { print $4 }' "$LAB_TMP/results" | median)
	cs=$(awk -v k="$k" '$1 == "resp" && $2 == k { print $4 }' "$LAB_TMP/results" | median)
	ratio=$(awk -v g="$g" -v c="$c" 'BEGIN { if (c + 0 > 0 && g != "nan") printf "%.2f", g / c; else print "nan" }')
	printf '%-6s %14s %14s %8s %12s %12s\n' "$k" "$g" "$c" "$ratio" "$gs" "$cs"
	awk -v r="$ratio" -v t="$TARGET" 'BEGIN { exit !(r == "nan" || r + 0 > t + 0) }' && worst=1
done
echo "(target: ratio <= $TARGET; setups/s are bounded by the strongSwan initiators, for information)"
if ((worst)) && [[ ${BENCH_IKE_STRICT:-0} == 1 ]]; then
	lab_check "ratio ipsecgw/charon <= $TARGET" false
fi
lab_finish
