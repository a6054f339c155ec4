#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The telemetry socket under abuse (issue 8, "Faults, with nothing lost"):
# ipsecgw in the lab (test/lab/lab.sh) with two manual SA pairs and a PKI
# trustpoint (test/lab/pki_tool.c; its CRL URL unreachable: no management
# veth), so that every state-changing command has state to change:
#
#   /ipsecgw/sa_clear,NAME                      manual SA pairs
#   /ipsecgw/pki/crl_request,TRUSTPOINT         operator_requests
#   /ipsecgw/ikev2|isakmp/disconnect_revoked_peers[,0|1]   the switches
#   /ipsecgw/clear/crypto_session[,remote=ADDR|id=N]
#   /ipsecgw/ikev2/rekey,id=N|child=SPI
#
# test/lab/tm_abuse.py speaks to the socket directly: unknown commands,
# names with bad characters, an empty message, 1023-byte and longer
# requests, binary garbage, NUL bytes, an idle client, more than the 10
# clients DPDK serves, and malformed parameters (overflowing, negative,
# trailing junk, hex, spaces, commas...) on every /ipsecgw/ command the
# gateway registers; each refused with an error reply, the state read back
# unchanged, the positive controls changing it.  Then ipsecgw-cli with bad
# arguments exits non-zero with a message, the gateway still answers with
# the same pid, and exits 0 on SIGTERM.  About 10 s.
#
#   test/integration/tm_abuse.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init tm_abuse "${1:?usage: tm_abuse.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}"
PKI_TOOL=$(readlink -f "${3:?usage: tm_abuse.sh IPSECGW IPSECGW_CLI PKI_TOOL}")
[[ -x $PKI_TOOL ]] || lab_die "pki_tool not found: $3"

TP=LAB-CA
SA_KEEP=lab-keep
SA_CLEAR=lab_clear
PKI_DIR=$LAB_TMP/pki
CRL_URL=http://$LAB_MGMT_CA_IP4:8080/root.crl	# no management veth: unreachable

hexkey() { printf '0x%s' "$(od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n')"; }

# manual_sa NAME REMOTE_TS SPI_IN SPI_OUT
manual_sa() {
	printf '  { name = "%s"; local = "10.10.0.1"; remote = "10.10.0.254";\n' "$1"
	printf '    local_ts = [ "192.168.10.0/24" ]; remote_ts = [ "%s" ]; esp = "aes128-sha256";\n' "$2"
	printf '    spi_in = %s; spi_out = %s;\n' "$3" "$4"
	printf '    enc_key_in = "%s"; enc_key_out = "%s";\n' "$(hexkey 16)" "$(hexkey 16)"
	printf '    auth_key_in = "%s"; auth_key_out = "%s"; }' "$(hexkey 32)" "$(hexkey 32)"
}

lab_topology
mkdir -p "$PKI_DIR"
"$PKI_TOOL" init "$PKI_DIR" --root-crl-url "$CRL_URL" >/dev/null ||
	lab_die "pki_tool init failed"
CONF=$LAB_TMP/gw.conf
lab_conf_af_packet "$CONF"
{
	echo "manual_sas = ("
	manual_sa "$SA_KEEP" 172.16.1.0/24 0x1001 0x2001
	echo ","
	manual_sa "$SA_CLEAR" 172.16.2.0/24 0x1002 0x2002
	echo
	echo ");"
} >>"$CONF"
lab_conf_pki "$CONF" "PKI_DIR=$PKI_DIR" "CRL_URLS=\"$CRL_URL\"" \
	"CRL_CACHE_DIR=$LAB_TMP/crl-cache" "CRL_MIN_INTERVAL=60" || lab_die "cannot render the PKI block"
lab_check "the configuration passes --check" lab_conf_ok "$CONF" || lab_die "bad configuration"

lab_say "the gateway"
lab_gw_start "$CONF"
PID0=$(lab_cli --raw /ipsecgw/version | "$LAB_PY" "$LAB_SRC/jsonget.py" pid)
lab_log "ipsecgw pid $PID0"

