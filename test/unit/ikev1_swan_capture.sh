#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Records the strongSwan IKEv1 exchanges behind test/unit/ikev1_swan_capture.h
# (run by hand, once; needs root and strongSwan, see /work/shared/PEERLAB.md):
# two charons in namespaces (test/lab/swan.sh) with filelog ike = 4, chd = 4,
# IKEv1 Main Mode with certificates + Quick Mode, tcpdump on the transit link.
#   rsa     RSA/RSA,     aes128-sha256-modp2048, ESP aes128-sha256-modp2048 (PFS)
#   ecdsa   ECDSA P-256, aes256-sha384-ecp384,   ESP aes256gcm16
#   rsa512  RSA/RSA,     aes256-sha512-ecp256,   ESP aes256-sha512-ecp256 (PFS)
#   x25519  RSA/RSA,     aes128-sha256-x25519,   ESP aes128gcm16-x25519 (PFS):
#           charon 5.9.8 takes group 31 in IKEv1 phase 1 and Quick Mode
# Then:
#   /usr/bin/python3 test/unit/ikev1_swan_capture.py OUTDIR rsa ecdsa rsa512 \
#       > test/unit/ikev1_swan_capture.h
#
#   test/unit/ikev1_swan_capture.sh PKI_TOOL OUTDIR

set -uo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lab/lab.sh
source "$SRC/test/lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$SRC/test/lab/swan.sh"
OUT=${2:?usage: ikev1_swan_capture.sh PKI_TOOL OUTDIR}
mkdir -p "$OUT"
OUT=$(readlink -f "$OUT")
lab_init ikev1_capture /bin/true /bin/true	# no gateway in this lab
swan_init "${1:?usage: ikev1_swan_capture.sh PKI_TOOL OUTDIR}"
swan_topology
PKI=$LAB_TMP/pki
swan_pki "$PKI"
swan_pki_ee "$PKI" left rsa 0x3001 left.swan.lab "DNS:left.swan.lab"
swan_pki_ee "$PKI" right rsa 0x3003 right.swan.lab "DNS:right.swan.lab"
swan_pki_ee "$PKI" left-ec ec 0x3005 left-ec.swan.lab "DNS:left-ec.swan.lab"
swan_pki_ee "$PKI" right-ec ec 0x3006 right-ec.swan.lab "DNS:right-ec.swan.lab"
swan_instance left "$NS_SWAN_L"
swan_instance right "$NS_SWAN_R"
for n in left right; do
	swan_trust "$n" "$PKI"
	sed -i 's/^\t\t\tike = 2$/\t\t\tike = 4\n\t\t\tchd = 4/' "$SWAN_DIR/$n/strongswan.conf"
done
swan_cert left "$PKI" left
swan_cert left "$PKI" left-ec
swan_cert right "$PKI" right
swan_cert right "$PKI" right-ec
swan_start left
swan_start right

# capture NAME LEFT_CERT RIGHT_CERT PROPOSALS ESP_PROPOSALS
capture() {
	local name=$1 lid=$2.swan.lab rid=$3.swan.lab
	swan_conns_reset left
	swan_conns_reset right
	swan_conn left "$name" VERSION=1 LOCAL_ADDRS="$SWAN_L_TR_IP4" REMOTE_ADDRS="$SWAN_R_TR_IP4" \
		LOCAL_ID="$lid" REMOTE_ID="$rid" CERT="$2.crt" LOCAL_TS="$SWAN_L_NET4" \
		REMOTE_TS="$SWAN_R_NET4" PROPOSALS="$4" ESP_PROPOSALS="$5" CHILD="c$name"
	swan_conn right "$name" VERSION=1 LOCAL_ADDRS="$SWAN_R_TR_IP4" REMOTE_ADDRS="$SWAN_L_TR_IP4" \
		LOCAL_ID="$rid" REMOTE_ID="$lid" CERT="$3.crt" LOCAL_TS="$SWAN_R_NET4" \
		REMOTE_TS="$SWAN_L_NET4" PROPOSALS="$4" ESP_PROPOSALS="$5" CHILD="c$name"
	swan_load left >/dev/null || lab_die "load left"
	swan_load right >/dev/null || lab_die "load right"
	: >"$SWAN_DIR/left/charon.log"
	lab_bg_start tcpdump "$OUT/$name.tcpdump.out" /usr/bin/ip netns exec "$NS_SWAN_L" \
		/usr/bin/tcpdump -U -n -i "ltr$LAB_ID" -w "$OUT/$name.pcap" udp
	sleep 1
	swan_initiate left "c$name" "$name" 20 || lab_die "initiate $name"
	swan_child_up left "$name" "c$name" || lab_die "$name: no CHILD SA"
	sleep 1
	lab_bg_stop tcpdump
	cp "$SWAN_DIR/left/charon.log" "$OUT/$name.left.log"
	swan_terminate left "$name" >/dev/null
}
capture rsa left right aes128-sha256-modp2048 aes128-sha256-modp2048
capture ecdsa left-ec right-ec aes256-sha384-ecp384 aes256gcm16
capture rsa512 left right aes256-sha512-ecp256 aes256-sha512-ecp256
capture x25519 left right aes128-sha256-x25519 aes128gcm16-x25519
lab_log "captures and charon logs in $OUT"
