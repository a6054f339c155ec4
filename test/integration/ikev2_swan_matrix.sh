#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The rest of issue 5's interop list against a real strongSwan (charon with
# kernel-libipsec), on ikev2_swan.sh's topology:
#
#   branch-ID            gw-ID (ipsecgw, net_af_packet)            hq-ID (charon "swan")
#   192.168.10.10  <->  192.168.10.1 [inside] [outside] 10.10.0.1  <->  10.10.0.254
#                         + management veth 10.99.0.1 <-> ca-ID 10.99.0.2 (CRLs over HTTP)
#
#   1. ECDSA P-256 on both sides (gw-ec / peer-ec); IKE aes256gcm16 with
#      DH 19 (ecp256), ESP aes256gcm16; strongSwan initiates.
#   2. RSA and ECDSA identities configured (RSA first), local_id names the
#      ECDSA certificate: ipsecgw signs with ECDSA, strongSwan with RSA;
#      IKE aes128-sha256-modp2048 (DH 14, CBC, SHA-256); ipsecgw initiates.
#   3. The same identities, ECDSA first, local_id names the RSA certificate:
#      ipsecgw signs with RSA, strongSwan with ECDSA; strongSwan initiates.
#   4. encap = true (forced UDP encapsulation), ipsecgw initiates: the
#      session reports encap and a NAT (our fake NAT-D), charon sees the
#      gateway "behind NAT", ESP in UDP.
#   5. One gateway, remote = "any" + remote_id peer.lab.example, trustpoint
#      with revocation_check = "crl" (root and intermediate CRLs over HTTP):
#      a revoked certificate (same ID), a certificate of an unknown CA (same
#      ID) and a certificate of another ID (same CA) are refused with
#      AUTHENTICATION_FAILED (charon's log, ikev2_auth_failed); peer.crt is
#      then accepted (the CRL path works, fail-closed).
#   6. A long chain (gw.crt + intermediate + root) forces IKE fragmentation:
#      on the wire (tcpdump in hq) ipsecgw's IKE_AUTH request is several SKF
#      messages, strongSwan's response too, and both were reassembled.
#
#   test/integration/ikev2_swan_matrix.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"

lab_init ikev2_swan_matrix "${1:?usage: ikev2_swan_matrix.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}"
swan_init "${3:?usage: ikev2_swan_matrix.sh IPSECGW IPSECGW_CLI PKI_TOOL}"
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump not installed"; exit 77; }

PKI=$LAB_TMP/pki
WWW=$LAB_TMP/www
S=swan
HQ_LAN=172.16.0.0/24
BR_LAN=192.168.10.0/24
PORT=8080
CRL_BASE=http://$LAB_MGMT_CA_IP4:$PORT
T0=$(date +%s%N)

lab_say "set-up: namespaces, PKI, CRLs over HTTP, charon"
lab_topology
lab_mgmt
swan_pki "$PKI"
# A revoked certificate and one of another ID, both by the intermediate.
swan_pki_ee "$PKI" peer-rev rsa 0x1031 "peer revoked" "DNS:peer.lab.example"
swan_pki_ee "$PKI" peer2 rsa 0x1032 "peer two" "DNS:peer2.lab.example"
# One by "OTHER Root CA", which the gateway does not trust: pki_tool signs
# with DIR/inter.*, so a directory whose "inter" is that CA.
mkdir -p "$PKI/other-ca"
if ! cp "$PKI/other.crt" "$PKI/other-ca/inter.crt" || ! cp "$PKI/other.key" "$PKI/other-ca/inter.key"; then
	lab_die "cannot copy the OTHER CA"
fi
swan_pki_ee "$PKI/other-ca" peer-other rsa 0x1033 "peer other" "DNS:peer.lab.example"
cp "$PKI/other-ca/peer-other.crt" "$PKI/other-ca/peer-other.key" "$PKI/" || lab_die "peer-other"
cat "$PKI/inter.crt" "$PKI/root.crt" >"$PKI/long-chain.crt"

mkdir -p "$WWW" "$LAB_TMP/crl-cache"
lab_crl_publish "$SWAN_PKI_TOOL" "$PKI" "$WWW" root.crl root --number 1
lab_crl_publish "$SWAN_PKI_TOOL" "$PKI" "$WWW" inter.crl inter --number 1 --revoke 0x1031:1
lab_http_start http "$WWW" "$LAB_TMP/http.log" "$PORT"
lab_http_up http "$CRL_BASE/inter.crl" >/dev/null || lab_die "no HTTP server for the CRLs"

