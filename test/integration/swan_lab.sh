#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The strongSwan lab harness (test/lab/swan.sh) proven on this machine: two
# charon instances (kernel-libipsec, userspace ESP-in-UDP) in namespaces, a
# host behind each, a PKI from test/lab/pki_tool.  Later interop tests
# replace one charon with ipsecgw.
#
#   1. IKEv2, certificates RSA-2048 (left, id FQDN) and ECDSA P-256 (right,
#      id IP), AES-GCM ESP: both ends ESTABLISHED/INSTALLED, ping host to
#      host over the tunnel, the CHILD SA counters move, the table-220 route
#      via ipsec0; terminated, the route and the path are gone
#   2. IKEv1 (main mode + quick mode), both RSA (right's id an email)
#   3. a certificate revoked by a CRL in x509crl/ is refused; the same
#      certificate without the CRL is accepted (so the CRL is the reason)
#
#   test/integration/swan_lab.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"

lab_init swan_lab "${1:?usage: swan_lab.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}"
swan_init "${3:?usage: swan_lab.sh IPSECGW IPSECGW_CLI PKI_TOOL}"
T_START=$(date +%s%N)
declare -a TIMINGS=()
timing() { TIMINGS+=("$(printf '%-44s %6s ms' "$1" "$2")"); }
since_ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

L=left
R=right
L_ID=left.swan.lab
R_EC_ID=$SWAN_R_TR_IP4		# an IP identity (SAN IP:)
R_RSA_ID=right@swan.lab		# an email identity (SAN email:)
R_REV_ID=revoked.swan.lab
REVOKED_SERIAL=0x3004
PKI=$LAB_TMP/pki

# ---------------------------------------------------------------- set-up
lab_say "set-up: namespaces, PKI, two charons"
t=$(date +%s%N)
swan_topology
swan_pki "$PKI"
swan_pki_ee "$PKI" left rsa 0x3001 "$L_ID" "DNS:$L_ID,IP:$SWAN_L_TR_IP4,email:left@swan.lab"
swan_pki_ee "$PKI" right-ec ec 0x3002 right-ec.swan.lab "IP:$SWAN_R_TR_IP4,DNS:right-ec.swan.lab"
swan_pki_ee "$PKI" right-rsa rsa 0x3003 right.swan.lab "email:$R_RSA_ID,DNS:right.swan.lab"
swan_pki_ee "$PKI" revoked rsa "$REVOKED_SERIAL" "$R_REV_ID" "DNS:$R_REV_ID"
swan_pki_crl "$PKI" "$LAB_TMP/inter.crl" "$REVOKED_SERIAL:1" 7
timing "PKI (4 extra certificates, CRL)" "$(since_ms "$t")"

swan_instance "$L" "$NS_SWAN_L"
swan_instance "$R" "$NS_SWAN_R"
for n in "$L" "$R"; do swan_trust "$n" "$PKI"; done
swan_cert "$L" "$PKI" left
for c in right-ec right-rsa revoked; do swan_cert "$R" "$PKI" "$c"; done
t=$(date +%s%N)
swan_start "$L"
swan_start "$R"
timing "two charons up (vici answers)" "$(since_ms "$t")"

