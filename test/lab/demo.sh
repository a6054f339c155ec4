#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The bundled default (`make demo`): two namespaces, "branch" and "hq",
# joined through ipsecgw running in its own namespace on net_af_packet veth
# ends.  Pings across both ways, shows what the gateway learned.  Then the
# PKI chapter: the gateway's "LAB-CA" trustpoint fetches its CRLs over a
# management veth from an HTTP server in a "ca" namespace; a new CRL revokes
# the peer's certificate and an operator request fetches it.  Tears down.
#
#   test/lab/demo.sh BUILD_DIR

set -uo pipefail
# shellcheck source=lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

BUILD=${1:-build}
lab_init demo "$BUILD/controlplane/ipsecgw" "$BUILD/controlplane/ipsecgw-cli"
PKI_TOOL=$(readlink -f "$BUILD/test/integration/pki_tool")
[[ -x $PKI_TOOL ]] || lab_die "pki_tool not found in $BUILD/test/integration (run: ninja -C $BUILD)"

TP=LAB-CA
ROOT_CN="LAB Root CA"
INTER_CN="LAB Inter CA"
PORT=8080
ROOT_URL=http://$LAB_MGMT_CA_IP4:$PORT/root.crl
INTER_URL=http://$LAB_MGMT_CA_IP4:$PORT/inter.crl
PKI_DIR=$LAB_TMP/pki
WWW=$LAB_TMP/www
mkdir -p "$PKI_DIR" "$WWW"

if [[ -t 1 ]]; then
	step() { printf '\n\033[1m--- %s\033[0m\n' "$*"; }
else
	step() { printf '\n--- %s\n' "$*"; }
fi

