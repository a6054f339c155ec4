#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The bundled default (`make demo`): two namespaces, "branch" and "hq",
# joined through ipsecgw running in its own namespace on net_af_packet veth
# ends.  Pings across both ways, shows what the gateway learned, tears down.
#
#   test/lab/demo.sh BUILD_DIR

set -uo pipefail
# shellcheck source=lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

BUILD=${1:-build}
lab_init demo "$BUILD/controlplane/ipsecgw" "$BUILD/controlplane/ipsecgw-cli"

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

cat <<EOF

ipsecgw lab demo (run $LAB_ID): two namespaces joined through ipsecgw

  $NS_BR                 $NS_GW: ipsecgw                  $NS_HQ
  192.168.10.10/24  <-veth->  inside       |  outside    <-veth->  10.10.0.254/24
  2001:db8:20::10/64          192.168.10.1 |  10.10.0.1            2001:db8:10::fe/64
  default via the gateway     2001:db8:20::1  2001:db8:10::1       LAN 172.16.0.1/24
                              (DPDK net_af_packet, no kernel IPs)  2001:db8:172::1/64
EOF

step "1. namespaces and veth pairs"
lab_topology
echo "    $NS_GW: DPDK-side veths up, no IP address, IPv6 off, ip_forward=0"
echo "    kernel-side veths ($IF_BR, $IF_HQ): tx checksum offload off"

step "2. ipsecgw starts in $NS_GW"
lab_conf_af_packet "$LAB_TMP/gw.conf"
echo "    configuration: $LAB_TMP/gw.conf (rendered from test/lab/gw.conf.in)"
lab_gw_start "$LAB_TMP/gw.conf"
cli show version || LAB_FAIL=$((LAB_FAIL + 1))

step "3. ping the gateway itself (ARP, ND and ICMP answered by ipsecgw)"
demo_ping "$NS_BR" "branch" -c 2 -i 0.3 -W 2 "$LAB_GW_IN_IP4"
demo_ping "$NS_HQ" "hq" -c 2 -i 0.3 -W 2 "$LAB_GW_OUT_IP4"
demo_ping "$NS_HQ" "hq" -6 -c 2 -i 0.3 -W 2 "$LAB_GW_OUT_IP6"

step "4. ping across the gateway (forwarded by the DPDK worker)"
demo_ping "$NS_BR" "branch" -c 3 -i 0.3 -W 2 "$LAB_HQ_IP4"
demo_ping "$NS_HQ" "hq" -c 3 -i 0.3 -W 2 "$LAB_BR_IP4"
demo_ping "$NS_BR" "branch (to hq's LAN, by the gateway's default route)" -c 2 -i 0.3 -W 2 "$LAB_HQ_LAN_IP4"
demo_ping "$NS_BR" "branch" -6 -c 2 -i 0.3 -W 2 "$LAB_HQ_IP6"

step "5. what the gateway knows"
cli show interfaces || LAB_FAIL=$((LAB_FAIL + 1))
cli show arp || LAB_FAIL=$((LAB_FAIL + 1))
printf '$ ipsecgw-cli show ipsecgw stats   (counters above zero)\n'
lab_cli show ipsecgw stats | awk '/^$/ { exit } NR == 1 || $2 != "0"' | sed 's/^/    /'

step "6. teardown"
lab_gw_stop
echo "    ipsecgw stopped by SIGTERM: exit $LAB_GW_RC"
[[ $LAB_GW_RC -eq 0 ]] || LAB_FAIL=$((LAB_FAIL + 1))
echo "    namespaces $NS_BR $NS_GW $NS_HQ: removed on exit"

echo
if ((LAB_FAIL == 0)); then
	echo "demo: all $LAB_PASS pings answered."
else
	echo "demo: $LAB_FAIL step(s) failed (gateway log: $LAB_GW_LOG)."
fi
((LAB_FAIL == 0))
