#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The life of an IKEv1 session (issue 7) between ipsecgw and a real
# strongSwan after Main Mode: Quick Mode rekeys under numbered traffic,
# deletes from either side, DPD (RFC 3706).  Same lab as ikev1_swan.sh
# (lab.sh's lab_topology, pki_tool's certificates, charon "swan" in hq,
# swanctl "version = 1", RSA both ends, IKE aes128-sha256-modp2048):
#
#   branch-ID            gw-ID (ipsecgw)                           hq-ID (charon "swan")
#   192.168.10.10  <->  192.168.10.1 [inside] [outside] 10.10.0.1  <->  10.10.0.254
#                                                                     + LAN 172.16.0.1 (lo),
#                                                                       echo server :9000
#
# Traffic: test/lab/seqflow.py, 500 numbered UDP datagrams a second from
# the branch to the echo server on hq's LAN and back (loss counted by
# sequence number), plus a ping every 50 ms.
#
#   1. Quick Mode rekey by strongSwan (child rekey_time 6 s, PFS ecp256,
#      strongSwan's defaults otherwise: the rekeyed IPsec SAs stay until
#      they expire) under traffic: ipsecgw counts rekeys, charon shows new
#      SPIs, not one datagram lost; charon's DPD (2 s, sent when idle)
#      R-U-THERE answered with ACKs.
#   2. strongSwan deletes (swanctl --terminate: DELETE of the IPsec SA and
#      of the ISAKMP SA): ipsecgw's session and fast-path SAs are gone.
#   3. ipsecgw deletes (clear crypto session): charon logs the DELETE of the
#      ESP SA and of the ISAKMP SA, and holds no SA.
#   4. DPD (crypto.isakmp.dpd_interval = 2): charon vanishes (SIGKILL: no
#      DELETE); ipsecgw's R-U-THERE go unanswered, it declares the peer dead
#      (/ipsecgw/isakmp/stats), the session and the SAs are gone (time
#      printed).
#   5. The same rekeys with charon's delete_rekeyed = yes: charon DELETEs
#      the old IPsec SA right after each Quick Mode (message 3, then the
#      DELETE) and drops its old inbound SA at once, so what the responder
#      still sends on it while message 3 is on its way is lost: two charons
#      lose 0-6 datagrams per run here at 500 pps.  Checked: at most 5 lost
#      per rekey (the figure printed), the DELETEs honoured (one live in/out
#      pair left).
#   6. ISAKMP SA rekey by strongSwan (rekey_time 8 s, over_time 4 s: a
#      12 s phase-1 lifetime): in IKEv1 charon sets up a new ISAKMP SA by
#      Main Mode, moves its IPsec SAs to it and keeps the old one until it
#      expires, when one side DELETEs it; the IPsec SAs stay (they are not
#      tied to an ISAKMP SA).  Under traffic: not one datagram lost, the old
#      ISAKMP SA DELETEd, the same number of ISAKMP SAs on both sides, the
#      IPsec SA kept and carrying traffic.
#   7. Quick Mode rekey by ipsecgw (child_lifetime 120 s), PFS, under
#      traffic: not one datagram lost, charon's CHILD SA has new SPIs and
#      charon parsed a Quick Mode request with a KE.  Slow (~2 min).
#
#   test/integration/ikev1_swan_life.sh IPSECGW IPSECGW_CLI PKI_TOOL [CASES]
#
# CASES: the numbers to run (default "1234567").

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"

lab_init ikev1_swan_life "${1:?usage: ikev1_swan_life.sh IPSECGW IPSECGW_CLI PKI_TOOL [CASES]}" "${2:?}"
swan_init "${3:?usage: ikev1_swan_life.sh IPSECGW IPSECGW_CLI PKI_TOOL [CASES]}"
CASES=${4:-1234567}

