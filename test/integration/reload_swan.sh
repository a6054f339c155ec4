#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Live reconfiguration (issue 9) end to end, on the revocation lab
# (test/lab/revlab.sh): ipsecgw starts with peers A (peer1), B (peer2) and
# D (peer4, IKEv1); four charons are up (peer3, C, not yet in the gateway's
# configuration); numbered UDP (test/lab/seqflow.py) runs on every tunnel
# from the branch for the whole test, and five reloads follow, by both
# triggers:
#
#   1. SIGHUP, the file now with A, C and D with another child_lifetime:
#      B's session is deleted (charon peer2 logs the DELETE of its IKE SA,
#      neither side keeps an SA, no fast-path SA of peer2 is left, the
#      session_down event names peer2 and the reload), D's too (charon
#      logs the DELETEs of its ESP SA and ISAKMP SA; a changed peer is
#      removed and added); C is added: charon peer3 initiates and its
#      traffic flows; D initiates again under its new settings.
#   2. /ipsecgw/reload (ipsecgw-cli reload): disconnect_revoked_peers turned
#      on, the CA file rewritten in place with one more CA, our RSA
#      certificate and key rotated in place (same paths, serial 0x200): the
#      report says so (PKI restarted); the switch is on; the CRLs are back
#      (from the cache); C's new session authenticates with the new
#      certificate and is checked against the CRLs in force.
#   3. SIGHUP, workers = 2 in the file: rejected with
#      "FILE:LINE: workers cannot change without a restart (1 -> 2)".
#   4. ipsecgw-cli reload, a bad log_level line: rejected with its FILE:LINE
#      (the CLI exits 1 and prints it); after 3 and 4 nothing changed.
#   5. the valid file back: "unchanged".
#
# A (peer1), untouched by every reload: 0 packets lost, and the same IKE
# SA and CHILD SA (SPIs, both sides) at the end as at the start.  Each
# reload's time is printed; each one is logged and raised as an event.
#
#   test/integration/reload_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"
# shellcheck source=../lab/swan.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/swan.sh"
# shellcheck source=../lab/revlab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/revlab.sh"

REVLAB_PEERS="1 2 3 4"
REVLAB_V1_PEERS=4
revlab_init reload_swan "${1:?usage: reload_swan.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}" "${3:?}"
T_START=$(date +%s%N)
CONF=$LAB_TMP/gw.conf
# The event's kind: "reload" once common/gw_event.h lists it, else audit.
EV_KIND=audit
grep -q 'X(RELOAD, reload' "$LAB_ROOT/common/gw_event.h" && EV_KIND=reload

# ---------------------------------------------------------------- helpers

# conf PEERS DISCONNECT [D_CHILD_LIFETIME]: the gateway's configuration
# with those peers, peer4's child_lifetime set when given.
conf() {
	REVLAB_PEERS=$1 revlab_gw_conf "$CONF" "$2"
	[[ -z ${3:-} ]] || sed -i "s/name = \"peer4\";/name = \"peer4\"; child_lifetime = $3;/" "$CONF"
}

# status FIELD: one field of /ipsecgw/reload/status.
status() { lab_cli --raw /ipsecgw/reload/status | "$LAB_PY" "$LAB_SRC/jsonget.py" "$1"; }

# mark WHAT: note when WHAT happened (Unix seconds, as seqflow's loss
# ranges give them), to set against a loss of peer1's traffic.
mark() { echo "$(date +%s.%N | cut -c1-14) $*" >>"$LAB_TMP/marks"; }

# sighup_reload N: SIGHUP, then wait until reload N is reported (10 s).
sighup_reload() {
	local i t0 id
	mark "reload $1 (SIGHUP)"
	t0=$(date +%s%N)
	/bin/kill -HUP "$LAB_GW_PID" || return 1
	for ((i = 0; i < 100; i++)); do
		id=$(status id 2>/dev/null)
		[[ $id == "$1" ]] && break
		sleep 0.1
	done
	echo "reload $id reported $((($(date +%s%N) - t0) / 1000000)) ms after the SIGHUP;" \
		"the gateway measured $(status duration_us) us"
	[[ $id == "$1" ]]
}

# report_is FIELD=VALUE...: the last report (/ipsecgw/reload/status) says so.
report_is() {
	local kv bad=0 reply
	reply=$(lab_cli --raw /ipsecgw/reload/status) || return 1
	for kv in "$@"; do
		local v
		v=$("$LAB_PY" "$LAB_SRC/jsonget.py" "${kv%%=*}" <<<"$reply")
		if [[ $v == "${kv#*=}" ]]; then
			echo "  ${kv%%=*} = $v"
		else
			echo "  ${kv%%=*} = $v, expected ${kv#*=}"
			bad=1
		fi
	done
	return $bad
}

