#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The life of an IKEv2 session between ipsecgw and a real strongSwan after
# IKE_AUTH: rekeys under traffic, deletes from either side, liveness checks.
# Same lab as ikev2_swan.sh (lab.sh's lab_topology, pki_tool's certificates,
# charon "swan" in the hq namespace, ipsecgw on net_af_packet):
#
#   branch-ID            gw-ID (ipsecgw)                           hq-ID (charon "swan")
#   192.168.10.10  <->  192.168.10.1 [inside] [outside] 10.10.0.1  <->  10.10.0.254
#                                                                     + LAN 172.16.0.1 (lo)
#
#   1. CHILD SA rekey by strongSwan (child rekey_time 6 s) under a
#      continuous ping branch -> hq LAN: ipsecgw counts rekeys, charon shows
#      a CHILD SA with new SPIs, not one ping lost (make-before-break).
#   2. IKE SA rekey by strongSwan (rekey_time 6 s) under traffic: ipsecgw
#      counts an IKE rekey, one IKE SA left on each side, the CHILD SA kept,
#      not one ping lost.
#   3. strongSwan deletes (swanctl --terminate): ipsecgw's session and its
#      fast-path SAs are gone.
#   4. ipsecgw deletes (clear crypto session): charon's IKE SA is gone.
#   5. DPD (dpd_interval = 2): charon vanishes (SIGKILL: no DELETE),
#      ipsecgw's liveness check goes unanswered and after its
#      retransmissions (~47 s) it declares the peer dead (ikev2_dpd_dead)
#      and retires the SAs.
#   6. CHILD SA rekey by ipsecgw (child_lifetime 120 s), PFS, under
#      traffic: not one ping lost, charon's CHILD SA has new SPIs.  Slow
#      (~2 min): the shortest child_lifetime the configuration takes.
#
#   test/integration/ikev2_swan_life.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"

lab_init ikev2_swan_life "${1:?usage: ikev2_swan_life.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}"
swan_init "${3:?usage: ikev2_swan_life.sh IPSECGW IPSECGW_CLI PKI_TOOL}"

PKI=$LAB_TMP/pki
S=swan
GW_ID=gw.lab.example
PEER_ID=peer.lab.example
HQ_LAN=172.16.0.0/24
BR_LAN=192.168.10.0/24
IKE_P=aes128-sha256-ecp256
ESP_P=aes128gcm16
ESP_PFS=aes128gcm16-ecp256	# PFS: a KE in every CHILD SA rekey

lab_say "set-up: namespaces, PKI, charon"
lab_topology
swan_pki "$PKI"
swan_instance "$S" "$NS_HQ"
swan_trust "$S" "$PKI"
swan_cert "$S" "$PKI" peer
swan_start "$S"

# gw_conf OUT DPD_INTERVAL [ESP_PROPOSAL [CHILD_LIFETIME]]: the gateway of
# ikev2_swan.sh, responder only (swan.sh).
gw_conf() { swan_life_gw_conf "$1" 2 "${@:2}"; }

# swan_conf KEY=VALUE...: charon's side of the tunnel (swan.sh).
swan_conf() { swan_life_conf 2 "$@"; }

# gw_live_sas: how many live SAs of peer swan the fast path has.
gw_live_sas() {
	lab_cli --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
print(sum(1 for i in range(len(r["ids"])) if r["name"][i] == "swan" and r["state"][i] == "live"))'
}

# gw_one_pair SECONDS: within SECONDS, exactly one live in/out pair of swan
# (the old inbound SA of a rekey stays live until the initiator's DELETE
# has been answered, which may land just after the last ping).
gw_one_pair() {
	local i n
	for ((i = 0; i < $1 * 5; i++)); do
		n=$(gw_live_sas)
		[[ $n == 2 ]] && break
		sleep 0.2
	done
	echo "live SAs $n"
	[[ $n == 2 ]]
}

gw_sessions() {
	lab_cli --raw /ipsecgw/ikev2/sessions | "$LAB_PY" "$LAB_SRC/jsonget.py" count
}

# wait_gw_clean SECONDS: no session, no live SA of swan.
wait_gw_clean() {
	local i s n
	for ((i = 0; i < $1 * 5; i++)); do
		s=$(gw_sessions) && n=$(gw_live_sas) && [[ $s == 0 && $n == 0 ]] && break
		sleep 0.2
	done
	echo "ipsecgw: sessions ${s:-?}, live SAs of swan ${n:-?}"
	[[ ${s:-} == 0 && ${n:-} == 0 ]]
}

up() {
	swan_initiate "$S" net gw || { cat "$SWAN_DIR/$S/initiate.out"; return 1; }
	swan_wait_ike "$S" gw "$LAB_GW_OUT_IP4" 15 || return 1
	swan_child_up "$S" gw net || return 1
	lab_in "$NS_BR" ping -n -c 2 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4"
}

# traffic_start SECONDS: a ping every 50 ms branch -> hq LAN in the background.
PING_OUT=
traffic_start() {
	PING_OUT=$LAB_TMP/ping.$RANDOM
	lab_bg_start ping "$PING_OUT" ip netns exec "$NS_BR" \
		ping -n -i 0.05 -W 1 -c $(($1 * 20)) "$LAB_HQ_LAN_IP4"
}

# traffic_lossless: the ping finished and every echo was answered.
traffic_lossless() {
	local line
	lab_bg_wait ping 150
	line=$(grep 'packets transmitted' "$PING_OUT")
	echo "ping: $line"
	[[ $line =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]] || return 1
	((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] == BASH_REMATCH[2]))
}

# child_spi_in: charon's inbound SPI of the CHILD SA net.
child_spi_in() { swan_child_field "$S" gw net spi-in; }