swan_instance "$S" "$NS_HQ"
swan_trust "$S" "$PKI"
cp "$PKI/other.crt" "$SWAN_DIR/$S/swanctl/x509ca/other-root.crt" || lab_die "other-root"
for c in peer peer-ec peer-rev peer2 peer-other; do
	swan_cert "$S" "$PKI" "$c"
done
swan_start "$S"

# gw_conf OUT PEER_LINES [IDENTITIES [TRUSTPOINT]]: the gateway's
# configuration with one peer "swan" (PEER_LINES: its settings beyond the
# traffic selectors and trustpoint).
ID_RSA="{ cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; chain = \"$PKI/inter.crt\"; }"
ID_EC="{ cert = \"$PKI/gw-ec.crt\"; key = \"$PKI/gw-ec.key\"; chain = \"$PKI/inter.crt\"; }"
TP_NONE="{ name = \"LAB-CA\"; ca = \"$PKI/ca.crt\"; revocation_check = \"none\"; }"
gw_conf() {
	lab_conf_af_packet "$1" || lab_die "cannot render $1"
	cat >>"$1" <<EOF
pki = {
  identities = ( ${3:-$ID_RSA} );
  trustpoints = ( ${4:-$TP_NONE} );
};
crypto = { ikev2 = { dpd_interval = 0; }; };
peers = (
  { name = "swan"; ike_version = 2; trustpoint = "LAB-CA";
    local_ts = [ "$BR_LAN" ]; remote_ts = [ "$HQ_LAN" ];
    $2 }
);
EOF
}

# swan_conf CERT LOCAL_ID REMOTE_ID [KEY=VALUE...]: charon's one connection.
swan_conf() {
	local cert=$1 lid=$2 rid=$3
	shift 3
	swan_conns_reset "$S"
	swan_conn "$S" gw LOCAL_ADDRS="$LAB_HQ_IP4" REMOTE_ADDRS="$LAB_GW_OUT_IP4" \
		LOCAL_ID="$lid" REMOTE_ID="$rid" CERT="$cert.crt" \
		LOCAL_TS="$HQ_LAN" REMOTE_TS="$BR_LAN" "$@"
	swan_load "$S" | grep -E '^(loaded|successfully|no )'
}


