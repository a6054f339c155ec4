# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# The revocation lab (issue 6): ipsecgw between a branch and three (or
# more) strongSwan peers, each with its own certificate, numbered traffic
# on every tunnel, and the CA's CRLs served over HTTP.  Shared by the demo
# (test/lab/demo.sh) and the tests (test/integration/revoke_swan.sh).
# Source test/lab/lab.sh, test/lab/swan.sh and this file, then:
#
#   revlab_init NAME IPSECGW CLI PKI_TOOL
#                         lab_init + swan_init; REVLAB_* below
#   revlab_topology       lab_topology + lab_mgmt, the "wan" bridge in hq,
#                         one namespace per peer (REVLAB_PEERS)
#   revlab_pki            pki_tool init; peerN.crt for every peer (serial
#                         0x300N, SAN DNS:peerN.lab.example) by "inter", or
#                         by "inter2" (a second intermediate of the root,
#                         serial 0x30) for the peers in REVLAB_INTER2_PEERS;
#                         ca.crt = root + inter + inter2
#   revlab_crl_server     root, inter and inter2 CRLs (nothing revoked,
#                         number 1) over HTTP from the ca namespace; with
#                         REVLAB_FAULT_SRV=1, served by test/lab/
#                         crl_fault_srv.py, whose behaviour is switched by
#   revlab_fault MODE [PATH]   file down close slow 500 garbage huge
#                         huge-nolen, for PATH ("/inter.crl") or every path
#   revlab_fault_requests [PATH] [SINCE]
#                         the requests it served: "t gap path mode status
#                         dur bytes end", one line each
#   revlab_publish ISSUER NUMBER [SERIALS] [pki_tool crl options]
#                         a new CRL of ISSUER (root|inter|inter2|forged; a
#                         forged CRL is served as inter.crl) revoking SERIALS
#                         ("0x3002,0x3003", may be empty), served at once
#   revlab_gw_conf OUT [DISCONNECT]
#                         the gateway's configuration: af_packet, the PKI
#                         (trustpoint LAB-CA, revocation_check = "crl"), one
#                         peers entry per peer (ike_version 1 for the peers
#                         in REVLAB_V1_PEERS); crypto.ikev2.
#                         disconnect_revoked_peers = DISCONNECT (true), and
#                         crypto.isakmp's too when there are IKEv1 peers
#   revlab_gw_start OUT   lab_gw_start, then wait for the three CRLs
#   revlab_peer N         charon "peerN" in its namespace, connection "gw"
#                         (child "net", swanctl version = revlab_version N),
#                         loaded; dpd_delay REVLAB_DPD_DELAY (0s: off) and
#                         dpd_action REVLAB_DPD_ACTION (none)
#   revlab_version N      1 if peer N speaks IKEv1 (REVLAB_V1_PEERS), else 2
#   revlab_peer_up N      swanctl --initiate; IKE and CHILD SA up on both sides
#   revlab_peers_up       every peer of REVLAB_PEERS: revlab_peer + revlab_peer_up
#   revlab_start          the whole set-up of a test: revlab_topology,
#                         revlab_pki, revlab_crl_server, $LAB_TMP/gw.conf by
#                         revlab_gw_conf (disconnect on), revlab_gw_start,
#                         revlab_peers_up, revlab_flows_start; a lab_check
#                         that traffic flows on every tunnel
#   revlab_still_up N...  the gateway and peers N...'s charons have their
#                         sessions (revlab_gw_up, swan_ike_up)
#   revlab_flows_start    an echo server on every peer's LAN address, a 100
#                         pps ping from it to the branch, and the sender
#   revlab_sender_start [TAG]
#                         (re)start the sender in branch: one flow "peerN"
#                         per peer, REVLAB_RATE pps each (test/lab/seqflow.py);
#                         its summary goes to $LAB_TMP/flows[-TAG].json
#   revlab_sender_stop    stop sending, wait 1 s for the echoes in flight,
#                         the summary written
#   revlab_flows_flowing N...  until peers N...'s flows have echoes (10 s)
#   revlab_flows_status   the running counts, one line per flow
#   revlab_flow FLOW FIELD     one field of the last summary
#   revlab_flow_lines [N...]   one line per flow of the last summary
#   revlab_no_loss N...   peers N...'s flows lost no sequence number
#   revlab_flows_stop     the sender, the pings and the echo servers
#   revlab_crl_request    `ipsecgw-cli crypto pki crl request LAB-CA`; the
#                         time it returned is t0 (revlab_t0_mark, revlab_t0:
#                         date +%s%N, kept in a file for callers in subshells)
#   revlab_wait_gone N [SECONDS]
#                         until neither our telemetry nor peerN's swanctl
#                         shows the session (t1); t1 - t0 in ms is printed and
#                         kept in $LAB_TMP/gone-N.ms (revlab_t1 N: t1 in ns)
#   revlab_gw_up N        the gateway holds an established session of peerN
#   revlab_swan_up N      peerN's charon: IKE SA ESTABLISHED, CHILD SA INSTALLED
#   revlab_sessions       "peer:status" of every gateway session (IKEv2 and
#                         IKEv1), sorted
#   revlab_session_count VERSION
#                         how many sessions of that IKE version the gateway has
#   revlab_capture_start  tcpdump on the kernel side of both DPDK ports
#   revlab_capture_stop
#   revlab_clear_leaks N T0_NS [T1_NS]
#                         from the captures: no cleartext packet to peerN's LAN
#                         left the gateway on the outside (at all; counted
#                         after T0_NS too), none from it reached the branch
#                         (inside) after T1_NS, and none of the packets peerN
#                         sent in the clear (UDP sequence number, ICMP id and
#                         sequence) reached the branch
#   revlab_drop NAME      one counter of /ipsecgw/dp/drops
#   revlab_rev NAME       one field of /ipsecgw/revocation
#
# Topology (names carry lab.sh's run id ID):
#
#   branch-ID              gw-ID (ipsecgw)                 hq-ID: bridge wan-ID
#   192.168.10.10  <-> inside 192.168.10.1 | outside 10.10.0.1 <-> hqo-ID   10.10.0.254
#                      mgmt 10.99.0.1 <-> ca-ID 10.99.0.2     +-- p1-ID 10.10.0.11, LAN 172.16.1.1 (lo)
#                      (HTTP CRL server)                      +-- p2-ID 10.10.0.12, LAN 172.16.2.1
#                                                             +-- p3-ID 10.10.0.13, LAN 172.16.3.1
#
# Each peer namespace runs charon "peerN" (kernel-libipsec) and an echo
# server on 172.16.N.1:9000, and routes 192.168.10.0/24 via the gateway
# in the clear too: once its CHILD SA is gone, its packets to the branch
# reach the gateway in the clear and are dropped there
# (drop_cleartext_protected).  The gateway's peers "peerN" are responders
# (initiate = "none"): charon initiates.  On charon's side start_action,
# dpd_action and close_action are "none" and DPD is off: a deleted peer
# stays down (REVLAB_DPD_DELAY=2s REVLAB_DPD_ACTION=restart: charon notices
# a gateway that lost its state and initiates again).

