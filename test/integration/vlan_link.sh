#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# VLAN sub-interfaces and link events (issue 9), on the standard lab
# (test/lab/lab.sh) with one port carrying two interfaces:
#
#   outside  net_af_packet0 (gwo), untagged  10.10.0.1/24   2001:db8:10::1/64
#   dmz      net_af_packet0 (gwo), VLAN 100  10.20.0.1/24   2001:db8:100::1/64
#   inside   net_af_packet1 (gwi), untagged  192.168.10.1/24
#
# This kernel has neither 802.1Q devices nor VLAN-filtering bridges, so the
# host on VLAN 100 is test/lab/vlan_host.py (scapy) on hq's end of the veth:
# it answers ARP, ND and echo for 10.20.0.254 and 172.31.0.1, tagged, and
# pings the gateway tagged.  The gateway routes 172.31.0.0/16 via
# 10.20.0.254 and its default via 10.10.0.254 (hq's kernel, untagged).
#
#   1. show interfaces: dmz on the same port as outside, VLAN 100, link up.
#   2. the VLAN host pings 10.20.0.1 and 2001:db8:100::1 (ARP, ND, echo,
#      each answer tagged 100); hq's kernel pings 10.10.0.1 untagged on the
#      same veth.
#   3. branch pings 172.31.0.1 (also with 1500-byte packets, DF: 1518-byte
#      tagged frames): forwarded to the VLAN host and back; tcpdump
#      on hqo (-e) shows the gateway's frames to the dmz tagged "vlan 100"
#      and its replies to hq's kernel untagged; the dmz's own frame
#      counters (iface_rx_packets / iface_tx_packets) count the traffic.
#   4. three ARP requests tagged VLAN 200, which no interface has: exactly
#      three more drop_vlan_unknown.
#   5. hq sets hqo down (the gateway's gwo loses carrier, which only the
#      kernel reports: the af_packet PMD does not): link_down events for
#      outside and dmz, the routes through them withdrawn (show ip route),
#      branch -> 172.31.0.1 "net unreachable" from the gateway; hqo up
#      again: link_up events, the routes back, traffic through the VLAN
#      again.  The time from the change to the new state is printed.
#
#   test/integration/vlan_link.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init vlan_link "${1:?usage: vlan_link.sh IPSECGW IPSECGW_CLI}" "${2:?}"
lab_topology

VLAN=100
GW_DMZ_IP4=10.20.0.1
GW_DMZ_IP6=2001:db8:100::1
HOST_MAC=02:00:00:00:01:00	# the VLAN host's MAC (not hqo's)
HOST_IP4=10.20.0.254
HOST_IP6=2001:db8:100::fe
HOST_FAR_IP4=172.31.0.1		# behind it, routed via the dmz
VHOST=$LAB_SRC/vlan_host.py

# vlan_host MODE ARGS...: test/lab/vlan_host.py on hqo in hq
vlan_host() { lab_in "$NS_HQ" "$LAB_PY" "$VHOST" "$1" "$IF_HQ" "${@:2}"; }
host_start() {
	lab_bg_start vhost "$LAB_TMP/vhost$1.txt" ip netns exec "$NS_HQ" "$LAB_PY" -u "$VHOST" \
		serve "$IF_HQ" $VLAN $HOST_MAC "$HOST_IP4,$HOST_FAR_IP4,$HOST_IP6"
	for ((i = 0; i < 100; i++)); do
		grep -q '^serving' "$LAB_TMP/vhost$1.txt" 2>/dev/null && return 0
		sleep 0.1
	done
	lab_die "the VLAN host did not start: $(cat "$LAB_TMP/vhost$1.txt")"
}

cat >"$LAB_TMP/gw.conf" <<EOF
eal = [ "--no-huge", "-m", "768", "--no-pci",
        "--vdev=net_af_packet0,iface=$IF_GW_OUT",
        "--vdev=net_af_packet1,iface=$IF_GW_IN" ];