# peer_spis N: peer N's IKE SA and CHILD SA as both sides see them.
peer_spis() {
	local n=$1 sas gw
	sas=$(swan_sas "peer$n" gw)
	gw=$("$LAB_PY" - "$LAB_SOCK" "$LAB_SRC" "$REVLAB_PY_SESSIONS" "peer$n" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
from tmquery import Telemetry
exec(sys.argv[3])
up = [(i, r) for i, r in sessions(Telemetry(sys.argv[1])).items()
      if r.get("peer") == sys.argv[4] and str(r.get("status", "")).startswith("UP")]
print(" ".join("session=%d ike=%s/%s child=%s/%s" % (i, r.get("local_spi"), r.get("remote_spi"),
               ",".join(r.get("child_spi_in") or []), ",".join(r.get("child_spi_out") or []))
               for i, r in sorted(up)))
EOF
	)
	printf 'charon: ike=%s/%s child=%s/%s; gateway: %s\n' \
		"$(awk '$1 == "initiator-spi" { print $3; exit }' <<<"$sas")" \
		"$(awk '$1 == "responder-spi" { print $3; exit }' <<<"$sas")" \
		"$(swan_child_field "peer$n" gw net spi-in)" "$(swan_child_field "peer$n" gw net spi-out)" \
		"${gw:-none}"
}

# sessions_are PEERS: the gateway's sessions are one of each of PEERS
# ("1 3 4"), each up.
sessions_are() {
	local s n want=
	s=$(revlab_sessions) || return 1
	echo "gateway sessions: ${s:-none}"
	for n in $1; do
		want+="${want:+ }peer$n:UP"
	done
	[[ $(sed -E 's/:UP[^ ]*/:UP/g' <<<"$s") == "$want" ]]
}

