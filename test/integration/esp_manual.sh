#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Two ipsecgw back to back with mirrored manual SAs (no IKE), each on
# net_af_packet in its own namespace, a kernel router between them:
#
#   ha-ID              gwa-ID (ipsecgw A)          tr-ID (router)          gwb-ID (ipsecgw B)          hb-ID
#   hai <-> gai [inside] [outside] gao <-> tra  ...  trb <-> gbo [outside] [inside] gbi <-> hbi
#   192.168.10.10    192.168.10.1   10.10.0.1   10.10.0.254  10.20.0.254   10.20.0.1  172.16.1.1   172.16.1.10
#   2001:db8:20::10  2001:db8:20::1 2001:db8:10::1 ...::fe   2001:db8:30::fe  ::1     2001:db8:40::1  ::10
#
# Two SA pairs between 10.10.0.1 and 10.20.0.1:
#   lab4  inner IPv4 192.168.10.0/24 <-> 172.16.1.0/24, aes128gcm16
#         (allow_unsafe_manual_gcm), plain ESP (IP protocol 50)
#   lab6  inner IPv6 2001:db8:20::/64 <-> 2001:db8:40::/64, aes256-sha256,
#         encap = true (ESP in UDP 4500)
# The router has routes to both inner networks, so a gateway that let
# protected traffic out in the clear would deliver it: only the SAs and
# the policies keep it off the wire.
#
# Checks: both configurations pass --check; ping ha <-> hb over IPv4 and
# IPv6; a capture on the transit link holds ESP and ESP-in-UDP between the
# gateway addresses and not one cleartext packet of the inner networks;
# `show crypto ipsec sa` on both gateways shows every SA counting;
# `show crypto ipsec sa detail`; cleartext pings from the router to ha are
# dropped by A (drop_cleartext_protected) and seen by the capture check;
# then `clear crypto sa lab4` on A: IPv4
# pings fail both ways, drop_protect_no_sa (A's outbound) and
# drop_no_sa_in (B's packets to A's retired SPI) rise, IPv6 over lab6 still
# works, the capture still shows no cleartext; `show ipsecgw drops`
# names every drop reason; the retired SAs are reclaimed; SIGTERM exits 0.
#
#   test/integration/esp_manual.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init esp_manual "${1:?usage: esp_manual.sh IPSECGW IPSECGW_CLI}" "${2:?}"

GW_A=10.10.0.1
GW_B=10.20.0.1
HA4=192.168.10.10
HA6=2001:db8:20::10
HB4=172.16.1.10
HB6=2001:db8:40::10
INNER=(192.168.10.0/24 172.16.1.0/24 2001:db8:20::/64 2001:db8:40::/64)

NS_HA=ha-$LAB_ID
NS_GA=gwa-$LAB_ID
NS_TR=tr-$LAB_ID
NS_GB=gwb-$LAB_ID
NS_HB=hb-$LAB_ID
IF_HA=hai$LAB_ID	# kernel, ha
IF_GAI=gai$LAB_ID	# DPDK, A inside
IF_GAO=gao$LAB_ID	# DPDK, A outside
IF_TRA=tra$LAB_ID	# kernel, router towards A (the capture point)
IF_TRB=trb$LAB_ID	# kernel, router towards B
IF_GBO=gbo$LAB_ID	# DPDK, B outside
IF_GBI=gbi$LAB_ID	# DPDK, B inside
IF_HB=hbi$LAB_ID	# kernel, hb

