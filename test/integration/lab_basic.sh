#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ipsecgw on net_af_packet between two namespaces (see test/lab/lab.sh):
# lab hygiene, ARP and ND, ping to the gateway, forwarding both ways and via
# the default route, TTL expiry, malformed frames dropped and counted,
# telemetry and the CLI, and a clean SIGTERM shutdown.
#
#   test/integration/lab_basic.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init lab_basic "${1:?usage: lab_basic.sh IPSECGW IPSECGW_CLI}" "${2:?}"
lab_topology
lab_conf_af_packet "$LAB_TMP/gw.conf"
lab_gw_start "$LAB_TMP/gw.conf"

GW_OUT_MAC=$(lab_mac "$NS_GW" "$IF_GW_OUT")
GW_IN_MAC=$(lab_mac "$NS_GW" "$IF_GW_IN")
HQ_MAC=$(lab_mac "$NS_HQ" "$IF_HQ")
BR_MAC=$(lab_mac "$NS_BR" "$IF_BR")

# ---------------------------------------------------------------- hygiene
lab_say "lab hygiene in $NS_GW"
tx_csum_off() {
	local state
	state=$(lab_in "$1" ethtool -k "$2" | sed -n 's/^tx-checksumming: //p')
	expect_eq "tx-checksumming on $2 (kernel peer of a DPDK port, in $1)" off "$state"
}
no_ip_addr() {
	local addrs
	addrs=$(ip -n "$NS_GW" -o addr show dev "$1" | awk '{print $4}')
	expect_eq "IP addresses on DPDK-side $1" "" "$addrs"
}
gw_sysctl() { expect_eq "$1 in $NS_GW" "$2" "$(lab_in "$NS_GW" cat "/proc/sys/$1")"; }
lab_check "tx checksum offload off on $IF_HQ" tx_csum_off "$NS_HQ" "$IF_HQ"
lab_check "tx checksum offload off on $IF_BR" tx_csum_off "$NS_BR" "$IF_BR"
lab_check "no IP address on $IF_GW_OUT" no_ip_addr "$IF_GW_OUT"
lab_check "no IP address on $IF_GW_IN" no_ip_addr "$IF_GW_IN"
lab_check "ip_forward=0 in the gateway's namespace" gw_sysctl net/ipv4/ip_forward 0
lab_check "IPv6 disabled in the gateway's namespace" gw_sysctl net/ipv6/conf/all/disable_ipv6 1

# ---------------------------------------------------------------- telemetry
lab_say "telemetry and the CLI"
lab_check "show version" lab_show_words show version -- ipsecgw
lab_check "show interfaces lists both interfaces with their ports and MACs" \
	lab_show_words show interfaces -- outside inside net_af_packet0 net_af_packet1 "$GW_OUT_MAC" "$GW_IN_MAC"
dpdk_telemetry_py() {
	local out
	out=$(echo /ipsecgw/version | RUNTIME_DIRECTORY=$LAB_RUNDIR \
		dpdk-telemetry.py -f "$LAB_PREFIX" 2>&1)
	grep '/ipsecgw/version' <<<"$out" | tail -1
	grep -q '"/ipsecgw/version"' <<<"$out"
}
lab_check "dpdk-telemetry.py -f $LAB_PREFIX answers /ipsecgw/version" dpdk_telemetry_py
cli_socket() { "$IPSECGW_CLI" --socket "$LAB_SOCK" show version; }
lab_check "ipsecgw-cli --socket PATH" cli_socket
json_ok() { lab_cli --json show interfaces | "$LAB_PY" -c 'import json,sys; json.load(sys.stdin); print("valid JSON")'; }
lab_check "ipsecgw-cli --json show interfaces is JSON" json_ok

# ---------------------------------------------------------------- ARP / ND / ping
lab_say "ARP, ND and ping to the gateway"
echo_before=$(lab_counter icmp_echo_tx)
lab_check "hq pings the gateway's outside address $LAB_GW_OUT_IP4" ping_ok "$NS_HQ" -c 3 -i 0.2 -W 2 "$LAB_GW_OUT_IP4"
lab_check "branch pings the gateway's inside address $LAB_GW_IN_IP4" ping_ok "$NS_BR" -c 3 -i 0.2 -W 2 "$LAB_GW_IN_IP4"
lab_check "hq pings $LAB_GW_OUT_IP6" ping_ok "$NS_HQ" -6 -c 3 -i 0.2 -W 2 "$LAB_GW_OUT_IP6"
lab_check "branch pings $LAB_GW_IN_IP6" ping_ok "$NS_BR" -6 -c 3 -i 0.2 -W 2 "$LAB_GW_IN_IP6"
lab_check "icmp_echo_tx counted 12 replies" expect_delta icmp_echo_tx "$echo_before" "$(lab_counter icmp_echo_tx)" 12

