#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Disconnect revoked peers on CRL download (issue 6), end to end against
# real strongSwan peers, on the revocation lab (test/lab/revlab.sh):
# ipsecgw between the branch and four charons (peer1..peer3 under the
# intermediate "inter", peer4 under a second intermediate "inter2"), each
# with a tunnel carrying 1000 pps of numbered UDP (test/lab/seqflow.py)
# from the branch and 100 pps of ping towards it; CRLs over HTTP from the
# ca namespace; crypto.ikev2.disconnect_revoked_peers = true.
#
#   a. inter's CRL revokes peer2; `crypto pki crl request LAB-CA` (t0 = when
#      it returns): peer2's session is gone from our telemetry and from its
#      `swanctl --list-sas` (t1; printed, fails past 5 s); charon logged the
#      DELETE of its IKE SA; its packets are counted as drops both ways;
#      none crossed the gateway in the clear (tcpdump on both DPDK ports'
#      kernel sides); peers 1, 3 and 4 lost zero packets (sequence numbers);
#      peer2's re-initiate gets AUTHENTICATION_FAILED; the gateway logged the
#      deletion and `show crypto pki revocation` shows the event.
#   b. the same CRL again: nothing deleted, counters unchanged.
#   c. a CRL listing peer3 signed by the wrong key ("forged"): rejected,
#      nothing deleted.
#   d. `no crypto ikev2 disconnect-revoked-peers`, a CRL revoking peer3:
#      nothing deleted, peer3 up and loss-free; a new IKE SA with peer3's
#      certificate is refused; `crypto ikev2 disconnect-revoked-peers`
#      deletes peer3's session at once (the CRL in force lists it).
#   f. the root's CRL revokes inter2 (serial 0x30): peer4, whose certificate
#      inter2 issued, goes; peer1 loses nothing.
#   e. peers 2 and 3 come back with new certificates; one CRL revokes both:
#      both go; peer1 loses nothing (over the whole run too).
#
# Unless REVLAB_V1=0 is in the environment, a fifth peer speaks IKEv1 (issue 7)
# (swanctl version = 1, ike_version = 1 in the gateway's peers, serial
# 0x3005 by inter), with crypto.isakmp.disconnect_revoked_peers = true; it
# carries traffic like the others, must be untouched by scenario a, and:
#   v. (after a) `show crypto isakmp peers` shows it; `no crypto isakmp
#      disconnect-revoked-peers` (the ikev2 switch stays on), a CRL
#      revoking peer5: nothing deleted, counted as skipped, peer5 up and
#      loss-free; `crypto isakmp disconnect-revoked-peers` deletes peer5's
#      session at once on both sides (t1 - t0 printed): charon logged the
#      DELETE of its ESP SA and of its ISAKMP SA; the IKEv2 peers 1, 3 and 4
#      stay up and lose nothing; peer5's re-initiate is refused.
#
#   test/integration/revoke_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL [SCENARIOS]
#
# SCENARIOS: the letters to run (default "avbcdfe"; "abcdfe" with REVLAB_V1=0).

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"
# shellcheck source=../lab/revlab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/revlab.sh"

REVLAB_PEERS="1 2 3 4"
REVLAB_INTER2_PEERS=4
V1P=			# the IKEv1 peer (unless REVLAB_V1=0)
if [[ ${REVLAB_V1:-1} == 1 ]]; then
	V1P=5
	REVLAB_PEERS="1 2 3 4 $V1P"
	REVLAB_V1_PEERS=$V1P
	SCENARIOS=${4:-avbcdfe}
else
	SCENARIOS=${4:-abcdfe}
fi
revlab_init "${REVOKE_NAME:-revoke_swan}" "${1:?usage: revoke_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL [SCENARIOS]}" \
	"${2:?}" "${3:?}"
command -v tcpdump >/dev/null || { echo "SKIP: tcpdump not installed"; exit 77; }
DEADLINE_MS=5000
T_START=$(date +%s%N)
INTER_N=1		# the inter CRL's number in force
INTER_REVOKED=		# and what it revokes

