# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Namespace lab helpers for ipsecgw.  Source this file, then:
#
#   lab_init NAME IPSECGW IPSECGW_CLI   per-run id, temp dir, teardown trap
#   lab_topology                        gw + hq + branch namespaces and veths
#   lab_conf_af_packet OUT [KEY=VALUE]  render test/lab/gw.conf.in for that topology
#   lab_conf_workers OUT W Q LCORES ... the same with W workers, af_packet qpairs=Q
#   lab_gw_start CONF                   ipsecgw in the gw namespace, wait for telemetry
#   lab_cli ARGS...                     ipsecgw-cli against this run's socket
#   lab_counter NAME                    one counter from /ipsecgw/stats
#   lab_check DESC CMD...               run CMD, print "ok"/"FAIL", count the result
#   lab_finish                          summary line; exit status 1 if any check failed
#
# For tests that need the gateway's own kernel sockets (CRL downloads):
#
#   lab_mgmt                            ca-ID namespace on a management veth
#   lab_conf_pki OUT [KEY=VALUE]        append test/lab/gw-pki.conf.in to a config
#   lab_bg_start NAME LOG CMD...        a helper process, stopped at teardown
#   lab_bg_stop NAME                    stop it now (by PID)
#   lab_bg_wait NAME SECONDS            wait for it to exit; its exit status
#   lab_http_start NAME DIR LOG PORT    python3 http.server in the ca namespace
#   lab_http_up NAME URL                wait until URL answers from the gw namespace
#   lab_crl_publish TOOL PKI WWW FILE ISSUER [OPTS]  a CRL from pki_tool, served as FILE
#
# Topology (every name carries the run id, so runs can go side by side):
#
#   branch-ID            gw-ID (ipsecgw, DPDK net_af_packet)           hq-ID
#   bri-ID  <--veth-->  gwi-ID [inside]       [outside] gwo-ID  <--veth-->  hqo-ID
#   192.168.10.10/24        192.168.10.1          10.10.0.1           10.10.0.254/24
#   2001:db8:20::10/64      2001:db8:20::1        2001:db8:10::1      2001:db8:10::fe/64
#                                                                 + LAN 172.16.0.1/24
#                                                                   2001:db8:172::1/64
#
# In the gw namespace the DPDK-side veths are up with no IP address, IPv6 is
# disabled and ip_forward=0: af_packet copies every frame, so the kernel there
# sees the traffic too and must stay silent.  The kernel-side veth of every
# DPDK port has TX checksum offload off, or af_packet would hand DPDK packets
# with partial checksums (and GSO super-frames).

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_ROOT=$(cd "$LAB_SRC/../.." && pwd)
LAB_PY=/usr/bin/python3		# Debian's python3 has scapy; one earlier on PATH may not

# Addresses of the standard topology.
LAB_BR_IP4=192.168.10.10
LAB_BR_IP6=2001:db8:20::10
LAB_GW_IN_IP4=192.168.10.1
LAB_GW_IN_IP6=2001:db8:20::1
LAB_GW_OUT_IP4=10.10.0.1
LAB_GW_OUT_IP6=2001:db8:10::1
LAB_HQ_IP4=10.10.0.254
LAB_HQ_IP6=2001:db8:10::fe
LAB_HQ_LAN_IP4=172.16.0.1
LAB_HQ_LAN_IP6=2001:db8:172::1

LAB_PASS=0
LAB_FAIL=0
LAB_NETNS=()
LAB_FAILED=()
LAB_GW_PID=
LAB_GW_RC=
LAB_SUFFIX=
declare -A LAB_BG=()	# helper processes started by lab_bg_start: NAME -> PID

# The management network (lab_mgmt): not a DPDK port, the kernel's own.
LAB_MGMT_GW_IP4=10.99.0.1
LAB_MGMT_CA_IP4=10.99.0.2

lab_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
lab_say() { printf '\n=== %s\n' "$*"; }
lab_die() { printf 'ERROR: %s\n' "$*" >&2; LAB_FAIL=$((LAB_FAIL + 1)); exit 1; }