# conns CONN RIGHT_ID RIGHT_CERT [KEY=VALUE...]: one connection, both ends
# (left always RSA with left.crt).
conns() {
	local conn=$1 rid=$2 rcert=$3
	shift 3
	swan_conn "$L" "$conn" LOCAL_ADDRS="$SWAN_L_TR_IP4" REMOTE_ADDRS="$SWAN_R_TR_IP4" \
		LOCAL_ID="$L_ID" REMOTE_ID="$rid" CERT=left.crt \
		LOCAL_TS="$SWAN_L_NET4" REMOTE_TS="$SWAN_R_NET4" "$@"
	swan_conn "$R" "$conn" LOCAL_ADDRS="$SWAN_R_TR_IP4" REMOTE_ADDRS="$SWAN_L_TR_IP4" \
		LOCAL_ID="$rid" REMOTE_ID="$L_ID" CERT="$rcert.crt" \
		LOCAL_TS="$SWAN_R_NET4" REMOTE_TS="$SWAN_L_NET4" "$@"
}
load_both() {
	local n
	for n in "$L" "$R"; do
		swan_load "$n" | grep -E '^(loaded|successfully|no )' || return 1
	done
}
# up CONN VERSION: initiate from left; both ends see the SAs, of VERSION.
up() {
	local conn=$1 version=$2 bad=0
	if ! swan_initiate "$L" net "$conn"; then
		tail -n 8 "$SWAN_DIR/$L/initiate.out"
		echo "swanctl --initiate failed after $SWAN_ELAPSED_MS ms"
		return 1
	fi
	grep -E 'established|selected proposal' "$SWAN_DIR/$L/initiate.out"
	echo "initiate completed in $SWAN_ELAPSED_MS ms"
	swan_ike_up "$L" "$conn" "$SWAN_R_TR_IP4" || bad=1
	[[ $(swan_ike_state "$L" "$conn") == *" $version "* ]] || { echo "not $version"; bad=1; }
	swan_wait_ike "$R" "$conn" "$SWAN_L_TR_IP4" 5 || bad=1
	swan_child_up "$L" "$conn" net || bad=1
	swan_child_up "$R" "$conn" net || bad=1
	return $bad
}
# tunnel_ping CONN: host to host, and the CHILD SA counters of both ends.
tunnel_ping() {
	local conn=$1 p0 p1 b1 r1 bad=0
	p0=$(swan_child_counter "$L" "$conn" net out packets) || { echo "no counter"; return 1; }
	ping_ok "$NS_SWAN_LH" -c 5 -i 0.2 -W 2 "$SWAN_R_HOST_IP4" || bad=1
	p1=$(swan_child_counter "$L" "$conn" net out packets)
	b1=$(swan_child_counter "$L" "$conn" net in bytes)
	r1=$(swan_child_counter "$R" "$conn" net in packets)
	expect_delta "left CHILD SA packets-out" "$p0" "$p1" 5 || bad=1
	echo "left CHILD SA bytes-in $b1 (5 replies of 84 bytes: 420)"
	((b1 >= 420)) || bad=1
	expect_delta "right CHILD SA packets-in" 0 "$r1" 5 || bad=1
	return $bad
}
# (Outputs are read whole before grep: "cmd | grep -q" under pipefail fails
# when grep exits first and cmd gets SIGPIPE.)
route220() {
	local l r rule i bad=0
	for ((i = 0; i < 20; i++)); do	# 2 s, should the install lag the listing
		l=$(ip -n "$NS_SWAN_L" route show table 220)
		r=$(ip -n "$NS_SWAN_R" route show table 220)
		[[ -n $l && -n $r ]] && break
		sleep 0.1
	done
	rule=$(ip -n "$NS_SWAN_L" rule show)
	echo "left table 220:  ${l:-(empty)}"
	echo "right table 220: ${r:-(empty)}"
	grep -q "^$SWAN_R_NET4 dev ipsec0 .*src $SWAN_L_GW_IN_IP4" <<<"$l" || bad=1
	grep -q "^$SWAN_L_NET4 dev ipsec0 .*src $SWAN_R_GW_IN_IP4" <<<"$r" || bad=1
	grep -q "^220:.*lookup 220" <<<"$rule" || { echo "no rule 220 on left: $rule"; bad=1; }
	return $bad
}
# down CONN: terminate from left; no SA left on either end, no route, no path.
down() {
	local conn=$1 i bad=0
	swan_terminate "$L" "$conn" | grep -E 'terminate completed|failed' || bad=1
	for ((i = 0; i < 50; i++)); do
		(($(swan_sa_count "$R" "$conn") == 0)) && break
		sleep 0.1
	done
	expect_eq "IKE SAs of $conn on left" 0 "$(swan_sa_count "$L" "$conn")" || bad=1
	expect_eq "IKE SAs of $conn on right" 0 "$(swan_sa_count "$R" "$conn")" || bad=1
	expect_eq "left table 220" "" "$(ip -n "$NS_SWAN_L" route show table 220)" || bad=1
	if lab_in "$NS_SWAN_LH" ping -n -c 1 -W 1 "$SWAN_R_HOST_IP4" >/dev/null 2>&1; then
		echo "the far host still answers without a tunnel"
		bad=1
	else
		echo "no path to $SWAN_R_HOST_IP4 without the tunnel"
	fi
	return $bad
}

# ---------------------------------------------------------------- 1. IKEv2
lab_say "1. IKEv2: RSA-2048 (left) and ECDSA P-256 (right), AES-GCM ESP"
conns v2 "$R_EC_ID" right-ec VERSION=2 PROPOSALS=aes128-sha256-ecp256 ESP_PROPOSALS=aes128gcm16
lab_check "both charons load the IKEv2 connection, certificates and keys" load_both
t=$(date +%s%N)
lab_check "IKEv2: IKE SA ESTABLISHED and CHILD SA INSTALLED on both ends" up v2 IKEv2 ||
	lab_die "no IKEv2 tunnel: the harness does not work here"