PKI=$LAB_TMP/pki
S=swan
GW_ID=gw.lab.example
PEER_ID=peer.lab.example
HQ_LAN=172.16.0.0/24
BR_LAN=192.168.10.0/24
IKE_P=aes128-sha256-modp2048
ESP_P=aes128gcm16
ESP_PFS=aes128gcm16-ecp256	# PFS: a KE in every Quick Mode
ECHO_PORT=9000
RATE=500
T0=$(date +%s%N)

lab_say "set-up: namespaces, PKI, charon, echo server"
lab_topology
swan_pki "$PKI"
swan_instance "$S" "$NS_HQ"
swan_trust "$S" "$PKI"
swan_cert "$S" "$PKI" peer
swan_start "$S"
lab_bg_start echo "$LAB_TMP/echo.log" ip netns exec "$NS_HQ" \
	"$LAB_PY" "$LAB_SRC/seqflow.py" echo "$LAB_HQ_LAN_IP4" "$ECHO_PORT"

# gw_conf OUT DPD_INTERVAL [ESP_PROPOSAL [CHILD_LIFETIME]]: responder only
# (swan.sh).
gw_conf() { swan_life_gw_conf "$1" 1 "${@:2}"; }

# swan_conf KEY=VALUE...: charon's IKEv1 side (swan.sh).
swan_conf() { swan_life_conf 1 "$@"; }

# isakmp_counter NAME: one counter of /ipsecgw/isakmp/stats.
isakmp_counter() {
	local r
	r=$(lab_cli --raw /ipsecgw/isakmp/stats) || return 1
	"$LAB_PY" "$LAB_SRC/jsonget.py" "$1" <<<"$r" 2>/dev/null ||
		{ echo "no $1 in /ipsecgw/isakmp/stats: $r" >&2; return 1; }
}

# isakmp_wait_counter NAME MIN SECONDS
isakmp_wait_counter() {
	local i n
	for ((i = 0; i < $3 * 5; i++)); do
		n=$(isakmp_counter "$1" 2>/dev/null) && ((n >= $2)) && break
		sleep 0.2
	done
	n=$(isakmp_counter "$1") || return 1
	echo "$1 = $n"
	((n >= $2))
}

isakmp_sessions() {
	lab_cli --raw /ipsecgw/isakmp/peers | "$LAB_PY" "$LAB_SRC/jsonget.py" count
}

# gw_live_sas: how many live SAs of peer swan the fast path has.
gw_live_sas() {
	lab_cli --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
print(sum(1 for i in range(len(r.get("ids", []))) if r["name"][i] == "swan" and r["state"][i] == "live"))'
}

# gw_one_pair SECONDS: within SECONDS, exactly one live in/out pair of swan.
gw_one_pair() {
	local i n
	for ((i = 0; i < $1 * 5; i++)); do
		n=$(gw_live_sas)
		[[ $n == 2 ]] && break
		sleep 0.2
	done
	echo "live SAs of swan: $n"
	lab_cli show crypto ipsec sa
	[[ $n == 2 ]]
}

# wait_gw_clean SECONDS: no IKEv1 session, no live SA of swan.
wait_gw_clean() {
	local i s n
	for ((i = 0; i < $1 * 5; i++)); do
		s=$(isakmp_sessions) && n=$(gw_live_sas) && [[ $s == 0 && $n == 0 ]] && break
		sleep 0.2
	done
	echo "ipsecgw: IKEv1 sessions ${s:-?}, live SAs of swan ${n:-?}"
	[[ ${s:-} == 0 && ${n:-} == 0 ]]
}

up() {
	local st
	swan_initiate "$S" net gw || { tail -n 6 "$SWAN_DIR/$S/initiate.out"; return 1; }
	echo "swanctl --initiate: $(swan_last_ms "$S") ms"
	swan_wait_ike "$S" gw "$LAB_GW_OUT_IP4" 15 || return 1
	st=$(swan_ike_state "$S" gw)
	[[ $st == *" IKEv1 "* ]] || { echo "not IKEv1: $st"; return 1; }
	swan_child_up "$S" gw net || return 1
	lab_in "$NS_BR" ping -n -c 2 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4"
}