# lab_init NAME IPSECGW IPSECGW_CLI
lab_init() {
	local name=$1
	[[ $(id -u) -eq 0 ]] || { echo "SKIP: $name needs root (network namespaces)"; exit 77; }
	IPSECGW=$(readlink -f "$2")
	IPSECGW_CLI=$(readlink -f "$3")
	[[ -x $IPSECGW ]] || lab_die "ipsecgw binary not found: $2"
	[[ -x $IPSECGW_CLI ]] || lab_die "ipsecgw-cli binary not found: $3"
	# 6 hex digits: veth names stay <= 15 characters ("gwo" + id).
	LAB_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	LAB_NAME=$name
	LAB_TMP=$(mktemp -d "/tmp/ipsecgw-$name.XXXXXX")
	LAB_RUNDIR=$LAB_TMP/run
	LAB_PREFIX=ipsecgw-$name-$LAB_ID
	LAB_SOCK=$LAB_RUNDIR/dpdk/$LAB_PREFIX/dpdk_telemetry.v2
	mkdir -p "$LAB_RUNDIR"
	NS_GW=gw-$LAB_ID
	NS_HQ=hq-$LAB_ID
	NS_BR=branch-$LAB_ID
	IF_GW_OUT=gwo$LAB_ID	# DPDK port "outside"
	IF_HQ=hqo$LAB_ID	# its kernel peer in hq
	IF_GW_IN=gwi$LAB_ID	# DPDK port "inside"
	IF_BR=bri$LAB_ID	# its kernel peer in branch
	trap lab_teardown EXIT
	trap 'exit 130' INT TERM
	lab_log "$name: run id $LAB_ID, files in $LAB_TMP"
}

# A second gateway in the same run gets its own file prefix, socket and log.
lab_set_prefix() {
	LAB_SUFFIX=$1
	LAB_PREFIX=ipsecgw-$LAB_NAME-$LAB_ID-$1
	LAB_SOCK=$LAB_RUNDIR/dpdk/$LAB_PREFIX/dpdk_telemetry.v2
}

# Run a command in a namespace.
lab_in() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

lab_netns_add() {
	ip netns add "$1" || lab_die "cannot create namespace $1"
	LAB_NETNS+=("$1")
	ip -n "$1" link set lo up
}

# Keep the kernel of a namespace that holds DPDK ports silent.
lab_netns_quiet() {
	local ns=$1
	lab_in "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 &&
		echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 &&
		echo 0 > /proc/sys/net/ipv4/ip_forward' || lab_die "cannot quiet namespace $ns"
}

# lab_veth NS_A IF_A NS_B IF_B: a veth pair straight between two namespaces.
lab_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		lab_die "cannot create veth $2/$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# The kernel side of a DPDK port: full checksums, no GSO super-frames.
lab_tx_off() {
	lab_in "$1" ethtool -K "$2" tx off >/dev/null 2>&1 ||
		lab_die "ethtool -K $2 tx off failed in $1"
}

lab_topology() {
	lab_netns_add "$NS_GW"
	lab_netns_quiet "$NS_GW"
	lab_netns_add "$NS_HQ"
	lab_netns_add "$NS_BR"
	lab_veth "$NS_GW" "$IF_GW_OUT" "$NS_HQ" "$IF_HQ"
	lab_veth "$NS_GW" "$IF_GW_IN" "$NS_BR" "$IF_BR"
	lab_tx_off "$NS_HQ" "$IF_HQ"
	lab_tx_off "$NS_BR" "$IF_BR"

	ip -n "$NS_HQ" addr add "$LAB_HQ_IP4/24" dev "$IF_HQ"
	ip -n "$NS_HQ" addr add "$LAB_HQ_IP6/64" dev "$IF_HQ" nodad
	ip -n "$NS_HQ" route add 192.168.10.0/24 via "$LAB_GW_OUT_IP4"
	ip -n "$NS_HQ" route add 2001:db8:20::/64 via "$LAB_GW_OUT_IP6"
	# The hq LAN, reached from the branch through the gateway's default route.
	ip -n "$NS_HQ" addr add "$LAB_HQ_LAN_IP4/24" dev lo
	ip -n "$NS_HQ" addr add "$LAB_HQ_LAN_IP6/64" dev lo

	ip -n "$NS_BR" addr add "$LAB_BR_IP4/24" dev "$IF_BR"
	ip -n "$NS_BR" addr add "$LAB_BR_IP6/64" dev "$IF_BR" nodad
	ip -n "$NS_BR" route add default via "$LAB_GW_IN_IP4"
	ip -n "$NS_BR" route add default via "$LAB_GW_IN_IP6"
	lab_log "namespaces $NS_BR, $NS_GW, $NS_HQ; veths $IF_BR-$IF_GW_IN, $IF_GW_OUT-$IF_HQ"
}

