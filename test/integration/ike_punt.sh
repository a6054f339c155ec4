#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# IKE punt: UDP 500 and 4500 (with the non-ESP marker) addressed to the
# gateway reach the control plane's IKE transport (ike_rx); a NAT-T keepalive
# and ESP-in-UDP do not; an IP-fragmented IKE datagram arrives whole.
#
# Part 1 runs on net_af_packet, whose kernel fanout group reassembles
# fragments before DPDK sees them.  Part 2 puts the outside port on net_tap
# (the tap moved into a peer namespace), so the gateway's own reassembly
# (frag_reassembled) handles fragments from the kernel and from scapy,
# including out of order.
#
#   test/integration/ike_punt.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init ike_punt "${1:?usage: ike_punt.sh IPSECGW IPSECGW_CLI}" "${2:?}"
lab_topology
lab_conf_af_packet "$LAB_TMP/gw.conf"
lab_gw_start "$LAB_TMP/gw.conf"

# ike_rx counts a datagram only once its UDP checksum verified over every
# byte, so "ike_rx +1, ike_bad_cksum +0" means it arrived whole.  (ike_drop
# also rises for now: no IKE handler is registered yet.)
COUNTERS=(ike_rx ike_bad_cksum drop_natt_keepalive drop_no_sa_in drop_ip_len frag_rx frag_reassembled frag_drop)
declare -A BEFORE

snapshot() {
	local stats c
	stats=$(lab_cli --raw /ipsecgw/stats) || return 1
	for c in "${COUNTERS[@]}"; do
		BEFORE[$c]=$("$LAB_PY" "$LAB_SRC/jsonget.py" "$c" <<<"$stats") || return 1
	done
}