# traffic_start SECONDS: numbered UDP (RATE pps) and a ping every 50 ms
# from the branch to hq's LAN, for SECONDS.
FLOW_OUT=
PING_OUT=
traffic_start() {
	FLOW_OUT=$LAB_TMP/flow.$RANDOM.json
	PING_OUT=$LAB_TMP/ping.$RANDOM
	lab_bg_start flow "$FLOW_OUT.log" ip netns exec "$NS_BR" "$LAB_PY" "$LAB_SRC/seqflow.py" send \
		--rate "$RATE" --duration "$1" --out "$FLOW_OUT" "hq=$LAB_HQ_LAN_IP4:$ECHO_PORT"
	lab_bg_start ping "$PING_OUT" ip netns exec "$NS_BR" \
		ping -n -i 0.05 -W 1 -c $(($1 * 20)) "$LAB_HQ_LAN_IP4"
}

# traffic_lossless: both finished; every datagram and echo came back.
traffic_lossless() {
	local line bad=0
	lab_bg_wait flow 200
	lab_bg_wait ping 200
	"$LAB_PY" - "$FLOW_OUT" <<'EOF' || bad=1
import json, sys
f = json.load(open(sys.argv[1]))["flows"]["hq"]
print("seqflow: sent %d, received %d, lost %d, max RTT %.1f ms, lost ranges %s"
      % (f["sent"], f["received"], f["lost"], f["rtt_max_ms"], f["lost_ranges"][:4]))
sys.exit(0 if f["sent"] > 0 and f["lost"] == 0 else 1)
EOF
	line=$(grep 'packets transmitted' "$PING_OUT")
	echo "ping: $line"
	[[ $line =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]] || return 1
	((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] == BASH_REMATCH[2])) || bad=1
	return $bad
}

# traffic_loss_per_rekey MAX K0: both finished; seqflow lost at most MAX
# datagrams per Quick Mode rekey counted by ipsecgw since K0 (the pings
# are only shown).
traffic_loss_per_rekey() {
	local k lost
	lab_bg_wait flow 200
	lab_bg_wait ping 200
	k=$(isakmp_counter isakmp_child_rekeyed) || return 1
	k=$((k - $2))
	lost=$("$LAB_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["flows"]["hq"]["lost"])' "$FLOW_OUT") ||
		return 1
	echo "seqflow: lost $lost in $k rekeys (at most $1 per rekey)"
	echo "ping: $(grep 'packets transmitted' "$PING_OUT")"
	((k >= 1 && lost <= $1 * k))
}

child_spi_in() { swan_child_field "$S" gw net spi-in; }

# installed_spis: the inbound SPIs of charon's INSTALLED CHILD SAs net
# (REKEYED ones are left out).
installed_spis() {
	swan_sas "$S" gw | awk '
		$1 == "child-sas" { in_children = 1; next }
		in_children && $2 == "{" && $1 ~ /^net(-[0-9]+)?$/ { in_child = 1; st = ""; spi = ""; next }
		in_child && $1 == "state" { st = $3 }
		in_child && $1 == "spi-in" { spi = $3 }
		in_child && $1 == "}" { if (st == "INSTALLED") print spi; in_child = 0 }'
}

# new_spi OLD: charon has an INSTALLED CHILD SA whose inbound SPI is not OLD.
new_spi() {
	local spis s
	spis=$(installed_spis)
	echo "charon's installed CHILD SAs, inbound SPIs: ${spis//$'\n'/ } (first was $1)"
	for s in $spis; do
		[[ $s != "$1" ]] && return 0
	done
	return 1
}

# swan_child_count: charon's CHILD SAs net (INSTALLED and REKEYED).
swan_child_count() {
	swan_sas "$S" gw | grep -cE '^ *net(-[0-9]+)? \{'
}

# sas_match: ipsecgw's live SAs of swan are two per CHILD SA of charon's.
sas_match() {
	local n c
	n=$(gw_live_sas)
	c=$(swan_child_count)
	echo "ipsecgw: $n live SAs of swan; charon: $c CHILD SAs (installed and rekeyed)"
	((n == 2 * c && c >= 1))
}

# dpd_acked SECONDS: charon parsed a DPD_ACK from us (it sends R-U-THERE
# only after dpd_delay without traffic from us).
dpd_acked() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		(($(swan_log_count "$S" "parsed INFORMATIONAL_V1 request [0-9]+ \\[ HASH N\\(DPD_ACK\\) \\]") > 0)) && break
		sleep 0.2
	done
	swan_log_has "$S" "parsed INFORMATIONAL_V1 request [0-9]+ \\[ HASH N\\(DPD_ACK\\) \\]"
}