timing "IKEv2 initiate (swanctl, RSA/ECDSA)" "$(swan_last_ms "$L")"
timing "IKEv2 up on both ends (incl. listing)" "$(since_ms "$t")"
ike_v2_details() {
	local sas bad=0
	sas=$(swan_ctl "$L" --list-sas --ike v2)
	echo "$sas"
	grep -q "remote '$R_EC_ID' @ $SWAN_R_TR_IP4\[4500\]" <<<"$sas" || { echo "not on 4500"; bad=1; }
	grep -q "TUNNEL-in-UDP, ESP:AES_GCM_16-128" <<<"$sas" || { echo "not GCM in UDP"; bad=1; }
	swan_log_has "$R" "authentication of '$L_ID' with RSA.* successful" || bad=1
	swan_log_has "$L" "authentication of '$R_EC_ID' with ECDSA.* successful" || bad=1
	return $bad
}
lab_check "IKEv2: NAT-T port 4500, AES-GCM in UDP, RSA and ECDSA signatures" ike_v2_details
lab_check "kernel-libipsec: ipsec0 up, table 220 routes via ipsec0 on both ends" route220
t=$(date +%s%N)
lab_check "IKEv2: ping $SWAN_L_HOST_IP4 -> $SWAN_R_HOST_IP4 over the tunnel, counters" \
	tunnel_ping v2
timing "5 pings over IKEv2 (0.2 s apart)" "$(since_ms "$t")"
lab_check "IKEv2: terminated, no SA, no route, no path" down v2

# ---------------------------------------------------------------- 2. IKEv1
lab_say "2. IKEv1: main mode + quick mode, RSA both ends"
swan_conns_reset "$L"
swan_conns_reset "$R"
conns v1 "$R_RSA_ID" right-rsa VERSION=1 PROPOSALS=aes128-sha256-modp2048 \
	ESP_PROPOSALS=aes128gcm16
lab_check "both charons load the IKEv1 connection (v2 unloaded)" load_both
lab_check "IKEv1: IKE SA ESTABLISHED and CHILD SA INSTALLED on both ends" up v1 IKEv1
timing "IKEv1 initiate (swanctl, RSA/RSA)" "$(swan_last_ms "$L")"
lab_check "IKEv1: ping over the tunnel, counters" tunnel_ping v1
lab_check "IKEv1: terminated, no SA, no route, no path" down v1

# ---------------------------------------------------------------- 3. CRL
lab_say "3. a revoked certificate (serial $REVOKED_SERIAL) is refused"
swan_conns_reset "$L"
swan_conns_reset "$R"
conns rev "$R_REV_ID" revoked VERSION=2
lab_check "both charons load the connection with the revoked certificate" load_both
lab_check "without the CRL: the certificate is accepted" up rev IKEv2
lab_check "terminated" down rev
swan_crl_file "$L" "$LAB_TMP/inter.crl"
crl_loaded() {
	local out
	out=$(swan_load "$L")
	grep -E 'crl|CRL' <<<"$out" || { echo "no CRL loaded"; return 1; }
	out=$(swan_ctl "$L" --list-certs --type x509_crl)
	grep -E 'issuer|revoked|serial' <<<"$out"
}
lab_check "left loads the intermediate's CRL from x509crl/" crl_loaded
refused() {
	if swan_initiate "$L" net rev 15; then
		echo "initiate succeeded in $SWAN_ELAPSED_MS ms with a revoked peer"
		return 1
	fi
	tail -n 3 "$SWAN_DIR/$L/initiate.out"
	echo "initiate failed after $SWAN_ELAPSED_MS ms"
	swan_log_has "$L" "certificate was revoked" &&
		expect_eq "established IKE SAs of rev on left" "" \
			"$(swan_ike_state "$L" rev | grep ESTABLISHED)"
}
lab_check "with the CRL: the revoked certificate is refused (left logs 'revoked')" refused
timing "initiate refused (revoked peer)" "$(swan_last_ms "$L")"
lab_check "swanctl --flush-certs --type x509_crl answers" swan_flush_crls "$L"

# ---------------------------------------------------------------- stop
lab_say "stop"
stopped() {
	local n pid bad=0
	for n in "$L" "$R"; do
		pid=${LAB_BG[swan-$n]}
		swan_stop "$n"
		if kill -0 "$pid" 2>/dev/null; then
			echo "charon $n (pid $pid) still runs"
			bad=1
		else
			echo "charon $n (pid $pid) stopped"
		fi
	done
	return $bad
}
lab_check "both charons stop on SIGTERM" stopped
timing "whole test" "$(since_ms "$T_START")"
echo
echo "timings:"
printf '  %s\n' "${TIMINGS[@]}"
lab_finish