# ---------------------------------------------------------------- topology
topology() {
	local ns
	for ns in "$NS_HA" "$NS_GA" "$NS_TR" "$NS_GB" "$NS_HB"; do
		lab_netns_add "$ns"
	done
	lab_netns_quiet "$NS_GA"
	lab_netns_quiet "$NS_GB"
	lab_veth "$NS_HA" "$IF_HA" "$NS_GA" "$IF_GAI"
	lab_veth "$NS_GA" "$IF_GAO" "$NS_TR" "$IF_TRA"
	lab_veth "$NS_TR" "$IF_TRB" "$NS_GB" "$IF_GBO"
	lab_veth "$NS_GB" "$IF_GBI" "$NS_HB" "$IF_HB"
	lab_tx_off "$NS_HA" "$IF_HA"
	lab_tx_off "$NS_TR" "$IF_TRA"
	lab_tx_off "$NS_TR" "$IF_TRB"
	lab_tx_off "$NS_HB" "$IF_HB"

	ip -n "$NS_HA" addr add "$HA4/24" dev "$IF_HA"
	ip -n "$NS_HA" addr add "$HA6/64" dev "$IF_HA" nodad
	ip -n "$NS_HA" route add default via 192.168.10.1
	ip -n "$NS_HA" route add default via 2001:db8:20::1

	ip -n "$NS_HB" addr add "$HB4/24" dev "$IF_HB"
	ip -n "$NS_HB" addr add "$HB6/64" dev "$IF_HB" nodad
	ip -n "$NS_HB" route add default via 172.16.1.1
	ip -n "$NS_HB" route add default via 2001:db8:40::1
	ip -n "$NS_HB" addr add 172.16.9.10/32 dev lo	# lablife's network

	ip -n "$NS_TR" addr add 10.10.0.254/24 dev "$IF_TRA"
	ip -n "$NS_TR" addr add 2001:db8:10::fe/64 dev "$IF_TRA" nodad
	ip -n "$NS_TR" addr add 10.20.0.254/24 dev "$IF_TRB"
	ip -n "$NS_TR" addr add 2001:db8:30::fe/64 dev "$IF_TRB" nodad
	lab_in "$NS_TR" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward &&
		echo 1 > /proc/sys/net/ipv6/conf/all/forwarding' || lab_die "router set-up failed"
	# Routes to the inner networks: cleartext would get through.
	ip -n "$NS_TR" route add 192.168.10.0/24 via "$GW_A"
	ip -n "$NS_TR" route add 2001:db8:20::/64 via 2001:db8:10::1
	ip -n "$NS_TR" route add 172.16.1.0/24 via "$GW_B"
	ip -n "$NS_TR" route add 2001:db8:40::/64 via 2001:db8:30::1
	lab_log "namespaces $NS_HA $NS_GA $NS_TR $NS_GB $NS_HB"
}

hexkey() { printf '0x%s' "$(od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n')"; }

# Keys: one per direction, the same on both sides (A's out = B's in).
K4_AB=$(hexkey 20)	# AES-128 key + 4-byte salt
K4_BA=$(hexkey 20)
K6_AB=$(hexkey 32)	# AES-256
K6_BA=$(hexkey 32)
A6_AB=$(hexkey 32)	# HMAC-SHA-256
A6_BA=$(hexkey 32)
KL_AB=$(hexkey 16)	# AES-128
KL_BA=$(hexkey 16)
AL_AB=$(hexkey 32)	# HMAC-SHA-256
AL_BA=$(hexkey 32)
LIFE_PKTS=10		# lablife: hard lifetime 10 packets, soft 9

# gw_conf OUT OUT_IF IN_IF OUT_ADDRS IN_ADDRS GW4 GW6 SAS [EXTRA_ROUTES]
gw_conf() {
	cat >"$1" <<EOF
eal = [ "--no-huge", "-m", "1024", "--no-pci",
        "--vdev=net_af_packet0,iface=$2",
        "--vdev=net_af_packet1,iface=$3" ];
workers = 1;
log_level = "info";
worker_idle_backoff = true;
interfaces = (
  { name = "outside"; port = "net_af_packet0"; address = [ $4 ]; },
  { name = "inside";  port = "net_af_packet1"; address = [ $5 ]; }
);
routes = (
  { prefix = "0.0.0.0/0"; via = "$6"; },
  { prefix = "::/0"; via = "$7"; }${9:-}
);
telemetry = { socket_mode = "0660"; };
manual_sas = (
$8
);
EOF
}