# session_field KEY: KEY of the gateway's first IKEv2 session.
session_field() {
	local id
	id=$(lab_cli --raw /ipsecgw/ikev2/sessions | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
print(r["ids"][0])') || return 1
	lab_cli --raw "/ipsecgw/ikev2/session,$id" | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"
}

both_up() {
	swan_wait_ike "$S" gw "$LAB_GW_OUT_IP4" 15 || return 1
	swan_child_up "$S" gw net || return 1
	lab_cli show crypto ikev2 sa
}

pings() {
	lab_in "$NS_BR" ping -n -c 2 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4" || return 1
	lab_in "$NS_HQ" ping -n -c 2 -i 0.2 -W 2 -I "$LAB_HQ_LAN_IP4" "$LAB_BR_IP4" || return 1
}

# signed_with ID REGEX: charon verified ID's AUTH with a scheme matching
# REGEX (its log: "authentication of 'ID' with SCHEME successful").
signed_with() { swan_log_has "$S" "authentication of '$1' with $2.* successful"; }


# refused DESC: the last swanctl --initiate failed, charon logged one more
# AUTHENTICATION_FAILED from us, our ikev2_auth_failed rose by one, and no
# session is up.  Uses AF0/LOG0 set by try_peer.
refused() {
	local af log
	af=$(ikev2_counter ikev2_auth_failed) || return 1
	log=$(swan_log_count "$S" "received AUTHENTICATION_FAILED notify error")
	echo "swanctl --initiate: $(tail -n 2 "$SWAN_DIR/$S/initiate.out" | tr '\n' ' ')"
	echo "ikev2_auth_failed $AF0 -> $af; charon's AUTHENTICATION_FAILED lines $LOG0 -> $log"
	((INIT_RC != 0 && af == AF0 + 1 && log == LOG0 + 1)) || return 1
	! swan_ike_up "$S" gw "$LAB_GW_OUT_IP4" >/dev/null
}

# try_peer CERT LOCAL_ID: charon initiates with CERT; sets INIT_RC, AF0, LOG0.
try_peer() {
	swan_terminate "$S" gw >/dev/null 2>&1
	swan_conf "$1" "$2" gw.lab.example >/dev/null || return 1
	AF0=$(ikev2_counter ikev2_auth_failed)
	LOG0=$(swan_log_count "$S" "received AUTHENTICATION_FAILED notify error")
	swan_initiate "$S" net gw 10
	INIT_RC=$?
	echo "swanctl --initiate with $1 ($2): exit $INIT_RC in $(swan_last_ms "$S") ms"
}

# crls_held: both CRLs listed by the gateway and downloaded (10 s).
crls_held() {
	local i id n
	for ((i = 0; i < 100; i++)); do
		n=0
		for id in $(lab_cli --raw /ipsecgw/pki/crls 2>/dev/null | "$LAB_PY" -c '
import json, sys
print(*list(json.load(sys.stdin).values())[0].get("ids", []))' 2>/dev/null); do
			(($(lab_cli --raw "/ipsecgw/pki/crl,$id" |
				"$LAB_PY" "$LAB_SRC/jsonget.py" downloads) >= 1)) && n=$((n + 1))
		done
		((n >= 2)) && { lab_cli show crypto pki crls; return 0; }
		sleep 0.1
	done
	lab_cli show crypto pki crls
	return 1
}

finish_case() {
	swan_terminate "$S" gw >/dev/null 2>&1
	lab_gw_stop
	lab_log "gateway exit status $LAB_GW_RC"
}

# ---------------------------------------------------------------- 1
lab_say "1. ECDSA P-256 both sides; IKE aes256gcm16-prfsha256-ecp256 (DH 19, GCM); strongSwan initiates"
gw_conf "$LAB_TMP/gw1.conf" "remote = \"$LAB_HQ_IP4\"; remote_id = \"peer-ec.lab.example\";
    local_id = \"gw-ec.lab.example\"; initiate = \"none\";
    ike_proposals = [ \"aes256gcm16-prfsha256-ecp256\" ]; esp_proposals = [ \"aes256gcm16\" ];" \
	"$ID_EC"
lab_check "charon loads the connection" swan_conf peer-ec peer-ec.lab.example gw-ec.lab.example \
	PROPOSALS=aes256gcm16-prfsha256-ecp256 ESP_PROPOSALS=aes256gcm16
lab_gw_start "$LAB_TMP/gw1.conf"
lab_check "swanctl --initiate succeeds" swan_initiate "$S" net gw
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED" both_up
lab_check "charon verified ipsecgw's ECDSA signature" signed_with gw-ec.lab.example "ECDSA"
lab_check "ping both ways through the tunnel" pings
finish_case

# ---------------------------------------------------------------- 2
lab_say "2. ipsecgw ECDSA (chosen by local_id, RSA listed first), strongSwan RSA; aes128-sha256-modp2048 (DH 14); ipsecgw initiates"
gw_conf "$LAB_TMP/gw2.conf" "remote = \"$LAB_HQ_IP4\"; remote_id = \"peer.lab.example\";
    local_id = \"gw-ec.lab.example\"; initiate = \"start\";
    ike_proposals = [ \"aes128-sha256-modp2048\" ]; esp_proposals = [ \"aes128-sha256\" ];" \
	"$ID_RSA, $ID_EC"
lab_check "charon loads the connection" swan_conf peer peer.lab.example gw-ec.lab.example \
	PROPOSALS=aes128-sha256-modp2048 ESP_PROPOSALS=aes128-sha256
lab_gw_start "$LAB_TMP/gw2.conf"
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED (charon responds)" both_up
dh14() { swan_sas "$S" gw | grep -E "dh-group = MODP_2048"; }
lab_check "charon's IKE SA uses MODP_2048" dh14
lab_check "charon verified ipsecgw's ECDSA signature" signed_with gw-ec.lab.example "ECDSA"
lab_check "ping both ways through the tunnel" pings
finish_case

# ---------------------------------------------------------------- 3
lab_say "3. ipsecgw RSA (chosen by local_id, ECDSA listed first), strongSwan ECDSA; strongSwan initiates"
gw_conf "$LAB_TMP/gw3.conf" "remote = \"$LAB_HQ_IP4\"; remote_id = \"peer-ec.lab.example\";
    local_id = \"gw.lab.example\"; initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-ecp256\" ]; esp_proposals = [ \"aes128gcm16\" ];" \
	"$ID_EC, $ID_RSA"
lab_check "charon loads the connection" swan_conf peer-ec peer-ec.lab.example gw.lab.example
lab_gw_start "$LAB_TMP/gw3.conf"
lab_check "swanctl --initiate succeeds" swan_initiate "$S" net gw
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED" both_up
lab_check "charon verified ipsecgw's RSA signature" signed_with gw.lab.example "RSA"
lab_check "ping both ways through the tunnel" pings
finish_case

# ---------------------------------------------------------------- 4
lab_say "4. encap = true (forced UDP encapsulation); ipsecgw initiates"
gw_conf "$LAB_TMP/gw4.conf" "remote = \"$LAB_HQ_IP4\"; remote_id = \"peer.lab.example\";
    local_id = \"gw.lab.example\"; initiate = \"start\"; encap = true;
    ike_proposals = [ \"aes128-sha256-ecp256\" ]; esp_proposals = [ \"aes128gcm16\" ];"
lab_check "charon loads the connection" swan_conf peer peer.lab.example gw.lab.example
lab_gw_start "$LAB_TMP/gw4.conf"
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED (charon responds)" both_up
encap_reported() {
	local e nl nr port
	e=$(session_field encap) && nl=$(session_field nat_local) &&
		nr=$(session_field nat_remote) && port=$(session_field remote_port) || return 1
	echo "ipsecgw session: encap $e, nat_local $nl, nat_remote $nr, remote_port $port"
	[[ $e == 1 && $port == 4500 ]] && ((nl == 1 || nr == 1))
}
lab_check "ipsecgw's session reports encap, a NAT, port 4500" encap_reported
swan_sees_nat() {
	local sas
	sas=$(swan_sas "$S" gw)
	grep -E "nat-(remote|any|fake)|encap" <<<"$sas"
	grep -qE "nat-remote = yes" <<<"$sas" && [[ $(swan_child_field "$S" gw net encap) == yes ]]
}
lab_check "charon: the gateway is behind NAT (our fake NAT-D), CHILD SA encapsulated" swan_sees_nat
lab_check "ping both ways through the tunnel" pings
finish_case

# ---------------------------------------------------------------- 5
lab_say "5. remote = \"any\" + remote_id, revocation_check = \"crl\": revoked, unknown CA, other ID refused; peer accepted"
TP_CRL="{ name = \"LAB-CA\"; ca = \"$PKI/ca.crt\"; revocation_check = \"crl\";
      crl_urls = [ \"$CRL_BASE/root.crl\", \"$CRL_BASE/inter.crl\" ]; crl_prefetch = true;
      crl_min_download_interval = 0; crl_download_timeout = 5;
      crl_cache_dir = \"$LAB_TMP/crl-cache\"; }"
gw_conf "$LAB_TMP/gw5.conf" "remote = \"any\"; remote_id = \"peer.lab.example\";
    local_id = \"gw.lab.example\"; initiate = \"none\";
    ike_proposals = [ \"aes128-sha256-ecp256\" ]; esp_proposals = [ \"aes128gcm16\" ];" \
	"$ID_RSA" "$TP_CRL"
lab_gw_start "$LAB_TMP/gw5.conf"
lab_check "the gateway holds the root and intermediate CRLs" crls_held
try_peer peer-rev peer.lab.example
lab_check "revoked certificate (serial 0x1031) refused: AUTHENTICATION_FAILED" refused
lab_check "ipsecgw: refused as revoked (serial 1031)" gw_logged "certificate refused: certificate revoked \\(serial 1031"
try_peer peer-other peer.lab.example
lab_check "certificate of an unknown CA refused: AUTHENTICATION_FAILED" refused
lab_check "ipsecgw: refused as untrusted" gw_logged "certificate refused: chain does not lead to a trustpoint"
try_peer peer2 peer2.lab.example
lab_check "another ID of the same CA (remote_id mismatch) refused: AUTHENTICATION_FAILED" refused
lab_check "ipsecgw: refused for its ID" gw_logged "IDi matches no configured peer"
try_peer peer peer.lab.example
accepted() {
	echo "swanctl --initiate: exit $INIT_RC"
	((INIT_RC == 0)) && both_up
}
lab_check "peer.crt (not revoked, right ID) accepted through the same trustpoint" accepted
lab_check "ping both ways through the tunnel" pings
finish_case

# ---------------------------------------------------------------- 6
lab_say "6. a long chain (gw.crt + intermediate + root): IKE_AUTH fragmented both ways"
gw_conf "$LAB_TMP/gw6.conf" "remote = \"$LAB_HQ_IP4\"; remote_id = \"peer.lab.example\";
    local_id = \"gw.lab.example\"; initiate = \"start\";
    ike_proposals = [ \"aes128-sha256-ecp256\" ]; esp_proposals = [ \"aes128gcm16\" ];" \
	"{ cert = \"$PKI/gw.crt\"; key = \"$PKI/gw.key\"; chain = \"$PKI/long-chain.crt\"; }"
lab_check "charon loads the connection" swan_conf peer peer.lab.example gw.lab.example
PCAP=$LAB_TMP/ike.pcap
lab_bg_start tcpdump "$LAB_TMP/tcpdump.log" ip netns exec "$NS_HQ" "$(command -v tcpdump)" \
	-n -U -i "$IF_HQ" -w "$PCAP" udp port 500 or udp port 4500
for ((i = 0; i < 50; i++)); do
	grep -q "listening on" "$LAB_TMP/tcpdump.log" && break
	sleep 0.1
done
lab_bg_alive tcpdump || { cat "$LAB_TMP/tcpdump.log"; lab_die "tcpdump did not start"; }
lab_gw_start "$LAB_TMP/gw6.conf"
lab_check "IKE SA ESTABLISHED, CHILD SA INSTALLED (charon responds)" both_up
lab_check "ping both ways through the tunnel" pings
lab_bg_stop tcpdump
# skf_count: IKE_AUTH messages on the wire, by direction and payload.
skf_count() {
	"$LAB_PY" - "$PCAP" "$LAB_GW_OUT_IP4" <<'EOF'
import socket, struct, sys
data = open(sys.argv[1], "rb").read()
gw = socket.inet_aton(sys.argv[2])
linktype = struct.unpack("<I", data[20:24])[0]
off, seen = 24, {}
while off + 16 <= len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if linktype == 1:
        pkt = pkt[14:]
    if len(pkt) < 28 or pkt[9] != 17:
        continue
    ihl = (pkt[0] & 15) * 4
    sport, dport = struct.unpack(">HH", pkt[ihl:ihl + 4])
    ike = pkt[ihl + 8:]
    if 4500 in (sport, dport):
        if ike[:4] != b"\0\0\0\0":
            continue		# ESP
        ike = ike[4:]
    if len(ike) < 28 or ike[18] != 35:	# IKE_AUTH
        continue
    frm = "gw" if pkt[12:16] == gw else "swan"
    kind = "resp" if ike[19] & 0x20 else "req"
    np = {46: "SK", 53: "SKF"}.get(ike[16], str(ike[16]))
    key = f"{frm} {kind} {np}"
    seen[key] = seen.get(key, 0) + 1
for k in sorted(seen):
    print(f"{k}: {seen[k]}")
EOF
}
frag_gw() {
	local out
	out=$(skf_count) || return 1
	echo "$out"
	grep -qE "^gw req SKF: ([3-9]|[1-9][0-9])$" <<<"$out" && ! grep -q "^gw req SK:" <<<"$out"
}
lab_check "ipsecgw's IKE_AUTH request went out as 3+ SKF fragments" frag_gw
frag_swan() {
	local out
	out=$(skf_count) || return 1
	grep -qE "^swan resp SKF: ([2-9]|[1-9][0-9])$" <<<"$out" || { echo "$out"; return 1; }
	# The fragment that completes the message is the last to arrive,
	# whatever its number: UDP on a loaded box may reorder them.
	swan_log_has "$S" "received fragment #[0-9]+ of [3-9], reassembled fragmented IKE message"
}
lab_check "charon reassembled ours; its response was 2+ SKF fragments, reassembled by us (SA up)" frag_swan
finish_case

lab_log "whole run: $((($(date +%s%N) - T0) / 1000000)) ms"
lab_finish