# expect COUNTER=DELTA...: each counter moved by exactly DELTA since snapshot.
expect() {
	local kv c want now bad=0 stats
	sleep 0.5
	stats=$(lab_cli --raw /ipsecgw/stats) || return 1
	for kv in "$@"; do
		c=${kv%%=*}
		want=${kv#*=}
		now=$("$LAB_PY" "$LAB_SRC/jsonget.py" "$c" <<<"$stats") || return 1
		expect_delta "$c" "${BEFORE[$c]}" "$now" "$want" "$want" || bad=1
	done
	return $bad
}

# send_then NS WHAT -- COUNTER=DELTA...: run frames.py in NS, then expect.
send_then() {
	local ns=$1 args=()
	shift
	while [[ $1 != -- ]]; do args+=("$1"); shift; done
	shift
	snapshot || return 1
	lab_in "$ns" "$LAB_PY" "$LAB_SRC/frames.py" "${args[@]}" || return 1
	expect "$@"
}

# ---------------------------------------------------------------- af_packet
lab_say "part 1: net_af_packet (the kernel reassembles before DPDK)"
lab_check "hq reaches the gateway" ping_ok "$NS_HQ" -c 1 -W 2 "$LAB_GW_OUT_IP4"
GW_OUT_MAC=$(lab_mac "$NS_GW" "$IF_GW_OUT")

lab_check "3 x UDP 500 -> ike_rx +3" \
	send_then "$NS_HQ" sock "$LAB_GW_OUT_IP4" 500 300 --count 3 -- ike_rx=3 ike_bad_cksum=0
lab_check "3 x UDP 4500 with the non-ESP marker -> ike_rx +3" \
	send_then "$NS_HQ" sock "$LAB_GW_OUT_IP4" 4500 300 --marker --count 3 -- ike_rx=3 ike_bad_cksum=0
lab_check "NAT-T keepalive (0xff to 4500) -> drop_natt_keepalive +1, not IKE" \
	send_then "$NS_HQ" keepalive "$IF_HQ" "$GW_OUT_MAC" "$LAB_HQ_IP4" "$LAB_GW_OUT_IP4" -- \
	drop_natt_keepalive=1 ike_rx=0
lab_check "UDP 4500 without the marker is ESP-in-UDP: stays in the data plane" \
	send_then "$NS_HQ" sock "$LAB_GW_OUT_IP4" 4500 300 -- drop_no_sa_in=1 ike_rx=0
lab_check "a 3000-byte UDP 500 datagram, IP-fragmented by hq's kernel, arrives whole" \
	send_then "$NS_HQ" sock "$LAB_GW_OUT_IP4" 500 3000 -- ike_rx=1 ike_bad_cksum=0 drop_ip_len=0
lab_check "an 8000-byte UDP 4500 datagram (a certificate-sized IKE_AUTH) arrives whole" \
	send_then "$NS_HQ" sock "$LAB_GW_OUT_IP4" 4500 8000 --marker -- ike_rx=1 ike_bad_cksum=0 drop_ip_len=0
lab_check "UDP 500 over IPv6 -> ike_rx +1" \
	send_then "$NS_HQ" sock "$LAB_GW_OUT_IP6" 500 300 -- ike_rx=1 ike_bad_cksum=0
lab_gw_stop
lab_check "ipsecgw (af_packet) exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"

# ---------------------------------------------------------------- net_tap
lab_say "part 2: net_tap (the gateway reassembles)"
NS_HQT=hqt-$LAB_ID
IF_TAP=tgo$LAB_ID
lab_netns_add "$NS_HQT"
lab_set_prefix tap
lab_conf_af_packet "$LAB_TMP/gw-tap.conf" \
	"OUT_VDEV=net_tap0,iface=$IF_TAP" "OUT_PORT=net_tap0"
lab_gw_start "$LAB_TMP/gw-tap.conf"
# DPDK made the tap in the gateway's namespace; the peer is the kernel side.
ip -n "$NS_GW" link set "$IF_TAP" netns "$NS_HQT" || lab_die "cannot move $IF_TAP to $NS_HQT"
# net_tap gives the kernel side the port's own MAC; the gateway rightly
# ignores ARP that claims its own address, so the peer gets its own MAC.
ip -n "$NS_HQT" link set "$IF_TAP" address 02:00:00:74:61:70
ip -n "$NS_HQT" link set "$IF_TAP" up
lab_tx_off "$NS_HQT" "$IF_TAP"
ip -n "$NS_HQT" addr add "$LAB_HQ_IP4/24" dev "$IF_TAP"
lab_log "tap $IF_TAP moved to $NS_HQT, $LAB_HQ_IP4/24"

lab_check "hq (tap) reaches the gateway" ping_ok "$NS_HQT" -c 2 -i 0.3 -W 2 "$LAB_GW_OUT_IP4"
GW_TAP_MAC=$(ip -n "$NS_HQT" neigh show "$LAB_GW_OUT_IP4" dev "$IF_TAP" |
	sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
lab_log "gateway's net_tap0 MAC, learned by ARP: ${GW_TAP_MAC:-none}"

lab_check "UDP 500 unfragmented -> ike_rx +1, nothing reassembled" \
	send_then "$NS_HQT" sock "$LAB_GW_OUT_IP4" 500 300 -- ike_rx=1 frag_reassembled=0
lab_check "3000-byte UDP 500 fragmented by the kernel: 3 fragments, 1 datagram, ike_rx +1" \
	send_then "$NS_HQT" sock "$LAB_GW_OUT_IP4" 500 3000 -- \
	frag_rx=3 frag_reassembled=1 ike_rx=1 ike_bad_cksum=0 frag_drop=0
lab_check "4000-byte UDP 500 in 4 scapy fragments, last first: reassembled, ike_rx +1" \
	send_then "$NS_HQT" ike "$IF_TAP" "$GW_TAP_MAC" "$LAB_HQ_IP4" "$LAB_GW_OUT_IP4" 500 4000 \
	--fragsize 1200 --reverse -- frag_rx=4 frag_reassembled=1 ike_rx=1 ike_bad_cksum=0 frag_drop=0
lab_check "3000-byte UDP 4500 with marker in scapy fragments: reassembled, ike_rx +1" \
	send_then "$NS_HQT" ike "$IF_TAP" "$GW_TAP_MAC" "$LAB_HQ_IP4" "$LAB_GW_OUT_IP4" 4500 3000 \
	--marker --fragsize 1400 -- frag_rx=3 frag_reassembled=1 ike_rx=1 ike_bad_cksum=0
lab_check "ipsecgw (tap) still running" lab_gw_alive
lab_gw_stop
lab_check "ipsecgw (tap) exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"

lab_finish