workers = 1;
log_level = "info";
worker_idle_backoff = true;
events = { syslog = false; };
interfaces = (
  { name = "outside"; port = "net_af_packet0"; address = [ "10.10.0.1/24", "2001:db8:10::1/64" ]; },
  { name = "dmz"; port = "net_af_packet0"; vlan = $VLAN;
    address = [ "$GW_DMZ_IP4/24", "$GW_DMZ_IP6/64" ]; },
  { name = "inside"; port = "net_af_packet1"; address = [ "192.168.10.1/24", "2001:db8:20::1/64" ]; }
);
routes = (
  { prefix = "0.0.0.0/0"; via = "10.10.0.254"; },
  { prefix = "172.31.0.0/16"; via = "$HOST_IP4"; }
);
EOF
lab_gw_start "$LAB_TMP/gw.conf"
GW_MAC=$(lab_mac "$NS_GW" "$IF_GW_OUT")

tm() { lab_cli --raw "$1" | "$LAB_PY" "$LAB_SRC/jsonget.py" "$2"; }

# ---------------------------------------------------------------- 1. config
lab_say "one port, two interfaces"
show_if() {
	local out
	out=$(lab_cli show interfaces) || return 1
	echo "$out" | head -8
	grep -Eq "^dmz +net_af_packet0 +$VLAN +up +$GW_MAC" <<<"$out" ||
		{ echo "no line 'dmz net_af_packet0 $VLAN up $GW_MAC'"; return 1; }
	grep -Eq "^outside +net_af_packet0 +- +up +$GW_MAC" <<<"$out" ||
		{ echo "no untagged line for outside on net_af_packet0"; return 1; }
}
lab_check "show interfaces: dmz is VLAN $VLAN on outside's port" show_if
lab_check "/ipsecgw/interface,1 says vlan $VLAN" expect_eq vlan $VLAN "$(tm /ipsecgw/interface,1 vlan)"

# ---------------------------------------------------------------- 2. ping
lab_say "ARP, ND and ping on the VLAN and untagged, one veth"
lab_check "the VLAN host pings $GW_DMZ_IP4 (ARP and echo, tagged $VLAN)" \
	vlan_host ping $VLAN $HOST_MAC $HOST_IP4 $GW_DMZ_IP4 3
lab_check "the VLAN host pings $GW_DMZ_IP6 (ND and echo, tagged $VLAN)" \
	vlan_host ping $VLAN $HOST_MAC $HOST_IP6 $GW_DMZ_IP6 3
lab_check "hq's kernel pings $LAB_GW_OUT_IP4 untagged" ping_ok "$NS_HQ" -c 3 -i 0.2 -W 2 "$LAB_GW_OUT_IP4"
lab_check "the gateway's ARP table has $HOST_IP4 on dmz and $LAB_HQ_IP4 on outside" \
	lab_show_words show arp -- "$HOST_IP4" $HOST_MAC dmz "$LAB_HQ_IP4" outside

# ---------------------------------------------------------------- 3. forwarding + capture
lab_say "forwarding through the VLAN, and the tag on the wire"
host_start 1
rx0=$(tm /ipsecgw/interface,1 iface_rx_packets)
tx0=$(tm /ipsecgw/interface,1 iface_tx_packets)
CAP=$LAB_TMP/hqo.txt
lab_bg_start tcpdump "$CAP" ip netns exec "$NS_HQ" tcpdump -l -e -nn -i "$IF_HQ" ether src "$GW_MAC"
sleep 1		# tcpdump attached
lab_check "branch pings $HOST_FAR_IP4 (via $HOST_IP4 on the VLAN) and gets its replies" \
	ping_ok "$NS_BR" -c 5 -i 0.2 -W 2 "$HOST_FAR_IP4"
