#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# IKEv1 (ISAKMP, issue 7) with certificates between ipsecgw and a real
# strongSwan (charon with kernel-libipsec, swanctl "version = 1"), on
# ikev2_swan.sh's topology plus the management veth for CRLs:
#
#   branch-ID            gw-ID (ipsecgw, net_af_packet)            hq-ID (charon "swan")
#   192.168.10.10  <->  192.168.10.1 [inside] [outside] 10.10.0.1  <->  10.10.0.254
#                         + management veth 10.99.0.1 <-> ca-ID      + LAN 172.16.0.1 (lo)
#
# The gateway's ID is its address 10.10.0.1 (ID_IPV4_ADDR), which both of
# its certificates carry (gw.crt RSA-2048, gw-ec.crt ECDSA P-256), so that
# the identity it signs with is chosen by the auth method of the phase-1
# proposal alone, not by local_id.
#
#   1. strongSwan initiates with RSA (peer.crt); the gateway holds the
#      ECDSA identity first, then the RSA one; IKE aes128-sha256-modp2048
#      (DH 14), ESP aes128-sha256 (CBC + HMAC): Main Mode and Quick Mode
#      done, IKE on 4500 (NAT-T float: libipsec fakes NAT-D), charon
#      verified the gateway's RSA signature, pings both ways, counters on
#      both sides, ESP in UDP; `show crypto isakmp peers` in the seed's
#      layout, `show crypto isakmp sa`, /ipsecgw/isakmp/peer fields.
#   2. strongSwan initiates with ECDSA (peer-ec.crt); the gateway holds the
#      RSA identity first: it signs with ECDSA (RFC 4754); IKE
#      aes256-sha256-ecp256 (DH 19), ESP aes128gcm16 with PFS (ecp256).
#   3. ipsecgw initiates (initiate = "start", local_id gw.lab.example, an
#      FQDN ID): IKE aes256-sha384-ecp384 (DH 20), ESP aes256gcm16;
#      charon responds; pings both ways.
#   4. Aggressive Mode from strongSwan is refused, with a log line.
#   5. IKEv1 fragmentation (strongSwan's fragmentation = force, fragments
#      of 512 bytes): charon's Main Mode message 5 goes in fragments, the
#      gateway reassembles it; the gateway's message 6 (certificate and
#      chain, over 1500 bytes) goes in IP or IKEv1 fragments; the tunnel
#      comes up.  5b: with fragmentation = no, both messages cross as IP
#      fragments (charon's kernel fragments, the gateway's own code).
#   6. trustpoint with revocation_check = "crl" (CRLs over HTTP): a revoked
#      certificate (serial 0x1031, same ID) is refused and no session is
#      left; peer.crt is then accepted through the same trustpoint.
#   7. The gateway holds only an RSA identity, strongSwan offers ECDSA
#      auth: NO-PROPOSAL-CHOSEN, counted, nothing up.
#   8. Responder lifetime: the gateway's child_lifetime (300 s) is shorter
#      than strongSwan's (1.1 h): its Quick Mode answer carries a
#      RESPONDER-LIFETIME notify (RFC 2407 4.6.3.1) and its IPsec SAs live
#      300 s (it rekeys them itself: ikev1_swan_life.sh 5).  strongSwan
#      5.9 does not act on that notify; it would take a shorter lifetime
#      only from the SA payload of the answer (printed, not checked).
#   9. Retransmission and duplicate detection (no netem, gact or iptables
#      in this kernel: processes are paused instead): (a) charon is stopped
#      (SIGSTOP) while ipsecgw initiates: ipsecgw retransmits Main Mode 1
#      until charon is continued 3 s later, the tunnel comes up; (b) ipsecgw
#      is stopped while charon initiates: charon's retransmissions queue up
#      and reach the gateway as duplicates when it is continued, which it
#      answers by resending its message (or drops); the tunnel comes up.
#  10. Proxy identities outside the gateway's selectors (strongSwan asks
#      for 192.168.99.0/24): Main Mode succeeds, Quick Mode is refused
#      (charon gets an error notify), no IPsec SA on either side.
#  11. remote = "any" with remote_id (the peer's address unknown): the
#      gateway answers Main Mode from any address and binds the session by
#      the peer's ID; a certificate of another ID (same CA) is refused.
#
#   test/integration/ikev1_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL [CASES]
#
# CASES: the numbers to run (default "123456789TE", T for 10, E for 11).

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"

lab_init ikev1_swan "${1:?usage: ikev1_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL [CASES]}" "${2:?}"
swan_init "${3:?usage: ikev1_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL [CASES]}"
CASES=${4:-123456789TE}

PKI=$LAB_TMP/pki
WWW=$LAB_TMP/www
S=swan
GW_ADDR_ID=$LAB_GW_OUT_IP4
HQ_LAN=172.16.0.0/24
BR_LAN=192.168.10.0/24
PORT=8080
CRL_BASE=http://$LAB_MGMT_CA_IP4:$PORT
T0=$(date +%s%N)