lab_say "the socket, the clients and every command's parameters (tm_abuse.py)"
T0=$(date +%s%N)
lab_check "malformed commands and parameters refused, state unchanged" \
	"$LAB_PY" "$LAB_SRC/tm_abuse.py" "$LAB_SOCK" "$SA_KEEP" "$SA_CLEAR" "$TP"
lab_log "tm_abuse.py took $((($(date +%s%N) - T0) / 1000000)) ms"

lab_say "ipsecgw-cli with bad arguments"
# cli_refuses CODE ARGS...: exit status CODE (2: the argument's form, checked
# before anything is sent; 1: the gateway's error reply) and a message on
# stderr.
cli_refuses() {
	local want=$1 out rc
	shift
	out=$(lab_cli "$@" 2>&1 >/dev/null)
	rc=$?
	echo "ipsecgw-cli $*: exit $rc: $(head -n 1 <<<"$out")"
	[[ $rc -eq $want && -n $out ]]
}
long_name=$(printf 'x%.0s' {1..32})
bad_cli=(
	"2:clear crypto sa:a,b" "2:clear crypto sa:$long_name" "2:clear crypto sa:lab keep"
	"2:clear crypto sa:" "2:crypto pki crl request:A,B" "2:crypto pki crl request:"
	"2:clear crypto session id:-1" "2:clear crypto session id:1x"
	"2:clear crypto session id:0x10" "2:clear crypto session id:99999999999999999999"
	"2:clear crypto session id: 1" "2:clear crypto session remote:10.10.0.256"
	"2:clear crypto session remote:10.10.0.1,id=1" "2:crypto ikev2 rekey id:-1"
	"2:crypto ikev2 rekey id:18446744073709551616" "2:crypto ikev2 rekey child:0x100000000"
	"2:crypto ikev2 rekey child:0x0x10" "2:crypto ikev2 rekey child:0"
	"2:show crypto ipsec sa detail:1x" "2:show crypto ipsec sa detail:-1"
	"2:show nonsense:" "2:crypto ikev2 disconnect-revoked-peers:extra"
	"1:crypto pki crl request:NO-SUCH-TP" "1:clear crypto session id:99999"
	"1:crypto ikev2 rekey child:0xffffffff" "1:clear crypto sa:no_such_sa"
)
for b in "${bad_cli[@]}"; do
	code=${b%%:*}
	rest=${b#*:}
	words=${rest%%:*}
	arg=${rest#*:}
	# shellcheck disable=SC2086
	if [[ -z $arg ]]; then
		lab_check "ipsecgw-cli $words (no argument): exit $code" cli_refuses "$code" $words
	else
		lab_check "ipsecgw-cli $words '$arg': exit $code" cli_refuses "$code" $words "$arg"
	fi
done
too_long=$(printf '/ipsecgw/version,%01100d' 0)
lab_check "ipsecgw-cli --raw with a 1117-byte request: exit 1" cli_refuses 1 --raw "$too_long"
lab_check "ipsecgw-cli --raw /ipsecgw/sa_clear,a,b: the error reply, exit 1" \
	cli_refuses 1 --raw /ipsecgw/sa_clear,a,b
lab_check "ipsecgw-cli --raw of an unknown command: exit 1" cli_refuses 1 --raw /ipsecgw/nope
lab_check "$SA_KEEP untouched by all of it" \
	lab_show_words show crypto ipsec sa -- "$SA_KEEP"

lab_say "the gateway afterwards"
same_pid() {
	local pid
	pid=$(lab_cli --raw /ipsecgw/version | "$LAB_PY" "$LAB_SRC/jsonget.py" pid)
	expect_eq "pid of the gateway answering" "$PID0" "$pid"
}
lab_check "the gateway still answers, same process" same_pid
lab_check "ipsecgw-cli show version works" lab_show_words show version -- ipsecgw
lab_gw_stop
lab_check "ipsecgw exits 0 on SIGTERM" expect_eq "exit status" 0 "$LAB_GW_RC"
lab_check "no sanitizer or assertion report in the log" \
	bash -c "! grep -E 'ERROR: AddressSanitizer|runtime error:|Assertion|PANIC|Segmentation' '$LAB_GW_LOG'"

lab_finish
