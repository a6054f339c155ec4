#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The CRL service end to end (issue 4, "Where downloads go"): ipsecgw in the
# lab (test/lab/lab.sh) with a management veth to a "ca" namespace where an
# HTTP server publishes the CRLs of the lab PKI (test/lab/pki_tool.c).  The
# gateway downloads over that kernel path only, the DPDK ports keep no IP
# address.
#
#   1. at start both CRLs (root, intermediate) are prefetched and shown
#   2. the same CRL again: "unchanged", no event
#   3. a new CRL with two more serials: new number, entries, a "CRL updated" log
#   4. garbage, rollback, reused number, another CA, a forged signature, expired,
#      thisUpdate in the future, 404: each rejected or failed and counted, the
#      accepted CRL stays in force
#   5. a restart with the server stopped: the CRLs come from crl_cache_dir,
#      the failed downloads are retried and shown; then the server is back
#      and the downloads match the cache
#
#   test/integration/pki_crl.sh IPSECGW IPSECGW_CLI PKI_TOOL

# The PREFIX_<key> variables are assigned by tm_read's eval.
# shellcheck disable=SC2154

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init pki_crl "${1:?usage: pki_crl.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}"
PKI_TOOL=$(readlink -f "${3:?usage: pki_crl.sh IPSECGW IPSECGW_CLI PKI_TOOL}")
[[ -x $PKI_TOOL ]] || lab_die "pki_tool not found: $3"

TP=LAB-CA
PORT=8080
ROOT_URL=http://$LAB_MGMT_CA_IP4:$PORT/root.crl
INTER_URL=http://$LAB_MGMT_CA_IP4:$PORT/inter.crl
PKI_DIR=$LAB_TMP/pki
WWW=$LAB_TMP/www
CACHE=$LAB_TMP/crl-cache
HTTP_LOG=$LAB_TMP/http.log
ROOT_CN="LAB Root CA"
INTER_CN="LAB Inter CA"
# Serials revoked by the intermediate at first; then the lab's two peers.
INTER_SERIALS=0x500:1,0x501:4,0x502
PEER_SERIALS=0x1001:1,0x1002:3
mkdir -p "$PKI_DIR" "$WWW"

# ---------------------------------------------------------------- helpers

# check_now DESC CMD...: lab_check for a CMD that sets variables the later
# checks read (lab_check runs CMD in a subshell).
check_now() {
	local desc=$1 rc
	shift
	"$@" >"$LAB_TMP/check.out" 2>&1
	rc=$?
	lab_check "$desc" replay "$rc"
}
replay() { cat "$LAB_TMP/check.out"; return "$1"; }