# The gateway's management interface: a veth from its namespace to a "ca"
# namespace, on a subnet of its own, for what the gateway process fetches
# with kernel sockets (CRLs over HTTP).  DPDK owns the data ports, which keep
# no IP address.
#
#   gw-ID  gwm-ID 10.99.0.1/24  <--veth-->  cam-ID 10.99.0.2/24  ca-ID
lab_mgmt() {
	NS_CA=ca-$LAB_ID
	IF_GW_MGMT=gwm$LAB_ID
	IF_CA=cam$LAB_ID
	lab_netns_add "$NS_CA"
	lab_veth "$NS_GW" "$IF_GW_MGMT" "$NS_CA" "$IF_CA"
	ip -n "$NS_GW" addr add "$LAB_MGMT_GW_IP4/24" dev "$IF_GW_MGMT" ||
		lab_die "cannot address $IF_GW_MGMT"
	ip -n "$NS_CA" addr add "$LAB_MGMT_CA_IP4/24" dev "$IF_CA" ||
		lab_die "cannot address $IF_CA"
	lab_log "management: $NS_GW $IF_GW_MGMT $LAB_MGMT_GW_IP4 <-> $LAB_MGMT_CA_IP4 $IF_CA $NS_CA"
}

# lab_bg_start NAME LOG CMD...: start CMD in the background, output to LOG.
# CMD must be a program, not a shell function, so that the PID is its own
# ("ip netns exec NS prog": ip execs in place, the PID is prog's).
# lab_teardown stops whatever is still running.
lab_bg_start() {
	local name=$1 log=$2
	shift 2
	[[ $(type -t "$1") == file ]] || lab_die "lab_bg_start $name: $1 is not a program"
	"$@" </dev/null >"$log" 2>&1 &
	LAB_BG[$name]=$!
	lab_log "$name started, pid ${LAB_BG[$name]} (log $log)"
}

lab_bg_alive() { [[ -n ${LAB_BG[$1]:-} ]] && kill -0 "${LAB_BG[$1]}" 2>/dev/null; }

# lab_bg_stop NAME: SIGTERM by PID, SIGKILL after 5 s.
lab_bg_stop() {
	local name=$1 pid=${LAB_BG[$1]:-} i
	[[ -n $pid ]] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "LAB_BG[$name]"
}

# lab_bg_wait NAME SECONDS: wait for a helper to exit by itself and return
# its exit status; after SECONDS, stop it (lab_bg_stop) and return 124.
lab_bg_wait() {
	local name=$1 pid=${LAB_BG[$1]:-} i rc
	[[ -n $pid ]] || return 127
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		lab_bg_stop "$name"
		return 124
	fi
	wait "$pid"
	rc=$?
	unset "LAB_BG[$name]"
	return $rc
}

# lab_http_start NAME DIR LOG PORT: serve DIR over HTTP from the ca namespace
# (lab_mgmt) on $LAB_MGMT_CA_IP4:PORT, as helper NAME (lab_bg_start).
lab_http_start() {
	lab_bg_start "$1" "$3" ip netns exec "$NS_CA" "$LAB_PY" -m http.server \
		--bind "$LAB_MGMT_CA_IP4" "$4" --directory "$2"
}