# flow_grows N: peer N's flow got new echoes within 5 s.
flow_grows() {
	local i r0 r
	r0=$("$LAB_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["flows"]["peer"+sys.argv[2]]["received"])' \
		"$REVLAB_FLOWS_STATUS" "$1") || return 1
	for ((i = 0; i < 50; i++)); do
		sleep 0.1
		r=$("$LAB_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["flows"]["peer"+sys.argv[2]]["received"])' \
			"$REVLAB_FLOWS_STATUS" "$1")
		((r > r0)) && { echo "peer$1: echoes $r0 -> $r"; return 0; }
	done
	echo "peer$1: no new echo in 5 s ($r0)"
	return 1
}

# logged_event N TRIGGER RESULT: the gateway logged reload N's event.
logged_event() {
	gw_logged "event=$EV_KIND id=$1 cmd=reload trigger=$2 result=$3 "
}

# ---------------------------------------------------------------- set-up

lab_say "set-up: namespaces, PKI, CRL server, ipsecgw with peer1, peer2 and peer4 (IKEv1), four charons, traffic"
revlab_topology
revlab_pki
revlab_crl_server
conf "1 2 4" false
revlab_gw_start "$CONF"
for n in 1 2 3 4; do
	revlab_peer "$n"
done
for n in 1 2 4; do
	lab_check "peer$n establishes IKEv$(revlab_version "$n") + CHILD SA" revlab_peer_up "$n"
done
revlab_flows_start
lab_check "traffic flows on peers 1, 2 and 4" revlab_flows_flowing 1 2 4
SPIS0=$(peer_spis 1)
spis_read() {
	echo "peer1 before the reloads: $SPIS0"
	[[ $SPIS0 =~ ^charon:\ ike=[0-9a-f]{16}/[0-9a-f]{16}\ child=[0-9a-f]{8}/[0-9a-f]{8}\;\ gateway:\ session=[0-9]+\ ike=[0-9A-F]{16}/[0-9A-F]{16}\ child=0x[0-9a-f]{8}/0x[0-9a-f]{8}$ ]]
}
lab_check "peer1's IKE SA and CHILD SA SPIs read on both sides" spis_read

# ---------------------------------------------------------------- 1
lab_say "1. SIGHUP: peer2 removed, peer3 added, peer4 changed"
conf "1 3 4" false 1800
D0=$(swan_log_count peer2 "received DELETE for IKE_SA gw\\[[0-9]+\\]")
E4=$(swan_log_count peer4 "received DELETE for ESP CHILD_SA with SPI")
I4=$(swan_log_count peer4 "received DELETE for IKE_SA gw\\[[0-9]+\\]")
lab_check "SIGHUP: reload 1 reported" sighup_reload 1
lab_check "reload 1: applied, 1 kept, 1 added, 1 removed, 1 changed, 2 sessions deleted" report_is \
	trigger=sighup result=applied peers_kept=1 peers_added=1 peers_removed=1 peers_changed=1 \
	sessions_deleted=2 sessions_kept=1 pki=unchanged error_count=0
peer2_deleted() {
	(($(swan_log_count peer2 "received DELETE for IKE_SA gw\\[[0-9]+\\]") > D0)) ||
		{ echo "charon peer2 logged no new DELETE"; return 1; }
	swan_log_has peer2 "received DELETE for IKE_SA gw\\[[0-9]+\\]"
}
lab_check "charon peer2 received the DELETE of its IKE SA" peer2_deleted
lab_check "charon peer2 holds no IKE SA" swan_wait_gone peer2 gw 10
lab_check "no live fast-path SA of peer2" revlab_no_fast_path_sa 2
lab_check "session_down of peer2: removed by the reload" \
	gw_logged "event=session_down id=[0-9]+ version=2 peer=peer2 .*reason=\"peer removed by a configuration reload\""
peer4_deleted() {
	(($(swan_log_count peer4 "received DELETE for ESP CHILD_SA with SPI") > E4)) ||
		{ echo "charon peer4 logged no new DELETE of an ESP SA"; return 1; }
	(($(swan_log_count peer4 "received DELETE for IKE_SA gw\\[[0-9]+\\]") > I4)) ||
		{ echo "charon peer4 logged no new DELETE of its ISAKMP SA"; return 1; }
	swan_log_has peer4 "received DELETE for (ESP CHILD_SA|IKE_SA gw)"
}
lab_check "charon peer4 (IKEv1, changed) received the DELETEs of its ESP SA and ISAKMP SA" peer4_deleted
lab_check "charon peer4 holds no ISAKMP SA" swan_wait_gone peer4 gw 10
lab_check "session_down of peer4: changed by the reload" \
	gw_logged "event=session_down id=[0-9]+ version=1 peer=peer4 .*reason=\"peer changed by a configuration reload\""
lab_check "peer3 (added) establishes IKEv2 + CHILD SA" revlab_peer_up 3
lab_check "peer4 (changed) establishes IKEv1 + IPsec SA again" revlab_peer_up 4
lab_check "traffic flows on peer3" revlab_flows_flowing 3
lab_check "traffic flows on peer4 again" flow_grows 4
lab_check "gateway sessions: peers 1, 3 and 4 up" sessions_are "1 3 4"
lab_check "the reload was logged" gw_logged "reload 1 \\(sighup\\): applied: peers 1 kept, 1 added, 1 removed, 1 changed"
lab_check "event $EV_KIND for reload 1" logged_event 1 sighup applied
lab_check "peer1's traffic still flows" flow_grows 1

# ---------------------------------------------------------------- 2
lab_say "2. ipsecgw-cli reload: disconnect_revoked_peers on, a CA added to the CA file, our certificate rotated (same paths)"
out=$("$SWAN_PKI_TOOL" ca "$REVLAB_PKI" inter3 --cn "LAB Inter3 CA" --serial 0x31) ||
	lab_die "pki_tool ca inter3: $out"
cat "$REVLAB_PKI/root.crt" "$REVLAB_PKI/inter.crt" "$REVLAB_PKI/inter2.crt" "$REVLAB_PKI/inter3.crt" \
	>"$REVLAB_PKI/ca.crt" || lab_die "cannot write ca.crt"
out=$("$SWAN_PKI_TOOL" ee "$REVLAB_PKI" gw --key rsa --serial 0x200 --cn "$REVLAB_GW_ID" \
	--san "DNS:$REVLAB_GW_ID,IP:$LAB_GW_OUT_IP4") || lab_die "pki_tool ee gw: $out"
swan_indent "$out"
conf "1 3 4" true 1800
cli_reload_applied() {
	local out rc
	mark "reload 2 (ipsecgw-cli reload)"
	out=$(lab_cli reload 2>&1)
	rc=$?
	echo "$out"
	((rc == 0)) && grep -q "): applied in " <<<"$out"
}
lab_check "ipsecgw-cli reload: applied" cli_reload_applied
lab_check "reload 2: PKI restarted, 1 CA file and 1 identity with new content, the switch, nothing deleted" \
	report_is id=2 trigger=telemetry result=applied peers_kept=3 sessions_deleted=0 pki=restarted \
	ca_files_changed=1 identities_changed=1 ikev2_disconnect_revoked_peers_changed=1 \
	isakmp_disconnect_revoked_peers_changed=1 error_count=0
lab_check "crypto.ikev2 disconnect_revoked_peers is on" \
	expect_eq ikev2_enabled 1 "$(revlab_rev ikev2_enabled)"
lab_check "show crypto pki certificates: our new certificate (serial 0200) and LAB Inter3 CA" \
	lab_show_words show crypto pki certificates -- "LAB Inter3 CA" "0200"
lab_check "the inter CRL is held again (number 01, from the cache or downloaded again)" \
	expect_eq "inter CRL number" 01 "$(revlab_crl_field "LAB Inter CA" crl_number)"
lab_check "peer3 terminates its session" swan_terminate peer3 gw
lab_check "peer3's new session: our new certificate, its chain checked against the CRLs" revlab_peer_up 3
lab_check "event $EV_KIND for reload 2" logged_event 2 telemetry applied

# ---------------------------------------------------------------- 3
lab_say "3. SIGHUP with workers = 2: rejected, nothing changed"
cp "$CONF" "$LAB_TMP/good.conf"
sed -i 's/^workers = 1;/workers = 2;/' "$CONF"
WLINE=$(grep -n '^workers = 2;' "$CONF" | cut -d: -f1)
lab_check "SIGHUP: reload 3 reported" sighup_reload 3
errors_are() {
	local got
	got=$(lab_cli --raw /ipsecgw/reload/status | "$LAB_PY" "$LAB_SRC/jsonget.py" errors)
	echo "errors: $got"
	[[ $got == "$1" ]]
}
lab_check "reload 3: rejected" report_is result=rejected error_count=1
lab_check "its error: $CONF:$WLINE: workers cannot change without a restart (1 -> 2)" \
	errors_are "$CONF:$WLINE: workers cannot change without a restart (1 -> 2)"
lab_check "the gateway logged it" gw_logged "reload 3 \\(sighup\\): .*:$WLINE: workers cannot change"

# ---------------------------------------------------------------- 4
lab_say "4. ipsecgw-cli reload with a bad line: rejected with FILE:LINE, nothing changed"
cp "$LAB_TMP/good.conf" "$CONF"
sed -i 's/^log_level = "info";/log_level = "loud";/' "$CONF"
BLINE=$(grep -n '^log_level = "loud";' "$CONF" | cut -d: -f1)
cli_reload_rejected() {
	local out rc
	mark "reload 4 (ipsecgw-cli reload)"
	out=$(lab_cli reload 2>&1)
	rc=$?
	echo "$out"
	((rc == 1)) || { echo "exit $rc, expected 1"; return 1; }
	grep -qF "  $CONF:$BLINE: " <<<"$out" && grep -qF "(loud)" <<<"$out"
}
lab_check "ipsecgw-cli reload: exit 1, the line $CONF:$BLINE printed" cli_reload_rejected
lab_check "reload 4: rejected" report_is id=4 result=rejected error_count=1
lab_check "totals: 2 applied, 2 rejected" report_is applied=2 rejected=2 unchanged=0
lab_check "still peers 1, 3 and 4 up" sessions_are "1 3 4"
lab_check "the switch is still on" expect_eq ikev2_enabled 1 "$(revlab_rev ikev2_enabled)"

# ---------------------------------------------------------------- 5
lab_say "5. the valid file back: unchanged"
cp "$LAB_TMP/good.conf" "$CONF"
cli_reload_unchanged() {
	local out
	mark "reload 5 (ipsecgw-cli reload)"
	out=$(lab_cli reload 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	grep -q "): unchanged in " <<<"$out"
}
lab_check "ipsecgw-cli reload: unchanged" cli_reload_unchanged
lab_check "show ipsecgw reload" lab_show_words show ipsecgw reload -- "2 applied, 1 unchanged, 2 rejected"

# ---------------------------------------------------------------- peer1
lab_say "peer1 across every reload"
revlab_sender_stop
lab_check "peer1 lost zero packets (sequence numbers), from before reload 1 to after reload 5" \
	revlab_no_loss 1
revlab_flow_lines 3 4
lab_log "when each reload started (Unix time, as the loss ranges above):"
sed 's/^/    /' "$LAB_TMP/marks"
lab_log "the sender's stalls over 50 ms (a loaded machine; it never catches up in one burst):"
"$LAB_PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("    %d, the longest %s ms, %d datagrams of peer1 skipped%s" % (len(d["stalls"]),
      d["stall_max_ms"], d["flows"]["peer1"]["skipped"],
      "".join("\n    %.3f %s ms" % (t, ms) for t, ms in d["stalls"][:8])))' "$REVLAB_FLOWS_OUT"
lab_log "the gateway's view of peer1's session and the data plane's drops:"
lab_cli show crypto ikev2 session detail | grep -E "^Session|Remote id|Tunnel totals" | sed 's/^/    /'
lab_cli show ipsecgw drops | sed 's/^/    /'
lab_cli show interfaces | sed 's/^/    /'
SPIS1=$(peer_spis 1)
lab_check "peer1's IKE SA and CHILD SA are the same on both sides (no rekey, no reinstall)" \
	expect_eq "peer1 SAs" "$SPIS0" "$SPIS1"
lab_check "peer1 up on both sides" revlab_still_up 1

revlab_flows_stop
lab_say "summary"
lab_cli show ipsecgw reload
lab_log "whole run: $((($(date +%s%N) - T_START) / 1000000)) ms"
lab_finish