# sa NAME LOCAL REMOTE LTS RTS ESP SPI_IN SPI_OUT ENC_IN ENC_OUT AUTH_IN AUTH_OUT EXTRA
sa() {
	local auth=""
	[[ -n ${11} ]] && auth="auth_key_in = \"${11}\"; auth_key_out = \"${12}\";"
	printf '  { name = "%s"; local = "%s"; remote = "%s";\n' "$1" "$2" "$3"
	printf '    local_ts = [ "%s" ]; remote_ts = [ "%s" ]; esp = "%s";\n' "$4" "$5" "$6"
	printf '    spi_in = %s; spi_out = %s;\n' "$7" "$8"
	printf '    enc_key_in = "%s"; enc_key_out = "%s"; %s\n' "$9" "${10}" "$auth"
	printf '    %s }' "${13}"
}

conf_a() {
	gw_conf "$1" "$IF_GAO" "$IF_GAI" '"10.10.0.1/24", "2001:db8:10::1/64"' \
		'"192.168.10.1/24", "2001:db8:20::1/64"' 10.10.0.254 2001:db8:10::fe \
		"$(sa lab4 "$GW_A" "$GW_B" 192.168.10.0/24 172.16.1.0/24 aes128gcm16 0x1001 0x2001 \
			"$K4_BA" "$K4_AB" "" "" "allow_unsafe_manual_gcm = true;"),
$(sa lab6 "$GW_A" "$GW_B" 2001:db8:20::/64 2001:db8:40::/64 aes256-sha256 0x1002 0x2002 \
			"$K6_BA" "$K6_AB" "$A6_BA" "$A6_AB" "encap = true;"),
$(sa lablife "$GW_A" "$GW_B" 192.168.10.0/24 172.16.9.0/24 aes128-sha256 0x1003 0x2003 \
			"$KL_BA" "$KL_AB" "$AL_BA" "$AL_AB" "lifetime_packets = $LIFE_PKTS;")"
}

conf_b() {
	gw_conf "$1" "$IF_GBO" "$IF_GBI" '"10.20.0.1/24", "2001:db8:30::1/64"' \
		'"172.16.1.1/24", "2001:db8:40::1/64"' 10.20.0.254 2001:db8:30::fe \
		"$(sa lab4 "$GW_B" "$GW_A" 172.16.1.0/24 192.168.10.0/24 aes128gcm16 0x2001 0x1001 \
			"$K4_AB" "$K4_BA" "" "" "allow_unsafe_manual_gcm = true;"),
$(sa lab6 "$GW_B" "$GW_A" 2001:db8:40::/64 2001:db8:20::/64 aes256-sha256 0x2002 0x1002 \
			"$K6_AB" "$K6_BA" "$A6_AB" "$A6_BA" "encap = true;"),
$(sa lablife "$GW_B" "$GW_A" 172.16.9.0/24 192.168.10.0/24 aes128-sha256 0x2003 0x1003 \
			"$KL_AB" "$KL_BA" "$AL_AB" "$AL_BA" "lifetime_packets = $LIFE_PKTS;")" \
		',
  { prefix = "172.16.9.0/24"; via = "172.16.1.10"; }'
}

# ---------------------------------------------------------------- helpers
PFX_A=ipsecgw-esp_manual-$LAB_ID-a
PFX_B=ipsecgw-esp_manual-$LAB_ID-b
LOG_A=$LAB_TMP/ipsecgw-a.log
LOG_B=$LAB_TMP/ipsecgw-b.log

cli_a() { RUNTIME_DIRECTORY=$LAB_RUNDIR "$IPSECGW_CLI" --file-prefix "$PFX_A" "$@"; }
cli_b() { RUNTIME_DIRECTORY=$LAB_RUNDIR "$IPSECGW_CLI" --file-prefix "$PFX_B" "$@"; }
# raw_get A|B COMMAND FIELD
raw_get() { "cli_${1,,}" --raw "$2" | "$LAB_PY" "$LAB_SRC/jsonget.py" "$3"; }
drop_of() { raw_get "$1" /ipsecgw/dp/drops "$2"; }

# Both gateways' logs on a failure (lab_teardown shows only the last one).
teardown() {
	local rc=$?
	if ((LAB_FAIL > 0 || rc != 0)); then
		for f in "$LOG_A" "$LOG_B"; do
			[[ -f $f ]] && { echo "--- $f"; tail -n 25 "$f" | sed 's/^/  | /'; }
		done
	fi
	(exit "$rc")
	lab_teardown
}
trap teardown EXIT