REVLAB_PEERS=${REVLAB_PEERS:-1 2 3}
REVLAB_INTER2_PEERS=${REVLAB_INTER2_PEERS:-}
REVLAB_V1_PEERS=${REVLAB_V1_PEERS:-}	# peers that speak IKEv1 (issue 7)
REVLAB_RATE=${REVLAB_RATE:-1000}
REVLAB_PORT=8080
REVLAB_ECHO_PORT=9000
REVLAB_TP=LAB-CA
REVLAB_GW_ID=gw.lab.example
REVLAB_BR_NET=192.168.10.0/24
REVLAB_FAULT_SRV=${REVLAB_FAULT_SRV:-0}
REVLAB_DPD_DELAY=${REVLAB_DPD_DELAY:-0s}
REVLAB_DPD_ACTION=${REVLAB_DPD_ACTION:-none}
declare -A REVLAB_CRL_URL=()

revlab_ip() { echo "10.10.0.1$1"; }		# peer N's wan address
revlab_lan() { echo "172.16.$1.1"; }		# its LAN address
revlab_net() { echo "172.16.$1.0/24"; }
revlab_serial() { printf '0x%x' $((0x3000 + $1)); }
revlab_id() { echo "peer$1.lab.example"; }
revlab_ns() { echo "p$1-$LAB_ID"; }
revlab_version() { [[ " $REVLAB_V1_PEERS " == *" $1 "* ]] && echo 1 || echo 2; }

# revlab_init NAME IPSECGW CLI PKI_TOOL
revlab_init() {
	lab_init "$1" "$2" "$3"
	swan_init "$4"
	REVLAB_PKI=$LAB_TMP/pki
	REVLAB_WWW=$LAB_TMP/www
	REVLAB_FLOWS_OUT=$LAB_TMP/flows.json
	REVLAB_FLOWS_STATUS=$LAB_TMP/flows.status
	mkdir -p "$REVLAB_PKI" "$REVLAB_WWW" "$LAB_TMP/crl-cache"
	local i
	for i in root inter inter2; do
		REVLAB_CRL_URL[$i]=http://$LAB_MGMT_CA_IP4:$REVLAB_PORT/$i.crl
	done
}