lab_check "hq learned the gateway's outside MAC by ARP" lab_neigh_is "$NS_HQ" "$IF_HQ" "$LAB_GW_OUT_IP4" "$GW_OUT_MAC"
lab_check "branch learned the gateway's inside MAC by ARP" lab_neigh_is "$NS_BR" "$IF_BR" "$LAB_GW_IN_IP4" "$GW_IN_MAC"
lab_check "hq learned the gateway's outside MAC by ND" lab_neigh_is "$NS_HQ" "$IF_HQ" "$LAB_GW_OUT_IP6" "$GW_OUT_MAC"
lab_check "branch learned the gateway's inside MAC by ND" lab_neigh_is "$NS_BR" "$IF_BR" "$LAB_GW_IN_IP6" "$GW_IN_MAC"
lab_check "the gateway's ARP table has hq and branch" \
	lab_show_words show arp -- "$LAB_HQ_IP4" "$HQ_MAC" "$LAB_BR_IP4" "$BR_MAC"
lab_check "the gateway's ND table has hq and branch" \
	lab_show_words show ipv6 neighbors -- "$LAB_HQ_IP6" "$HQ_MAC" "$LAB_BR_IP6" "$BR_MAC"

# ---------------------------------------------------------------- forwarding
lab_say "forwarding through the gateway"
fwd_before=$(lab_counter fwd_pkts)
lab_check "branch -> hq ($LAB_HQ_IP4)" ping_ok "$NS_BR" -c 3 -i 0.2 -W 2 "$LAB_HQ_IP4"
lab_check "hq -> branch ($LAB_BR_IP4)" ping_ok "$NS_HQ" -c 3 -i 0.2 -W 2 "$LAB_BR_IP4"
lab_check "branch -> hq LAN $LAB_HQ_LAN_IP4 via the default route" ping_ok "$NS_BR" -c 3 -i 0.2 -W 2 "$LAB_HQ_LAN_IP4"
lab_check "branch -> hq ($LAB_HQ_IP6)" ping_ok "$NS_BR" -6 -c 3 -i 0.2 -W 2 "$LAB_HQ_IP6"
lab_check "hq -> branch ($LAB_BR_IP6)" ping_ok "$NS_HQ" -6 -c 3 -i 0.2 -W 2 "$LAB_BR_IP6"
lab_check "branch -> hq LAN $LAB_HQ_LAN_IP6 via the default route" ping_ok "$NS_BR" -6 -c 3 -i 0.2 -W 2 "$LAB_HQ_LAN_IP6"
big_ping() { ping_ok "$NS_BR" -c 2 -i 0.2 -W 2 -s 1400 -M "do" "$LAB_HQ_IP4"; }
lab_check "branch -> hq with 1428-byte packets" big_ping
# 6 pings x 3 x 2 directions, plus 2 big ones x 2 directions; the first of
# each flow may wait for resolution in the control plane instead.
lab_check "fwd_pkts counted the forwarded packets" \
	expect_delta fwd_pkts "$fwd_before" "$(lab_counter fwd_pkts)" 30
lab_check "show ip route lists the default route" lab_show_words show ip route -- 0.0.0.0/0 "$LAB_HQ_IP4"
lab_check "show ipv6 route lists the default route" lab_show_words show ipv6 route -- ::/0 "$LAB_HQ_IP6"

# ---------------------------------------------------------------- TTL
lab_say "TTL / hop limit expiry"
ttl_exceeded() {
	local out
	out=$(lab_in "$NS_BR" ping -n "$@" 2>&1)
	grep -E 'From|transmitted' <<<"$out"
	grep -qiE "From ($LAB_GW_IN_IP4|$LAB_GW_IN_IP6).*(Time to live exceeded|Time exceeded)" <<<"$out" ||
		{ echo "expected Time Exceeded from the gateway"; return 1; }
}
err_before=$(lab_counter icmp_err_tx)
lab_check "ping -t 1 through the gateway gets Time Exceeded" ttl_exceeded -c 1 -t 1 -W 2 "$LAB_HQ_IP4"
sleep 1.1	# ICMP errors are rate-limited
lab_check "ping -6 -t 1 through the gateway gets Time Exceeded" ttl_exceeded -6 -c 1 -t 1 -W 2 "$LAB_HQ_IP6"
lab_check "icmp_err_tx counted both" expect_delta icmp_err_tx "$err_before" "$(lab_counter icmp_err_tx)" 2 2

