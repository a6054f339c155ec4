#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# CRL server faults with nothing lost, and a restart from the CRL cache
# (issue 8, "Faults, with nothing lost"), on the revocation lab
# (test/lab/revlab.sh): ipsecgw with three strongSwan IKEv2 peers carrying
# numbered traffic, revocation_check = "crl", disconnect_revoked_peers on,
# crl_download_timeout 5 s, crl_max_size 1048576; the CA's CRLs served by
# test/lab/crl_fault_srv.py, whose behaviour the test switches.
#
#   1. faults, each for every CRL path, each triggered by `crypto pki crl
#      request LAB-CA`: 500 (then two scheduled retries: the server sees
#      growing intervals), garbage, 1 GiB with and without Content-Length,
#      a slow server (bytes trickled past the timeout), a connection closed
#      without an answer, nothing listening.  After each: the CRLs in force
#      keep their numbers, `show crypto pki crls` shows the error, the IKE
#      and CHILD SAs of both sides are the same ones (ids, SPIs, charon's
#      unique ids), the peers are up; for 1 GiB the gateway's peak RSS
#      grows by less than 16 MiB; during the 1 GiB and slow downloads
#      telemetry (run by the control-plane loop) keeps answering, timed
#      every 50 ms.  Over all the faults the peers lose no packet
#      (sequence numbers; LOSS_ALLOWANCE=N in the environment allows N).
#   2. a good CRL after the faults: accepted, it revokes peer3, which goes;
#      peers 1 and 2 stay; the back-off is reset.
#   3. restart (SIGTERM) with the CRL server down: the CRLs come from
#      crl_cache_dir (source "cache:..."), the failed download shows; the
#      charons notice the lost IKE SAs by DPD (dpd_delay 2 s, dpd_action
#      restart) and initiate again: peers 1 and 2 are accepted on the cached
#      CRLs, traffic flows with nothing lost; peer3 (revoked in the cached
#      CRL) is refused.
#   4. restart with crl_cache_dir emptied and the server still down: no CRL
#      is held (`show crypto pki crls`: one "(no CRL yet)" row per URL with
#      its error), and a new session is refused (never fail open).
#
# Prints a summary table: fault | what show crypto pki crls says | what
# stays in force | back-off and the figures measured.  ~75 s.
#
#   test/integration/crl_faults.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"
# shellcheck source=../lab/revlab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/revlab.sh"

# shellcheck disable=SC2034 # revlab.sh reads them
REVLAB_PEERS="1 2 3"
# shellcheck disable=SC2034
REVLAB_FAULT_SRV=1
# shellcheck disable=SC2034
REVLAB_DPD_DELAY=2s
# shellcheck disable=SC2034
REVLAB_DPD_ACTION=restart
REVLAB_RATE=${REVLAB_RATE:-500}
revlab_init crl_faults "${1:?usage: crl_faults.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}" "${3:?}"
MAX_SIZE=1048576	# lab_conf_pki's crl_max_size
TIMEOUT_S=5		# and crl_download_timeout
RSS_SLACK_KB=16384
LOSS_ALLOWANCE=${LOSS_ALLOWANCE:-0}	# packets a flow may lose over the faults
T_START=$(date +%s%N)
INTER="LAB Inter CA"
SUMMARY=()		# "fault | what the operator sees | in force | back-off" rows

lab_say "set-up: namespaces, PKI, fault-injecting CRL server, ipsecgw, three charons, traffic"
revlab_start

# ---------------------------------------------------------------- helpers

# sa_ids N...: the gateway's session id, IKE SPIs and CHILD SPIs of peers
# N..., and charon's IKE and CHILD SA unique ids and SPIs: one line each.
sa_ids() {
	local n
	"$LAB_PY" - "$LAB_SOCK" "$LAB_SRC" "$REVLAB_PY_SESSIONS" "$@" <<'EOF' || return 1
import sys
sys.path.insert(0, sys.argv[2])
from tmquery import Telemetry
exec(sys.argv[3])
want = {"peer" + n for n in sys.argv[4:]}
for r in sorted(sessions(Telemetry(sys.argv[1])).values(), key=lambda r: r["peer"]):
    if r["peer"] in want:
        print("gw %s: session %s %s %s/%s child in %s" % (r["peer"], r["id"], r.get("status"),
              r.get("local_spi"), r.get("remote_spi"), ",".join(r.get("child_spi_in") or [])))
EOF
	for n in "$@"; do
		echo "charon peer$n: $(swan_ctl "peer$n" --list-sas --ike gw --raw 2>/dev/null |
			grep -oE '(uniqueid|spi-in|state)=[A-Za-z0-9_]+' | tr '\n' ' ')"
	done
}

