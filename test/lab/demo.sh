#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The bundled demo (`make demo`): disconnect revoked peers on CRL download
# (issue 6), on the revocation lab (test/lab/revlab.sh).  ipsecgw runs in
# its own namespace on net_af_packet veth ends, between a branch and three
# strongSwan peers; each peer has its own certificate and an IKEv2 tunnel
# carrying 1000 numbered UDP datagrams a second.  The CA revokes peer 2 and
# publishes a new CRL; the gateway downloads it and deletes peer 2's
# session at once, while peers 1 and 3 do not lose a packet.  Tears down.
# A fourth peer speaks IKEv1 (ISAKMP, issue 7; REVLAB_V1=0 in the
# environment leaves it out): it is shown by `show crypto isakmp peers`
# and, like peers 1 and 3, loses nothing.
#
#   test/lab/demo.sh BUILD_DIR
#
# Exits non-zero if a step failed.  The set-up's output goes to
# setup.log in the run's directory, kept when something failed (or with
# LAB_KEEP=1).

set -uo pipefail
# shellcheck source=lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"
# shellcheck source=swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/swan.sh"
# shellcheck source=revlab.sh
source "$(dirname "${BASH_SOURCE[0]}")/revlab.sh"

BUILD=${1:-build}
PKI_TOOL=$BUILD/test/integration/pki_tool
[[ -x $PKI_TOOL ]] || { echo "pki_tool not found in $BUILD/test/integration (run: ninja -C $BUILD)"; exit 1; }
REVLAB_PEERS="1 2 3"
V1P=			# the IKEv1 peer (unless REVLAB_V1=0)
if [[ ${REVLAB_V1:-1} == 1 ]]; then
	V1P=4
	REVLAB_PEERS="1 2 3 $V1P"
	REVLAB_V1_PEERS=$V1P
fi
SURVIVORS="1 3 $V1P"
SURVIVORS_TEXT="1 and 3"
[[ -z $V1P ]] || SURVIVORS_TEXT="1, 3 and $V1P (IKEv1)"
revlab_init demo "$BUILD/controlplane/ipsecgw" "$BUILD/controlplane/ipsecgw-cli" "$PKI_TOOL"
SETUP_LOG=$LAB_TMP/setup.log
QUIET=

# On an early exit (lab_die) during a quiet step, show the end of its log.
demo_exit() {
	local rc=$?
	if [[ -n $QUIET && -f $SETUP_LOG ]]; then
		echo "--- the step failed; the end of $SETUP_LOG:"
		tail -n 25 "$SETUP_LOG" | sed 's/^/  | /'
	fi
	QUIET=
	(exit "$rc")
	swan_teardown
}
trap demo_exit EXIT

if [[ -t 1 ]]; then
	step() { printf '\n\033[1m--- %s\033[0m\n' "$*"; }
else
	step() { printf '\n--- %s\n' "$*"; }
fi
say() { printf '    %s\n' "$*"; }
failed() { printf '    ^^^ FAILED: %s\n' "$*"; LAB_FAIL=$((LAB_FAIL + 1)); }

# quiet CMD...: run CMD in this shell, its output into setup.log.
quiet() {
	local rc
	QUIET=1
	"$@" >>"$SETUP_LOG" 2>&1
	rc=$?
	QUIET=
	return $rc
}

# cli ARGS...: show and run an ipsecgw-cli command.
cli() {
	printf '$ ipsecgw-cli %s\n' "$*"
	lab_cli "$@" 2>&1 | sed 's/^/    /'
	[[ ${PIPESTATUS[0]} -eq 0 ]] || failed "ipsecgw-cli $*"
}

# must DESC CMD...: run CMD, its output indented; count a failure.
must() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[[ -z $out ]] || sed 's/^/    /' <<<"$out"
	((rc == 0)) || failed "$desc"
	return $rc
}

cat <<EOF

