#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# IKEv2 with certificates between ipsecgw and a real strongSwan (charon
# with kernel-libipsec), each with a network behind it:
#
#   branch-ID            gw-ID (ipsecgw, net_af_packet)            hq-ID (charon "swan")
#   192.168.10.10  <->  192.168.10.1 [inside] [outside] 10.10.0.1  <->  10.10.0.254
#                                                                     + LAN 172.16.0.1 (lo)
#
# Certificates from pki_tool (root -> intermediate -> gw.crt / peer.crt);
# the gateway trusts LAB-CA (root + intermediate) without revocation
# checks; charon trusts root + intermediate.  IDs: gw.lab.example and
# peer.lab.example (FQDNs in the certificates' subjectAltNames).
#
#   1. strongSwan initiates (aes128-sha256-ecp256, ESP aes128gcm16): IKE SA
#      ESTABLISHED and CHILD SA INSTALLED on both sides, pings both ways
#      through the tunnel, counters on both sides (charon's CHILD SA bytes,
#      ipsecgw's SAs' packets), ESP-in-UDP on 4500 (kernel-libipsec).
#   2. ipsecgw initiates (initiate = "start"; aes256-sha256-x25519, ESP
#      aes128-sha256 CBC): the same checks.
#
#   test/integration/ikev2_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"

lab_init ikev2_swan "${1:?usage: ikev2_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}"
swan_init "${3:?usage: ikev2_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL}"

PKI=$LAB_TMP/pki
S=swan
GW_ID=gw.lab.example
PEER_ID=peer.lab.example
HQ_LAN=172.16.0.0/24
BR_LAN=192.168.10.0/24

lab_say "set-up: namespaces, PKI, charon"
lab_topology
swan_pki "$PKI"
swan_instance "$S" "$NS_HQ"
swan_trust "$S" "$PKI"
swan_cert "$S" "$PKI" peer
swan_start "$S"

# gw_conf OUT INITIATE IKE_PROPOSAL ESP_PROPOSAL
gw_conf() {
	lab_conf_af_packet "$1" || lab_die "cannot render $1"
	cat >>"$1" <<EOF
pki = {
  identities = ( { cert = "$PKI/gw.crt"; key = "$PKI/gw.key"; chain = "$PKI/inter.crt"; } );
  trustpoints = ( { name = "LAB-CA"; ca = "$PKI/ca.crt"; revocation_check = "none"; } );
};
crypto = { ikev2 = { dpd_interval = 0; }; };
peers = (
  { name = "swan"; ike_version = 2; remote = "$LAB_HQ_IP4";
    remote_id = "$PEER_ID"; local_id = "$GW_ID"; trustpoint = "LAB-CA";
    ike_proposals = [ "$3" ]; esp_proposals = [ "$4" ];
    local_ts = [ "$BR_LAN" ]; remote_ts = [ "$HQ_LAN" ];
    initiate = "$2"; }
);
EOF
}

# swan_conf IKE_PROPOSAL ESP_PROPOSAL: charon's side of the same tunnel.
swan_conf() {
	swan_conns_reset "$S"
	swan_conn "$S" gw LOCAL_ADDRS="$LAB_HQ_IP4" REMOTE_ADDRS="$LAB_GW_OUT_IP4" \
		LOCAL_ID="$PEER_ID" REMOTE_ID="$GW_ID" CERT=peer.crt \
		LOCAL_TS="$HQ_LAN" REMOTE_TS="$BR_LAN" PROPOSALS="$1" ESP_PROPOSALS="$2"
	swan_load "$S" | grep -E '^(loaded|successfully|no )'
}

# gw_sas_counting: our two SAs of peer swan are live and both count packets.
gw_sas_counting() {
	lab_cli show crypto ipsec sa || return 1
	lab_cli --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
sas = [(r["dir"][i], r["pkts"][i], r["state"][i]) for i in range(len(r["ids"]))
       if r["name"][i] == "swan" and r["state"][i] == "live"]
print("SAs of swan:", sas)
if sorted(d for d, _, _ in sas) != ["in", "out"] or any(p == 0 for _, p, _ in sas):
    sys.exit("expected a live in/out pair with packets")'
}