# same_sas BEFORE N...: sa_ids N... is still BEFORE.
same_sas() {
	local before=$1 now
	shift
	now=$(sa_ids "$@")
	echo "$now"
	[[ $now == "$before" ]] || { echo "--- before:"; echo "$before"; return 1; }
}

# crl_numbers: the number of each CRL in force (telemetry).
crl_numbers() {
	echo "root=$(revlab_crl_field "LAB Root CA" crl_number)" \
		"inter=$(revlab_crl_field "$INTER" crl_number)" \
		"inter2=$(revlab_crl_field "LAB Inter2 CA" crl_number)"
}

tp_field() { lab_cli --raw /ipsecgw/pki/trustpoint,1 | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"; }

# settled: no download in flight (30 s).
settled() {
	local i
	for ((i = 0; i < 300; i++)); do
		[[ $(tp_field in_flight 2>/dev/null) == 0 ]] && return 0
		sleep 0.1
	done
	echo "downloads still in flight after 30 s"
	return 1
}

# crls_say TEXT: the inter row of `show crypto pki crls` (second table) has TEXT.
crls_say() {
	local out
	out=$(lab_cli show crypto pki crls) || { echo "$out"; return 1; }
	echo "$out"
	grep -F "CN=$INTER" <<<"$out" | grep -qF -- "$1" ||
		{ echo "expected '$1' on the $INTER row"; return 1; }
}

# hwm_kb: the gateway's peak RSS (VmHWM), and rss_kb its RSS, in kB.
hwm_kb() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$LAB_GW_PID/status"; }
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$LAB_GW_PID/status"; }

# last_served PATH MODE FIELD: FIELD (bytes, dur) of the last such request.
last_served() {
	revlab_fault_requests "$1" | awk -v m="$2" -v f="$3" '
		$4 == m { v = (f == "bytes" ? $7 : $6) } END { print v }'
}

# fault MODE COUNTER TEXT WAIT_S: switch the server to MODE for every path,
# request the CRLs; then the checks common to every fault.  Sets F_T0.
fault() {
	local mode=$1 counter=$2 text=$3 wait=$4 c0
	lab_say "fault: $mode"
	settled >/dev/null
	NUMS0=$(crl_numbers)
	IDS0=$(sa_ids 1 2 3)
	c0=$(revlab_crl_field "$INTER" "$counter")
	lab_check "the CRL server switched to '$mode'" revlab_fault "$mode"
	F_T0=$(date +%s.%N)
	lab_check "crypto pki crl request $REVLAB_TP" revlab_crl_request
	lab_check "inter's download counted as $counter" revlab_crl_wait "$INTER" "$counter" $((c0 + 1)) "$wait"
	F_MS=$((($(date +%s%N) - $(revlab_t0)) / 1000000))
	lab_check "show crypto pki crls: '$text'" crls_say "$text"
	lab_check "the CRLs in force keep their numbers ($NUMS0)" expect_eq numbers "$NUMS0" "$(crl_numbers)"
}

# after_fault: no session deleted or rekeyed, all up.
after_fault() {
	lab_check "no IKE or CHILD SA deleted or rekeyed (ids and SPIs, both sides)" same_sas "$IDS0" 1 2 3
	lab_check "peers 1, 2, 3 up on both sides" revlab_still_up 1 2 3
}

summary() { SUMMARY+=("$1|$2|$3|$4"); }

# no_loss_within MAX N...: the flows of peers N... lost at most MAX packets.
no_loss_within() {
	local max=$1 n lost bad=0
	shift
	revlab_flow_lines "$@"
	for n in "$@"; do
		lost=$(revlab_flow "peer$n" lost) || return 1
		((lost <= max)) || { echo "peer$n lost $lost: $(revlab_flow "peer$n" lost_ranges | cut -c1-300)"; bad=1; }
	done
	return $bad
}

# backoff_seen SINCE LIMIT_S: the server saw 3 requests of /inter.crl since
# SINCE (the operator's, then two scheduled retries), the second interval
# at least 1.5 times the first.
backoff_seen() {
	local since=$1 limit=$2 i lines
	for ((i = 0; i < limit * 10; i++)); do
		lines=$(revlab_fault_requests /inter.crl "$since")
		(($(grep -c . <<<"$lines") >= 3)) && break
		sleep 0.1
	done
	echo "$lines"
	"$LAB_PY" -c '
import sys
t = [float(l.split()[0]) for l in sys.stdin.read().splitlines() if l.strip()]
if len(t) < 3:
    sys.exit("only %d requests" % len(t))
g = [b - a for a, b in zip(t, t[1:])][:2]
print("intervals between the requests of /inter.crl: %s s" % ", ".join("%.1f" % x for x in g))
open(sys.argv[1], "w").write(", ".join("%.1f" % x for x in g))
sys.exit(0 if g[0] >= 3 and g[1] >= 1.5 * g[0] else 1)' "$LAB_TMP/backoff.txt" <<<"$lines"
}

# backoff_now: the trustpoint's current back-off, for the summary.
backoff_now() { echo "next retry in $(tp_field retry_backoff_s) s"; }

# ---------------------------------------------------------------- 1. faults

revlab_sender_start faults
revlab_flows_flowing 1 2 3 >/dev/null

# 500 first: the back-off starts from its minimum.
fault 500 failed "download failed: HTTP 500 Internal Server Error" 15
lab_check "downloads back off: the server sees growing intervals (5 s, then 10 s)" backoff_seen "$F_T0" 45
lab_check "trustpoint telemetry: retries >= 2, retry_backoff_s >= 20" \
	bash -c 'echo "retries=$1 retry_backoff_s=$2"; (($1 >= 2 && $2 >= 20))' _ "$(tp_field retries)" "$(tp_field retry_backoff_s)"
after_fault
summary "500" "$(revlab_crl_field "$INTER" last_result)" "all 3 CRLs" "retries after $(cat "$LAB_TMP/backoff.txt" 2>/dev/null) s; $(backoff_now)"

fault garbage rejected "rejected: not a CRL (DER or PEM)" 15
after_fault
summary "garbage (4 KiB)" "$(revlab_crl_field "$INTER" last_result)" "all 3 CRLs" "$(backoff_now)"

# From here to the end of the slow fault, telemetry (every command runs on
# the control-plane loop) is timed every 50 ms: the 1 GiB bodies and the
# hanging downloads are the fetcher threads' business, the loop keeps
# answering (and DPD, ARP and IKE with it).
cat >"$LAB_TMP/rtt.py" <<'PY'
import os, sys, time
sys.path.insert(0, sys.argv[2])
from tmquery import Telemetry
tm, end, rtts = Telemetry(sys.argv[1]), time.monotonic() + float(sys.argv[3]), []
while time.monotonic() < end and not os.path.exists(sys.argv[4]):
    t = time.monotonic()
    tm.query("/ipsecgw/pki/trustpoint,1")
    rtts.append((time.monotonic() - t) * 1e3)
    time.sleep(0.05)
rtts.sort()
print("%d telemetry round trips over %.1f s: p50 %.1f ms, p99 %.1f ms, max %.1f ms" %
      (len(rtts), float(sys.argv[3]) - max(0, end - time.monotonic()), rtts[len(rtts) // 2],
       rtts[int(len(rtts) * 0.99)], rtts[-1]))
sys.exit(0 if rtts[-1] < 2000 else 1)
PY
lab_bg_start rtt "$LAB_TMP/rtt.log" "$LAB_PY" "$LAB_TMP/rtt.py" "$LAB_SOCK" "$LAB_SRC" 60 "$LAB_TMP/rtt.stop"

for mode in huge huge-nolen; do
	HWM0=$(hwm_kb)
	RSS0=$(rss_kb)
	fault "$mode" failed "too big: $([[ $mode == huge ]] && echo "Content-Length 1073741824 over crl_max_size ($MAX_SIZE)" || echo "more than crl_max_size ($MAX_SIZE) bytes sent")" 15
	HWM1=$(hwm_kb)
	BYTES=$(last_served /inter.crl "$mode" bytes)
	lab_check "the gateway's peak RSS grew by less than $RSS_SLACK_KB kB (body limit $MAX_SIZE bytes)" \
		bash -c 'echo "VmHWM $1 -> $2 kB (+$(($2 - $1)) kB), VmRSS $3 -> $4 kB; the server wrote $5 bytes of /inter.crl before the gateway hung up"; (($2 - $1 < $6))' \
		_ "$HWM0" "$HWM1" "$RSS0" "$(rss_kb)" "$BYTES" "$RSS_SLACK_KB"
	after_fault
	summary "1 GiB $([[ $mode == huge ]] && echo "with" || echo "without") Content-Length" \
		"$(revlab_crl_field "$INTER" last_result)" "all 3 CRLs" \
		"$(backoff_now); answer after ${F_MS} ms, ${BYTES} bytes sent, peak RSS +$((HWM1 - HWM0)) kB"
done

fault slow failed "download failed: timeout after $TIMEOUT_S s reading the body" 30
touch "$LAB_TMP/rtt.stop"
lab_bg_wait rtt 10
RTT_RC=$?
lab_check "1 GiB and slow downloads: telemetry answered all along (max round trip < 2 s; a blocked loop: ${TIMEOUT_S} s)" \
	bash -c 'cat "$1"; exit "$2"' _ "$LAB_TMP/rtt.log" "$RTT_RC"
after_fault
summary "slow (8 B/s)" "$(revlab_crl_field "$INTER" last_result)" "all 3 CRLs" \
	"$(backoff_now); answer after ${F_MS} ms; $(grep -o 'p99.*' "$LAB_TMP/rtt.log")"

fault close failed "download failed: connection closed before a complete response" 15
after_fault
summary "connection closed, no answer" "$(revlab_crl_field "$INTER" last_result)" "all 3 CRLs" "$(backoff_now)"

fault down failed "download failed: connection refused by $LAB_MGMT_CA_IP4:$REVLAB_PORT" 15
after_fault
summary "down (nothing listens)" "$(revlab_crl_field "$INTER" last_result)" "all 3 CRLs" "$(backoff_now)"

revlab_sender_stop
lab_check "peers 1, 2 and 3 lost at most $LOSS_ALLOWANCE packets each over all the faults" \
	no_loss_within "$LOSS_ALLOWANCE" 1 2 3

# ---------------------------------------------------------------- 2. a good CRL

lab_say "a good CRL after the faults: inter's CRL 2 revokes peer3"
lab_check "the CRL server serves the files again" revlab_fault file
settled >/dev/null
IDS0=$(sa_ids 1 2)
revlab_publish inter 2 "$(revlab_serial 3)"
lab_check "crypto pki crl request $REVLAB_TP (t0)" revlab_crl_request
lab_check "peer3's session gone on both sides" revlab_wait_gone 3 15
lab_check "inter's CRL in force is number 02, accepted" \
	bash -c 'echo "crl_number=$1 last_result=$2"; [[ $1 == 02 && $2 == "accepted: new content" ]]' _ \
	"$(revlab_crl_field "$INTER" crl_number)" "$(revlab_crl_field "$INTER" last_result)"
lab_check "peers 1 and 2: same SAs, up" same_sas "$IDS0" 1 2
settled >/dev/null
lab_check "the back-off is reset (retry_backoff_s 0)" expect_eq retry_backoff_s 0 "$(tp_field retry_backoff_s)"

# ---------------------------------------------------------------- 3. restart from the cache

lab_say "restart with the CRL server down: CRLs from crl_cache_dir, the charons re-establish"
cache_files() { find "$LAB_TMP/crl-cache" -name '*.crl' -printf '%f %s bytes\n' | sort; }
lab_check "crl_cache_dir holds the three CRLs" bash -c 'echo "$1"; (($(grep -c . <<<"$1") == 3))' _ "$(cache_files)"
cp "$LAB_GW_LOG" "$LAB_TMP/ipsecgw-run1.log"
lab_check "the CRL server is down (nothing listens)" revlab_fault down
T_DOWN=$(date +%s.%N)
# a crash (SIGKILL), not a clean stop: SIGTERM DELETEs every session and
# charon, told so, would not come back by DPD
kill -KILL "$LAB_GW_PID"
wait "$LAB_GW_PID"
lab_check "ipsecgw killed (SIGKILL: no DELETE sent)" expect_eq "exit status" 137 "$?"
LAB_GW_PID=
T_STOP=$(date +%s%N)
lab_gw_start "$LAB_TMP/gw.conf"
T_UP=$(date +%s%N)
lab_log "ipsecgw down for $(((T_UP - T_STOP) / 1000000)) ms"

from_cache() {
	local i c
	for ((i = 0; i < 100; i++)); do
		c=$(revlab_crl_field "$INTER" failed 2>/dev/null)
		[[ $c =~ ^[1-9] ]] && break
		sleep 0.1
	done
	crls_say "cache:" || return 1
	echo "$(crl_numbers)"
	[[ $(crl_numbers) == "root=01 inter=02 inter2=01" ]] || { echo "expected root=01 inter=02 inter2=01"; return 1; }
	for c in "LAB Root CA" "$INTER" "LAB Inter2 CA"; do
		[[ $(revlab_crl_field "$c" source) == cache:* ]] || { echo "$c: source not the cache"; return 1; }
	done
}
lab_check "the three CRLs come from crl_cache_dir (source cache:...), inter's is number 02" from_cache
lab_check "show crypto pki crls: the failed download ('connection refused')" crls_say "connection refused"
summary "restart, server down" "$(revlab_crl_field "$INTER" last_result)" \
	"the cached CRLs (source cache:...)" "$(backoff_now)"

# reestablished N...: the gateway and charon peerN have the session again (60 s).
reestablished() {
	local i n ok
	for ((i = 0; i < 600; i++)); do
		ok=1
		for n in "$@"; do
			revlab_gw_up "$n" >/dev/null && revlab_swan_up "$n" >/dev/null || { ok=0; break; }
		done
		((ok)) && break
		sleep 0.1
	done
	echo "after $((($(date +%s%N) - T_UP) / 1000000)) ms from the gateway's start" \
		"($((($(date +%s%N) - T_STOP) / 1000000)) ms from its stop)"
	for n in "$@"; do
		revlab_gw_up "$n" && revlab_swan_up "$n" || return 1
	done
}
lab_check "peers 1 and 2 re-established (charon: DPD, then dpd_action = restart)" reestablished 1 2
lab_check "charon peer1 re-initiated by itself" swan_log_has peer1 "restarting CHILD_SA|initiating IKE_SA gw"
no_request_since() {
	local out
	out=$(revlab_fault_requests "" "$1")
	echo "${out:-no request}"
	[[ -z $out ]]
}
lab_check "no CRL was served since the stop (the server is down)" no_request_since "$T_DOWN"
revlab_sender_start restart
lab_check "traffic flows again on peers 1 and 2" revlab_flows_flowing 1 2
sleep 2
revlab_sender_stop
lab_check "peers 1 and 2 lost nothing once back" no_loss_within 0 1 2

# refused N: charon peerN's initiate gets AUTHENTICATION_FAILED.
refused() {
	local n=$1 log0 rc re="received AUTHENTICATION_FAILED notify error"
	log0=$(swan_log_count "peer$n" "$re")
	swan_initiate "peer$n" net gw 10
	rc=$?
	echo "peer$n: swanctl --initiate: exit $rc in $(swan_last_ms "peer$n") ms: $(tail -n 1 "$SWAN_DIR/peer$n/initiate.out")"
	((rc != 0)) || return 1
	(($(swan_log_count "peer$n" "$re") > log0)) || { echo "charon peer$n logged no AUTHENTICATION_FAILED"; return 1; }
}
lab_check "peer3 (revoked in the cached CRL) is refused" refused 3

# ---------------------------------------------------------------- 4. no cache, no server

lab_say "restart with crl_cache_dir empty and the server down: a new session is refused"
lab_gw_stop
rm -f "$LAB_TMP"/crl-cache/*
lab_gw_start "$LAB_TMP/gw.conf"
# no_crl_held: no issuer's CRL listed, each URL's row says why (5 s).
no_crl_held() {
	local out i
	for ((i = 0; i < 50; i++)); do
		out=$(lab_cli show crypto pki crls 2>&1)
		(($(grep -c "(no CRL yet).*connection refused" <<<"$out") == 3)) && break
		sleep 0.1
	done
	echo "$out"
	(($(grep -c "(no CRL yet).*connection refused" <<<"$out") == 3)) && ! grep -q "CN=" <<<"$out"
}
lab_check "show crypto pki crls: no CRL held; each URL's row: (no CRL yet), connection refused" no_crl_held
summary "restart, empty cache, server down" "$(lab_cli --raw /ipsecgw/pki/crl,1 | "$LAB_PY" "$LAB_SRC/jsonget.py" last_result)" \
	"nothing: new sessions refused" "$(backoff_now)"
swan_ctl peer1 --terminate --ike gw --force --timeout 5 >/dev/null 2>&1
lab_check "peer1's new IKE SA is refused: no CRL, never fail open" refused 1
none_up() {
	local s
	s=$(revlab_sessions) || return 1
	echo "gateway sessions: ${s:-none}"
	[[ $s != *:UP* ]]
}
lab_check "the gateway holds no session that is up" none_up

# ---------------------------------------------------------------- summary

lab_say "summary: fault | what show crypto pki crls says | in force | back-off"
for row in "${SUMMARY[@]}"; do
	echo "  $row"
done
lab_log "whole run: $((($(date +%s%N) - T_START) / 1000000)) ms"
lab_finish