lab_check "branch pings $HOST_FAR_IP4 with 1500-byte packets (DF): 1518-byte tagged frames" \
	ping_ok "$NS_BR" -c 2 -i 0.2 -W 2 -s 1472 -M "do" "$HOST_FAR_IP4"
lab_check "hq's kernel pings $LAB_GW_OUT_IP4 untagged again" \
	ping_ok "$NS_HQ" -c 2 -i 0.2 -W 2 "$LAB_GW_OUT_IP4"
sleep 0.5
lab_bg_stop tcpdump
tagged() {
	local n
	grep -E "vlan $VLAN, .*> $HOST_FAR_IP4: ICMP echo request" "$CAP" | head -2
	n=$(grep -cE "vlan $VLAN, .*> $HOST_FAR_IP4: ICMP echo request" "$CAP")
	((n >= 5)) || { echo "$n tagged echo requests to $HOST_FAR_IP4 (expected 5)"; return 1; }
	echo "$n echo requests to $HOST_FAR_IP4 left the gateway tagged vlan $VLAN"
	n=$(grep -cE "length 1518: vlan $VLAN, .*> $HOST_FAR_IP4: ICMP echo request" "$CAP")
	((n >= 2)) || { echo "$n full-size (1518-byte) tagged frames (expected 2)"; return 1; }
	echo "$n of them full-size: 1518-byte frames"
	grep -E "^rx vlan=$VLAN .*ICMP .* > $HOST_FAR_IP4 echo-request" "$LAB_TMP/vhost1.txt" | head -1
}
untagged() {
	local n bad
	n=$(grep -E "$LAB_GW_OUT_IP4 > $LAB_HQ_IP4: ICMP echo reply" "$CAP" | grep -vc 'vlan ')
	bad=$(grep -E "$LAB_GW_OUT_IP4 > $LAB_HQ_IP4" "$CAP" | grep -c 'vlan ')
	grep -E "$LAB_GW_OUT_IP4 > $LAB_HQ_IP4: ICMP echo reply" "$CAP" | head -1
	((n >= 2 && bad == 0)) || { echo "untagged replies $n, tagged $bad"; return 1; }
	echo "$n echo replies from $LAB_GW_OUT_IP4 left untagged, none tagged"
}
lab_check "tcpdump on $IF_HQ: the gateway's frames to the dmz carry 802.1Q tag $VLAN" tagged
lab_check "tcpdump on $IF_HQ: its frames to the outside carry no tag" untagged
lab_check "dmz counted the frames it received" \
	expect_delta iface_rx_packets "$rx0" "$(tm /ipsecgw/interface,1 iface_rx_packets)" 5
lab_check "dmz counted the frames it sent" \
	expect_delta iface_tx_packets "$tx0" "$(tm /ipsecgw/interface,1 iface_tx_packets)" 5

# ---------------------------------------------------------------- 4. unknown VLAN
lab_say "a VLAN no interface has"
unk0=$(lab_counter drop_vlan_unknown)
lab_check "three ARP requests tagged VLAN 200 sent" vlan_host send 200 $HOST_MAC 3
sleep 0.5
lab_check "... and counted drop_vlan_unknown, exactly" \
	expect_delta drop_vlan_unknown "$unk0" "$(lab_counter drop_vlan_unknown)" 3 3