ipsecgw demo (run $LAB_ID): disconnect revoked peers on CRL download

  branch 192.168.10.10 --- ipsecgw (DPDK, net_af_packet) --- wan bridge --- peer1 10.10.0.11  LAN 172.16.1.1
                           inside 192.168.10.1                         +-- peer2 10.10.0.12  LAN 172.16.2.1
                           outside 10.10.0.1                           +-- peer3 10.10.0.13  LAN 172.16.3.1
EOF
[[ -z $V1P ]] || printf '%s\n' \
	"                                                                       +-- peer$V1P 10.10.0.1$V1P  LAN 172.16.$V1P.1  (IKEv1)"
cat <<EOF
                           management 10.99.0.1 --- CA + HTTP CRL server 10.99.0.2
  Each peer is a strongSwan charon in its own namespace with its own certificate
  (serials $(for n in $REVLAB_PEERS; do printf '%s ' "$(revlab_serial "$n")"; done)issued by "LAB Inter CA").
EOF

step "1. set-up: namespaces, PKI, CRL server, ipsecgw, $(wc -w <<<"$REVLAB_PEERS") strongSwan peers"
quiet revlab_topology
say "namespaces: branch-$LAB_ID gw-$LAB_ID hq-$LAB_ID (wan bridge) ca-$LAB_ID$(for n in $REVLAB_PEERS; do printf ' %s' "$(revlab_ns "$n")"; done)"
quiet revlab_pki
say "PKI: LAB Root CA -> LAB Inter CA -> gw.crt$(for n in $REVLAB_PEERS; do printf ', peer%s.crt' "$n"; done)"
quiet revlab_crl_server
say "CRLs (nothing revoked yet) served at http://$LAB_MGMT_CA_IP4:$REVLAB_PORT/ from ca-$LAB_ID"
quiet revlab_gw_conf "$LAB_TMP/gw.conf" true
quiet revlab_gw_start "$LAB_TMP/gw.conf"
say "ipsecgw started (config $LAB_TMP/gw.conf): trustpoint LAB-CA checks CRLs,"
say "crypto.ikev2.disconnect_revoked_peers = true${V1P:+, crypto.isakmp.disconnect_revoked_peers too}; CRLs downloaded"
for n in $REVLAB_PEERS; do
	quiet revlab_peer "$n"
done
for n in $REVLAB_PEERS; do
	if quiet revlab_peer_up "$n"; then
		if [[ $(revlab_version "$n") == 1 ]]; then
			say "peer$n: charon initiated IKEv1 (Main Mode + Quick Mode) with peer$n.lab.example's certificate: ISAKMP SA + IPsec SA up"
		else
			say "peer$n: charon initiated IKEv2 with peer$n.lab.example's certificate: IKE SA + CHILD SA up"
		fi
	else
		failed "peer$n's tunnel did not come up (see $SETUP_LOG)"
	fi
done
printf 'branch$ ping %s   (the gateway itself)\n' "$LAB_GW_IN_IP4"
must "ping the gateway" ping_ok "$NS_BR" -c 1 -W 2 "$LAB_GW_IN_IP4"

# sessions N TAG: `show crypto ikev2 session detail`, abridged to the
# lines that tell the sessions apart (in full in a file); N IKEv2 sessions
# expected.  With an IKEv1 peer, `show crypto isakmp peers` too (one).
sessions() {
	local detail=$LAB_TMP/session-detail-$2.txt n
	printf '$ ipsecgw-cli show crypto ikev2 session detail   (abridged)\n'
	lab_cli show crypto ikev2 session detail >"$detail" 2>&1 || failed "show crypto ikev2 session detail"
	grep -E "^Session-id|^[0-9]+ +[0-9.]+/|Remote id|Disconnect Revoked Peer" "$detail" | sed 's/^/    /'
	n=$(revlab_session_count 2)
	((n == $1)) || failed "expected $1 IKEv2 sessions, the gateway has ${n:-?}"
	[[ -n $V1P ]] || return 0
	cli show crypto isakmp peers
	n=$(revlab_session_count 1)
	((n == 1)) || failed "expected 1 IKEv1 session, the gateway has ${n:-?}"
}

step "2. the sessions"
sessions 3 before

