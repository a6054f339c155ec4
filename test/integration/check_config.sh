#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ipsecgw --check: the documented example passes, and broken copies of it
# fail with exit 1 and one line "FILE:LINE: what is wrong (the value)"
# pointing at the broken line.  No DPDK, no root.
#
#   test/integration/check_config.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

IPSECGW=$(readlink -f "${1:?usage: check_config.sh IPSECGW IPSECGW_CLI}")
LAB_NAME=check_config
EXAMPLE=$LAB_ROOT/cfg/ipsecgw.conf
TMP=$(mktemp -d /tmp/ipsecgw-check_config.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# check_err CONF LINE REGEX: --check exits 1 with "CONF:LINE: ..." matching REGEX.
check_err() {
	local conf=$1 line=$2 regex=$3 out rc
	out=$("$IPSECGW" -c "$conf" --check 2>&1)
	rc=$?
	echo "said: $out"
	expect_eq "exit status" 1 "$rc" || return 1
	[[ $(wc -l <<<"$out") -eq 1 ]] || { echo "expected one line of error"; return 1; }
	if ! grep -qE "^$conf:$line: $regex" <<<"$out"; then
		echo "expected a line matching '$conf:$line: $regex'"
		return 1
	fi
}

# first_line FILE REGEX: number of the first line matching REGEX.
first_line() { grep -nE "$2" "$1" | head -1 | cut -d: -f1; }

lab_say "the documented example $EXAMPLE"
lab_check "cfg/ipsecgw.conf passes --check" lab_conf_ok "$EXAMPLE"

lab_say "a typo in a key"
typo=$TMP/typo.conf
line=$(first_line "$EXAMPLE" '^[[:space:]]*workers[[:space:]]*=')
if [[ -z $line ]]; then
	lab_check "the example sets 'workers'" false
else
	sed "${line}s/workers/wrokers/" "$EXAMPLE" >"$typo"
	echo "line $line of the copy: $(sed -n "${line}p" "$typo")"
	lab_check "'wrokers' is refused as an unknown key at line $line" \
		check_err "$typo" "$line" 'unknown key \(.*wrokers.*\)'
fi

lab_say "a typo in a key inside an interface"
typo2=$TMP/typo2.conf
line=$(first_line "$EXAMPLE" 'name[[:space:]]*=.*port[[:space:]]*=|^[[:space:]]*port[[:space:]]*=')
if [[ -z $line ]]; then
	lab_check "the example has an interface with a 'port'" false
else
	sed "${line}s/port[[:space:]]*=/prot =/" "$EXAMPLE" >"$typo2"
	echo "line $line of the copy: $(sed -n "${line}p" "$typo2")"
	lab_check "'prot' is refused as an unknown key at line $line" \
		check_err "$typo2" "$line" 'unknown key \(.*prot.*\)'
fi

lab_say "socket_mode as a bare integer"
bare=$TMP/bare_mode.conf
line=$(first_line "$EXAMPLE" 'socket_mode[[:space:]]*=')
if [[ -n $line ]]; then
	sed -E "${line}s/socket_mode[[:space:]]*=[[:space:]]*\"([0-7]+)\"/socket_mode = \\1/" "$EXAMPLE" >"$bare"
else
	cp "$EXAMPLE" "$bare"
	echo 'telemetry = { socket_mode = 0660; };' >>"$bare"
	line=$(wc -l <"$bare")
fi
echo "line $line of the copy: $(sed -n "${line}p" "$bare")"
lab_check "a bare-integer socket_mode is refused at line $line" \
	check_err "$bare" "$line" '.*socket_mode.*'

lab_say "other broken values"
bad=$TMP/bad_prefix.conf
cat >"$bad" <<'EOF'
eal = [ "--no-huge" ];
workers = 1;
interfaces = ( { name = "outside"; port = "net_null0"; address = "10.10.0.1/24"; } );
routes = ( { prefix = "10.20.0.0/33"; via = "10.10.0.254"; } );
EOF
lab_check "a /33 IPv4 prefix is refused at line 4" check_err "$bad" 4 '.*10\.20\.0\.0/33.*'
gcm=$TMP/manual_gcm.conf
cat >"$gcm" <<'EOF'
eal = [ "--no-huge" ];
interfaces = ( { name = "outside"; port = "net_null0"; address = "10.10.0.1/24"; } );
manual_sas = ( { name = "lab1"; local = "10.10.0.1"; remote = "10.10.0.2";
  local_ts = [ "192.168.10.0/24" ]; remote_ts = [ "172.16.1.0/24" ];
  esp = "aes128gcm16"; spi_in = 0x1001; spi_out = 0x2001;
  enc_key_in = "0x000102030405060708090a0b0c0d0e0f10111213";
  enc_key_out = "0x000102030405060708090a0b0c0d0e0f10111213"; } );
EOF
lab_check "manual AES-GCM without allow_unsafe_manual_gcm is refused at line 5" \
	check_err "$gcm" 5 'manual SA "lab1": AES-GCM with manual keys reuses nonces.*\(aes128gcm16\)'
check_missing() {
	local out rc
	out=$("$IPSECGW" -c "$1" --check 2>&1)
	rc=$?
	echo "said: $out"
	expect_eq "exit status" 1 "$rc" || return 1
	grep -qF "$1" <<<"$out" || { echo "expected the message to name $1"; return 1; }
}
lab_check "a missing file is refused, naming the file" check_missing "$TMP/nonexistent.conf"

lab_say "the lab and benchmark templates"
lab_conf_af_packet_dummy() {
	IF_GW_OUT=gwo000000 IF_GW_IN=gwi000000 lab_conf_af_packet "$TMP/lab.conf"
}
lab_conf_af_packet_dummy
lab_check "test/lab/gw.conf.in passes --check" lab_conf_ok "$TMP/lab.conf"
lab_render "$LAB_ROOT/test/bench/bench.conf.in" "$TMP/bench.conf" "PCAP=$TMP/none.pcap"
lab_check "test/bench/bench.conf.in passes --check" lab_conf_ok "$TMP/bench.conf"

lab_finish