# ---------------------------------------------------------------- 5. link
lab_say "link down and up"
routes_have() {	# routes_have yes|no PREFIX...
	local want=$1 out p
	shift
	out=$(lab_cli show ip route) || return 1
	for p in "$@"; do
		if grep -qF -- "$p" <<<"$out"; then
			[[ $want == yes ]] || { echo "$p still in show ip route"; return 1; }
		else
			[[ $want == no ]] || { echo "$p missing from show ip route"; return 1; }
		fi
	done
	echo "show ip route: $* $([[ $want == yes ]] && echo present || echo absent)"
}
# wait_link IFACE_ID up|down: until /ipsecgw/interface,ID says so (10 s);
# prints the time it took.
wait_link() {
	local t0 i now
	t0=$(date +%s%N)
	for ((i = 0; i < 100; i++)); do
		now=$(tm "/ipsecgw/interface,$1" link 2>/dev/null)
		if [[ $now == "$2" ]]; then
			echo "interface $1 link $2 after $((($(date +%s%N) - t0) / 1000000)) ms"
			return 0
		fi
		sleep 0.1
	done
	echo "interface $1 link still '$now' after 10 s"
	return 1
}
events_seen() {	# events_seen KIND: link events of outside and dmz in the log
	local ok=0
	grep -E "event=$1 " "$LAB_GW_LOG" | sed 's/^/    /'
	grep -qE "event=$1 iface=outside port=net_af_packet0 vlan=0 " "$LAB_GW_LOG" || ok=1
	grep -qE "event=$1 iface=dmz port=net_af_packet0 vlan=$VLAN " "$LAB_GW_LOG" || ok=1
	grep -qE "event=$1 iface=inside" "$LAB_GW_LOG" && ok=1
	return $ok
}
lab_check "before: the default and 172.31.0.0/16 routes are installed" \
	routes_have yes 0.0.0.0/0 172.31.0.0/16 10.20.0.0/24
nroutes0=$(lab_counter routes)
unr0=$(lab_counter icmp_err_tx)

lab_bg_stop vhost		# its socket would see the interface go away
ip -n "$NS_HQ" link set "$IF_HQ" down
lab_check "outside sees its link go down" wait_link 0 down
lab_check "dmz sees its link go down" wait_link 1 down
lab_check "inside's link stays up" expect_eq "inside link" up "$(tm /ipsecgw/interface,2 link)"
lab_check "link_down events for outside and dmz (not inside)" events_seen link_down
lab_check "routes through outside and dmz withdrawn" \
	routes_have no 0.0.0.0/0 172.31.0.0/16 10.20.0.0/24 10.10.0.0/24
lab_check "inside's routes stay" routes_have yes 192.168.10.0/24
lab_check "/ipsecgw/interface,1 routes_withdrawn" \
	expect_eq "dmz routes_withdrawn (10.20.0.0/24, 2001:db8:100::/64, 172.31.0.0/16)" 3 \
	"$(tm /ipsecgw/interface,1 routes_withdrawn)"
unreach() {
	local out
	out=$(lab_in "$NS_BR" ping -n -c 2 -i 0.3 -W 1 "$HOST_FAR_IP4" 2>&1)
	grep -E 'Unreachable|transmitted' <<<"$out"
	grep -q "From $LAB_GW_IN_IP4 .*Net Unreachable" <<<"$out"
}
lab_check "branch -> $HOST_FAR_IP4: net unreachable from the gateway" unreach
lab_check "the gateway sent ICMP errors for it" \
	expect_delta icmp_err_tx "$unr0" "$(lab_counter icmp_err_tx)" 2
lab_check "link counters" expect_eq "link_down, link_routes_withdrawn" "2 6" \
	"$(lab_counter link_down) $(lab_counter link_routes_withdrawn)"

ip -n "$NS_HQ" link set "$IF_HQ" up
lab_check "outside sees its link come back" wait_link 0 up
lab_check "dmz sees its link come back" wait_link 1 up
lab_check "link_up events for outside and dmz" events_seen link_up
lab_check "every route is back" expect_eq "routes" "$nroutes0" "$(lab_counter routes)"
host_start 2
lab_check "the default and 172.31.0.0/16 routes are back" \
	routes_have yes 0.0.0.0/0 172.31.0.0/16 10.20.0.0/24 10.10.0.0/24
lab_check "branch pings $HOST_FAR_IP4 through the VLAN again" \
	ping_ok "$NS_BR" -c 3 -i 0.2 -W 2 "$HOST_FAR_IP4"

lab_finish