# log_rose REGEX BEFORE: charon's log has more lines matching REGEX than
# BEFORE (the last one shown).
log_rose() {
	local n
	n=$(swan_log_count "$S" "$1")
	((n > $2)) || { echo "charon logged /$1/ $n times, as before"; return 1; }
	grep -E -- "$1" "$SWAN_DIR/$S/charon.log" | tail -n 1
	echo "($2 -> $n lines)"
}

# one_isakmp_sa_each: one ISAKMP SA of gw on charon's side, one IKEv1
# session on ours.
one_isakmp_sa_each() {
	local c g
	c=$(swan_sa_count "$S" gw)
	g=$(isakmp_sessions)
	echo "ISAKMP SAs: charon $c, ipsecgw $g"
	[[ $c == 1 && $g == 1 ]]
}

# The gateway does not DELETE its SAs when it stops, so charon would keep
# this case's IKE SA (and its configuration: a short reauthentication time,
# other proposals) into the next case and reauthenticate it against the
# next gateway; terminate charon's SAs too.
stop_gw() {
	lab_gw_stop
	lab_log "gateway exit status $LAB_GW_RC"
	swan_ctl "$S" --terminate --ike gw --force >/dev/null 2>&1
	swan_ctl "$S" --terminate --child net --force >/dev/null 2>&1
	lab_log "charon's SAs terminated: $(swan_sa_count "$S" gw) IKE SAs of gw left"
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
if [[ $CASES == *1* ]]; then
	lab_say "1. Quick Mode rekey by strongSwan under traffic, PFS (ecp256); DPD from charon"
	lab_check "charon loads the connection (child rekey_time 6s, PFS, DPD 2s)" \
		swan_conf CHILD_REKEY_TIME=6s ESP_PROPOSALS="$ESP_PFS" DPD_DELAY=2s
	lab_set_prefix p1
	lab_gw_start "$CONF_PFS"
	lab_check "tunnel up, ping through it" up
	SPI0=$(child_spi_in)
	traffic_start 16
	lab_check "ipsecgw rekeyed Quick Mode SAs as responder" isakmp_wait_counter isakmp_child_rekeyed 1 20
	lab_check "not one datagram or ping lost across the rekeys" traffic_lossless
	lab_check "charon's CHILD SA has new SPIs" new_spi "$SPI0"
	lab_check "ipsecgw's live SAs of swan: one in/out pair per CHILD SA charon holds" sas_match
	lab_check "charon's R-U-THERE (sent when idle) answered: DPD_ACK parsed" dpd_acked 10
	lab_check "ipsecgw counted the R-U-THERE it answered" isakmp_wait_counter isakmp_dpd_answered 1 1
	lab_check "one ISAKMP SA on each side" one_isakmp_sa_each

	# ------------------------------------------------------------ 2
	lab_say "2. strongSwan deletes the ISAKMP SA"
	lab_check "swanctl --terminate" swan_terminate "$S" gw
	lab_check "ipsecgw: session and SAs gone" wait_gw_clean 10
	lab_check "ipsecgw honoured the DELETEs (counted)" isakmp_wait_counter isakmp_delete_rcvd 1 1
	stop_gw
elif [[ $CASES == *2* ]]; then
	lab_say "2. strongSwan deletes the ISAKMP SA"
	lab_check "charon loads the connection" swan_conf
	lab_set_prefix p1
	lab_gw_start "$CONF"
	lab_check "tunnel up, ping through it" up
	lab_check "swanctl --terminate" swan_terminate "$S" gw
	lab_check "ipsecgw: session and SAs gone" wait_gw_clean 10
	lab_check "ipsecgw honoured the DELETEs (counted)" isakmp_wait_counter isakmp_delete_rcvd 1 1
	stop_gw
fi

# ---------------------------------------------------------------- 3
if [[ $CASES == *3* ]]; then
	lab_say "3. ipsecgw deletes the session (clear crypto session)"
	lab_check "charon loads the connection" swan_conf
	lab_set_prefix p3
	lab_gw_start "$CONF"
	lab_check "tunnel up, ping through it" up
	D0=$(swan_log_count "$S" "received DELETE for IKE_SA gw\\[")
	E0=$(swan_log_count "$S" "received DELETE for ESP CHILD_SA with SPI")
	lab_check "clear crypto session" lab_cli clear crypto session
	lab_check "ipsecgw: session and SAs gone" wait_gw_clean 10
	lab_check "charon: the ISAKMP SA is gone" swan_wait_gone "$S" gw 10
	lab_check "ipsecgw counted the DELETEs it sent (ESP SA, ISAKMP SA)" isakmp_wait_counter isakmp_delete_sent 2 1
	lab_check "charon received the DELETE of the ESP SA" \
		log_rose "received DELETE for ESP CHILD_SA with SPI" "$E0"
	lab_check "charon received the DELETE of the ISAKMP SA" log_rose "received DELETE for IKE_SA gw\\[" "$D0"
	stop_gw
fi

# ---------------------------------------------------------------- 4
if [[ $CASES == *4* ]]; then
	lab_say "4. DPD: ipsecgw detects a vanished strongSwan (dpd_interval 2 s)"
	lab_check "charon loads the connection (its own DPD off)" swan_conf DPD_DELAY=0s
	lab_set_prefix p4
	lab_gw_start "$CONF_DPD"
	lab_check "tunnel up, ping through it" up
	lab_log "killing charon (SIGKILL, pid ${LAB_BG[swan-$S]}): no DELETE sent"
	TK=$(date +%s%N)
	kill -KILL "${LAB_BG[swan-$S]}" 2>/dev/null
	swan_stop "$S"
	lab_check "ipsecgw declares the peer dead (R-U-THERE unanswered)" isakmp_wait_counter isakmp_dpd_dead 1 90
	lab_log "declared dead $((($(date +%s%N) - TK) / 1000000)) ms after the kill"
	lab_check "ipsecgw: session and SAs gone" wait_gw_clean 10
	lab_check "ipsecgw logged the dead peer" gw_logged "[Dd](PD|ead)"
	stop_gw
	swan_start "$S"
fi

# ---------------------------------------------------------------- 5
if [[ $CASES == *5* ]]; then
	lab_say "5. Quick Mode rekeys by strongSwan with delete_rekeyed = yes: the old SAs DELETEd at once"
	swan_stop "$S"
	swan_strongswan_conf "$S" "delete_rekeyed = yes"
	swan_start "$S"
	lab_check "charon loads the connection (child rekey_time 6s, PFS)" \
		swan_conf CHILD_REKEY_TIME=6s ESP_PROPOSALS="$ESP_PFS"
	lab_set_prefix p6
	lab_gw_start "$CONF_PFS"
	lab_check "tunnel up, ping through it" up
	R0=$(swan_log_count "$S" "sending DELETE for ESP CHILD_SA")
	K0=$(isakmp_counter isakmp_child_rekeyed)
	traffic_start 16
	lab_check "ipsecgw rekeyed Quick Mode SAs as responder" isakmp_wait_counter isakmp_child_rekeyed $((K0 + 1)) 20
	lab_check "at most 5 datagrams lost per rekey (charon drops its old inbound SA at once)" \
		traffic_loss_per_rekey 5 "$K0"
	lab_check "charon DELETEd the rekeyed SAs" log_rose "sending DELETE for ESP CHILD_SA" "$R0"
	lab_check "ipsecgw honoured them: one live in/out pair left" gw_one_pair 10
	lab_check "ipsecgw counted the DELETEs" isakmp_wait_counter isakmp_delete_rcvd 1 1
	stop_gw
	swan_stop "$S"
	swan_strongswan_conf "$S"
	swan_start "$S"
fi

# ---------------------------------------------------------------- 6
if [[ $CASES == *6* ]]; then
	lab_say "6. ISAKMP SA rekey by strongSwan (rekey_time 8 s: a new Main Mode) under traffic"
	rekey_conf() {
		swan_conf REKEY_TIME=8s >/dev/null || return 1
		sed -i 's/^\t\tover_time = 120s$/\t\tover_time = 4s/' "$SWAN_DIR/$S/swanctl/conns/gw.conf" || return 1
		swan_write_swanctl "$S"
		swan_load "$S" | grep -E '^(loaded conn|successfully|no )'
		grep -q 'over_time = 4s' "$SWAN_DIR/$S/swanctl/swanctl.conf"
	}
	lab_check "charon loads the connection (IKE rekey_time 8s, over_time 4s)" rekey_conf
	lab_set_prefix p7
	lab_gw_start "$CONF"
	lab_check "tunnel up, ping through it" up
	E0=$(isakmp_counter isakmp_sa_established)
	D0=$(swan_log_count "$S" "(sending|received) DELETE for IKE_SA gw\\[")
	traffic_start 14
	lab_check "ipsecgw established a second ISAKMP SA" isakmp_wait_counter isakmp_sa_established $((E0 + 1)) 20
	lab_check "not one datagram or ping lost across the ISAKMP SA rekey" traffic_lossless
	lab_check "the old ISAKMP SA expired and was DELETEd (by either side)" \
		log_rose "(sending|received) DELETE for IKE_SA gw\\[" "$D0"
	same_count() {
		local c g i
		for ((i = 0; i < 25; i++)); do
			c=$(swan_sa_count "$S" gw)
			g=$(isakmp_sessions)
			[[ $c == "$g" && $c -ge 1 ]] && break
			sleep 0.2
		done
		echo "ISAKMP SAs: charon $c, ipsecgw $g"
		[[ $c == "$g" && $c -ge 1 ]]
	}
	lab_check "as many ISAKMP SAs on each side" same_count
	lab_check "charon's IPsec SA kept (adopted)" swan_child_up "$S" gw net
	lab_check "ping through the tunnel after the rekey" lab_in "$NS_BR" ping -n -c 2 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4"
	stop_gw
fi

# ---------------------------------------------------------------- 7
if [[ $CASES == *7* ]]; then
	lab_say "7. Quick Mode rekey by ipsecgw (child_lifetime 120 s) under traffic, PFS"
	lab_check "charon loads the connection (its rekey 1 h, PFS)" swan_conf ESP_PROPOSALS="$ESP_PFS"
	lab_set_prefix p5
	lab_gw_start "$CONF_OURS"
	lab_check "tunnel up, ping through it" up
	SPI0=$(child_spi_in)
	Q0=$(swan_log_count "$S" "parsed QUICK_MODE request [0-9]+ \\[ HASH SA No KE ID ID \\]")
	traffic_start 125
	lab_check "ipsecgw rekeyed a Quick Mode SA as initiator" isakmp_wait_counter isakmp_child_rekeyed 1 125
	lab_check "not one datagram or ping lost across the rekey" traffic_lossless
	lab_check "charon's CHILD SA has new SPIs" new_spi "$SPI0"
	lab_check "charon parsed our Quick Mode request with a KE (PFS)" \
		log_rose "parsed QUICK_MODE request [0-9]+ \\[ HASH SA No KE ID ID \\]" "$Q0"
	stop_gw
fi

lab_bg_stop echo
lab_log "whole run: $((($(date +%s%N) - T0) / 1000000)) ms"
lab_finish