# lab_http_up NAME URL: until URL answers from the gw namespace (5 s); fails
# at once if helper NAME exited.
lab_http_up() {
	local name=$1 url=$2 i
	for ((i = 0; i < 50; i++)); do
		lab_in "$NS_GW" "$LAB_PY" -c '
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
print(len(opener.open(sys.argv[1], timeout=1).read()), "bytes from", sys.argv[1])
' "$url" 2>/dev/null && return 0
		lab_bg_alive "$name" || { echo "the HTTP server $name exited"; return 1; }
		sleep 0.1
	done
	echo "no answer from $url after 5 s"
	return 1
}

# lab_crl_publish PKI_TOOL PKI_DIR WWW FILE ISSUER [pki_tool crl options]:
# write a CRL of ISSUER and move it to WWW/FILE in one rename, so the server
# never serves half a file.  Prints what pki_tool wrote; dies if it fails.
lab_crl_publish() {
	local tool=$1 pki=$2 www=$3 file=$4 issuer=$5 out
	shift 5
	out=$("$tool" crl "$pki" "$issuer" "$www/.$file.tmp" "$@") ||
		{ echo "$out"; lab_die "pki_tool crl $issuer $* failed"; }
	sed 's/^/    published /' <<<"$out"
	mv -f "$www/.$file.tmp" "$www/$file"
}