# start_gw A|B CONF NS: lab_gw_start under its own prefix; the PID is handed
# to LAB_BG so that lab_teardown stops it.
start_gw() {
	lab_set_prefix "${1,,}"
	lab_gw_start "$2" "$3"
	LAB_BG[gw$1]=$LAB_GW_PID
	LAB_GW_PID=
}

# stop_gw A|B: SIGTERM (not from a subshell: the gateway is our child);
# its exit status in GW_RC.
stop_gw() {
	local pid=${LAB_BG[gw$1]:-} i
	GW_RC=none
	[[ -n $pid ]] || return 0
	kill -TERM "$pid"
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && { lab_log "gateway $1 ignored SIGTERM for 15 s"; return 0; }
	wait "$pid"
	GW_RC=$?
	unset "LAB_BG[gw$1]"
}

CAP_N=0
# capture_start: tcpdump on the router's side of A's outside link.
capture_start() {
	local i
	CAP_N=$((CAP_N + 1))
	CAP_FILE=$LAB_TMP/transit-$CAP_N.pcap
	lab_bg_start cap "$LAB_TMP/tcpdump-$CAP_N.log" /usr/bin/ip netns exec "$NS_TR" \
		tcpdump -i "$IF_TRA" -n -U -w "$CAP_FILE"
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$LAB_TMP/tcpdump-$CAP_N.log" 2>/dev/null && return 0
		sleep 0.1
	done
	lab_die "tcpdump did not start: $(cat "$LAB_TMP/tcpdump-$CAP_N.log")"
}

capture_stop() {
	sleep 0.5
	lab_bg_stop cap
	CAP_SUMMARY=$("$LAB_PY" "$LAB_SRC/esp_capture.py" "$CAP_FILE" "$GW_A" "$GW_B" "${INNER[@]}")
}

