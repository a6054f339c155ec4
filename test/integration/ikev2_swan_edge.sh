#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# IKEv2 edge behaviours against a real strongSwan (charon, kernel-libipsec),
# on ikev2_swan.sh's topology (see ikev2_swan_matrix.sh):
#
#   1. NO_PROPOSAL_CHOSEN: charon initiates with IKE proposals we do not
#      accept (refused in IKE_SA_INIT); then with ESP proposals we do not
#      accept (IKE_AUTH answered with NO_PROPOSAL_CHOSEN, the IKE SA stays up
#      on both sides without a CHILD SA, RFC 7296 1.2 - strongSwan 5.9
#      "keeps" it).  ikev2_no_proposal counts both.
#   2. TS_UNACCEPTABLE: charon asks for selectors disjoint from ours: the
#      same, ikev2_ts_unacceptable counts it, no CHILD SA on our side.
#   3. INVALID_KE_PAYLOAD as initiator: our ike_proposals list ecp256 first,
#      modp2048 second; charon accepts only modp2048, asks for group 14, we
#      retry with it and the SA comes up with DH 14.
#   4. INITIAL_CONTACT: charon is killed (SIGKILL: no DELETE) and restarted
#      with the same identity; its new IKE_AUTH carries INITIAL_CONTACT and
#      our old session is gone: exactly one session left, a new one.
#   5. Operator rekeys (crypto ikev2 rekey id N / child SPI) under a ping:
#      our IKE SA rekey replaces the IKE SA on both sides, the CHILD SA
#      survives, no ping lost; our CHILD SA rekey gives new SPIs.
#   6. IPv6 outer (IKE and ESP between the IPv6 addresses): IPv4 inner
#      (ipsecgw initiates), then IPv6 inner (strongSwan initiates).
#
#   test/integration/ikev2_swan_edge.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"

lab_init ikev2_swan_edge "${1:?usage: ikev2_swan_edge.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}"
swan_init "${3:?usage: ikev2_swan_edge.sh IPSECGW IPSECGW_CLI PKI_TOOL}"

PKI=$LAB_TMP/pki
S=swan
HQ_LAN=172.16.0.0/24
BR_LAN=192.168.10.0/24
T0=$(date +%s%N)

lab_say "set-up: namespaces, PKI, charon"
lab_topology
swan_pki "$PKI"
swan_instance "$S" "$NS_HQ"
swan_trust "$S" "$PKI"
swan_cert "$S" "$PKI" peer
swan_start "$S"

ID_RSA="{ cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; chain = \"$PKI/inter.crt\"; }"
TP_NONE="{ name = \"LAB-CA\"; ca = \"$PKI/ca.crt\"; revocation_check = \"none\"; }"
# gw_conf OUT INITIATE IKE_PROPOSALS: peer "swan", ESP aes128gcm16 (GW_REMOTE,
# GW_LTS, GW_RTS: its remote address and selectors).
GW_REMOTE=$LAB_HQ_IP4
GW_LTS="\"$BR_LAN\""
GW_RTS="\"$HQ_LAN\""
gw_conf() {
	lab_conf_af_packet "$1" || lab_die "cannot render $1"
	cat >>"$1" <<EOF
pki = {
  identities = ( $ID_RSA );
  trustpoints = ( $TP_NONE );
};
crypto = { ikev2 = { dpd_interval = 0; }; };
peers = (
  { name = "swan"; ike_version = 2; trustpoint = "LAB-CA";
    local_ts = [ $GW_LTS ]; remote_ts = [ $GW_RTS ];
    remote = "$GW_REMOTE"; remote_id = "peer.lab.example";
    local_id = "gw.lab.example"; initiate = "$2";
    ike_proposals = [ $3 ]; esp_proposals = [ "aes128gcm16" ]; }
);
EOF
}

# swan_conf [KEY=VALUE...]: charon's one connection "gw".
swan_conf() {
	swan_conns_reset "$S"
	swan_conn "$S" gw LOCAL_ADDRS="$LAB_HQ_IP4" REMOTE_ADDRS="$LAB_GW_OUT_IP4" \
		LOCAL_ID=peer.lab.example REMOTE_ID=gw.lab.example CERT=peer.crt \
		LOCAL_TS="$HQ_LAN" REMOTE_TS="$BR_LAN" "$@"
	swan_load "$S" | grep -E '^(loaded|successfully|no )'
}