# MAC address of IF in NS.
lab_mac() { ip -n "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

# lab_render TEMPLATE OUT KEY=VALUE...: replace every @KEY@ in TEMPLATE.
lab_render() {
	local tmpl=$1 out=$2 kv key val content
	shift 2
	content=$(<"$tmpl")
	for kv in "$@"; do
		key=${kv%%=*}
		val=${kv#*=}
		content=${content//"@$key@"/"$val"}
	done
	[[ $content != *@[A-Z_]*@* ]] || lab_die "unfilled placeholder in $tmpl: $(grep -o '@[A-Z_]*@' <<<"$content" | head -1)"
	printf '%s\n' "$content" >"$out"
}

# af_packet ring sized so a kernel-reassembled datagram of up to ~10 KB fits
# one frame (the PMD's fanout group defragments before DPDK sees it).
LAB_AFP_ARGS="blocksz=20480,framesz=10240,framecnt=512"
LAB_MBUF_DATA=10240

# lab_conf_af_packet OUT [KEY=VALUE...]: the standard lab config.
lab_conf_af_packet() {
	local out=$1
	shift
	# Given KEY=VALUEs come first: the first value for a key wins.
	lab_render "$LAB_SRC/gw.conf.in" "$out" "$@" \
		"OUT_VDEV=net_af_packet0,iface=$IF_GW_OUT,$LAB_AFP_ARGS" \
		"IN_VDEV=net_af_packet1,iface=$IF_GW_IN,$LAB_AFP_ARGS" \
		"OUT_PORT=net_af_packet0" "IN_PORT=net_af_packet1" \
		"MBUF_DATA=$LAB_MBUF_DATA" "EXTRA_ROUTES=" "WORKERS=1" "EAL_EXTRA="
}

# lab_conf_workers OUT WORKERS QPAIRS LCORES [KEY=VALUE...]: the standard lab
# config with WORKERS worker lcores, af_packet vdevs with qpairs=QPAIRS (the
# PMD opens that many receive sockets at probe; empty: the PMD's default, 1)
# and LCORES added to the config's EAL list (empty: none, and the gateway
# appends -l 0-WORKERS, which needs WORKERS + 1 CPUs).  On a 2-CPU box, map
# lcores onto CPUs: "--lcores=0@0,1@1,2@1".
lab_conf_workers() {
	local out=$1 workers=$2 qpairs=$3 lcores=$4
	shift 4
	lab_conf_af_packet "$out" "$@" "WORKERS=$workers" \
		"EAL_EXTRA=${lcores:+, \"$lcores\"}" \
		"OUT_VDEV=net_af_packet0,iface=$IF_GW_OUT,$LAB_AFP_ARGS${qpairs:+,qpairs=$qpairs}" \
		"IN_VDEV=net_af_packet1,iface=$IF_GW_IN,$LAB_AFP_ARGS${qpairs:+,qpairs=$qpairs}"
}

# lab_conf_pki OUT [KEY=VALUE...]: append the lab's pki block
# (test/lab/gw-pki.conf.in) to the config OUT.  PKI_DIR is pki_tool's
# output; CRL_URLS a libconfig list body ("\"http://...\", ...").
lab_conf_pki() {
	local out=$1
	shift
	lab_render "$LAB_SRC/gw-pki.conf.in" "$out.pki" "$@" \
		"TRUSTPOINT=LAB-CA" "CRL_REFRESH=3600" "CRL_MIN_INTERVAL=0" "CRL_TIMEOUT=5" \
		"CRL_MAX_SIZE=1048576" || return 1
	cat "$out.pki" >>"$out" && rm -f "$out.pki"
}

# lab_gw_start CONF [NS]: start ipsecgw, wait for its telemetry socket.
lab_gw_start() {
	local conf=$1 ns=${2:-$NS_GW} i
	LAB_GW_LOG=$LAB_TMP/ipsecgw${LAB_SUFFIX:+-$LAB_SUFFIX}.log
	lab_log "starting ipsecgw in $ns (config $conf, log $LAB_GW_LOG)"
	RUNTIME_DIRECTORY=$LAB_RUNDIR ip netns exec "$ns" \
		"$IPSECGW" -c "$conf" -- --file-prefix="$LAB_PREFIX" \
		</dev/null >"$LAB_GW_LOG" 2>&1 &
	LAB_GW_PID=$!
	for ((i = 0; i < 300; i++)); do
		if ! kill -0 "$LAB_GW_PID" 2>/dev/null; then
			wait "$LAB_GW_PID"
			LAB_GW_RC=$?
			LAB_GW_PID=
			tail -n 30 "$LAB_GW_LOG" | sed 's/^/  | /'
			lab_die "ipsecgw exited during start-up (exit $LAB_GW_RC)"
		fi
		# The socket answers null until the gateway has registered its commands.
		[[ -S $LAB_SOCK ]] && "$LAB_PY" "$LAB_SRC/tmquery.py" "$LAB_SOCK" /ipsecgw/version 2>/dev/null |
			"$LAB_PY" "$LAB_SRC/jsonget.py" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	[[ -S $LAB_SOCK ]] || lab_die "no telemetry socket at $LAB_SOCK after 30 s"
	lab_log "ipsecgw running, pid $LAB_GW_PID, telemetry $LAB_SOCK"
}

lab_gw_alive() { [[ -n $LAB_GW_PID ]] && kill -0 "$LAB_GW_PID" 2>/dev/null; }

# SIGTERM, wait up to 10 s, then SIGKILL.  Sets LAB_GW_RC.
lab_gw_stop() {
	local i
	[[ -n $LAB_GW_PID ]] || return 0
	kill -TERM "$LAB_GW_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$LAB_GW_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$LAB_GW_PID" 2>/dev/null; then
		lab_log "ipsecgw (pid $LAB_GW_PID) ignored SIGTERM for 10 s; killing it"
		kill -KILL "$LAB_GW_PID" 2>/dev/null
	fi
	wait "$LAB_GW_PID" 2>/dev/null
	LAB_GW_RC=$?
	LAB_GW_PID=
}

# The CLI finds the socket the way operators use it: from the file prefix
# and $RUNTIME_DIRECTORY (as dpdk-telemetry.py does).
lab_cli() { RUNTIME_DIRECTORY=$LAB_RUNDIR "$IPSECGW_CLI" --file-prefix "$LAB_PREFIX" "$@"; }

# A counter from /ipsecgw/stats (data plane and control plane alike).
lab_counter() {
	lab_cli --raw /ipsecgw/stats | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"
}

# lab_check DESC CMD...: one named check.  Output of CMD is shown indented.
lab_check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[[ -z $out ]] || sed 's/^/    /' <<<"$out"
	if [[ $rc -eq 0 ]]; then
		printf 'ok   - %s\n' "$desc"
		LAB_PASS=$((LAB_PASS + 1))
	else
		printf 'FAIL - %s\n' "$desc"
		LAB_FAIL=$((LAB_FAIL + 1))
		LAB_FAILED+=("$desc")
	fi
	return $rc
}

# expect_eq WHAT EXPECTED SEEN
expect_eq() {
	if [[ "$2" == "$3" ]]; then
		echo "$1: $3"
	else
		echo "$1: expected '$2', saw '$3'"
		return 1
	fi
}

# lab_conf_ok CONF: `ipsecgw -c CONF --check` exits 0 (its output shown).
lab_conf_ok() {
	local out rc
	out=$("$IPSECGW" -c "$1" --check 2>&1)
	rc=$?
	echo "$out"
	expect_eq "exit status of ipsecgw -c $1 --check" 0 "$rc"
}

# lab_show_words WORD... -- STRING...: `ipsecgw-cli WORD...` succeeds and
# its output holds every STRING (case-insensitive).
lab_show_words() {
	local out s words=()
	while [[ $1 != -- ]]; do words+=("$1"); shift; done
	shift
	out=$(lab_cli "${words[@]}" 2>&1) || { echo "$out"; echo "ipsecgw-cli ${words[*]} failed"; return 1; }
	echo "$out"
	for s in "$@"; do
		grep -qiF -- "$s" <<<"$out" || { echo "expected '$s' in 'ipsecgw-cli ${words[*]}'"; return 1; }
	done
}

# lab_neigh_is NS DEV IP MAC: NS's kernel neighbour entry for IP is MAC.
lab_neigh_is() {
	local ns=$1 dev=$2 ip=$3 mac=$4 seen
	seen=$(ip -n "$ns" neigh show "$ip" dev "$dev" | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	expect_eq "$ns's neighbour entry for $ip" "$mac" "$seen"
}

# expect_delta COUNTER BEFORE AFTER MIN [MAX]
expect_delta() {
	local name=$1 d min=$4 max=${5:-} bad=0
	if ! [[ $2 =~ ^[0-9]+$ && $3 =~ ^[0-9]+$ ]]; then
		echo "$name: could not read the counter (before '$2', after '$3')"
		return 1
	fi
	d=$(($3 - $2))
	((d < min)) && bad=1
	[[ -n $max ]] && ((d > max)) && bad=1
	if ((bad)); then
		if [[ -n $max ]]; then
			echo "$name rose by $d ($2 -> $3): expected between $min and $max"
		else
			echo "$name rose by $d ($2 -> $3): expected at least $min"
		fi
		return 1
	fi
	echo "$name rose by $d ($2 -> $3)"
}

# ping_ok NS ARGS...: ping from a namespace, show the summary line.
ping_ok() {
	local ns=$1 out rc
	shift
	out=$(lab_in "$ns" ping -n "$@" 2>&1)
	rc=$?
	grep -E 'packets transmitted|From|rtt' <<<"$out"
	return $rc
}

lab_finish() {
	local desc
	echo
	for desc in "${LAB_FAILED[@]}"; do
		echo "failed: $desc"
	done
	echo "$LAB_NAME: $LAB_PASS checks passed, $LAB_FAIL failed"
	((LAB_FAIL == 0))
}

lab_teardown() {
	local rc=$? ns desc
	trap - EXIT INT TERM
	if lab_gw_alive; then
		lab_gw_stop
	fi
	for desc in "${!LAB_BG[@]}"; do
		lab_bg_stop "$desc"
	done
	if ((LAB_FAIL > 0 || rc != 0)) && [[ -n ${LAB_GW_LOG:-} && -f $LAB_GW_LOG ]]; then
		echo "--- last lines of the ipsecgw log ($LAB_GW_LOG):"
		tail -n 40 "$LAB_GW_LOG" | sed 's/^/  | /'
		for desc in "${LAB_FAILED[@]}"; do
			echo "failed: $desc"
		done
	fi
	for ns in "${LAB_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	LAB_NETNS=()
	if ((LAB_FAIL == 0 && rc == 0)) && [[ -z ${LAB_KEEP:-} ]]; then
		rm -rf "$LAB_TMP"
	elif [[ -n ${LAB_TMP:-} ]]; then
		echo "(files kept in $LAB_TMP)"
	fi
	exit "$rc"
}