lab_say "set-up: namespaces, PKI, CRL server, ipsecgw, four charons${V1P:+ (IKEv2) and peer$V1P (IKEv1)}, traffic"
revlab_start
lab_cli show crypto ikev2 session detail | grep -E "^Session|Remote id|Disconnect Revoked"
[[ -z $V1P ]] || lab_cli show crypto isakmp peers

# publish_inter SERIALS: inter's next CRL, revoking SERIALS.
publish_inter() {
	INTER_N=$((INTER_N + 1))
	INTER_REVOKED=$1
	revlab_publish inter "$INTER_N" "$1"
}

# counters: the revocation and drop counters in one line (for "unchanged").
counters() {
	echo "crl_events=$(revlab_rev crl_events) sessions_deleted=$(revlab_rev sessions_deleted)" \
		"revoked_found=$(revlab_rev revoked_found) sessions_skipped=$(revlab_rev sessions_skipped)" \
		"ikev2_deleted=$(ikev2_counter ikev2_deleted)"
}

# charon's log line for an AUTHENTICATION_FAILED from us: IKEv2 "notify
# error", IKEv1 "error notify".
AUTH_FAILED_RE="received AUTHENTICATION_FAILED (notify error|error notify)"

# refused N [CONN]: charon peerN's initiate of CONN (gw) gets AUTHENTICATION_FAILED.
refused() {
	local n=$1 conn=${2:-gw} child=${3:-net} log0 rc
	log0=$(swan_log_count "peer$n" "$AUTH_FAILED_RE")
	swan_initiate "peer$n" "$child" "$conn" 10
	rc=$?
	echo "peer$n: swanctl --initiate --ike $conn: exit $rc in $(swan_last_ms "peer$n") ms: $(tail -n 1 "$SWAN_DIR/peer$n/initiate.out")"
	((rc != 0)) || return 1
	(($(swan_log_count "peer$n" "$AUTH_FAILED_RE") > log0)) ||
		{ echo "charon peer$n logged no AUTHENTICATION_FAILED"; return 1; }
	echo "charon peer$n: received AUTHENTICATION_FAILED"
}

# gone_both N: neither the gateway nor charon peerN holds a session of it
# that is up (the refused attempt may linger on our side as DOWN).
gone_both() {
	local s c
	s=$(revlab_sessions) || return 1
	c=$(swan_sa_count "peer$1" gw)
	echo "gateway sessions: ${s:-none}; charon peer$1's IKE SAs: $c"
	[[ " $s " != *" peer$1:UP"* ]] && ((c == 0))
}

# detail_says TEXT: `show crypto ikev2 session detail` has TEXT (the
# matching lines shown).
detail_says() {
	local out
	out=$(lab_cli show crypto ikev2 session detail) || return 1
	grep -F -- "$1" <<<"$out" | sort | uniq -c
	grep -qF -- "$1" <<<"$out"
}

# within_deadline N: the measured t1 - t0 of peerN is under DEADLINE_MS.
within_deadline() {
	local ms
	ms=$(cat "$LAB_TMP/gone-$1.ms" 2>/dev/null) || { echo "not measured"; return 1; }
	echo "peer$1: t1 - t0 = $ms ms (deadline $DEADLINE_MS ms; the 1 s target is read from this figure)"
	((ms <= DEADLINE_MS))
}

# wait_rev FIELD MIN: until /ipsecgw/revocation's FIELD >= MIN (10 s).
wait_rev() {
	local i v
	for ((i = 0; i < 100; i++)); do
		v=$(revlab_rev "$1" 2>/dev/null)
		[[ $v =~ ^[0-9]+$ ]] && ((v >= $2)) && { echo "$1 = $v"; return 0; }
		sleep 0.1
	done
	echo "$1 = ${v:-?} after 10 s, expected >= $2"
	return 1
}