# cap_count KIND: a count from the last capture's summary line.
cap_count() { tail -n 1 <<<"$CAP_SUMMARY" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# capture_clean: no cleartext of the inner networks, nothing unexpected.
capture_clean() {
	echo "$CAP_SUMMARY"
	expect_eq "cleartext packets of the inner networks on the transit link" 0 "$(cap_count leak)" &&
		expect_eq "unexpected packets on the transit link" 0 "$(cap_count other)"
}

# capture_has KIND MIN
capture_has() {
	local n
	n=$(cap_count "$1")
	echo "$1 frames on the transit link: $n"
	[[ $n =~ ^[0-9]+$ ]] && ((n >= $2))
}

# ping_all NS ARGS...: every echo answered.
ping_all() {
	local ns=$1 out
	shift
	out=$(lab_in "$ns" ping -n "$@" 2>&1)
	grep -E 'packets transmitted|rtt' <<<"$out"
	grep -qE ' 0% packet loss' <<<"$out"
}

# ping_none NS ARGS...: not one echo answered.
ping_none() {
	local ns=$1 out
	shift
	out=$(lab_in "$ns" ping -n "$@" 2>&1)
	grep -E 'packets transmitted' <<<"$out"
	grep -qE ' 0 received' <<<"$out" || { echo "expected no replies"; return 1; }
}

# sa_counting A|B: 6 SAs live, those of lab4 and lab6 with packets counted.
sa_counting() {
	"cli_${1,,}" show crypto ipsec sa || return 1
	"cli_${1,,}" --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
bad = [(r["name"][i], r["dir"][i], r["pkts"][i], r["state"][i])
       for i in range(len(r["ids"]))
       if r["state"][i] != "live" or (r["name"][i] != "lablife" and r["pkts"][i] == 0)]
names = sorted(set(zip(r["name"], r["dir"])))
print("SAs:", names)
if len(r["ids"]) != 6 or bad:
    sys.exit("expected 6 live SAs, lab4 and lab6 with packets; not so: %s" % bad)
'
}

# sa_detail A|B NAME DIR: `show crypto ipsec sa detail HANDLE` of that SA.
sa_detail() {
	local h
	h=$("cli_${1,,}" --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
print([r["ids"][i] for i in range(len(r["ids"]))
       if r["name"][i] == sys.argv[1] and r["dir"][i] == sys.argv[2]][0])' "$2" "$3") || return 1
	lab_show_words_on "$1" show crypto ipsec sa detail "$h" -- "$2" spi replay_window seq \
		drop_replay drop_icv owner
}

# lab_show_words for gateway A or B.
lab_show_words_on() {
	local gw=$1 out s words=()
	shift
	while [[ $1 != -- ]]; do words+=("$1"); shift; done
	shift
	out=$("cli_${gw,,}" "${words[@]}" 2>&1) || { echo "$out"; echo "ipsecgw-cli ${words[*]} failed"; return 1; }
	echo "$out"
	for s in "$@"; do
		grep -qiF -- "$s" <<<"$out" || { echo "expected '$s' in 'ipsecgw-cli ${words[*]}'"; return 1; }
	done
}

# ---------------------------------------------------------------- start
topology
conf_a "$LAB_TMP/gwa.conf"
conf_b "$LAB_TMP/gwb.conf"
lab_say "configurations"
lab_check "gateway A's configuration passes --check" lab_conf_ok "$LAB_TMP/gwa.conf"
lab_check "gateway B's configuration passes --check" lab_conf_ok "$LAB_TMP/gwb.conf"

lab_say "two gateways"
start_gw A "$LAB_TMP/gwa.conf" "$NS_GA"
LOG_A=$LAB_GW_LOG
start_gw B "$LAB_TMP/gwb.conf" "$NS_GB"
LOG_B=$LAB_GW_LOG

# ---------------------------------------------------------------- traffic
lab_say "traffic through the tunnel"
capture_start
# The first packets wait for ARP/ND of the next hops: warm up, then count.
lab_in "$NS_HA" ping -n -c 3 -i 0.3 -W 1 "$HB4" >/dev/null 2>&1
lab_in "$NS_HA" ping -n -6 -c 3 -i 0.3 -W 1 "$HB6" >/dev/null 2>&1
lab_check "ha -> hb IPv4 over lab4 (aes128gcm16, ESP)" ping_all "$NS_HA" -c 5 -i 0.2 -W 2 "$HB4"
lab_check "hb -> ha IPv4 over lab4" ping_all "$NS_HB" -c 5 -i 0.2 -W 2 "$HA4"
lab_check "ha -> hb IPv6 over lab6 (aes256-sha256, ESP in UDP 4500)" ping_all "$NS_HA" -6 -c 5 -i 0.2 -W 2 "$HB6"
lab_check "hb -> ha IPv6 over lab6" ping_all "$NS_HB" -6 -c 5 -i 0.2 -W 2 "$HA6"
lab_check "ha -> hb IPv4, 1400-byte payloads" ping_all "$NS_HA" -c 3 -i 0.2 -W 2 -s 1400 "$HB4"
capture_stop
lab_check "the transit link carried ESP (protocol 50) between $GW_A and $GW_B" capture_has esp 20
lab_check "the transit link carried ESP in UDP 4500 between $GW_A and $GW_B" capture_has natt 20
lab_check "the transit link carried no cleartext of the inner networks" capture_clean

lab_say "the SAs in the CLI and telemetry"
lab_check "gateway A: show crypto ipsec sa: 6 live SAs, lab4 and lab6 counting" sa_counting A
lab_check "gateway B: show crypto ipsec sa: 6 live SAs, lab4 and lab6 counting" sa_counting B
lab_check "gateway A: show crypto ipsec sa lists SPIs and peers" \
	lab_show_words_on A show crypto ipsec sa -- lab4 lab6 0x00001001 0x00002001 0x00001002 \
	0x00002002 aes128gcm16 aes256-sha256 "$GW_B" udp-4500 live
lab_check "gateway A: show crypto ipsec sa detail of lab4 out" sa_detail A lab4 out
lab_check "gateway B: show crypto ipsec sa detail of lab6 in" sa_detail B lab6 in

# ---------------------------------------------------------------- cleartext in
lab_say "cleartext for a protected network, from the transit side"
# The router pings ha in the clear from an address of hb's network (a
# protected selector: src in remote_ts, dst in local_ts): A must drop it
# (drop_cleartext_protected) and the capture must see it, which also shows
# that the leak check finds cleartext.  From the router's own address the
# same ping matches no policy and is forwarded: checked first.
ip -n "$NS_TR" addr add 172.16.1.99/32 dev lo
ip -n "$NS_TR" addr add 2001:db8:40::99/128 dev lo
lab_check "router -> ha from 10.10.0.254 (no policy) is routed in the clear" \
	ping_all "$NS_TR" -c 2 -i 0.2 -W 2 "$HA4"
ctp_before=$(drop_of A drop_cleartext_protected)
capture_start
lab_check "router -> ha from 172.16.1.99 in the clear gets no reply" \
	ping_none "$NS_TR" -I 172.16.1.99 -c 3 -i 0.2 -W 1 "$HA4"
lab_check "router -> ha from 2001:db8:40::99 in the clear gets no reply" \
	ping_none "$NS_TR" -6 -I 2001:db8:40::99 -c 3 -i 0.2 -W 1 "$HA6"
capture_stop
lab_check "gateway A: drop_cleartext_protected counted the 6 pings" \
	expect_delta drop_cleartext_protected "$ctp_before" "$(drop_of A drop_cleartext_protected)" 6
lab_check "the capture flags those cleartext pings (the leak check sees cleartext)" capture_has leak 6

# ---------------------------------------------------------------- clear
lab_say "clear crypto sa lab4 on gateway A"
pns_before=$(drop_of A drop_protect_no_sa)
nsa_before=$(drop_of A drop_no_sa_in)
retired_before=$(raw_get A /ipsecgw/sa_stats retired)
capture_start
lab_check "clear crypto sa lab4" lab_show_words_on A clear crypto sa lab4 -- "lab4 cleared" "2 SAs retired"
clear_again() {
	local out
	out=$(cli_a clear crypto sa lab4 2>&1) && { echo "$out"; echo "a second clear succeeded"; return 1; }
	echo "$out"
	grep -q "already cleared" <<<"$out"
}
lab_check "a second clear is refused" clear_again
lab_check "ha -> hb IPv4 now fails (A has no outbound SA)" ping_none "$NS_HA" -c 5 -i 0.2 -W 1 "$HB4"
lab_check "hb -> ha IPv4 now fails (A has no inbound SA)" ping_none "$NS_HB" -c 5 -i 0.2 -W 1 "$HA4"
lab_check "ha -> hb IPv6 over lab6 still works" ping_all "$NS_HA" -6 -c 3 -i 0.2 -W 2 "$HB6"
capture_stop
lab_check "gateway A: drop_protect_no_sa counted the 5 outbound pings" \
	expect_delta drop_protect_no_sa "$pns_before" "$(drop_of A drop_protect_no_sa)" 5
lab_check "gateway A: drop_no_sa_in counted B's 5 pings to the retired SPI" \
	expect_delta drop_no_sa_in "$nsa_before" "$(drop_of A drop_no_sa_in)" 5
lab_check "after the clear the transit link still carried no cleartext" capture_clean
lab_check "B's ESP for the retired SA still arrived encrypted" capture_has esp 5
drops_table() {
	lab_show_words_on A show ipsecgw drops -- drop_no_sa_in drop_protect_no_sa \
		drop_cleartext_protected drop_policy_discard drop_replay drop_icv drop_bad_padding \
		drop_ts_mismatch drop_lifetime drop_seq_overflow drop_malformed drop_tx_full \
		drop_no_route drop_no_neighbor drop_frag drop_ecn || return 1
	local want line
	want=$(drop_of A drop_protect_no_sa)
	line=$(cli_a show ipsecgw drops | grep -w drop_protect_no_sa)
	grep -qE "drop_protect_no_sa +$want\$" <<<"$line" ||
		{ echo "expected drop_protect_no_sa $want in '$line'"; return 1; }
	expect_eq "entries of /ipsecgw/dp/drops" 16 \
		"$(cli_a --raw /ipsecgw/dp/drops | "$LAB_PY" -c 'import json,sys; print(len(list(json.load(sys.stdin).values())[0]))')"
}
lab_check "show ipsecgw drops: every reason, drop_protect_no_sa as counted" drops_table
reclaimed() {
	local i r
	for ((i = 0; i < 50; i++)); do
		r=$(raw_get A /ipsecgw/sa_stats live)
		[[ $r == 4 ]] && [[ $(raw_get A /ipsecgw/sa_stats retiring) == 0 ]] && break
		sleep 0.1
	done
	cli_a --raw /ipsecgw/sa_stats
	expect_eq "live SAs on A" 4 "$(raw_get A /ipsecgw/sa_stats live)" &&
		expect_eq "retiring SAs on A" 0 "$(raw_get A /ipsecgw/sa_stats retiring)" &&
		expect_delta retired "$retired_before" "$(raw_get A /ipsecgw/sa_stats retired)" 2 2
}
lab_check "gateway A: the retired pair is reclaimed after the grace period" reclaimed
lab_check "gateway A: show crypto ipsec sa lists lab6 and lablife" \
	lab_show_words_on A show crypto ipsec sa -- lab6 0x00001002 0x00002002 lablife
no_lab4() { ! cli_a show crypto ipsec sa | grep -q lab4 || { echo "lab4 still listed"; return 1; }; }
lab_check "gateway A: lab4 is gone from the list" no_lab4
lab_check "gateway A logged the clear" grep -q "manual SA lab4 cleared" "$LOG_A"

# ---------------------------------------------------------------- lifetime
lab_say "lablife: a $LIFE_PKTS-packet hard lifetime"
life_before=$(drop_of A drop_lifetime)
life_ping() {
	local out n
	out=$(lab_in "$NS_HA" ping -n -c 16 -i 0.2 -W 1 172.16.9.10 2>&1)
	grep -E 'packets transmitted' <<<"$out"
	n=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
	# The first echoes get through; after $LIFE_PKTS packets an SA stops.
	[[ $n =~ ^[0-9]+$ ]] && ((n >= 3 && n <= LIFE_PKTS)) ||
		{ echo "expected 3 to $LIFE_PKTS replies, saw '$n'"; return 1; }
}
lab_check "ha -> hb over lablife: replies until the lifetime ends" life_ping
sleep 0.5	# events are drained on the control plane's 100 ms tick
lab_check "gateway A: drop_lifetime counted the packets after the hard lifetime" \
	expect_delta drop_lifetime "$life_before" "$(drop_of A drop_lifetime)" 1
life_logged() {
	grep -E "SA lablife (in|out) SPI.*(soft|hard) lifetime" "$LOG_A"
	grep -qE "SA lablife out SPI 0x00002003 .*soft lifetime reached \(manual SA: no rekey" "$LOG_A" &&
		grep -qE "SA lablife out SPI 0x00002003 .*hard lifetime reached; SA stopped \(manual SA" "$LOG_A"
}
lab_check "gateway A logged lablife's soft and hard lifetime events (manual: no rekey)" life_logged
lab_check "gateway A: events counted in /ipsecgw/sa_stats" \
	expect_delta events_seen 0 "$(raw_get A /ipsecgw/sa_stats events_seen)" 2
lab_check "gateway A: show crypto ipsec sa shows lablife stopped" \
	lab_show_words_on A show crypto ipsec sa -- lablife stopped
lab_check "gateway A: lab6 is unaffected" ping_all "$NS_HA" -6 -c 2 -i 0.2 -W 2 "$HB6"

# ---------------------------------------------------------------- shutdown
lab_say "SIGTERM"
stop_gw A
lab_check "gateway A exits 0 on SIGTERM" expect_eq "gateway A exit status" 0 "$GW_RC"
stop_gw B
lab_check "gateway B exits 0 on SIGTERM" expect_eq "gateway B exit status" 0 "$GW_RC"
lab_finish