gw_sessions() { lab_cli --raw /ipsecgw/ikev2/sessions | "$LAB_PY" "$LAB_SRC/jsonget.py" count; }
# gw_session_ids: the ids of our sessions, space-separated.
gw_session_ids() {
	lab_cli --raw /ipsecgw/ikev2/sessions | "$LAB_PY" -c '
import json, sys
print(*list(json.load(sys.stdin).values())[0]["ids"])'
}
# session_field ID KEY
session_field() { lab_cli --raw "/ipsecgw/ikev2/session,$1" | "$LAB_PY" "$LAB_SRC/jsonget.py" "$2"; }
# child_spi_in_gw ID: our first CHILD SA's inbound SPI ("0x...").
child_spi_in_gw() {
	lab_cli --raw "/ipsecgw/ikev2/session,$1" | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
print(r["child_spi_in"][0] if r.get("child_spi_in") else "none")'
}
both_up() {
	swan_wait_ike "$S" gw "$GW_ADDR" 15 || return 1
	swan_child_up "$S" gw net || return 1
	lab_cli show crypto ikev2 sa
}
GW_ADDR=$LAB_GW_OUT_IP4
ping_br() { lab_in "$NS_BR" ping -n -c 2 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4"; }

PING_OUT=
traffic_start() {
	PING_OUT=$LAB_TMP/ping.$RANDOM
	lab_bg_start ping "$PING_OUT" ip netns exec "$NS_BR" \
		ping -n -i 0.05 -W 1 -c $(($1 * 20)) "$LAB_HQ_LAN_IP4"
}
traffic_lossless() {
	local line
	lab_bg_wait ping 60
	line=$(grep 'packets transmitted' "$PING_OUT")
	echo "ping: $line"
	[[ $line =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]] || return 1
	((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] == BASH_REMATCH[2]))
}

# try_init COUNTER: charon initiates (expected to fail); sets INIT_RC, C0.
try_init() {
	swan_terminate "$S" gw >/dev/null 2>&1
	C0=$(ikev2_counter "$1")
	swan_initiate "$S" net gw 10
	INIT_RC=$?
	echo "swanctl --initiate: exit $INIT_RC in $(swan_last_ms "$S") ms: $(tail -n 1 "$SWAN_DIR/$S/initiate.out")"
}
# counted COUNTER: it rose by exactly one since try_init, and the initiate failed.
counted() {
	local n
	n=$(ikev2_counter "$1") || return 1
	echo "$1 $C0 -> $n, swanctl exit $INIT_RC"
	((INIT_RC != 0 && n == C0 + 1))
}
# ike_up_no_child: the IKE SA is up on both sides, no CHILD SA anywhere.
ike_up_no_child() {
	local id st cc
	swan_ike_up "$S" gw "$LAB_GW_OUT_IP4" || return 1
	[[ -z $(swan_child_field "$S" gw net state) ]] || { echo "charon has a CHILD SA"; return 1; }
	id=$(gw_session_ids)
	[[ $id =~ ^[0-9]+$ ]] || { echo "ipsecgw sessions: '$id'"; return 1; }
	st=$(session_field "$id" state) && cc=$(session_field "$id" child_count) || return 1
	echo "ipsecgw session $id: state $st, child_count $cc"
	[[ $st == ESTABLISHED && $cc == 0 ]]
}
no_session() {
	local n
	n=$(gw_sessions)
	echo "ipsecgw sessions: $n"
	[[ $n == 0 ]] && ! swan_ike_up "$S" gw "$LAB_GW_OUT_IP4" >/dev/null
}

# ---------------------------------------------------------------- 1
lab_say "1. NO_PROPOSAL_CHOSEN: IKE proposals, then ESP proposals we do not accept"
gw_conf "$LAB_TMP/gw1.conf" none '"aes128-sha256-ecp256"'
lab_gw_start "$LAB_TMP/gw1.conf"
lab_check "charon loads IKE aes256-sha384-modp3072 (we offer aes128-sha256-ecp256)" \
	swan_conf PROPOSALS=aes256-sha384-modp3072