# ---------------------------------------------------------------- malformed
lab_say "malformed frames from branch are dropped and counted"
# kind:counter.  The shortest frame a veth carries is 14 bytes (the kernel
# pads anything shorter), so the true runt comes from a pcap file below.
MALFORMED=(eth-only:drop_ip_hdr ip-hdr:drop_ip_hdr ip-cksum:drop_ip_cksum ip-len:drop_ip_len
	arp-truncated:drop_arp_truncated)
N_BAD=5
malformed() {
	local kind=$1 counter=$2 before after
	before=$(lab_counter "$counter")
	lab_in "$NS_BR" "$LAB_PY" "$LAB_SRC/frames.py" malformed "$kind" "$IF_BR" "$GW_IN_MAC" \
		"$LAB_BR_IP4" "$LAB_HQ_IP4" "$N_BAD" || return 1
	sleep 0.3
	after=$(lab_counter "$counter")
	expect_delta "$counter" "$before" "$after" "$N_BAD" "$N_BAD"
}
for m in "${MALFORMED[@]}"; do
	lab_check "$N_BAD ${m%%:*} frames counted in ${m#*:}" malformed "${m%%:*}" "${m#*:}"
done
lab_check "ipsecgw still running" lab_gw_alive
lab_check "branch -> hq still forwards" ping_ok "$NS_BR" -c 2 -i 0.2 -W 2 "$LAB_HQ_IP4"
lab_check "show ipsecgw stats names the drop counters" \
	lab_show_words show ipsecgw stats -- drop_runt drop_ip_hdr drop_ip_cksum drop_ip_len drop_arp_truncated

# ---------------------------------------------------------------- shutdown
lab_say "SIGTERM"
lab_gw_stop
lab_check "ipsecgw exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"
final_counters() {
	grep -A3 'final counters' "$LAB_GW_LOG" || { echo "no final counters in $LAB_GW_LOG"; return 1; }
}
lab_check "ipsecgw printed its final counters" final_counters

# ---------------------------------------------------------------- pcap
lab_say "malformed frames from a pcap file (net_pcap), 10-byte runts included"
PCAP_MAC=02:70:63:61:70:00	# net_pcap's MAC for instance 0 ("pcap")
"$LAB_PY" "$LAB_SRC/frames.py" pcap-malformed "$LAB_TMP/malformed.pcap" "$PCAP_MAC" \
	"$LAB_BR_IP4" "$LAB_HQ_IP4" "$N_BAD"
lab_render "$LAB_SRC/pcap.conf.in" "$LAB_TMP/pcap.conf" "PCAP=$LAB_TMP/malformed.pcap"
lab_set_prefix pcap
lab_gw_start "$LAB_TMP/pcap.conf"
pcap_read() {
	local i rx=0
	for ((i = 0; i < 50; i++)); do
		rx=$(lab_counter rx_pkts) && ((rx >= 6 * N_BAD)) && break
		sleep 0.1
	done
	expect_eq "frames received from the pcap file" $((6 * N_BAD)) "$rx"
}
lab_check "ipsecgw read the whole pcap file" pcap_read
pcap_counted() {
	local stats kv c want bad=0 seen
	stats=$(lab_cli --raw /ipsecgw/stats) || return 1
	for kv in drop_runt="$N_BAD" drop_ip_hdr=$((2 * N_BAD)) drop_ip_cksum="$N_BAD" \
		drop_ip_len="$N_BAD" drop_arp_truncated="$N_BAD"; do
		c=${kv%%=*}
		want=${kv#*=}
		seen=$("$LAB_PY" "$LAB_SRC/jsonget.py" "$c" <<<"$stats")
		expect_eq "$c" "$want" "$seen" || bad=1
	done
	return $bad
}
lab_check "every malformed frame dropped under its own counter" pcap_counted
lab_check "ipsecgw (pcap) still running" lab_gw_alive
lab_gw_stop
lab_check "ipsecgw (pcap) exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"

lab_finish