# unchanged BEFORE: the counters line equals BEFORE.
unchanged() {
	local now
	now=$(counters)
	echo "before: $1"
	echo "after:  $now"
	[[ $now == "$1" ]]
}

# deleted_logged N: the gateway's log line for peerN's deletion.
deleted_logged() {
	gw_logged "revocation: deleting session [0-9]+ peer peer$1 \\($(revlab_ip "$1")\\).*serial (0x)?0*$2"
}

# drops_rose NAME... BEFORE...: printed deltas; the first counter and one of
# the others rose.
drops_rose() {
	local p0=$1 c0=$2 n0=$3 p1 c1 n1
	p1=$(revlab_drop drop_protect_no_sa) && c1=$(revlab_drop drop_cleartext_protected) &&
		n1=$(revlab_drop drop_no_sa_in) || return 1
	echo "drop_protect_no_sa +$((p1 - p0)), drop_cleartext_protected +$((c1 - c0)), drop_no_sa_in +$((n1 - n0))"
	((p1 > p0 && (c1 > c0 || n1 > n0)))
}

# revoke_measure N...: request the CRLs (t0), wait until peers N... are gone
# (t1 each), one check per peer.
revoke_measure() {
	local n
	lab_check "crypto pki crl request $REVLAB_TP returns (t0)" revlab_crl_request
	for n in "$@"; do
		lab_check "peer$n's session gone from ipsecgw's telemetry and from its swanctl --list-sas (t1)" \
			revlab_wait_gone "$n" 10
		lab_check "peer$n: t1 - t0 within ${DEADLINE_MS} ms" within_deadline "$n"
	done
}

# ---------------------------------------------------------------- a
if [[ $SCENARIOS == *a* ]]; then
	lab_say "a. inter's CRL revokes peer2 (serial $(revlab_serial 2)); crypto pki crl request"
	revlab_sender_start a
	# shellcheck disable=SC2086 # the list of peers
	revlab_flows_flowing $REVLAB_PEERS >/dev/null
	revlab_capture_start
	EV0=$(revlab_rev crl_events)
	DEL0=$(revlab_rev sessions_deleted)
	P0=$(revlab_drop drop_protect_no_sa)
	C0=$(revlab_drop drop_cleartext_protected)
	N0=$(revlab_drop drop_no_sa_in)
	publish_inter "$(revlab_serial 2)"
	revoke_measure 2
	sleep 1		# drops accumulate; the survivors keep flowing
	lab_check "peers 1, 3, 4${V1P:+ and $V1P (IKEv1)} still up on both sides" revlab_still_up 1 3 4 $V1P
	lab_check "no live fast-path SA of peer2 left" revlab_no_fast_path_sa 2
	lab_check "charon peer2 received the DELETE of its IKE SA" \
		swan_log_has peer2 "received DELETE for IKE_SA gw\\[[0-9]+\\]"
	lab_check "peer2's packets dropped and counted (towards it: drop_protect_no_sa; from it: cleartext or no SA)" \
		drops_rose "$P0" "$C0" "$N0"
	revlab_capture_stop
	lab_check "no packet of peer2's traffic crossed the gateway in the clear (tcpdump inside and outside)" \
		revlab_clear_leaks 2 "$(revlab_t0)" "$(revlab_t1 2 2>/dev/null || echo 0)"
	revlab_sender_stop
	lab_check "peers 1, 3 and 4${V1P:+ and $V1P (IKEv1)} lost zero packets (sequence numbers)" \
		revlab_no_loss 1 3 4 $V1P
	revlab_flow_lines 2
	lab_check "one revocation event, one session deleted" wait_rev sessions_deleted $((DEL0 + 1))
	echo "    crl_events $EV0 -> $(revlab_rev crl_events), last_latency_us $(revlab_rev last_latency_us)"
	lab_check "the gateway logged the deletion (peer, session, issuer, serial, CRL number)" \
		deleted_logged 2 3002
	lab_check "show crypto pki revocation shows the event" \
		lab_show_words show crypto pki revocation -- "LAB Inter CA"
	lab_check "peer2's re-initiate is refused (AUTHENTICATION_FAILED)" refused 2
	lab_check "peer2 has no session on either side after the refusal" gone_both 2