L0=$(swan_log_count "$S" "received NO_PROPOSAL_CHOSEN notify error")
try_init ikev2_no_proposal
lab_check "IKE_SA_INIT refused, ikev2_no_proposal +1" counted ikev2_no_proposal
lab_check "charon received NO_PROPOSAL_CHOSEN" \
	test "$(swan_log_count "$S" "received NO_PROPOSAL_CHOSEN notify error")" -eq $((L0 + 1))
lab_check "no IKE SA on either side" no_session
lab_check "charon loads ESP aes256-sha512 (we accept aes128gcm16)" swan_conf ESP_PROPOSALS=aes256-sha512
L0=$(swan_log_count "$S" "received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built")
try_init ikev2_no_proposal
lab_check "IKE_AUTH's CHILD SA refused, ikev2_no_proposal +1" counted ikev2_no_proposal
lab_check "charon: NO_PROPOSAL_CHOSEN, no CHILD_SA built" \
	test "$(swan_log_count "$S" "received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built")" -eq $((L0 + 1))
lab_check "the IKE SA is up on both sides without a CHILD SA (RFC 7296 1.2)" ike_up_no_child
no_child_gw() {
	local n
	n=$(lab_cli --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
print(sum(1 for i in range(len(r.get("ids", []))) if r["name"][i] == "swan" and r["state"][i] == "live"))')
	echo "live SAs of swan in the fast path: $n"
	[[ $n == 0 ]]
}
lab_check "no ESP SA installed on our side" no_child_gw

# ---------------------------------------------------------------- 2
lab_say "2. TS_UNACCEPTABLE: charon asks for selectors disjoint from ours"
lab_check "charon loads local_ts 172.16.5.0/24, remote_ts 192.168.20.0/24" \
	swan_conf LOCAL_TS=172.16.5.0/24 REMOTE_TS=192.168.20.0/24
L0=$(swan_log_count "$S" "received TS_UNACCEPTABLE notify, no CHILD_SA built")
try_init ikev2_ts_unacceptable
lab_check "IKE_AUTH's CHILD SA refused, ikev2_ts_unacceptable +1" counted ikev2_ts_unacceptable
lab_check "charon: TS_UNACCEPTABLE, no CHILD_SA built" \
	test "$(swan_log_count "$S" "received TS_UNACCEPTABLE notify, no CHILD_SA built")" -eq $((L0 + 1))
lab_check "the IKE SA is up on both sides, no CHILD SA" ike_up_no_child
lab_check "no ESP SA installed on our side" no_child_gw
swan_terminate "$S" gw >/dev/null 2>&1
lab_gw_stop
lab_log "gateway exit status $LAB_GW_RC"

# ---------------------------------------------------------------- 3
lab_say "3. INVALID_KE_PAYLOAD: we offer ecp256 first, modp2048 second; charon takes only modp2048"
lab_check "charon loads IKE aes128-sha256-modp2048 only" swan_conf PROPOSALS=aes128-sha256-modp2048
gw_conf "$LAB_TMP/gw3.conf" start '"aes128-sha256-ecp256", "aes128-sha256-modp2048"'
lab_gw_start "$LAB_TMP/gw3.conf"
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED (charon responds)" both_up
lab_check "charon asked for MODP_2048" swan_log_has "$S" "DH group ECP_256 unacceptable, requesting MODP_2048"
dh14() {
	local id g
	swan_sas "$S" gw | grep -E "dh-group = MODP_2048" || return 1
	id=$(gw_session_ids) && g=$(session_field "$id" dh_group) || return 1
	echo "ipsecgw session $id: dh_group $g"
	[[ $g == 14 ]]
}
lab_check "both sides use DH 14" dh14
lab_check "ping through the tunnel" ping_br
swan_terminate "$S" gw >/dev/null 2>&1
lab_gw_stop
lab_log "gateway exit status $LAB_GW_RC"

# ---------------------------------------------------------------- 4
lab_say "4. INITIAL_CONTACT: charon killed and restarted, re-initiates"
lab_check "charon loads the connection" swan_conf
gw_conf "$LAB_TMP/gw4.conf" none '"aes128-sha256-ecp256"'
lab_gw_start "$LAB_TMP/gw4.conf"
lab_check "swanctl --initiate succeeds" swan_initiate "$S" net gw
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED" both_up
OLD_ID=$(gw_session_ids)
lab_log "ipsecgw session before the restart: $OLD_ID"
kill -KILL "${LAB_BG[swan-$S]}" 2>/dev/null
swan_stop "$S" >/dev/null 2>&1
rm -f "$SWAN_DIR/$S/charon.vici"
swan_start "$S"
lab_check "restarted charon loads the connection" swan_conf
lab_check "our old session still stands (no DELETE from a killed charon)" \
	test "$(gw_session_ids)" == "$OLD_ID"
IC0=$(swan_log_count "$S" "IKE_AUTH request 1 \\[.*N\\(INIT_CONTACT\\)")
lab_check "swanctl --initiate succeeds" swan_initiate "$S" net gw
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED" both_up
lab_check "charon's IKE_AUTH carried INITIAL_CONTACT" \
	test "$(swan_log_count "$S" "IKE_AUTH request 1 \\[.*N\\(INIT_CONTACT\\)")" -gt "$IC0"
replaced() {
	local ids
	ids=$(gw_session_ids)
	echo "ipsecgw sessions: '$ids' (old $OLD_ID)"
	[[ $ids =~ ^[0-9]+$ && $ids != "$OLD_ID" ]]
}
lab_check "exactly one session left on our side, not the old one" replaced
lab_check "ipsecgw logged the replacement" gw_logged "replaced \\(INITIAL_CONTACT\\)"
lab_check "ping through the new tunnel" ping_br

# ---------------------------------------------------------------- 5
lab_say "5. operator rekeys: our IKE SA rekey under a ping, then our CHILD SA rekey"
ID=$(gw_session_ids)
SWAN_IKE0=$(swan_sas "$S" gw | awk '$1 == "uniqueid" { print $3; exit }')
SPI0=$(child_spi_in_gw "$ID")
IR0=$(ikev2_counter ikev2_ike_rekeyed)
traffic_start 6
sleep 1
lab_check "crypto ikev2 rekey id $ID" lab_cli crypto ikev2 rekey id "$ID"
lab_check "ipsecgw rekeyed the IKE SA as initiator" ikev2_wait_counter ikev2_ike_rekeyed $((IR0 + 1)) 15
lab_check "charon answered our CREATE_CHILD_SA (IKE SA rekey)" \
	swan_log_has "$S" "parsed CREATE_CHILD_SA request [0-9]+ \\[ SA No KE \\]"
ike_replaced() {
	local ids n uid spi
	for ((i = 0; i < 50; i++)); do
		ids=$(gw_session_ids) && n=$(swan_sa_count "$S" gw)
		[[ $ids =~ ^[0-9]+$ && $ids != "$ID" && $n == 1 ]] && break
		sleep 0.2
	done
	uid=$(swan_sas "$S" gw | awk '$1 == "uniqueid" { print $3; exit }')
	spi=$(child_spi_in_gw "$ids")
	echo "ipsecgw sessions '$ids' (was $ID), CHILD SA $spi (was $SPI0); charon: $n IKE SA, uniqueid $uid (was $SWAN_IKE0)"
	[[ $ids =~ ^[0-9]+$ && $ids != "$ID" && $n == 1 && $uid != "$SWAN_IKE0" && $spi == "$SPI0" ]]
}
lab_check "a new IKE SA on both sides, the CHILD SA kept" ike_replaced
lab_check "charon's CHILD SA still INSTALLED" swan_child_up "$S" gw net
lab_check "no ping lost across our IKE rekey" traffic_lossless
ID=$(gw_session_ids)
SPI0=$(child_spi_in_gw "$ID")
SWAN_SPI0=$(swan_child_field "$S" gw net spi-in)
CR0=$(ikev2_counter ikev2_child_rekeyed)
traffic_start 4
sleep 1
lab_check "crypto ikev2 rekey child $SPI0" lab_cli crypto ikev2 rekey child "$SPI0"
lab_check "ipsecgw rekeyed the CHILD SA as initiator" ikev2_wait_counter ikev2_child_rekeyed $((CR0 + 1)) 15
child_replaced() {
	local spi sspi
	for ((i = 0; i < 50; i++)); do
		spi=$(child_spi_in_gw "$ID") && sspi=$(swan_child_field "$S" gw net spi-in)
		[[ $spi != "$SPI0" && $spi != none && -n $sspi && $sspi != "$SWAN_SPI0" ]] && break
		sleep 0.2
	done
	echo "ipsecgw CHILD SA $spi (was $SPI0); charon's $sspi (was $SWAN_SPI0)"
	[[ $spi != "$SPI0" && $spi != none && -n $sspi && $sspi != "$SWAN_SPI0" ]]
}
lab_check "new CHILD SA SPIs on both sides" child_replaced
lab_check "no ping lost across our CHILD SA rekey" traffic_lossless
bad_rekey() { ! lab_cli crypto ikev2 rekey id 999999 && ! lab_cli crypto ikev2 rekey child 0x1; }
lab_check "rekey of an unknown session / SPI is refused" bad_rekey
swan_terminate "$S" gw >/dev/null 2>&1
lab_gw_stop
lab_log "gateway exit status $LAB_GW_RC"

# ---------------------------------------------------------------- 6
# (a CHILD SA's selectors are one family: cfg refuses a mix, so one run per
# inner family)
GW_REMOTE=$LAB_HQ_IP6
GW_ADDR=$LAB_GW_OUT_IP6
v6_session() {
	local id l r
	id=$(gw_session_ids) && l=$(session_field "$id" local) && r=$(session_field "$id" remote) || return 1
	echo "ipsecgw session $id: $l -> $r"
	[[ $l == "$LAB_GW_OUT_IP6" && $r == "$LAB_HQ_IP6" ]]
}
swan_ts_has() { swan_sas "$S" gw | grep -E "^ *$1" || { echo "charon's CHILD SA lacks $1"; return 1; }; }
esp_counted() {
	local n
	n=$(swan_child_counter "$S" gw net in packets) || return 1
	echo "charon's CHILD SA: $n packets in"
	((n >= 2))
}
for inner in 4 6; do
	if [[ $inner == 4 ]]; then
		GW_LTS="\"$BR_LAN\"" GW_RTS="\"$HQ_LAN\"" SL=$HQ_LAN SR=$BR_LAN
		who=start PING=(ping -n) DST=$LAB_HQ_LAN_IP4
	else
		GW_LTS='"2001:db8:20::/64"' GW_RTS='"2001:db8:172::/64"'
		SL=2001:db8:172::/64 SR=2001:db8:20::/64 who=none PING=(ping -6 -n) DST=$LAB_HQ_LAN_IP6
	fi
	lab_say "6.$inner IPv6 outer (2001:db8:10::1 <-> 2001:db8:10::fe), IPv$inner inner; $([[ $who == start ]] && echo ipsecgw || echo strongSwan) initiates"
	lab_check "charon loads the connection over IPv6" \
		swan_conf LOCAL_ADDRS="$LAB_HQ_IP6" REMOTE_ADDRS="$LAB_GW_OUT_IP6" LOCAL_TS="$SL" REMOTE_TS="$SR"
	gw_conf "$LAB_TMP/gw6$inner.conf" "$who" '"aes128-sha256-ecp256"'
	lab_gw_start "$LAB_TMP/gw6$inner.conf"
	[[ $who == none ]] && lab_check "swanctl --initiate succeeds" swan_initiate "$S" net gw
	lab_check "IKE SA ESTABLISHED over IPv6, CHILD SA INSTALLED" both_up
	lab_check "ipsecgw's session runs between the IPv6 addresses" v6_session
	lab_check "charon's CHILD SA has the IPv$inner selectors" swan_ts_has "${SL%/*}"
	lab_check "ping IPv$inner inner through the IPv6 tunnel" \
		lab_in "$NS_BR" "${PING[@]}" -c 2 -i 0.2 -W 2 "$DST"
	lab_check "charon's CHILD SA counted the ESP packets" esp_counted
	swan_terminate "$S" gw >/dev/null 2>&1
	lab_gw_stop
	lab_log "gateway exit status $LAB_GW_RC"
done

lab_log "whole run: $((($(date +%s%N) - T0) / 1000000)) ms"
lab_finish