# cli ARGS...: show and run an ipsecgw-cli command.
cli() {
	printf '$ ipsecgw-cli %s\n' "$*"
	lab_cli "$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}

# demo_ping NS LABEL PING-ARGS...
demo_ping() {
	local ns=$1 label=$2
	shift 2
	printf '%s$ ping %s\n' "$label" "$*"
	if lab_in "$ns" ping -n "$@" 2>&1 | sed 's/^/    /'; then
		LAB_PASS=$((LAB_PASS + 1))
	else
		echo "    ^^^ FAILED"
		LAB_FAIL=$((LAB_FAIL + 1))
	fi
}

# publish FILE ISSUER [pki_tool crl options]: a CRL into the server's directory.
publish() { lab_crl_publish "$PKI_TOOL" "$PKI_DIR" "$WWW" "$@"; }

# updated CN: how many "CRL updated" events the gateway logged for issuer CN.
updated() { grep -c "CRL updated: issuer .*$1" "$LAB_GW_LOG"; }

# wait_updated CN COUNT: until COUNT "CRL updated" events for CN (20 s).
wait_updated() {
	local i
	for ((i = 0; i < 200; i++)); do
		(($(updated "$1") >= $2)) && return 0
		sleep 0.1
	done
	echo "    ^^^ FAILED: no 'CRL updated' event number $2 for $1 after 20 s"
	LAB_FAIL=$((LAB_FAIL + 1))
	return 1
}

# crl_field CN FIELD: FIELD of the CRL whose issuer names CN, from telemetry.
crl_field() {
	local id reply
	for id in $(lab_cli --raw /ipsecgw/pki/crls | "$LAB_PY" "$LAB_SRC/jsonget.py" ids); do
		reply=$(lab_cli --raw "/ipsecgw/pki/crl,$id") || return 1
		[[ $("$LAB_PY" "$LAB_SRC/jsonget.py" issuer <<<"$reply") == *"$1"* ]] &&
			{ "$LAB_PY" "$LAB_SRC/jsonget.py" "$2" <<<"$reply"; return; }
	done
	return 1
}

cat <<EOF

ipsecgw lab demo (run $LAB_ID): two namespaces joined through ipsecgw

  $NS_BR                 $NS_GW: ipsecgw                  $NS_HQ
  192.168.10.10/24  <-veth->  inside       |  outside    <-veth->  10.10.0.254/24
  2001:db8:20::10/64          192.168.10.1 |  10.10.0.1            2001:db8:10::fe/64
  default via the gateway     2001:db8:20::1  2001:db8:10::1       LAN 172.16.0.1/24
                              (DPDK net_af_packet, no kernel IPs)  2001:db8:172::1/64
                              management veth $LAB_MGMT_GW_IP4 <-> $LAB_MGMT_CA_IP4 in ca-$LAB_ID (CRL server)
EOF

step "1. namespaces and veth pairs"
lab_topology
lab_mgmt
echo "    $NS_GW: DPDK-side veths up, no IP address, IPv6 off, ip_forward=0"
echo "    kernel-side veths ($IF_BR, $IF_HQ): tx checksum offload off"
echo "    management veth $IF_GW_MGMT ($LAB_MGMT_GW_IP4, the kernel's) to $NS_CA: CRL downloads only"

step "2. the lab PKI and its CRL server in $NS_CA"
"$PKI_TOOL" init "$PKI_DIR" --root-crl-url "$ROOT_URL" --inter-crl-url "$INTER_URL" |
	sed 's/^/    /'
[[ ${PIPESTATUS[0]} -eq 0 ]] || lab_die "pki_tool init failed"
publish root.crl root --number 1
publish inter.crl inter --number 10 --revoke 0x500
lab_http_start http "$WWW" "$LAB_TMP/http.log" "$PORT"
lab_http_up http "$ROOT_URL" | sed 's/^/    /'
[[ ${PIPESTATUS[0]} -eq 0 ]] || lab_die "no HTTP server in $NS_CA (log $LAB_TMP/http.log)"
echo "    python3 http.server in $NS_CA, pid ${LAB_BG[http]}, serving $WWW"

step "3. ipsecgw starts in $NS_GW"
lab_conf_af_packet "$LAB_TMP/gw.conf"
lab_conf_pki "$LAB_TMP/gw.conf" "PKI_DIR=$PKI_DIR" "TRUSTPOINT=$TP" \
	"CRL_URLS=\"$ROOT_URL\", \"$INTER_URL\"" "CRL_CACHE_DIR=$LAB_TMP/crl-cache"
echo "    configuration: $LAB_TMP/gw.conf (test/lab/gw.conf.in + gw-pki.conf.in)"
lab_gw_start "$LAB_TMP/gw.conf"
cli show version || LAB_FAIL=$((LAB_FAIL + 1))

step "4. ping the gateway itself (ARP, ND and ICMP answered by ipsecgw)"
demo_ping "$NS_BR" "branch" -c 2 -i 0.3 -W 2 "$LAB_GW_IN_IP4"
demo_ping "$NS_HQ" "hq" -c 2 -i 0.3 -W 2 "$LAB_GW_OUT_IP4"
demo_ping "$NS_HQ" "hq" -6 -c 2 -i 0.3 -W 2 "$LAB_GW_OUT_IP6"

step "5. ping across the gateway (forwarded by the DPDK worker)"
demo_ping "$NS_BR" "branch" -c 3 -i 0.3 -W 2 "$LAB_HQ_IP4"
demo_ping "$NS_HQ" "hq" -c 3 -i 0.3 -W 2 "$LAB_BR_IP4"
demo_ping "$NS_BR" "branch (to hq's LAN, by the gateway's default route)" -c 2 -i 0.3 -W 2 "$LAB_HQ_LAN_IP4"
demo_ping "$NS_BR" "branch" -6 -c 2 -i 0.3 -W 2 "$LAB_HQ_IP6"

step "6. what the gateway knows"
cli show interfaces || LAB_FAIL=$((LAB_FAIL + 1))
cli show arp || LAB_FAIL=$((LAB_FAIL + 1))
printf '$ ipsecgw-cli show ipsecgw stats   (counters above zero)\n'
lab_cli show ipsecgw stats | awk '/^$/ { exit } NR == 1 || $2 != "0"' | sed 's/^/    /'

step "7. PKI: trustpoint $TP, CRLs prefetched over the management veth"
wait_updated "$ROOT_CN" 1 && wait_updated "$INTER_CN" 1
cli show crypto pki trustpoints || LAB_FAIL=$((LAB_FAIL + 1))
cli show crypto pki crls || LAB_FAIL=$((LAB_FAIL + 1))

step "8. PKI: the CA revokes the peer's certificate (seed steps 3-5, PKI side)"
cat <<EOF
    This is seed steps 3-5 on the PKI side: the CA publishes a new CRL
    revoking the peer's certificate, the operator asks the gateway to fetch
    it now, and the gateway puts the new CRL in force.  Tearing down the
    peer's IKE/ESP session on that revocation comes with the IKE issues;
    this demo has no IKE peer yet.
EOF
PEER_SERIAL=$(openssl x509 -in "$PKI_DIR/peer.crt" -noout -serial | sed 's/^serial=//')
[[ -n $PEER_SERIAL ]] || lab_die "cannot read the serial of $PKI_DIR/peer.crt"
echo "    peer certificate $PKI_DIR/peer.crt: serial 0x$PEER_SERIAL"
publish inter.crl inter --number 11 --revoke "0x500,0x$PEER_SERIAL:1"
cli crypto pki crl request "$TP" || LAB_FAIL=$((LAB_FAIL + 1))
if wait_updated "$INTER_CN" 2; then
	cli show crypto pki crls || LAB_FAIL=$((LAB_FAIL + 1))
	printf '$ grep "CRL updated" %s   (the gateway log)\n' "$LAB_GW_LOG"
	grep "CRL updated: issuer .*$INTER_CN" "$LAB_GW_LOG" | tail -1 | sed 's/^/    /'
	seen="$(crl_field "$INTER_CN" crl_number) $(crl_field "$INTER_CN" entries)"
	if [[ $seen == "0b 2" ]]; then
		echo "    in force: $INTER_CN CRL 0b, 2 entries (0x500 and the peer's 0x$PEER_SERIAL)"
	else
		echo "    ^^^ FAILED: $INTER_CN CRL number and entries '$seen', expected '0b 2'"
		LAB_FAIL=$((LAB_FAIL + 1))
	fi
fi

step "9. teardown"
lab_gw_stop
echo "    ipsecgw stopped by SIGTERM: exit $LAB_GW_RC"
[[ $LAB_GW_RC -eq 0 ]] || LAB_FAIL=$((LAB_FAIL + 1))
lab_bg_stop http
echo "    HTTP server in $NS_CA stopped by PID"
echo "    namespaces $NS_BR $NS_GW $NS_HQ $NS_CA: removed on exit"

echo
if ((LAB_FAIL == 0)); then
	echo "demo: all $LAB_PASS pings answered; the new CRL revoking the peer is in force."
else
	echo "demo: $LAB_FAIL step(s) failed (gateway log: $LAB_GW_LOG)."
fi
((LAB_FAIL == 0))