# both_up: IKE SA and CHILD SA on both sides.
both_up() {
	swan_wait_ike "$S" gw "$LAB_GW_OUT_IP4" 15 || return 1
	swan_child_up "$S" gw net || return 1
	lab_cli show crypto ipsec sa
}

# pings: branch -> hq LAN and hq LAN -> branch, through the tunnel.
pings() {
	lab_in "$NS_BR" ping -n -c 3 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4" || return 1
	lab_in "$NS_HQ" ping -n -c 3 -i 0.2 -W 2 -I "$LAB_HQ_LAN_IP4" "$LAB_BR_IP4" || return 1
}

# swan_counting: charon's CHILD SA counted bytes both ways, over UDP 4500.
swan_counting() {
	local bin bout sas
	bin=$(swan_child_counter "$S" gw net in bytes) || return 1
	bout=$(swan_child_counter "$S" gw net out bytes) || return 1
	echo "charon CHILD SA: bytes in $bin, out $bout"
	((bin > 0 && bout > 0)) || return 1
	sas=$(swan_ctl "$S" --list-sas --ike gw)
	echo "$sas"
	[[ $sas == *"TUNNEL-in-UDP"* ]]
}


gw_established() {
	local n
	n=$(ikev2_counter ikev2_sa_established) || return 1
	echo "ikev2_sa_established = $n"
	((n >= 1))
}

# gw_auth: `show crypto ikev2 sa` names the key behind each side's AUTH
# (gw.crt and peer.crt are both RSA-2048).
gw_auth() {
	local out
	out=$(lab_cli show crypto ikev2 sa) || return 1
	echo "$out"
	[[ $out == *"Auth sign: RSA, Auth verify: RSA"* ]]
}

stop_gw() {
	lab_gw_stop
	lab_log "gateway exit status $LAB_GW_RC"
}

# ---------------------------------------------------------------- 1
lab_say "1. strongSwan initiates: aes128-sha256-ecp256, ESP aes128gcm16"
CONF1=$LAB_TMP/gw1.conf
gw_conf "$CONF1" none aes128-sha256-ecp256 aes128gcm16
lab_check "charon loads the connection" swan_conf aes128-sha256-ecp256 aes128gcm16
lab_gw_start "$CONF1"
lab_check "swanctl --initiate succeeds" swan_initiate "$S" net gw
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED (charon); SAs in ipsecgw" both_up
lab_check "ipsecgw counts an established IKE SA" gw_established
lab_check "show crypto ikev2 sa: Auth sign: RSA, Auth verify: RSA" gw_auth
lab_check "ping both ways through the tunnel" pings
lab_check "ipsecgw: in/out SAs of swan count packets" gw_sas_counting
lab_check "charon: CHILD SA counts bytes both ways, ESP in UDP" swan_counting
swan_terminate "$S" gw >/dev/null 2>&1
stop_gw

# ---------------------------------------------------------------- 2
lab_say "2. ipsecgw initiates: aes256-sha256-x25519, ESP aes128-sha256 (CBC)"
CONF2=$LAB_TMP/gw2.conf
gw_conf "$CONF2" start aes256-sha256-x25519 aes128-sha256
lab_check "charon loads the connection" swan_conf aes256-sha256-x25519 aes128-sha256
lab_gw_start "$CONF2"
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED (charon as responder)" both_up
lab_check "ipsecgw counts an established IKE SA" gw_established
lab_check "show crypto ikev2 sa: Auth sign: RSA, Auth verify: RSA" gw_auth
lab_check "ping both ways through the tunnel" pings
lab_check "ipsecgw: in/out SAs of swan count packets" gw_sas_counting
lab_check "charon: CHILD SA counts bytes both ways, ESP in UDP" swan_counting
stop_gw

lab_finish