fi

# ---------------------------------------------------------------- v
if [[ $SCENARIOS == *v* && -n $V1P ]]; then
	lab_say "v. IKEv1 peer$V1P: isakmp switch off, a CRL revoking it deletes nothing; switch on: deleted, DELETEs reach charon, IKEv2 peers untouched"
	revlab_sender_start v
	revlab_flows_flowing 1 3 4 $V1P >/dev/null
	isakmp_says() {
		local out
		out=$(lab_cli show crypto isakmp peers) || return 1
		echo "$out"
		grep -qE "^Peer: $(revlab_ip $V1P) Port: [0-9]+ Local: $LAB_GW_OUT_IP4\$" <<<"$out" &&
			grep -qF " Phase1 id: $(revlab_id $V1P)" <<<"$out" && grep -qF -- "$1" <<<"$out"
	}
	lab_check "show crypto isakmp peers: peer$V1P, Phase1 id, Disconnect Revoked Peer: Enabled" \
		isakmp_says "Disconnect Revoked Peer: Enabled"
	lab_check "no crypto isakmp disconnect-revoked-peers" lab_cli no crypto isakmp disconnect-revoked-peers
	lab_check "show crypto isakmp peers: Disconnect Revoked Peer: Disabled" \
		isakmp_says "Disconnect Revoked Peer: Disabled"
	lab_check "the ikev2 switch is still on" expect_eq ikev2_enabled 1 "$(revlab_rev ikev2_enabled)"
	DEL0=$(revlab_rev sessions_deleted)
	SK0=$(revlab_rev sessions_skipped)
	EV0=$(revlab_rev crl_events)
	publish_inter "${INTER_REVOKED:+$INTER_REVOKED,}$(revlab_serial $V1P)"
	lab_check "crypto pki crl request $REVLAB_TP" revlab_crl_request
	lab_check "the gateway accepted the new CRL (a CRL event)" wait_rev crl_events $((EV0 + 1))
	lab_check "peer$V1P's session counted as skipped (revoked, isakmp switch off)" \
		wait_rev sessions_skipped $((SK0 + 1))
	sleep 1
	lab_check "nothing deleted (sessions_deleted $DEL0)" expect_eq sessions_deleted "$DEL0" "$(revlab_rev sessions_deleted)"
	lab_check "peers 1, 3, 4 and $V1P still up on both sides" revlab_still_up 1 3 4 $V1P
	E0=$(swan_log_count "peer$V1P" "received DELETE for ESP CHILD_SA with SPI")
	lab_check "crypto isakmp disconnect-revoked-peers (t0 = when it returns)" \
		lab_cli crypto isakmp disconnect-revoked-peers
	revlab_t0_mark
	lab_check "peer$V1P's session gone on both sides (t1)" revlab_wait_gone $V1P 10
	lab_check "peer$V1P: t1 - t0 within ${DEADLINE_MS} ms" within_deadline $V1P
	lab_check "the deletion was logged" deleted_logged $V1P 300$V1P
	esp_delete_rcvd() {
		local n
		n=$(swan_log_count "peer$V1P" "received DELETE for ESP CHILD_SA with SPI")
		((n > E0)) || { echo "charon peer$V1P logged no DELETE of an ESP SA"; return 1; }
		swan_log_has "peer$V1P" "received DELETE for ESP CHILD_SA with SPI"
	}
	lab_check "charon peer$V1P received the DELETE of its ESP SA" esp_delete_rcvd
	lab_check "charon peer$V1P received the DELETE of its ISAKMP SA" \
		swan_log_has "peer$V1P" "received DELETE for IKE_SA gw\\[[0-9]+\\]"
	lab_check "no live fast-path SA of peer$V1P left" revlab_no_fast_path_sa $V1P
	lab_check "the IKEv2 peers 1, 3, 4 still up" revlab_still_up 1 3 4
	revlab_sender_stop
	lab_check "the IKEv2 peers 1, 3 and 4 lost zero packets" revlab_no_loss 1 3 4
	revlab_flow_lines $V1P
	lab_check "peer$V1P's re-initiate is refused" refused $V1P
	lab_check "peer$V1P has no session on either side after the refusal" gone_both $V1P