one_ike_sa() {
	local n
	n=$(swan_sa_count "$S" gw)
	echo "charon: IKE SAs of gw: $n; ipsecgw sessions: $(gw_sessions)"
	[[ $n == 1 && $(gw_sessions) == 1 ]]
}

stop_gw() {
	lab_gw_stop
	lab_log "gateway exit status $LAB_GW_RC"
}

CONF=$LAB_TMP/gw.conf
CONF_PFS=$LAB_TMP/gw-pfs.conf
CONF_DPD=$LAB_TMP/gw-dpd.conf
CONF_OURS=$LAB_TMP/gw-ours.conf
gw_conf "$CONF" 0
gw_conf "$CONF_PFS" 0 "$ESP_PFS"
gw_conf "$CONF_DPD" 2
gw_conf "$CONF_OURS" 0 "$ESP_PFS" 120

# ---------------------------------------------------------------- 1
lab_say "1. CHILD SA rekey by strongSwan under traffic, PFS (ecp256)"
lab_check "charon loads the connection (child rekey_time 6s, PFS)" \
	swan_conf CHILD_REKEY_TIME=6s ESP_PROPOSALS="$ESP_PFS"
lab_set_prefix p1
lab_gw_start "$CONF_PFS"
lab_check "tunnel up, ping through it" up
SPI0=$(child_spi_in)
traffic_start 15
lab_check "ipsecgw rekeyed a CHILD SA as responder" ikev2_wait_counter ikev2_child_rekeyed 1 20
lab_check "no ping lost across the rekey" traffic_lossless
lab_check "charon's CHILD SA has a new SPI (was $SPI0)" \
	bash -c "[[ \$1 != \"$SPI0\" && -n \$1 ]] && echo \"now \$1\"" _ "$(child_spi_in)"
lab_check "ipsecgw: one live in/out pair of swan" gw_one_pair 5
swan_terminate "$S" gw >/dev/null 2>&1
stop_gw

# ---------------------------------------------------------------- 2
lab_say "2. IKE SA rekey by strongSwan under traffic"
lab_check "charon loads the connection (IKE rekey_time 6s)" swan_conf REKEY_TIME=6s
lab_set_prefix p2
lab_gw_start "$CONF"
lab_check "tunnel up, ping through it" up
traffic_start 12
lab_check "ipsecgw rekeyed the IKE SA as responder" ikev2_wait_counter ikev2_ike_rekeyed 1 20
lab_check "no ping lost across the IKE rekey" traffic_lossless
lab_check "one IKE SA on each side" one_ike_sa
lab_check "the CHILD SA survives on the new IKE SA" swan_child_up "$S" gw net
lab_check "ping through the tunnel after the IKE rekey" \
	lab_in "$NS_BR" ping -n -c 2 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4"

# ---------------------------------------------------------------- 3
lab_say "3. strongSwan deletes the IKE SA"
lab_check "swanctl --terminate" swan_terminate "$S" gw
lab_check "ipsecgw: session and SAs gone" wait_gw_clean 10
lab_check "ipsecgw counted the delete" ikev2_counter_at_least ikev2_deleted 1
stop_gw

# ---------------------------------------------------------------- 4
lab_say "4. ipsecgw deletes the IKE SA"
lab_check "charon loads the connection" swan_conf
lab_set_prefix p3
lab_gw_start "$CONF"
lab_check "tunnel up, ping through it" up
lab_check "clear crypto session" lab_cli clear crypto session
lab_check "ipsecgw: session and SAs gone" wait_gw_clean 10
lab_check "charon: the IKE SA is gone" swan_wait_gone "$S" gw 10
stop_gw

# ---------------------------------------------------------------- 5
lab_say "5. DPD: ipsecgw detects a vanished strongSwan"
lab_check "charon loads the connection (its own DPD off)" swan_conf DPD_DELAY=0s
lab_set_prefix p4
lab_gw_start "$CONF_DPD"
lab_check "tunnel up, ping through it" up
lab_log "killing charon (SIGKILL, pid ${LAB_BG[swan-$S]}): no DELETE sent"
kill -KILL "${LAB_BG[swan-$S]}" 2>/dev/null
swan_stop "$S"
lab_check "ipsecgw declares the peer dead (DPD, ~2 s + retransmissions)" \
	ikev2_wait_counter ikev2_dpd_dead 1 90
lab_check "ipsecgw: session and SAs gone" wait_gw_clean 10
stop_gw

# ---------------------------------------------------------------- 6
lab_say "6. CHILD SA rekey by ipsecgw (child_lifetime 120 s: at ~102-108 s) under traffic, PFS"
swan_start "$S"
lab_check "charon loads the connection (its rekey 1 h, PFS)" swan_conf ESP_PROPOSALS="$ESP_PFS"
lab_set_prefix p5
lab_gw_start "$CONF_OURS"
lab_check "tunnel up, ping through it" up
SPI0=$(child_spi_in)
traffic_start 125
lab_check "ipsecgw rekeyed a CHILD SA as initiator" ikev2_wait_counter ikev2_child_rekeyed 1 125
lab_check "no ping lost across the rekey" traffic_lossless
lab_check "charon's CHILD SA has a new SPI (was $SPI0)" \
	bash -c "[[ \$1 != \"$SPI0\" && -n \$1 ]] && echo \"now \$1\"" _ "$(child_spi_in)"
lab_check "charon logs the rekey with a KE (PFS)" swan_log_has "$S" "parsed CREATE_CHILD_SA request [0-9]+ \\[ N\\(REKEY_SA\\) .*KE"
lab_check "ipsecgw: one live in/out pair of swan" gw_one_pair 5
stop_gw

lab_finish