# hexnum N: a CRL number as telemetry shows it (hex, whole octets).
hexnum() {
	local h
	h=$(printf '%x' "$1")
	((${#h} % 2 == 0)) || h=0$h
	echo "$h"
}

# publish NAME ISSUER [pki_tool crl options]: write a CRL and move it into
# the server's directory in one rename.
publish() { lab_crl_publish "$PKI_TOOL" "$PKI_DIR" "$WWW" "$@"; }

# publish_bytes NAME FILE: serve FILE's bytes as NAME.
publish_bytes() {
	cp "$2" "$WWW/.$1.tmp" && mv -f "$WWW/.$1.tmp" "$WWW/$1"
	echo "    published $WWW/$1 ($(stat -c %s "$WWW/$1") bytes from $2)"
}

# tm_read PREFIX CMD: PREFIX_<key>=value for every key of a telemetry reply.
tm_read() {
	local json assign
	json=$(lab_cli --raw "$2" 2>&1) || { echo "telemetry $2 failed: $json"; return 1; }
	assign=$("$LAB_PY" -c '
import json, re, shlex, sys
prefix, cmd = sys.argv[1], sys.argv[2].split(",")[0]
reply = json.load(sys.stdin)
inner = reply.get(cmd, reply) if isinstance(reply, dict) else {}
if not isinstance(inner, dict):
    sys.exit(f"unexpected reply {reply!r:.200}")
for key, val in inner.items():
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        if isinstance(val, list):
            val = " ".join(str(v) for v in val)
        print(f"{prefix}_{key}={shlex.quote(str(val))}")
' "$1" "$2" <<<"$json") || { echo "cannot parse the reply to $2: $json"; return 1; }
	eval "$assign"
}

# crl_id CN: the telemetry id of the CRL whose issuer names CN.
crl_id() {
	local id
	tm_read L /ipsecgw/pki/crls >/dev/null || return 1
	for id in ${L_ids:-}; do
		tm_read X "/ipsecgw/pki/crl,$id" >/dev/null || return 1
		[[ ${X_issuer:-} == *"$1"* ]] && { echo "$id"; return 0; }
	done
	return 1
}

# crl_read PREFIX ID: PREFIX_crl_number, PREFIX_entries, ... of one CRL.
crl_read() { tm_read "$1" "/ipsecgw/pki/crl,$2"; }
tp_read() { tm_read T /ipsecgw/pki/trustpoint,1; }

# crl_line PREFIX: one line with what telemetry said about a CRL.
crl_line() {
	local p=$1 f out=""
	for f in crl_number entries downloads unchanged rejected failed last_result source; do
		local v=${p}_$f
		out+="$f=${!v:-?} "
	done
	echo "$out"
}

# The number of "CRL updated" events logged by the current gateway for CN.
updated_events() { grep -c "CRL updated: issuer .*$1" "$LAB_GW_LOG"; }

# wait_both_held: until both CRLs are listed and downloaded once (20 s).
wait_both_held() {
	local i
	for ((i = 0; i < 200; i++)); do
		ROOT_ID=$(crl_id "$ROOT_CN") && INTER_ID=$(crl_id "$INTER_CN") &&
			crl_read R "$ROOT_ID" && crl_read I "$INTER_ID" &&
			((R_downloads >= 1 && I_downloads >= 1)) && return 0
		sleep 0.1
	done
	return 1
}

# settle: until the trustpoint has no download in flight (20 s).
settle() {
	local i
	for ((i = 0; i < 200; i++)); do
		tp_read && [[ ${T_in_flight:-1} == 0 ]] && return 0
		sleep 0.1
	done
	echo "downloads still in flight after 20 s"
	return 1
}

# request_and_wait RESULT: "crypto pki crl request", then wait until the
# intermediate's CRL reports RESULT (prefix match) with its download,
# unchanged, rejected or failed count risen and nothing in flight (20 s).
# I0_* is the state before, I_* after.
request_and_wait() {
	local want=$1 i out before after
	settle || return 1
	crl_read I0 "$INTER_ID" || return 1
	crl_read R0 "$ROOT_ID" || return 1
	before=$((I0_downloads + I0_failed))
	out=$(lab_cli crypto pki crl request "$TP" 2>&1) || { echo "$out"; return 1; }
	echo "ipsecgw-cli crypto pki crl request $TP: $out"
	for ((i = 0; i < 200; i++)); do
		if crl_read I "$INTER_ID" && tp_read; then
			after=$((I_downloads + I_failed))
			((after > before)) && [[ $T_in_flight == 0 && $I_last_result == "$want"* ]] &&
				{ crl_read R "$ROOT_ID"; return 0; }
		fi
		sleep 0.1
	done
	echo "after 20 s: $(crl_line I) (waited for '$want')"
	return 1
}

# ---------------------------------------------------------------- set-up
lab_say "topology: the lab plus a management veth to $LAB_MGMT_CA_IP4"
lab_topology
lab_mgmt

no_ip_addr() {
	local addrs
	addrs=$(ip -n "$NS_GW" -o addr show dev "$1" | awk '{print $4}')
	expect_eq "IP addresses on DPDK-side $1" "" "$addrs"
}
mgmt_addr() {
	local addrs
	addrs=$(ip -n "$NS_GW" -o -4 addr show dev "$IF_GW_MGMT" | awk '{print $4}')
	expect_eq "address on the management veth $IF_GW_MGMT" "$LAB_MGMT_GW_IP4/24" "$addrs"
}
lab_check "no IP address on $IF_GW_OUT (DPDK)" no_ip_addr "$IF_GW_OUT"
lab_check "no IP address on $IF_GW_IN (DPDK)" no_ip_addr "$IF_GW_IN"
lab_check "the management veth carries the gateway's kernel address" mgmt_addr
lab_check "$NS_GW reaches $NS_CA over the management veth" \
	ping_ok "$NS_GW" -c 1 -W 2 "$LAB_MGMT_CA_IP4"

lab_say "the lab PKI (pki_tool init) and the first CRLs"
"$PKI_TOOL" init "$PKI_DIR" --root-crl-url "$ROOT_URL" --inter-crl-url "$INTER_URL" |
	sed 's/^/    /'
[[ ${PIPESTATUS[0]} -eq 0 ]] || lab_die "pki_tool init failed"
publish root.crl root --number 1 --revoke 0x77:1
publish inter.crl inter --number 10 --revoke "$INTER_SERIALS"
cp "$WWW/inter.crl" "$LAB_TMP/inter-10.crl"

lab_http_start http "$WWW" "$HTTP_LOG" "$PORT"
http_up() {
	lab_http_up http "$ROOT_URL" && return 0
	cat "$HTTP_LOG"
	return 1
}
http_pid() {
	local cmd
	cmd=$(tr '\0' ' ' <"/proc/${LAB_BG[http]}/cmdline" 2>/dev/null)
	echo "pid ${LAB_BG[http]}: $cmd"
	[[ $cmd == *http.server* ]]
}
lab_check "HTTP server in $NS_CA answers from $NS_GW" http_up || lab_die "no HTTP server"
lab_check "the recorded PID is the HTTP server's own" http_pid

CONF=$LAB_TMP/gw.conf
lab_conf_af_packet "$CONF"
lab_conf_pki "$CONF" "PKI_DIR=$PKI_DIR" "CRL_URLS=\"$ROOT_URL\", \"$INTER_URL\"" \
	"CRL_CACHE_DIR=$CACHE" "CRL_MIN_INTERVAL=0"
lab_check "the rendered PKI configuration passes --check" lab_conf_ok "$CONF"

# ---------------------------------------------------------------- 1. prefetch
lab_say "1. at start the gateway prefetches both CRLs"
lab_gw_start "$CONF"
check_now "both CRLs listed in /ipsecgw/pki/crls and downloaded" wait_both_held ||
	lab_die "the CRLs were not prefetched"
lab_cli show crypto pki crls | sed 's/^/    /'

# held PREFIX CN NUMBER ENTRIES RESULT: one CRL as telemetry shows it.
held() {
	local p=$1 cn=$2 num=$3 entries=$4 result=$5 bad=0 v
	crl_line "$p"
	v=${p}_issuer;      [[ ${!v} == *"$cn"* ]] || { echo "issuer '${!v}', expected $cn"; bad=1; }
	v=${p}_trustpoint;  expect_eq trustpoint "$TP" "${!v}" || bad=1
	v=${p}_crl_number;  expect_eq crl_number "$(hexnum "$num")" "${!v}" || bad=1
	v=${p}_entries;     expect_eq entries "$entries" "${!v}" || bad=1
	v=${p}_last_result; expect_eq last_result "$result" "${!v}" || bad=1
	v=${p}_this_update; [[ ${!v} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]] ||
		{ echo "this_update '${!v}' is not ISO 8601"; bad=1; }
	v=${p}_next_update; [[ ${!v} =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]] ||
		{ echo "next_update '${!v}' is not ISO 8601"; bad=1; }
	return $bad
}
downloaded() {
	local p=$1 url=$2 v bad=0
	v=${p}_downloads; ((${!v} >= 1)) || { echo "downloads ${!v}, expected >= 1"; bad=1; }
	v=${p}_source;    expect_eq source "$url" "${!v}" || bad=1
	v=${p}_rejected;  expect_eq rejected 0 "${!v}" || bad=1
	v=${p}_failed;    expect_eq failed 0 "${!v}" || bad=1
	return $bad
}
lab_check "root CRL (id $ROOT_ID): number 01, 1 entry, accepted" \
	held R "$ROOT_CN" 1 1 "accepted: new content"
lab_check "root CRL came from $ROOT_URL" downloaded R "$ROOT_URL"
lab_check "intermediate CRL (id $INTER_ID): number 0a, 3 entries, accepted" \
	held I "$INTER_CN" 10 3 "accepted: new content"
lab_check "intermediate CRL came from $INTER_URL" downloaded I "$INTER_URL"

show_has() {
	local out s
	out=$(lab_cli "${@:2}" 2>&1) || { echo "$out"; echo "ipsecgw-cli ${*:2} failed"; return 1; }
	IFS='|' read -ra want <<<"$1"
	for s in "${want[@]}"; do
		grep -qF -- "$s" <<<"$out" || { echo "$out"; echo "expected '$s' in 'ipsecgw-cli ${*:2}'"; return 1; }
	done
	echo "ipsecgw-cli ${*:2}: all of '$1' shown"
}
lab_check "show crypto pki crls: both issuers, numbers, results" \
	show_has "$ROOT_CN|$INTER_CN| 01 | 0a |accepted: new content|$ROOT_URL|$INTER_URL" \
	show crypto pki crls
lab_check "show crypto pki trustpoints lists $TP, its CAs and URLs" \
	show_has "$TP|$ROOT_CN|$INTER_CN|$ROOT_URL|$INTER_URL" show crypto pki trustpoints
crls_list() {
	tm_read L /ipsecgw/pki/crls || return 1
	echo "/ipsecgw/pki/crls: count=$L_count next=$L_next ids=[$L_ids]"
	expect_eq count 2 "$L_count" && expect_eq ids "1 2" "$L_ids"
}
lab_check "/ipsecgw/pki/crls: {count 2, ids [1 2]}" crls_list
bad_id() {
	local out
	out=$(lab_cli --raw /ipsecgw/pki/crl,3 2>&1)
	echo "/ipsecgw/pki/crl,3: $out"
	grep -q "no crl with ID 3" <<<"$out"
}
lab_check "/ipsecgw/pki/crl,3 is refused with a reason" bad_id
unknown_tp() {
	local out rc
	out=$(lab_cli crypto pki crl request NO-SUCH-TP 2>&1)
	rc=$?
	echo "ipsecgw-cli crypto pki crl request NO-SUCH-TP: exit $rc: $out"
	((rc != 0)) && grep -q "no trustpoint 'NO-SUCH-TP'" <<<"$out"
}
lab_check "a request for an unknown trustpoint is refused" unknown_tp
over_mgmt() {
	local n
	n=$(grep -cE "^$LAB_MGMT_GW_IP4 .*\"GET /(root|inter)\.crl HTTP/1\.[01]\" 200" "$HTTP_LOG")
	echo "$n GET requests from $LAB_MGMT_GW_IP4 answered 200 (one was the test's own)"
	((n >= 3))
}
lab_check "the downloads came from $LAB_MGMT_GW_IP4 over the management veth" over_mgmt
cached() {
	local files
	files=$(find "$CACHE" -maxdepth 1 -name '*.crl' -printf '%f\n' 2>/dev/null | sort)
	echo "files in $CACHE: $(tr '\n' ' ' <<<"$files")"
	expect_eq "cached CRL files" 2 "$(grep -c . <<<"$files")"
}
lab_check "both CRLs written to crl_cache_dir" cached
EVENTS_INTER=$(updated_events "$INTER_CN")
lab_check "'CRL updated' logged once per issuer at start" \
	expect_eq "CRL updated events (root, intermediate)" "1 1" \
	"$(updated_events "$ROOT_CN") $EVENTS_INTER"

# ---------------------------------------------------------------- 2. unchanged
lab_say "2. the same CRL again: unchanged"
publish_bytes inter.crl "$LAB_TMP/inter-10.crl"
check_now "crypto pki crl request $TP: the intermediate's CRL is unchanged" \
	request_and_wait "accepted: unchanged"
step2() {
	echo "intermediate: $(crl_line I)"
	echo "root:         $(crl_line R)"
	expect_delta "intermediate unchanged" "$I0_unchanged" "$I_unchanged" 1 &&
		expect_delta "intermediate downloads" "$I0_downloads" "$I_downloads" 1 &&
		expect_eq "intermediate crl_number" "$I0_crl_number" "$I_crl_number" &&
		expect_eq "intermediate entries" "$I0_entries" "$I_entries" &&
		expect_eq "intermediate rejected" 0 "$I_rejected" &&
		expect_delta "root unchanged" "$R0_unchanged" "$R_unchanged" 1 &&
		expect_eq "root crl_number" "$R0_crl_number" "$R_crl_number"
}
lab_check "unchanged counters rose, numbers and entries kept" step2
lab_check "no 'CRL updated' event for an unchanged CRL" \
	expect_eq "CRL updated events for $INTER_CN" "$EVENTS_INTER" "$(updated_events "$INTER_CN")"
requests() {
	tp_read || return 1
	echo "trustpoint: operator_requests=$T_operator_requests downloads_started=$T_downloads_started"
	((T_operator_requests >= 1))
}
lab_check "show crypto pki trustpoints counts the operator request" requests

# ---------------------------------------------------------------- 3. new CRL
lab_say "3. a new CRL (PEM) with a higher number and the two peers revoked"
publish inter.crl inter --number 11 --revoke "$INTER_SERIALS,$PEER_SERIALS" --pem
cp "$WWW/inter.crl" "$LAB_TMP/inter-11.pem"
check_now "crypto pki crl request $TP: the new CRL is accepted" \
	request_and_wait "accepted: new content"
step3() {
	echo "intermediate: $(crl_line I)"
	expect_eq "crl_number" "$(hexnum 11)" "$I_crl_number" &&
		expect_eq "entries" 5 "$I_entries" &&
		expect_delta "downloads" "$I0_downloads" "$I_downloads" 1
}
lab_check "crl_number 0a -> 0b, entries 3 -> 5" step3
updated_log() {
	local n
	n=$(updated_events "$INTER_CN")
	grep "CRL updated: issuer .*$INTER_CN" "$LAB_GW_LOG" | tail -1
	grep -E "accepted: new content complete CRL 0b of .*$INTER_CN" "$LAB_GW_LOG" | tail -1
	expect_delta "CRL updated events for $INTER_CN" "$EVENTS_INTER" "$n" 1 1
}
lab_check "the gateway logged 'CRL updated' for the intermediate" updated_log
EVENTS_INTER=$(updated_events "$INTER_CN")
cache_has_new() {
	local der=$LAB_TMP/inter-11.der f
	openssl crl -in "$LAB_TMP/inter-11.pem" -outform DER -out "$der" || return 1
	for f in "$CACHE"/*.crl; do
		cmp -s "$f" "$der" && { echo "$f holds CRL 11 (DER, $(stat -c %s "$f") bytes)"; return 0; }
	done
	echo "no file in $CACHE equals the new CRL in DER"
	return 1
}
lab_check "the cache holds the new CRL in DER" cache_has_new

# ---------------------------------------------------------------- 4. rejections
lab_say "4. bad CRLs are rejected or fail, the accepted CRL stays in force"
# kept NAME RESULT COUNTER: after a request, RESULT and COUNTER rose, CRL 0b kept.
kept() {
	local counter=$3 v0 v1 bad=0
	echo "intermediate: $(crl_line I)"
	v0=I0_$counter
	v1=I_$counter
	expect_delta "$counter" "${!v0}" "${!v1}" 1 || bad=1
	expect_eq "crl_number still" "$(hexnum 11)" "$I_crl_number" || bad=1
	expect_eq "entries still" 5 "$I_entries" || bad=1
	expect_eq "this_update still" "$I0_this_update" "$I_this_update" || bad=1
	expect_eq "CRL updated events" "$EVENTS_INTER" "$(updated_events "$INTER_CN")" || bad=1
	return $bad
}
# reject NAME RESULT COUNTER: request, wait for RESULT, check what was kept.
reject() {
	request_and_wait "$2" && kept "$1" "$2" "$3"
}
head -c 700 /dev/urandom >"$LAB_TMP/garbage"
publish_bytes inter.crl "$LAB_TMP/garbage"
check_now "garbage: 'not a CRL'" reject garbage "rejected: not a CRL" rejected
publish inter.crl inter --number 9 --revoke "$INTER_SERIALS"
check_now "a lower number (9 < 11): rollback" reject lower "rejected: lower CRL number" rejected
publish inter.crl inter --number 11 --revoke "$INTER_SERIALS,$PEER_SERIALS,0x600"
check_now "number 11 again with other content" \
	reject reused "rejected: same CRL number, different content" rejected
publish inter.crl other --number 12 --revoke 0x1001
check_now "a CRL of another CA" reject other "rejected: issuer is not a CA of the trustpoint" rejected
publish inter.crl forged --number 12 --revoke "$INTER_SERIALS" --no-akid
check_now "the intermediate's name, another key" reject forged "rejected: bad signature" rejected
publish inter.crl inter --number 12 --this-update -7200 --next-update -3600
check_now "an expired CRL (nextUpdate an hour ago)" reject expired "rejected: nextUpdate passed" rejected
publish inter.crl inter --number 12 --this-update 3600 --next-update 90000
check_now "thisUpdate an hour ahead" reject future "rejected: thisUpdate too far in the future" rejected
rm -f "$WWW/inter.crl"
check_now "404 (file removed)" reject 404 "download failed" failed
status_404() {
	grep -E "download of $INTER_URL failed: .*404" "$LAB_GW_LOG" | tail -1 | grep . ||
		{ echo "no log line naming the 404"; return 1; }
	grep -qE "\"GET /inter\.crl HTTP/1\.[01]\" 404" "$HTTP_LOG" && echo "the server answered 404"
}
lab_check "the log names the 404" status_404
root_fine() {
	crl_read R "$ROOT_ID" || return 1
	echo "root: $(crl_line R)"
	expect_eq "root crl_number" 01 "$R_crl_number" && expect_eq "root rejected" 0 "$R_rejected"
}
lab_check "the root's CRL was unaffected" root_fine
lab_check "show crypto pki crls shows the failure and CRL 0b" \
	show_has "$INTER_CN| 0b |download failed" show crypto pki crls
lab_cli show crypto pki crls | sed 's/^/    /'

# ---------------------------------------------------------------- 5. restart
lab_say "5. restart with the HTTP server stopped: CRLs from crl_cache_dir"
lab_gw_stop
lab_check "ipsecgw exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"
lab_bg_stop http
server_gone() {
	if lab_in "$NS_GW" "$LAB_PY" -c '
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
opener.open(sys.argv[1], timeout=1)' "$ROOT_URL" 2>/dev/null; then
		echo "$ROOT_URL still answers"
		return 1
	fi
	echo "$ROOT_URL: connection refused"
}
lab_check "the HTTP server is stopped" server_gone
lab_set_prefix restart
lab_gw_start "$CONF"
from_cache() {
	local p=$1 cn=$2 num=$3 entries=$4 v bad=0
	crl_line "$p"
	v=${p}_issuer;     [[ ${!v} == *"$cn"* ]] || { echo "issuer '${!v}', expected $cn"; bad=1; }
	v=${p}_crl_number; expect_eq crl_number "$(hexnum "$num")" "${!v}" || bad=1
	v=${p}_entries;    expect_eq entries "$entries" "${!v}" || bad=1
	v=${p}_source;     [[ ${!v} == cache:"$CACHE"/*.crl ]] ||
		{ echo "source '${!v}', expected cache:$CACHE/..."; bad=1; }
	return $bad
}
restart_held() {
	local bad=0
	if ! ROOT_ID=$(crl_id "$ROOT_CN") || ! INTER_ID=$(crl_id "$INTER_CN"); then
		echo "the CRLs are not listed"
		return 1
	fi
	crl_read R "$ROOT_ID" && crl_read I "$INTER_ID" || return 1
	from_cache R "$ROOT_CN" 1 1 || bad=1
	from_cache I "$INTER_CN" 11 5 || bad=1
	return $bad
}
check_now "after the restart: root 01 and intermediate 0b from the cache" restart_held
pki_up() {
	grep -E "PKI up: 1 trustpoint\(s\), 2 CRL issuer\(s\) from the cache" "$LAB_GW_LOG"
}
lab_check "the gateway logged 2 issuers loaded from the cache" pki_up
prefetch_failed() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -qE "download of $INTER_URL failed" "$LAB_GW_LOG" && break
		sleep 0.1
	done
	grep -E "download of ($ROOT_URL|$INTER_URL) failed" "$LAB_GW_LOG" | head -2 | grep . ||
		{ echo "no failed download logged in 10 s"; return 1; }
	settle
	tp_read && echo "trustpoint: retry_backoff_s=$T_retry_backoff_s downloads_started=$T_downloads_started"
	((T_retry_backoff_s > 0))
}
lab_check "the prefetch failed (nothing to download from) and is retried" prefetch_failed
still_held() {
	crl_read R "$ROOT_ID" && crl_read I "$INTER_ID" || return 1
	from_cache R "$ROOT_CN" 1 1 && from_cache I "$INTER_CN" 11 5
}
lab_check "the cached CRLs stay in force after the failed downloads" still_held
failure_shown() {
	crl_read I "$INTER_ID" || return 1
	echo "intermediate: $(crl_line I)"
	((I_failed >= 1)) && [[ $I_last_result == "download failed"* ]]
}
lab_check "show crypto pki crls reports the failed download of the intermediate's CRL" \
	failure_shown
lab_cli show crypto pki crls | sed 's/^/    /'

lab_say "5b. the server back with CRL 0b (PEM, as first served): unchanged"
publish_bytes inter.crl "$LAB_TMP/inter-11.pem"
lab_http_start http "$WWW" "$HTTP_LOG.2" "$PORT"
lab_check "HTTP server in $NS_CA answers again" http_up
check_now "crypto pki crl request $TP: the cached CRL 0b is unchanged" \
	request_and_wait "accepted: unchanged"
back() {
	echo "intermediate: $(crl_line I)"
	echo "root:         $(crl_line R)"
	expect_eq "intermediate crl_number" "$(hexnum 11)" "$I_crl_number" &&
		expect_eq "intermediate entries" 5 "$I_entries" &&
		expect_eq "root last_result" "accepted: unchanged" "$R_last_result" &&
		expect_delta "intermediate downloads" "$I0_downloads" "$I_downloads" 1 &&
		expect_eq "CRL updated events after the cache load (one per issuer)" 2 \
			"$(grep -c "CRL updated: issuer" "$LAB_GW_LOG")"
}
lab_check "the downloads match the cached CRLs: no new event" back
lab_gw_stop
lab_check "ipsecgw (restart) exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"

lab_finish