fi

# ---------------------------------------------------------------- b
if [[ $SCENARIOS == *b* ]]; then
	lab_say "b. the same CRL served again: nothing happens"
	BEFORE=$(counters)
	U0=$(revlab_crl_field "LAB Inter CA" unchanged)
	lab_check "crypto pki crl request $REVLAB_TP" revlab_crl_request
	lab_check "the gateway downloaded inter's CRL again and found it unchanged" \
		revlab_crl_wait "LAB Inter CA" unchanged $((U0 + 1)) 10
	sleep 0.5
	lab_check "nothing deleted: revocation counters unchanged" unchanged "$BEFORE"
	lab_check "peers 1, 3, 4 still up" revlab_still_up 1 3 4
fi

# ---------------------------------------------------------------- c
if [[ $SCENARIOS == *c* ]]; then
	lab_say "c. a CRL listing peer3 signed by the wrong key (forged inter): rejected"
	BEFORE=$(counters)
	R0=$(revlab_crl_field "LAB Inter CA" rejected)
	revlab_publish forged $((INTER_N + 1)) "$INTER_REVOKED,$(revlab_serial 3)"
	lab_check "crypto pki crl request $REVLAB_TP" revlab_crl_request
	lab_check "the gateway rejected the forged CRL" revlab_crl_wait "LAB Inter CA" rejected $((R0 + 1)) 10
	sleep 0.5
	lab_check "nothing deleted: revocation counters unchanged" unchanged "$BEFORE"
	lab_check "peers 1, 3, 4 still up" revlab_still_up 1 3 4
	revlab_publish inter "$INTER_N" "$INTER_REVOKED"	# the genuine one back
fi

# ---------------------------------------------------------------- d
if [[ $SCENARIOS == *d* ]]; then
	lab_say "d. feature off: a CRL revoking peer3 deletes nothing; peer3 cannot come back; feature on: deleted at once"
	revlab_sender_start d
	revlab_flows_flowing 1 3 4 >/dev/null
	lab_check "no crypto ikev2 disconnect-revoked-peers" lab_cli no crypto ikev2 disconnect-revoked-peers
	lab_check "show crypto ikev2 session detail: Disconnect Revoked Peer: Disabled" \
		detail_says "Disconnect Revoked Peer: Disabled"
	DEL0=$(revlab_rev sessions_deleted)
	SK0=$(revlab_rev sessions_skipped)
	EV0=$(revlab_rev crl_events)
	publish_inter "$INTER_REVOKED,$(revlab_serial 3)"
	lab_check "crypto pki crl request $REVLAB_TP" revlab_crl_request
	lab_check "the gateway accepted the new CRL (a CRL event)" wait_rev crl_events $((EV0 + 1))
	lab_check "peer3's session counted as skipped (revoked, feature off)" wait_rev sessions_skipped $((SK0 + 1))
	sleep 1
	lab_check "nothing deleted (sessions_deleted $DEL0)" expect_eq sessions_deleted "$DEL0" "$(revlab_rev sessions_deleted)"
	lab_check "peers 1, 3, 4 still up on both sides" revlab_still_up 1 3 4
	# A second connection of peer3's charon: same certificate, a new IKE SA.
	# charon reuses an IKE SA of an equal config and refuses a duplicate
	# CHILD SA itself: gw2 differs in its rekey time and its selector.
	swan_conn peer3 gw2 LOCAL_ADDRS="$(revlab_ip 3)" REMOTE_ADDRS="$LAB_GW_OUT_IP4" \
		LOCAL_ID="$(revlab_id 3)" REMOTE_ID="$REVLAB_GW_ID" CERT=peer3.crt REKEY_TIME=3h \
		LOCAL_TS=172.16.3.128/25 REMOTE_TS="$REVLAB_BR_NET" START_ACTION=none DPD_DELAY=0s CHILD=net2
	swan_load peer3 >/dev/null
	lab_check "a new IKE SA with peer3's revoked certificate is refused (AUTHENTICATION_FAILED)" refused 3 gw2 net2
	lab_check "peer3's first session still up" revlab_still_up 3
	revlab_sender_stop
	lab_check "peers 1, 3, 4 lost zero packets while the feature was off" revlab_no_loss 1 3 4
	revlab_sender_start d2
	revlab_flows_flowing 1 3 4 >/dev/null
	lab_check "crypto ikev2 disconnect-revoked-peers (t0 = when it returns)" lab_cli crypto ikev2 disconnect-revoked-peers
	revlab_t0_mark
	lab_check "peer3's session gone on both sides (t1)" revlab_wait_gone 3 10
	lab_check "peer3: t1 - t0 within ${DEADLINE_MS} ms" within_deadline 3
	lab_check "the deletion was logged" deleted_logged 3 3003
	lab_check "show crypto pki revocation shows an \"enabled\" event" \
		lab_show_words show crypto pki revocation -- enabled
	lab_check "peers 1, 4 still up" revlab_still_up 1 4
	revlab_sender_stop
	lab_check "peers 1 and 4 lost zero packets" revlab_no_loss 1 4