revlab_topology() {
	local n ns br=wan$LAB_ID
	lab_topology
	lab_mgmt
	# hq's side of the outside link becomes a bridge port: the "wan".
	ip -n "$NS_HQ" link add "$br" type bridge forward_delay 0 stp_state 0 ||
		lab_die "cannot create bridge $br"
	ip -n "$NS_HQ" addr flush dev "$IF_HQ"
	ip -n "$NS_HQ" link set "$IF_HQ" master "$br"
	ip -n "$NS_HQ" link set "$br" up
	lab_tx_off "$NS_HQ" "$br"
	ip -n "$NS_HQ" addr add "$LAB_HQ_IP4/24" dev "$br"
	ip -n "$NS_HQ" addr add "$LAB_HQ_IP6/64" dev "$br" nodad
	ip -n "$NS_HQ" route replace 192.168.10.0/24 via "$LAB_GW_OUT_IP4"
	ip -n "$NS_HQ" route replace 2001:db8:20::/64 via "$LAB_GW_OUT_IP6"
	for n in $REVLAB_PEERS; do
		ns=$(revlab_ns "$n")
		lab_netns_add "$ns"
		lab_in "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		lab_veth "$ns" "p${n}w$LAB_ID" "$NS_HQ" "p${n}b$LAB_ID"
		ip -n "$NS_HQ" link set "p${n}b$LAB_ID" master "$br"
		# Their packets end at a DPDK port: full checksums, no GSO.
		lab_tx_off "$ns" "p${n}w$LAB_ID"
		lab_tx_off "$NS_HQ" "p${n}b$LAB_ID"
		ip -n "$ns" addr add "$(revlab_ip "$n")/24" dev "p${n}w$LAB_ID"
		ip -n "$ns" addr add "$(revlab_lan "$n")/24" dev lo
		ip -n "$ns" route add "$REVLAB_BR_NET" via "$LAB_GW_OUT_IP4"
	done
	lab_log "wan bridge $br in $NS_HQ: $IF_HQ + peers $REVLAB_PEERS ($(for n in $REVLAB_PEERS; do printf '%s ' "$(revlab_ns "$n")"; done))"
}

# ---------------------------------------------------------------- PKI

revlab_issuer() { [[ " $REVLAB_INTER2_PEERS " == *" $1 "* ]] && echo inter2 || echo inter; }

revlab_pki() {
	local n out
	swan_pki "$REVLAB_PKI"
	out=$("$SWAN_PKI_TOOL" ca "$REVLAB_PKI" inter2 --cn "LAB Inter2 CA" --serial 0x30 \
		--cdp "${REVLAB_CRL_URL[root]}") || { echo "$out"; lab_die "pki_tool ca inter2 failed"; }
	swan_indent "$out"
	cat "$REVLAB_PKI/root.crt" "$REVLAB_PKI/inter.crt" "$REVLAB_PKI/inter2.crt" \
		>"$REVLAB_PKI/ca.crt" || lab_die "cannot write ca.crt"
	for n in $REVLAB_PEERS; do
		out=$("$SWAN_PKI_TOOL" ee "$REVLAB_PKI" "peer$n" --key rsa --serial "$(revlab_serial "$n")" \
			--cn "$(revlab_id "$n")" --san "DNS:$(revlab_id "$n")" --issuer "$(revlab_issuer "$n")") ||
			{ echo "$out"; lab_die "pki_tool ee peer$n failed"; }
		swan_indent "$out"
	done
}