lab_say "set-up: namespaces, PKI, CRLs over HTTP, charon"
lab_topology
lab_mgmt
swan_pki "$PKI"
swan_pki_ee "$PKI" peer-rev rsa 0x1031 "peer revoked" "DNS:peer.lab.example"
swan_pki_ee "$PKI" peer2 rsa 0x1032 "peer two" "DNS:peer2.lab.example"
mkdir -p "$WWW" "$LAB_TMP/crl-cache"
lab_crl_publish "$SWAN_PKI_TOOL" "$PKI" "$WWW" root.crl root --number 1
lab_crl_publish "$SWAN_PKI_TOOL" "$PKI" "$WWW" inter.crl inter --number 1 --revoke 0x1031:1
lab_http_start http "$WWW" "$LAB_TMP/http.log" "$PORT"
lab_http_up http "$CRL_BASE/inter.crl" >/dev/null || lab_die "no HTTP server for the CRLs"

swan_instance "$S" "$NS_HQ"
swan_trust "$S" "$PKI"
# peer-rev.crt only for case 6: in IKEv1 charon picks the certificate by
# ID among those it holds, whatever the connection's "certs" says.
for c in peer peer-ec peer2; do
	swan_cert "$S" "$PKI" "$c"
done
swan_start "$S"

ID_RSA="{ cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; chain = \"$PKI/inter.crt\"; }"
ID_EC="{ cert = \"$PKI/gw-ec.crt\"; key = \"$PKI/gw-ec.key\"; chain = \"$PKI/inter.crt\"; }"
TP_NONE="{ name = \"LAB-CA\"; ca = \"$PKI/ca.crt\"; revocation_check = \"none\"; }"
TP_CRL="{ name = \"LAB-CA\"; ca = \"$PKI/ca.crt\"; revocation_check = \"crl\";
      crl_urls = [ \"$CRL_BASE/root.crl\", \"$CRL_BASE/inter.crl\" ]; crl_prefetch = true;
      crl_min_download_interval = 0; crl_download_timeout = 5;
      crl_cache_dir = \"$LAB_TMP/crl-cache\"; }"

# gw_conf OUT PEER_LINES [IDENTITIES [TRUSTPOINT [REMOTE]]]: the gateway
# with one IKEv1 peer "swan" (PEER_LINES: its settings beyond address,
# trustpoint and selectors), disconnect-revoked-peers on for isakmp.
gw_conf() {
	lab_conf_af_packet "$1" || lab_die "cannot render $1"
	cat >>"$1" <<EOF
pki = {
  identities = ( ${3:-$ID_RSA} );
  trustpoints = ( ${4:-$TP_NONE} );
};
crypto = { ikev2 = { dpd_interval = 0; };
           isakmp = { disconnect_revoked_peers = true; dpd_interval = 0; }; };
peers = (
  { name = "swan"; ike_version = 1; remote = "${5:-$LAB_HQ_IP4}"; trustpoint = "LAB-CA";
    local_ts = [ "$BR_LAN" ]; remote_ts = [ "$HQ_LAN" ];
    $2 }
);
EOF
}

# swan_conf CERT LOCAL_ID REMOTE_ID [KEY=VALUE...]: charon's one IKEv1
# connection "gw" (child "net").
swan_conf() {
	local cert=$1 lid=$2 rid=$3
	shift 3
	swan_conns_reset "$S"
	swan_conn "$S" gw VERSION=1 LOCAL_ADDRS="$LAB_HQ_IP4" REMOTE_ADDRS="$LAB_GW_OUT_IP4" \
		LOCAL_ID="$lid" REMOTE_ID="$rid" CERT="$cert.crt" \
		LOCAL_TS="$HQ_LAN" REMOTE_TS="$BR_LAN" "$@"
	swan_load "$S" | grep -E '^(loaded conn|successfully|no )'
}

# isakmp_counter NAME: one counter of /ipsecgw/isakmp/stats (the reply in
# full on stderr when NAME is not in it).
isakmp_counter() {
	local r
	r=$(lab_cli --raw /ipsecgw/isakmp/stats) || return 1
	"$LAB_PY" "$LAB_SRC/jsonget.py" "$1" <<<"$r" 2>/dev/null ||
		{ echo "no $1 in /ipsecgw/isakmp/stats: $r" >&2; return 1; }
}

# isakmp_counter_at_least NAME MIN
isakmp_counter_at_least() {
	local n
	n=$(isakmp_counter "$1") || return 1
	echo "$1 = $n"
	((n >= $2))
}

# isakmp_first_peer KEY: KEY of the gateway's first IKEv1 session
# (/ipsecgw/isakmp/peer,ID).
isakmp_first_peer() {
	local id
	id=$(lab_cli --raw /ipsecgw/isakmp/peers | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
print(r["ids"][0])' 2>/dev/null) || { echo "no IKEv1 session"; return 1; }
	lab_cli --raw "/ipsecgw/isakmp/peer,$id" | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"
}

isakmp_sessions() {
	lab_cli --raw /ipsecgw/isakmp/peers | "$LAB_PY" "$LAB_SRC/jsonget.py" count
}

# both_up: charon's IKEv1 SA ESTABLISHED with the gateway, CHILD SA INSTALLED.
both_up() {
	local st
	swan_wait_ike "$S" gw "$LAB_GW_OUT_IP4" 15 || return 1
	st=$(swan_ike_state "$S" gw)
	[[ $st == *" IKEv1 "* ]] || { echo "not IKEv1: $st"; return 1; }
	swan_child_up "$S" gw net || return 1
	lab_cli show crypto ipsec sa
}

# initiated: charon's swanctl --initiate succeeded (its time printed).
initiated() {
	swan_initiate "$S" net gw 20
	local rc=$?
	echo "swanctl --initiate: exit $rc in $(swan_last_ms "$S") ms"
	((rc == 0)) || { tail -n 6 "$SWAN_DIR/$S/initiate.out"; return 1; }
	grep -E 'established|selected proposal' "$SWAN_DIR/$S/initiate.out"
}

pings() {
	lab_in "$NS_BR" ping -n -c 3 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4" || return 1
	lab_in "$NS_HQ" ping -n -c 3 -i 0.2 -W 2 -I "$LAB_HQ_LAN_IP4" "$LAB_BR_IP4" || return 1
}

# gw_sas_counting: our live in/out SAs of peer swan both count packets.
gw_sas_counting() {
	lab_cli --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
sas = [(r["dir"][i], r["pkts"][i]) for i in range(len(r.get("ids", [])))
       if r["name"][i] == "swan" and r["state"][i] == "live"]
print("live SAs of swan (dir, packets):", sas)
dirs = sorted(d for d, _ in sas)
if "in" not in dirs or "out" not in dirs or any(p == 0 for _, p in sas):
    sys.exit("expected live in and out SAs with packets")'
}

# swan_counting: charon's CHILD SA counted bytes both ways, ESP in UDP, and
# IKE on 4500 on both ends (NAT-T float).
swan_counting() {
	local bin bout sas
	bin=$(swan_child_counter "$S" gw net in bytes) || return 1
	bout=$(swan_child_counter "$S" gw net out bytes) || return 1
	echo "charon CHILD SA: bytes in $bin, out $bout"
	((bin > 0 && bout > 0)) || return 1
	sas=$(swan_ctl "$S" --list-sas --ike gw)
	echo "$sas"
	[[ $sas == *"TUNNEL-in-UDP"* ]] || { echo "ESP not in UDP"; return 1; }
	[[ $sas == *"@ ${LAB_GW_OUT_IP4}[4500]"* ]] || { echo "IKE not on the gateway's port 4500"; return 1; }
}

# signed_with ID SCHEME_REGEX: charon verified ID's signature with SCHEME.
signed_with() { swan_log_has "$S" "authentication of '$1' with $2.* successful"; }

# isakmp_peers_layout PEER_ID: `show crypto isakmp peers` in the seed's layout.
isakmp_peers_layout() {
	local out
	out=$(lab_cli show crypto isakmp peers) || { echo "$out"; return 1; }
	echo "$out"
	grep -qE "^Peer: $LAB_HQ_IP4 Port: 4500 Local: $LAB_GW_OUT_IP4\$" <<<"$out" ||
		{ echo "no line 'Peer: $LAB_HQ_IP4 Port: 4500 Local: $LAB_GW_OUT_IP4'"; return 1; }
	grep -qE "^ Phase1 id: $1\$" <<<"$out" || { echo "no line ' Phase1 id: $1'"; return 1; }
	grep -qE "^ Disconnect Revoked Peer: Enabled\$" <<<"$out" ||
		{ echo "no line ' Disconnect Revoked Peer: Enabled'"; return 1; }
}

# isakmp_sa_shown: `show crypto isakmp sa` lists the peer's ISAKMP SA.
isakmp_sa_shown() {
	local out
	out=$(lab_cli show crypto isakmp sa 2>&1) || { head -n 2 <<<"$out"; return 1; }
	echo "$out"
	grep -qF "$LAB_HQ_IP4" <<<"$out"
}

# session_fields: /ipsecgw/isakmp/peer has the IKEv2 sessions' field names.
session_fields() {
	local v bad=0 k want
	for k in ike_version:1 peer:swan remote:$LAB_HQ_IP4 remote_port:4500 local:$LAB_GW_OUT_IP4; do
		want=${k#*:}
		v=$(isakmp_first_peer "${k%%:*}") || return 1
		expect_eq "/ipsecgw/isakmp/peer ${k%%:*}" "$want" "$v" || bad=1
	done
	v=$(isakmp_first_peer status) || return 1
	expect_eq "/ipsecgw/isakmp/peer status UP-*" UP "${v%%-*}" || bad=1
	return $bad
}

# no_up_session: the gateway's first IKEv1 session (if any) is not up.
no_up_session() {
	local s
	s=$(isakmp_first_peer status 2>/dev/null)
	echo "first IKEv1 session's status: ${s:-none}"
	[[ $s != UP-* ]]
}

# crls_held: both CRLs listed by the gateway and downloaded (10 s).
crls_held() {
	local i id n
	for ((i = 0; i < 100; i++)); do
		n=0
		for id in $(lab_cli --raw /ipsecgw/pki/crls 2>/dev/null | "$LAB_PY" "$LAB_SRC/jsonget.py" ids 2>/dev/null); do
			(($(lab_cli --raw "/ipsecgw/pki/crl,$id" |
				"$LAB_PY" "$LAB_SRC/jsonget.py" downloads) >= 1)) && n=$((n + 1))
		done
		((n >= 2)) && break
		sleep 0.1
	done
	lab_cli show crypto pki crls
	((n >= 2))
}

finish_case() {
	swan_terminate "$S" gw >/dev/null 2>&1
	lab_gw_stop
	lab_log "gateway exit status $LAB_GW_RC"
}

# gw_answers_v1: the gateway has an IKEv1 engine: /ipsecgw/isakmp/stats answers.
gw_answers_v1() {
	local r
	r=$(lab_cli --raw /ipsecgw/isakmp/stats 2>&1)
	echo "/ipsecgw/isakmp/stats: $r"
	"$LAB_PY" -c 'import json, sys; sys.exit(0 if isinstance(json.loads(sys.argv[1]).get("/ipsecgw/isakmp/stats"), dict) else 1)' "$r"
}

# ---------------------------------------------------------------- 1
if [[ $CASES == *1* ]]; then
	lab_say "1. strongSwan initiates, RSA (gateway: ECDSA identity first); aes128-sha256-modp2048, ESP aes128-sha256"
	gw_conf "$LAB_TMP/gw1.conf" "remote_id = \"peer.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128-sha256\" ];" \
		"$ID_EC, $ID_RSA" "$TP_CRL"
	lab_check "charon loads the IKEv1 connection" swan_conf peer peer.lab.example "$GW_ADDR_ID" \
		PROPOSALS=aes128-sha256-modp2048 ESP_PROPOSALS=aes128-sha256
	lab_set_prefix c1
	lab_gw_start "$LAB_TMP/gw1.conf"
	lab_check "the gateway answers /ipsecgw/isakmp/stats" gw_answers_v1
	lab_check "the gateway holds the root and intermediate CRLs (revocation_check crl)" crls_held
	lab_check "swanctl --initiate (Main Mode + Quick Mode) succeeds" initiated
	lab_check "charon: IKEv1 SA ESTABLISHED, CHILD SA INSTALLED; SAs in ipsecgw" both_up
	lab_check "charon verified the gateway's RSA signature (identity chosen by the proposal)" \
		signed_with "$GW_ADDR_ID" RSA
	lab_check "ipsecgw counts an established ISAKMP SA" isakmp_counter_at_least isakmp_sa_established 1
	lab_check "ping both ways through the tunnel" pings
	lab_check "ipsecgw: in/out SAs of swan count packets" gw_sas_counting
	lab_check "charon: CHILD SA counts bytes both ways, ESP in UDP, IKE on 4500 (NAT-T)" swan_counting
	lab_check "show crypto isakmp peers: Peer/Port/Local, Phase1 id, Disconnect Revoked Peer" \
		isakmp_peers_layout peer.lab.example
	lab_check "show crypto isakmp sa lists the peer" isakmp_sa_shown
	lab_check "/ipsecgw/isakmp/peer: version, peer, endpoints, status" session_fields
	finish_case
fi

# ---------------------------------------------------------------- 2
if [[ $CASES == *2* ]]; then
	lab_say "2. strongSwan initiates, ECDSA (gateway: RSA identity first); aes256-sha256-ecp256, ESP aes128gcm16-ecp256 (PFS)"
	gw_conf "$LAB_TMP/gw2.conf" "remote_id = \"peer-ec.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes256-sha256-ecp256\" ]; esp_proposals = [ \"aes128gcm16-ecp256\" ];" \
		"$ID_RSA, $ID_EC"
	lab_check "charon loads the IKEv1 connection (ECDSA)" swan_conf peer-ec peer-ec.lab.example "$GW_ADDR_ID" \
		PROPOSALS=aes256-sha256-ecp256 ESP_PROPOSALS=aes128gcm16-ecp256
	lab_set_prefix c2
	lab_gw_start "$LAB_TMP/gw2.conf"
	lab_check "swanctl --initiate succeeds" initiated
	lab_check "charon: IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	lab_check "charon verified the gateway's ECDSA signature (RFC 4754)" signed_with "$GW_ADDR_ID" ECDSA
	lab_check "ping both ways through the tunnel" pings
	lab_check "ipsecgw: in/out SAs of swan count packets" gw_sas_counting
	lab_check "charon: AES-GCM CHILD SA with PFS, ESP in UDP" swan_counting
	finish_case
fi

# ---------------------------------------------------------------- 3
if [[ $CASES == *3* ]]; then
	lab_say "3. ipsecgw initiates (local_id gw.lab.example); aes256-sha384-ecp384, ESP aes256gcm16"
	gw_conf "$LAB_TMP/gw3.conf" "remote_id = \"peer.lab.example\"; local_id = \"gw.lab.example\";
    initiate = \"start\";
    ike_proposals = [ \"aes256-sha384-ecp384\" ]; esp_proposals = [ \"aes256gcm16\" ];"
	lab_check "charon loads the IKEv1 connection (responder)" swan_conf peer peer.lab.example gw.lab.example \
		PROPOSALS=aes256-sha384-ecp384 ESP_PROPOSALS=aes256gcm16
	lab_set_prefix c3
	lab_gw_start "$LAB_TMP/gw3.conf"
	lab_check "charon (responder): IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	lab_check "charon verified gw.lab.example's RSA signature" signed_with gw.lab.example RSA
	lab_check "ipsecgw counts an established ISAKMP SA" isakmp_counter_at_least isakmp_sa_established 1
	lab_check "ping both ways through the tunnel" pings
	lab_check "ipsecgw: in/out SAs of swan count packets" gw_sas_counting
	lab_check "charon: CHILD SA counts bytes both ways, ESP in UDP, IKE on 4500" swan_counting
	finish_case
fi

# ---------------------------------------------------------------- 4
if [[ $CASES == *4* ]]; then
	lab_say "4. Aggressive Mode is refused"
	gw_conf "$LAB_TMP/gw4.conf" "remote_id = \"peer.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];"
	aggressive_conf() {
		swan_conf peer peer.lab.example "$GW_ADDR_ID" PROPOSALS=aes128-sha256-modp2048 >/dev/null || return 1
		sed -i 's/^\t\tversion = 1$/&\n\t\taggressive = yes/' "$SWAN_DIR/$S/swanctl/conns/gw.conf" || return 1
		swan_write_swanctl "$S"
		swan_load "$S" | grep -E '^(loaded conn|successfully|no )'
		grep -q 'aggressive = yes' "$SWAN_DIR/$S/swanctl/swanctl.conf"
	}
	lab_check "charon loads the connection with aggressive = yes" aggressive_conf
	lab_set_prefix c4
	lab_gw_start "$LAB_TMP/gw4.conf"
	agg_refused() {
		swan_initiate "$S" net gw 10
		local rc=$?
		echo "swanctl --initiate: exit $rc in $(swan_last_ms "$S") ms: $(tail -n 1 "$SWAN_DIR/$S/initiate.out")"
		grep -E 'AGGRESSIVE' "$SWAN_DIR/$S/initiate.out" | head -n 2
		((rc != 0)) || return 1
		! swan_ike_up "$S" gw "$LAB_GW_OUT_IP4" >/dev/null && echo "charon: no IKE SA up"
	}
	lab_check "swanctl --initiate in Aggressive Mode fails" agg_refused
	lab_check "ipsecgw logged the refusal of Aggressive Mode" gw_logged "[Aa]ggressive"
	lab_check "ipsecgw counted it" isakmp_counter_at_least isakmp_aggressive_refused 1
	lab_check "ipsecgw holds no IKEv1 session" expect_eq "IKEv1 sessions" 0 "$(isakmp_sessions)"
	finish_case
fi

# ---------------------------------------------------------------- 5
if [[ $CASES == *5* ]]; then
	lab_say "5. IKEv1 fragmentation: strongSwan's fragmentation = force, 512-byte fragments"
	swan_stop "$S"
	swan_strongswan_conf "$S" "fragment_size = 512"
	swan_start "$S"
	gw_conf "$LAB_TMP/gw5.conf" "remote_id = \"peer.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];"
	lab_check "charon loads the connection (fragmentation = force)" swan_conf peer peer.lab.example "$GW_ADDR_ID" \
		PROPOSALS=aes128-sha256-modp2048 FRAGMENTATION=force
	lab_set_prefix c5
	lab_gw_start "$LAB_TMP/gw5.conf"
	lab_check "swanctl --initiate succeeds" initiated
	lab_check "charon sent Main Mode in IKEv1 fragments" swan_log_has "$S" "splitting IKE message \\([0-9]+ bytes\\) into [0-9]+ fragments"
	gw_split() {
		local ft fr
		ft=$(lab_counter frag_tx) || return 1
		fr=$(swan_log_count "$S" "received fragment #")
		echo "ipsecgw: IP fragments sent $ft; charon: IKEv1 fragments received $fr"
		swan_log_has "$S" "received (issuer|end entity) cert"
		((ft >= 2 || fr >= 2))
	}
	lab_check "ipsecgw's Main Mode 6 (certificate and chain) went in IP or IKEv1 fragments" gw_split
	lab_check "charon: IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	lab_check "ping both ways through the tunnel" pings
	finish_case
	swan_stop "$S"
	swan_strongswan_conf "$S"
	swan_start "$S"

	lab_say "5b. IP fragmentation both ways: strongSwan's fragmentation = no"
	lab_check "charon loads the connection (fragmentation = no)" swan_conf peer peer.lab.example "$GW_ADDR_ID" \
		PROPOSALS=aes128-sha256-modp2048 FRAGMENTATION=no
	lab_set_prefix c5b
	lab_gw_start "$LAB_TMP/gw5.conf"
	BIG_RE="sending packet: from $LAB_HQ_IP4\\[4500\\] to $LAB_GW_OUT_IP4\\[4500\\] \\(([2-9][0-9]{3}|1[5-9][0-9]{2}) bytes\\)"
	BIG0=$(swan_log_count "$S" "$BIG_RE")
	lab_check "swanctl --initiate succeeds" initiated
	ip_frags() {
		local ft big
		ft=$(lab_counter frag_tx) || return 1
		big=$(grep -E "$BIG_RE" "$SWAN_DIR/$S/charon.log" | tail -n 1)
		echo "charon sent a datagram over 1500 bytes (IP-fragmented by its kernel): ${big:-none}"
		echo "ipsecgw: IP fragments sent $ft"
		(($(swan_log_count "$S" "$BIG_RE") > BIG0 && ft >= 2))
	}
	lab_check "Main Mode 5 and 6 (certificates) crossed as IP fragments both ways" ip_frags
	lab_check "charon: IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	finish_case
fi

# ---------------------------------------------------------------- 6
if [[ $CASES == *6* ]]; then
	lab_say "6. revocation_check = \"crl\": a revoked certificate (serial 0x1031) is refused, peer.crt accepted"
	gw_conf "$LAB_TMP/gw6.conf" "remote_id = \"peer.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];" \
		"$ID_RSA" "$TP_CRL"
	lab_set_prefix c6
	lab_gw_start "$LAB_TMP/gw6.conf"
	lab_check "the gateway holds the root and intermediate CRLs" crls_held
	swan_stop "$S"
	swan_cert "$S" "$PKI" peer-rev
	swan_start "$S"
	lab_check "charon loads the connection with peer-rev.crt" swan_conf peer-rev peer.lab.example "$GW_ADDR_ID" \
		PROPOSALS=aes128-sha256-modp2048
	rev_refused() {
		swan_initiate "$S" net gw 10
		local rc=$?
		echo "swanctl --initiate: exit $rc in $(swan_last_ms "$S") ms: $(tail -n 1 "$SWAN_DIR/$S/initiate.out")"
		grep -E 'error notify|AUTHENTICATION_FAILED|INVALID' "$SWAN_DIR/$S/initiate.out" | tail -n 2
		((rc != 0)) || return 1
		grep -q "peer not responding" "$SWAN_DIR/$S/initiate.out" &&
			{ echo "the gateway did not answer: no refusal"; return 1; }
		swan_ike_up "$S" gw "$LAB_GW_OUT_IP4" >/dev/null && { echo "charon has an IKE SA"; return 1; }
		echo "charon: no IKE SA up"
	}
	lab_check "the revoked certificate is refused" rev_refused
	lab_check "ipsecgw logged the certificate as revoked (serial 1031)" gw_logged "revoked.*1031"
	lab_check "ipsecgw counted a refused authentication" isakmp_counter_at_least isakmp_auth_failed 1
	lab_check "ipsecgw holds no IKEv1 session up" no_up_session
	swan_stop "$S"
	rm -f "$SWAN_DIR/$S/swanctl/x509/peer-rev.crt" "$SWAN_DIR/$S/swanctl/private/peer-rev.key"
	swan_start "$S"
	lab_check "charon loads the connection with peer.crt (peer-rev.crt removed)" swan_conf peer peer.lab.example "$GW_ADDR_ID" \
		PROPOSALS=aes128-sha256-modp2048
	lab_check "peer.crt (not revoked) accepted through the same trustpoint" initiated
	lab_check "charon: IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	lab_check "ping both ways through the tunnel" pings
	finish_case
fi

# ---------------------------------------------------------------- 7
if [[ $CASES == *7* ]]; then
	lab_say "7. ECDSA offered, the gateway holds only RSA: NO-PROPOSAL-CHOSEN"
	gw_conf "$LAB_TMP/gw7.conf" "remote_id = \"peer-ec.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-ecp256\" ]; esp_proposals = [ \"aes128gcm16\" ];" "$ID_RSA"
	lab_check "charon loads the IKEv1 connection (ECDSA)" swan_conf peer-ec peer-ec.lab.example "$GW_ADDR_ID" \
		PROPOSALS=aes128-sha256-ecp256
	lab_set_prefix c7
	lab_gw_start "$LAB_TMP/gw7.conf"
	no_proposal() {
		swan_initiate "$S" net gw 10
		local rc=$?
		echo "swanctl --initiate: exit $rc in $(swan_last_ms "$S") ms: $(tail -n 1 "$SWAN_DIR/$S/initiate.out")"
		grep -E 'NO_PROPOSAL|no proposal' "$SWAN_DIR/$S/initiate.out" | tail -n 2
		((rc != 0)) || return 1
		grep -q "peer not responding" "$SWAN_DIR/$S/initiate.out" &&
			{ echo "the gateway did not answer"; return 1; }
		! swan_ike_up "$S" gw "$LAB_GW_OUT_IP4" >/dev/null
	}
	lab_check "swanctl --initiate fails (the gateway has no ECDSA identity)" no_proposal
	lab_check "ipsecgw counted NO-PROPOSAL-CHOSEN" isakmp_counter_at_least isakmp_no_proposal 1
	lab_check "ipsecgw holds no IKEv1 session up" no_up_session
	finish_case
fi

# ---------------------------------------------------------------- 8
if [[ $CASES == *8* ]]; then
	lab_say "8. RESPONDER-LIFETIME: the gateway's child_lifetime 300 s under strongSwan's 1.1 h"
	gw_conf "$LAB_TMP/gw8.conf" "remote_id = \"peer.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\"; child_lifetime = 300;
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];"
	lab_check "charon loads the connection (child rekey_time 1h, life 1.1h)" swan_conf peer peer.lab.example \
		"$GW_ADDR_ID" PROPOSALS=aes128-sha256-modp2048
	lab_set_prefix c8
	lab_gw_start "$LAB_TMP/gw8.conf"
	lab_check "swanctl --initiate succeeds" initiated
	lab_check "charon: IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	lab_check "charon parsed the Quick Mode answer with a RESPONDER-LIFETIME notify (24576)" \
		swan_log_has "$S" "parsed QUICK_MODE response [0-9]+ \\[ .*N\\(\\(24576\\)\\)"
	lab_check "ipsecgw's IPsec SAs live 300 s" gw_logged "IPsec SA pair .* installed .*life 300 s"
	lab_log "charon's IPsec SA: life-time $(swan_child_field "$S" gw net life-time) s," \
		"rekey-time $(swan_child_field "$S" gw net rekey-time) s;" \
		"$(grep -E 'received [0-9]+s lifetime' "$SWAN_DIR/$S/charon.log" | tail -n 1 | sed 's/.*\] //')"
	finish_case
fi

# ---------------------------------------------------------------- 9
if [[ $CASES == *9* ]]; then
	lab_say "9a. ipsecgw retransmits: charon paused (SIGSTOP) for 3 s while ipsecgw initiates"
	gw_conf "$LAB_TMP/gw9a.conf" "remote_id = \"peer.lab.example\"; local_id = \"gw.lab.example\";
    initiate = \"start\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];"
	lab_check "charon loads the connection (responder)" swan_conf peer peer.lab.example gw.lab.example \
		PROPOSALS=aes128-sha256-modp2048
	SWAN_PID=${LAB_BG[swan-$S]}
	kill -STOP "$SWAN_PID"
	lab_set_prefix c9a
	lab_gw_start "$LAB_TMP/gw9a.conf"
	sleep 3
	kill -CONT "$SWAN_PID"
	lab_log "charon (pid $SWAN_PID) continued"
	lab_check "charon (responder): IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	lab_check "ipsecgw retransmitted (isakmp_retx)" isakmp_counter_at_least isakmp_retx 1
	lab_check "ping both ways through the tunnel" pings
	finish_case

	lab_say "9b. duplicates: ipsecgw paused (SIGSTOP) for 3 s while charon initiates"
	gw_conf "$LAB_TMP/gw9b.conf" "remote_id = \"peer.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];"
	lab_check "charon loads the connection" swan_conf peer peer.lab.example "$GW_ADDR_ID" \
		PROPOSALS=aes128-sha256-modp2048
	lab_set_prefix c9b
	lab_gw_start "$LAB_TMP/gw9b.conf"
	kill -STOP "$LAB_GW_PID"
	swan_initiate "$S" net gw 20 &
	INIT_PID=$!
	sleep 3
	kill -CONT "$LAB_GW_PID"
	lab_log "ipsecgw (pid $LAB_GW_PID) continued"
	wait "$INIT_PID"
	lab_log "swanctl --initiate: exit $? in $(swan_last_ms "$S") ms," \
		"$(grep -c 'sending retransmit' "$SWAN_DIR/$S/initiate.out") retransmissions by charon"
	lab_check "charon: IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	dups_seen() {
		local r d
		r=$(isakmp_counter isakmp_resp_resent) && d=$(isakmp_counter isakmp_drop_state) || return 1
		echo "isakmp_resp_resent $r, isakmp_drop_state $d, isakmp_sa_established $(isakmp_counter isakmp_sa_established)"
		((r + d >= 1))
	}
	lab_check "ipsecgw saw charon's retransmissions as duplicates (resent or dropped)" dups_seen
	lab_check "one IKEv1 session" expect_eq "IKEv1 sessions" 1 "$(isakmp_sessions)"
	lab_check "ping both ways through the tunnel" pings
	finish_case
fi

# ---------------------------------------------------------------- 10
if [[ $CASES == *T* ]]; then
	lab_say "10. Quick Mode proxy IDs outside the gateway's selectors are refused"
	gw_conf "$LAB_TMP/gw10.conf" "remote_id = \"peer.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];"
	ts_conf() {
		swan_conns_reset "$S"
		swan_conn "$S" gw VERSION=1 LOCAL_ADDRS="$LAB_HQ_IP4" REMOTE_ADDRS="$LAB_GW_OUT_IP4" \
			LOCAL_ID=peer.lab.example REMOTE_ID="$GW_ADDR_ID" CERT=peer.crt \
			LOCAL_TS="$HQ_LAN" REMOTE_TS=192.168.99.0/24 PROPOSALS=aes128-sha256-modp2048
		swan_load "$S" | grep -E '^(loaded conn|successfully|no )'
	}
	lab_check "charon loads the connection (remote_ts 192.168.99.0/24)" ts_conf
	lab_set_prefix c10
	lab_gw_start "$LAB_TMP/gw10.conf"
	ts_refused() {
		swan_initiate "$S" net gw 10
		local rc=$?
		echo "swanctl --initiate: exit $rc in $(swan_last_ms "$S") ms: $(tail -n 1 "$SWAN_DIR/$S/initiate.out")"
		grep -E 'error notify|IKE_SA gw\[[0-9]+\] established' "$SWAN_DIR/$S/initiate.out" | tail -n 3
		((rc != 0)) || return 1
		grep -q "IKE_SA gw\[[0-9]*\] established" "$SWAN_DIR/$S/initiate.out" ||
			{ echo "Main Mode did not complete"; return 1; }
		grep -q "error notify" "$SWAN_DIR/$S/initiate.out" || { echo "no error notify from the gateway"; return 1; }
		[[ $(swan_child_field "$S" gw net state) != INSTALLED ]] || { echo "charon has a CHILD SA"; return 1; }
		expect_eq "live SAs of swan in ipsecgw" 0 "$(lab_cli --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
print(sum(1 for i in range(len(r.get("ids", []))) if r["name"][i] == "swan" and r["state"][i] == "live"))')"
	}
	lab_check "Main Mode done, Quick Mode refused with an error notify, no IPsec SA" ts_refused
	lab_check "ipsecgw logged the refusal" gw_logged "Quick Mode .*(refused|outside)"
	finish_case
fi

# ---------------------------------------------------------------- 11
if [[ $CASES == *E* ]]; then
	lab_say "11. remote = \"any\" + remote_id peer.lab.example"
	gw_conf "$LAB_TMP/gw11.conf" "remote_id = \"peer.lab.example\"; local_id = \"$GW_ADDR_ID\";
    initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128gcm16\" ];" \
		"$ID_RSA" "$TP_NONE" any
	lab_check "charon loads the connection with peer2.crt (another ID, same CA)" \
		swan_conf peer2 peer2.lab.example "$GW_ADDR_ID" PROPOSALS=aes128-sha256-modp2048
	lab_set_prefix c11
	lab_gw_start "$LAB_TMP/gw11.conf"
	other_id_refused() {
		swan_initiate "$S" net gw 10
		local rc=$?
		echo "swanctl --initiate: exit $rc in $(swan_last_ms "$S") ms: $(tail -n 1 "$SWAN_DIR/$S/initiate.out")"
		((rc != 0)) || return 1
		grep -q "AUTHENTICATION_FAILED" "$SWAN_DIR/$S/initiate.out" ||
			{ echo "no AUTHENTICATION_FAILED from the gateway"; return 1; }
		! swan_ike_up "$S" gw "$LAB_GW_OUT_IP4" >/dev/null
	}
	lab_check "peer2.lab.example (not the remote_id) is refused: AUTHENTICATION_FAILED" other_id_refused
	lab_check "ipsecgw logged the ID mismatch" gw_logged "ID matches no configured peer|ID .*(mismatch|not)"
	swan_terminate "$S" gw >/dev/null 2>&1
	lab_check "charon loads the connection with peer.crt" \
		swan_conf peer peer.lab.example "$GW_ADDR_ID" PROPOSALS=aes128-sha256-modp2048
	lab_check "swanctl --initiate succeeds" initiated
	lab_check "charon: IKEv1 SA ESTABLISHED, CHILD SA INSTALLED" both_up
	lab_check "ping both ways through the tunnel" pings
	lab_check "/ipsecgw/isakmp/peer: version, peer, endpoints, status" session_fields
	finish_case
fi

lab_log "whole run: $((($(date +%s%N) - T0) / 1000000)) ms"
lab_finish