fi

# ---------------------------------------------------------------- f
if [[ $SCENARIOS == *f* ]]; then
	lab_say "f. the root's CRL revokes inter2 (serial 0x30): peer4 (certificate by inter2) goes"
	revlab_sender_start f
	revlab_flows_flowing 1 4 >/dev/null
	DEL0=$(revlab_rev sessions_deleted)
	revlab_publish root 2 0x30
	revoke_measure 4
	lab_check "the deletion was logged (serial of inter2)" deleted_logged 4 30
	lab_check "charon peer4 received the DELETE of its IKE SA" \
		swan_log_has peer4 "received DELETE for IKE_SA gw\\[[0-9]+\\]"
	lab_check "peer1 still up" revlab_still_up 1
	revlab_sender_stop
	lab_check "peer1 lost zero packets" revlab_no_loss 1
	lab_check "peer4's re-initiate is refused" refused 4
fi

# ---------------------------------------------------------------- e
if [[ $SCENARIOS == *e* ]]; then
	lab_say "e. peers 2 and 3 back with new certificates; one CRL revokes both"
	for n in 2 3; do
		out=$("$SWAN_PKI_TOOL" ee "$REVLAB_PKI" "peer$n" --key rsa --serial $((0x3010 + n)) \
			--cn "$(revlab_id "$n")" --san "DNS:$(revlab_id "$n")") || lab_die "pki_tool ee peer$n: $out"
		swan_cert "peer$n" "$REVLAB_PKI" "peer$n"
		swan_load "peer$n" >/dev/null
		lab_check "peer$n back with serial $(printf '0x%x' $((0x3010 + n)))" revlab_peer_up "$n"
	done
	revlab_sender_start e
	lab_check "traffic on peers 1, 2, 3" revlab_flows_flowing 1 2 3
	DEL0=$(revlab_rev sessions_deleted)
	publish_inter "$INTER_REVOKED,0x3012,0x3013"
	revoke_measure 2 3
	lab_check "two sessions deleted by one CRL" wait_rev sessions_deleted $((DEL0 + 2))
	lab_check "peer1 still up" revlab_still_up 1
	revlab_sender_stop
	lab_check "peer1 lost zero packets" revlab_no_loss 1
fi

revlab_flows_stop
lab_say "summary"
lab_cli show crypto pki revocation
lab_log "whole run: $((($(date +%s%N) - T_START) / 1000000)) ms"
lab_finish