# revlab_publish ISSUER NUMBER [SERIALS] [pki_tool crl options]
revlab_publish() {
	local issuer=$1 number=$2 serials=${3:-} file=$1.crl
	shift 2
	shift $(($# > 0 ? 1 : 0))
	[[ $issuer == forged ]] && file=inter.crl
	lab_crl_publish "$SWAN_PKI_TOOL" "$REVLAB_PKI" "$REVLAB_WWW" "$file" "$issuer" \
		--number "$number" ${serials:+--revoke "$serials"} "$@"
}

revlab_crl_server() {
	revlab_publish root 1
	revlab_publish inter 1
	revlab_publish inter2 1
	if [[ $REVLAB_FAULT_SRV == 1 ]]; then
		REVLAB_FAULT_CTL=$LAB_TMP/fault.ctl
		REVLAB_FAULT_LOG=$LAB_TMP/fault-requests.log
		echo "* file" >"$REVLAB_FAULT_CTL"
		lab_bg_start http "$LAB_TMP/http.log" ip netns exec "$NS_CA" "$LAB_PY" \
			"$LAB_SRC/crl_fault_srv.py" serve --bind "$LAB_MGMT_CA_IP4" --port "$REVLAB_PORT" \
			--dir "$REVLAB_WWW" --control "$REVLAB_FAULT_CTL" --log "$REVLAB_FAULT_LOG"
	else
		lab_http_start http "$REVLAB_WWW" "$LAB_TMP/http.log" "$REVLAB_PORT"
	fi
	lab_http_up http "${REVLAB_CRL_URL[root]}" >/dev/null || lab_die "no HTTP server for the CRLs"
}

# revlab_fault MODE [PATH]: how crl_fault_srv.py answers PATH (every path:
# then only once the server listens, or not, accordingly).
revlab_fault() {
	"$LAB_PY" "$LAB_SRC/crl_fault_srv.py" set "$REVLAB_FAULT_CTL" "$@"
}

# revlab_fault_requests [PATH] [SINCE]: the requests served (since SINCE, Unix s).
revlab_fault_requests() {
	"$LAB_PY" "$LAB_SRC/crl_fault_srv.py" requests "$REVLAB_FAULT_LOG" ${1:+"$1"} --since "${2:-0}"
}

# ---------------------------------------------------------------- the gateway

# revlab_gw_conf OUT [DISCONNECT]
revlab_gw_conf() {
	local out=$1 disc=${2:-true} n sep=
	lab_conf_af_packet "$out" || lab_die "cannot render $out"
	lab_conf_pki "$out" "PKI_DIR=$REVLAB_PKI" "TRUSTPOINT=$REVLAB_TP" \
		"CRL_URLS=\"${REVLAB_CRL_URL[root]}\", \"${REVLAB_CRL_URL[inter]}\", \"${REVLAB_CRL_URL[inter2]}\"" \
		"CRL_CACHE_DIR=$LAB_TMP/crl-cache" || lab_die "cannot render the pki block"
	{
		if [[ -n $REVLAB_V1_PEERS ]]; then
			echo "crypto = { ikev2 = { disconnect_revoked_peers = $disc; dpd_interval = 0; };"
			echo "           isakmp = { disconnect_revoked_peers = $disc; dpd_interval = 0; }; };"
		else
			echo "crypto = { ikev2 = { disconnect_revoked_peers = $disc; dpd_interval = 0; }; };"
		fi
		echo "peers = ("
		for n in $REVLAB_PEERS; do
			printf '%s  { name = "peer%s"; ike_version = %s; remote = "%s"; remote_id = "%s";\n' \
				"$sep" "$n" "$(revlab_version "$n")" "$(revlab_ip "$n")" "$(revlab_id "$n")"
			printf '    local_id = "%s"; trustpoint = "%s"; initiate = "none";\n' \
				"$REVLAB_GW_ID" "$REVLAB_TP"
			printf '    ike_proposals = [ "aes128-sha256-ecp256" ]; esp_proposals = [ "aes128gcm16" ];\n'
			printf '    local_ts = [ "%s" ]; remote_ts = [ "%s" ]; }' "$REVLAB_BR_NET" "$(revlab_net "$n")"
			sep=$',\n'
		done
		printf '\n);\n'
	} >>"$out"
}

# revlab_crl_field CN FIELD: FIELD of the CRL whose issuer names CN.
revlab_crl_field() {
	local id reply
	for id in $(lab_cli --raw /ipsecgw/pki/crls | "$LAB_PY" "$LAB_SRC/jsonget.py" ids 2>/dev/null); do
		reply=$(lab_cli --raw "/ipsecgw/pki/crl,$id") || return 1
		if [[ $("$LAB_PY" "$LAB_SRC/jsonget.py" issuer <<<"$reply") == *"CN=$1"* ]]; then
			"$LAB_PY" "$LAB_SRC/jsonget.py" "$2" <<<"$reply"
			return
		fi
	done
	return 1
}

# revlab_crl_wait CN FIELD MIN [SECONDS]: until FIELD of CN's CRL >= MIN.
revlab_crl_wait() {
	local i v
	for ((i = 0; i < ${4:-20} * 10; i++)); do
		v=$(revlab_crl_field "$1" "$2" 2>/dev/null)
		[[ $v =~ ^[0-9]+$ ]] && ((v >= $3)) && { echo "CRL of $1: $2 = $v"; return 0; }
		sleep 0.1
	done
	echo "CRL of $1: $2 = ${v:-?} after ${4:-20} s, expected >= $3"
	return 1
}

# revlab_gw_start CONF: the gateway, holding all three CRLs.
revlab_gw_start() {
	local cn
	lab_gw_start "$1"
	for cn in "LAB Root CA" "LAB Inter CA" "LAB Inter2 CA"; do
		revlab_crl_wait "$cn" downloads 1 >/dev/null || lab_die "the gateway did not download the CRL of $cn"
	done
	lab_log "the gateway holds the root, inter and inter2 CRLs"
}

# ---------------------------------------------------------------- the peers

# revlab_peer N: charon peerN, its certificate, one connection "gw".
revlab_peer() {
	local n=$1 name=peer$1
	swan_instance "$name" "$(revlab_ns "$n")"
	swan_trust "$name" "$REVLAB_PKI"
	cp "$REVLAB_PKI/inter2.crt" "$SWAN_DIR/$name/swanctl/x509ca/" || lab_die "inter2.crt"
	swan_cert "$name" "$REVLAB_PKI" "$name"
	swan_conn "$name" gw VERSION="$(revlab_version "$n")" \
		LOCAL_ADDRS="$(revlab_ip "$n")" REMOTE_ADDRS="$LAB_GW_OUT_IP4" \
		LOCAL_ID="$(revlab_id "$n")" REMOTE_ID="$REVLAB_GW_ID" CERT="$name.crt" \
		LOCAL_TS="$(revlab_net "$n")" REMOTE_TS="$REVLAB_BR_NET" \
		START_ACTION=none DPD_DELAY="$REVLAB_DPD_DELAY" DPD_ACTION="$REVLAB_DPD_ACTION" \
		CLOSE_ACTION=none
	swan_start "$name"
	swan_load "$name" >"$SWAN_DIR/$name/load.out" 2>&1 ||
		{ cat "$SWAN_DIR/$name/load.out"; lab_die "swanctl --load-all for $name failed"; }
}

# The gateway's sessions, for the Python snippets below: the IKEv2 ones
# from /ipsecgw/ikev2/sessions, the IKEv1 ones from /ipsecgw/isakmp/peers,
# each read with its own list's record command.
REVLAB_PY_SESSIONS='
def sessions(tm):
    """{id: record} of every session, IKEv2 and IKEv1."""
    def ids(cmd):
        return (tm.query(cmd).get(cmd) or {}).get("ids", []) or []
    v1 = set(ids("/ipsecgw/isakmp/peers"))
    out = {}
    for i in set(ids("/ipsecgw/ikev2/sessions")) | v1:
        cmd = "/ipsecgw/isakmp/peer" if i in v1 else "/ipsecgw/ikev2/session"
        r = tm.query("%s,%d" % (cmd, i)).get(cmd) or {}
        if r.get("peer") is not None:
            out[i] = r
    return out
'

# revlab_no_fast_path_sa N: the fast path holds no live SA of peerN.
revlab_no_fast_path_sa() {
	lab_cli --raw /ipsecgw/sas | "$LAB_PY" -c '
import json, sys
r = list(json.load(sys.stdin).values())[0]
ids = r.get("ids", [])
live = [(r["name"][i], r["dir"][i]) for i in range(len(ids)) if r["state"][i] == "live"]
mine = [d for n, d in live if n == sys.argv[1]]
print("live fast-path SAs: %d, of %s: %d" % (len(live), sys.argv[1], len(mine)))
sys.exit(1 if mine else 0)' "peer$1"
}

# revlab_sessions: "peerN:STATUS" of every gateway session.
revlab_sessions() {
	"$LAB_PY" - "$LAB_SOCK" "$LAB_SRC" "$REVLAB_PY_SESSIONS" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
from tmquery import Telemetry
exec(sys.argv[3])
print(" ".join(sorted("%s:%s" % (r.get("peer", "?"), r.get("status", "?"))
                      for r in sessions(Telemetry(sys.argv[1])).values())))
EOF
}

# revlab_session_count VERSION
revlab_session_count() {
	"$LAB_PY" - "$LAB_SOCK" "$LAB_SRC" "$REVLAB_PY_SESSIONS" "$1" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
from tmquery import Telemetry
exec(sys.argv[3])
print(sum(1 for r in sessions(Telemetry(sys.argv[1])).values()
          if r.get("ike_version") == int(sys.argv[4])))
EOF
}

# revlab_gw_up N: the gateway has peerN's session UP.
revlab_gw_up() {
	local s
	s=$(revlab_sessions) || return 1
	echo "gateway sessions: ${s:-none}"
	[[ " $s " == *" peer$1:UP-"* ]]
}

# revlab_swan_up N: charon peerN has its IKE SA and CHILD SA.
revlab_swan_up() {
	swan_ike_up "peer$1" gw "$LAB_GW_OUT_IP4" && swan_child_up "peer$1" gw net
}

# revlab_peer_up N: charon initiates; both sides up.
revlab_peer_up() {
	local i
	swan_initiate "peer$1" net gw 15 || { cat "$SWAN_DIR/peer$1/initiate.out"; return 1; }
	echo "peer$1: swanctl --initiate took $(swan_last_ms "peer$1") ms"
	revlab_swan_up "$1" || return 1
	for ((i = 0; i < 50; i++)); do
		revlab_gw_up "$1" >/dev/null && break
		sleep 0.1
	done
	revlab_gw_up "$1"
}

revlab_peers_up() {
	local n
	for n in $REVLAB_PEERS; do
		revlab_peer "$n"
	done
	for n in $REVLAB_PEERS; do
		lab_check "peer$n ($(revlab_ip "$n"), $(revlab_id "$n"), serial $(revlab_serial "$n")) establishes IKEv$(revlab_version "$n") + CHILD SA" \
			revlab_peer_up "$n"
	done
}

revlab_still_up() {
	local n
	for n in "$@"; do
		revlab_gw_up "$n" >/dev/null || { revlab_gw_up "$n"; return 1; }
		swan_ike_up "peer$n" gw "$LAB_GW_OUT_IP4" || return 1
	done
}

revlab_start() {
	revlab_topology
	revlab_pki
	revlab_crl_server
	revlab_gw_conf "$LAB_TMP/gw.conf" true
	revlab_gw_start "$LAB_TMP/gw.conf"
	revlab_peers_up
	revlab_flows_start
	# shellcheck disable=SC2086 # the list of peers
	lab_check "traffic flows on every tunnel" revlab_flows_flowing $REVLAB_PEERS
}

# ---------------------------------------------------------------- traffic

# revlab_flows_start: echo servers and pings in the peers, then the sender.
revlab_flows_start() {
	local n
	for n in $REVLAB_PEERS; do
		lab_bg_start "echo$n" "$LAB_TMP/echo$n.log" ip netns exec "$(revlab_ns "$n")" \
			"$LAB_PY" "$LAB_SRC/seqflow.py" echo "$(revlab_lan "$n")" "$REVLAB_ECHO_PORT"
		lab_bg_start "rping$n" "$LAB_TMP/rping$n.log" ip netns exec "$(revlab_ns "$n")" \
			"$(command -v ping)" -n -q -i 0.01 -I "$(revlab_lan "$n")" "$LAB_BR_IP4"
	done
	sleep 0.3
	revlab_sender_start ""
}

# revlab_sender_start [TAG]: the sender in branch, one flow per peer; its
# summary goes to $LAB_TMP/flows[-TAG].json (REVLAB_FLOWS_OUT).
revlab_sender_start() {
	local n flows=()
	for n in $REVLAB_PEERS; do
		flows+=("peer$n=$(revlab_lan "$n"):$REVLAB_ECHO_PORT")
	done
	lab_bg_stop flows	# the previous sender, if any
	REVLAB_FLOWS_OUT=$LAB_TMP/flows${1:+-$1}.json
	rm -f "$REVLAB_FLOWS_OUT" "$REVLAB_FLOWS_STATUS"
	lab_bg_start flows "$LAB_TMP/flows${1:+-$1}.log" ip netns exec "$NS_BR" "$LAB_PY" \
		"$LAB_SRC/seqflow.py" send --rate "$REVLAB_RATE" --status "$REVLAB_FLOWS_STATUS" \
		--out "$REVLAB_FLOWS_OUT" "${flows[@]}"
}

# revlab_sender_stop: stop sending, wait 1 s for the echoes in flight.
revlab_sender_stop() {
	lab_bg_stop flows
	[[ -s $REVLAB_FLOWS_OUT ]] || { lab_log "no flow summary in $REVLAB_FLOWS_OUT"; return 1; }
}

revlab_flows_stop() {
	local n
	if lab_bg_alive flows; then
		revlab_sender_stop
	fi
	for n in $REVLAB_PEERS; do
		lab_bg_stop "rping$n"
		lab_bg_stop "echo$n"
	done
}

revlab_flows_status() {
	[[ -f $REVLAB_FLOWS_STATUS ]] || { echo "no flow status yet"; return 1; }
	"$LAB_PY" "$LAB_SRC/seqflow.py" status "$REVLAB_FLOWS_STATUS"
}

# revlab_flows_flowing N...: until the flows of peers N... have had echoes
# back (10 s), then the running counts.
revlab_flows_flowing() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$LAB_PY" -c '
import json, sys
st = json.load(open(sys.argv[1]))["flows"]
sys.exit(0 if all(st.get("peer" + n, {}).get("received", 0) > 0 for n in sys.argv[2:]) else 1)' \
			"$REVLAB_FLOWS_STATUS" "$@" 2>/dev/null && break
		sleep 0.1
	done
	revlab_flows_status || return 1
	((i < 100))
}

# revlab_flow FLOW FIELD: one field of the last sender's summary.
revlab_flow() {
	"$LAB_PY" -c '
import json, sys
v = json.load(open(sys.argv[1]))["flows"][sys.argv[2]][sys.argv[3]]
print(json.dumps(v) if isinstance(v, (list, dict)) else v)' "$REVLAB_FLOWS_OUT" "$1" "$2"
}

# revlab_flow_lines [N...]: one line per flow (all, or peers N...).
revlab_flow_lines() {
	"$LAB_PY" - "$REVLAB_FLOWS_OUT" "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for name, f in d["flows"].items():
    if len(sys.argv) > 2 and name[4:] not in sys.argv[2:]:
        continue
    last = "" if f["last_received"] is None else \
        ", last echo %.2f s before the sender stopped" % (d["stop"] - f["last_received"])
    print("%s -> %s: sent %d, received %d, lost %d, max RTT %.1f ms%s" %
          (name, f["dst"], f["sent"], f["received"], f["lost"], f["rtt_max_ms"], last))
EOF
}

# revlab_no_loss N...: the flows of peers N... lost nothing.
revlab_no_loss() {
	local n lost bad=0
	revlab_flow_lines "$@"
	for n in "$@"; do
		lost=$(revlab_flow "peer$n" lost) || return 1
		((lost == 0)) || { echo "peer$n lost $lost: $(revlab_flow "peer$n" lost_ranges | cut -c1-300)"; bad=1; }
	done
	return $bad
}

# ---------------------------------------------------------------- revocation

revlab_crl_request() {
	local out rc
	out=$(lab_cli crypto pki crl request "$REVLAB_TP" 2>&1)
	rc=$?
	revlab_t0_mark
	echo "$out"
	return $rc
}

# t0 lives in a file: the callers run under lab_check, in a subshell.
revlab_t0_mark() { date +%s%N >"$LAB_TMP/t0.ns"; }
revlab_t0() { cat "$LAB_TMP/t0.ns"; }
# revlab_t1 N: t0 + peerN's measured t1 - t0, in ns (date +%s%N).
revlab_t1() { echo $(($(revlab_t0) + $(cat "$LAB_TMP/gone-$1.ms") * 1000000)); }

# revlab_wait_gone N [SECONDS]
revlab_wait_gone() {
	local t0
	t0=$(revlab_t0) || return 1
	rm -f "$LAB_TMP/gone-$1.ms"
	"$LAB_PY" - "$LAB_SOCK" "$LAB_SRC" "peer$1" "$t0" "${2:-10}" "$LAB_TMP/gone-$1.ms" \
		"$SWAN_SWANCTL" "$(swan_vici "peer$1")" "$SWAN_DIR/peer$1/strongswan.conf" \
		"$REVLAB_PY_SESSIONS" <<'EOF'
import os, subprocess, sys, time
sys.path.insert(0, sys.argv[2])
from tmquery import Telemetry
sock, _, peer, t0, limit, out, swanctl, uri, conf, py_sessions = sys.argv[1:]
exec(py_sessions)
t0, limit = int(t0) / 1e9, float(limit)
tm = Telemetry(sock)
env = dict(os.environ, STRONGSWAN_CONF=conf)
gw_gone = swan_gone = None
while True:
    now = time.time()
    if gw_gone is None:
        if not any(r.get("peer") == peer for r in sessions(tm).values()):
            gw_gone = now
    if swan_gone is None:
        sas = subprocess.run([swanctl, "--list-sas", "--uri", uri, "--raw"], env=env,
                             capture_output=True, text=True)
        if sas.returncode == 0 and "list-sa event {gw {" not in sas.stdout:
            swan_gone = now
    if gw_gone is not None and swan_gone is not None:
        break
    if now - t0 > limit:
        print("%s: session still up %.0f ms after t0: ipsecgw %s, charon %s" % (peer, (now - t0) * 1e3,
              "gone" if gw_gone else "up", "gone" if swan_gone else "up"))
        sys.exit(1)
    time.sleep(0.01)
ms = (max(gw_gone, swan_gone) - t0) * 1e3
open(out, "w").write("%.0f\n" % ms)
print("%s: gone from ipsecgw's telemetry %.0f ms and from charon's --list-sas %.0f ms after t0: t1 - t0 = %.0f ms"
      % (peer, (gw_gone - t0) * 1e3, (swan_gone - t0) * 1e3, ms))
EOF
}

revlab_drop() { lab_cli --raw /ipsecgw/dp/drops | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"; }
revlab_rev() { lab_cli --raw /ipsecgw/revocation | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"; }

# ---------------------------------------------------------------- captures

# tcpdump on the kernel side of both DPDK ports, frames coming from the
# gateway only (-Q in): the outside (hqo, to the wan) and the inside (bri,
# to the branch); and, on the outside, peers' cleartext to the gateway.
revlab_capture_start() {
	local i
	lab_bg_start cap-out "$LAB_TMP/cap-out.log" ip netns exec "$NS_HQ" "$(command -v tcpdump)" \
		-n -U -Q in -i "$IF_HQ" -w "$LAB_TMP/out-from-gw.pcap" ip and dst net 172.16.0.0/16
	lab_bg_start cap-in "$LAB_TMP/cap-in.log" ip netns exec "$NS_BR" "$(command -v tcpdump)" \
		-n -U -Q in -i "$IF_BR" -w "$LAB_TMP/in-from-gw.pcap" ip and src net 172.16.0.0/16
	lab_bg_start cap-clear "$LAB_TMP/cap-clear.log" ip netns exec "$NS_HQ" "$(command -v tcpdump)" \
		-n -U -Q out -i "$IF_HQ" -w "$LAB_TMP/out-to-gw.pcap" ip and src net 172.16.0.0/16
	for ((i = 0; i < 50; i++)); do
		grep -q "listening on" "$LAB_TMP/cap-out.log" && grep -q "listening on" "$LAB_TMP/cap-in.log" &&
			grep -q "listening on" "$LAB_TMP/cap-clear.log" && return 0
		sleep 0.1
	done
	lab_die "tcpdump did not start ($LAB_TMP/cap-*.log)"
}

revlab_capture_stop() {
	sleep 0.2
	lab_bg_stop cap-out
	lab_bg_stop cap-in
	lab_bg_stop cap-clear
}

# revlab_clear_leaks N T0_NS [T1_NS]
revlab_clear_leaks() {
	"$LAB_PY" - "$LAB_TMP" "$(revlab_lan "$1")" "$2" "${3:-0}" <<'EOF'
import socket, struct, sys
tmp, lan, t0, t1 = sys.argv[1], socket.inet_aton(sys.argv[2]), int(sys.argv[3]) / 1e9, int(sys.argv[4]) / 1e9
net = lan[:3]

def packets(path):
    """(time, ip header + payload) of each frame of a pcap (Ethernet or Linux cooked)."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return
    le = data[:4] == b"\xd4\xc3\xb2\xa1"
    nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    e = "<" if le or data[:4] == b"\x4d\x3c\xb2\xa1" else ">"
    link = struct.unpack(e + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if link == 1:
            pkt = pkt[14:]
        elif link == 113:
            pkt = pkt[16:]
        yield sec + frac / (1e9 if nano else 1e6), pkt

def seq(pkt):
    """What identifies a packet of the lab's traffic: ("udp", seqflow's
    sequence number) or ("icmp", echo id, echo sequence)."""
    ihl = (pkt[0] & 15) * 4
    body = pkt[ihl:]
    if pkt[9] == 17 and len(body) >= 8 + 14 and body[8:12] == b"SEQF":
        return ("udp", struct.unpack(">Q", body[14:22])[0])
    if pkt[9] == 1 and len(body) >= 8 and body[0] in (0, 8):
        return ("icmp",) + struct.unpack(">HH", body[4:8])
    return None

bad = 0
out = [(t, p) for t, p in packets(tmp + "/out-from-gw.pcap") if p[16:19] == net]
late = [t for t, p in out if t >= t0]
print("outside, cleartext to %s leaving the gateway: %d in the capture, %d after t0"
      % (sys.argv[2], len(out), len(late)))
bad += len(out) > 0
clear = [(t, p) for t, p in packets(tmp + "/out-to-gw.pcap") if p[12:15] == net]
clear_seqs = {seq(p) for t, p in clear} - {None}
print("outside, cleartext from %s to the gateway (after its SA went): %d packets"
      % (sys.argv[2], len(clear)))
ins = [(t, p) for t, p in packets(tmp + "/in-from-gw.pcap") if p[12:15] == net]
after0 = [t for t, p in ins if t >= t0]
after1 = [t for t, p in ins if t1 and t >= t1]
leaked = [s for s in (seq(p) for t, p in ins) if s is not None and s in clear_seqs]
print("inside, from %s to the branch: %d in the capture, %d after t0 (decrypted before the "
      "SAs were retired)%s, %d of its cleartext replies" % (
      sys.argv[2], len(ins), len(after0),
      ", %d after t1" % len(after1) if t1 else "", len(leaked)))
if ins:
    d = (ins[-1][0] - t0) * 1e3
    print("inside: the last packet from %s came %.0f ms %s t0" % (sys.argv[2], abs(d), "after" if d >= 0 else "before"))
bad += len(after1) + len(leaked) > 0
sys.exit(1 if bad else 0)
EOF
}