step "3. traffic: 1000 numbered UDP datagrams a second through every tunnel, echoed back"
quiet revlab_flows_start
# shellcheck disable=SC2086 # the list of peers
if quiet revlab_flows_flowing $REVLAB_PEERS; then
	sleep 2
	revlab_flows_status | sed 's/^/    /'
else
	failed "traffic does not flow on every tunnel (see $SETUP_LOG)"
fi

step "4. the CA revokes peer 2 (serial $(revlab_serial 2)) and publishes a new CRL"
revlab_publish inter 2 "$(revlab_serial 2)" | sed 's/.*\/www\/\.\([a-z0-9]*\.crl\)\.tmp/    \1:/'

step "5. the gateway downloads it"
printf '$ ipsecgw-cli crypto pki crl request %s\n' "$REVLAB_TP"
if out=$(revlab_crl_request 2>&1); then
	say "$out"
	if out=$(revlab_wait_gone 2 10); then
		say "$out"
	else
		failed "$out"
	fi
else
	say "$out"
	failed "crypto pki crl request"
fi
sleep 1

step "6. after: peer 2 is gone, peers $SURVIVORS_TEXT carry on"
sessions 2 after
printf '$ grep revocation %s   (the gateway log)\n' "$LAB_GW_LOG"
grep "revocation: deleting session" "$LAB_GW_LOG" | sed 's/^/    /'
printf '$ grep DELETE .../peer2/charon.log   (peer 2'"'"'s own log)\n'
grep -E "received DELETE for IKE_SA|IKE_SA gw\[[0-9]+\] state change: .*=> (DELETING|DESTROYING)|closing CHILD_SA" \
	"$SWAN_DIR/peer2/charon.log" | sed 's/^/    /'
swan_log_has peer2 "received DELETE for IKE_SA" >/dev/null || failed "peer 2 logged no DELETE"
swan_ike_up peer2 gw "$LAB_GW_OUT_IP4" >/dev/null && failed "peer 2's charon still has its IKE SA"
quiet revlab_sender_stop
printf 'the flows (sending stopped, 1 s for the last echoes):\n'
revlab_flow_lines | sed 's/^/    /'
for n in $SURVIVORS; do
	[[ $(revlab_flow "peer$n" lost) == 0 ]] || failed "peer$n lost packets"
done
printf 'peer 2'"'"'s packets, dropped and counted by the gateway:\n'
for c in drop_protect_no_sa drop_cleartext_protected drop_no_sa_in; do
	printf '    %-26s %s\n' "$c" "$(revlab_drop "$c")"
done
cli show crypto pki revocation
printf '$ swanctl --initiate   (peer 2 tries to come back)\n'
if swan_initiate peer2 net gw 10; then
	failed "peer 2 came back with a revoked certificate"
elif grep -q AUTHENTICATION_FAILED "$SWAN_DIR/peer2/initiate.out"; then
	grep AUTHENTICATION_FAILED "$SWAN_DIR/peer2/initiate.out" | tail -n 1 | sed 's/^/    /'
else
	tail -n 1 "$SWAN_DIR/peer2/initiate.out" | sed 's/^/    /'
	failed "peer 2's initiate was not refused with AUTHENTICATION_FAILED"
fi

step "7. teardown"
quiet revlab_flows_stop
lab_gw_stop
say "ipsecgw stopped by SIGTERM: exit $LAB_GW_RC"
[[ $LAB_GW_RC -eq 0 ]] || failed "ipsecgw exit status $LAB_GW_RC"
for n in $REVLAB_PEERS; do
	swan_stop "peer$n"
done
say "charons, traffic, CRL server stopped by PID; namespaces removed on exit"

echo
if ((LAB_FAIL == 0)); then
	echo "demo: peer 2 revoked and disconnected in $(cat "$LAB_TMP/gone-2.ms") ms after the CRL request; peers $SURVIVORS_TEXT lost 0 packets."
else
	echo "demo: $LAB_FAIL step(s) failed (files kept in $LAB_TMP)."
fi
((LAB_FAIL == 0))
