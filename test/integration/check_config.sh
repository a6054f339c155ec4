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

# make_example_pki DIR: the files cfg/ipsecgw.conf names under pki/ (root CA,
# intermediate, RSA identity, EC identity with an encrypted key), with the
# openssl command line.  GW_DAYS sets the RSA identity's validity (365).
ossl_ext() { printf 'basicConstraints=critical,CA:%s\nkeyUsage=critical,%s\n' "$1" "$2"; }
ossl_sign() {	# CSR_SUBJ KEY CA CAKEY OUT DAYS CA:TRUE|FALSE USAGE
	openssl req -new -key "$2" -subj "$1" 2>/dev/null |
		openssl x509 -req -CA "$3" -CAkey "$4" -set_serial "$RANDOM" -days "$6" \
			-extfile <(ossl_ext "$7" "$8") -out "$5" 2>/dev/null
}
make_example_pki() {
	local d=$1
	mkdir -p "$d" && (
		cd "$d" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
			-subj "/O=ipsecgw test/CN=Check Root CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null &&
		openssl genrsa -out inter.key 2048 2>/dev/null &&
		ossl_sign "/O=ipsecgw test/CN=Check Inter CA" inter.key ca.crt ca.key \
			intermediate.crt 3650 TRUE keyCertSign,cRLSign &&
		openssl genrsa -out gw.key 2048 2>/dev/null &&
		ossl_sign "/O=ipsecgw test/CN=gw.example" gw.key intermediate.crt inter.key \
			gw.crt "${GW_DAYS:-365}" FALSE digitalSignature &&
		openssl ecparam -name prime256v1 -genkey -noout -out ec.key 2>/dev/null &&
		ossl_sign "/O=ipsecgw test/CN=gw-ec.example" ec.key ca.crt ca.key gw-ec.crt 365 \
			FALSE digitalSignature &&
		printf 'ec passphrase\n' >gw-ec.pass && chmod 600 gw-ec.pass gw.key &&
		openssl pkcs8 -topk8 -v2 aes-256-cbc -in ec.key -out gw-ec.key \
			-passout file:gw-ec.pass && chmod 600 gw-ec.key
	)
}

# pki_check CONF RC REGEX: --check exits RC and says something matching REGEX.
pki_check() {
	local out rc
	out=$("$IPSECGW" -c "$1" --check 2>&1)
	rc=$?
	echo "said: $out"
	expect_eq "exit status" "$2" "$rc" || return 1
	grep -qE "$3" <<<"$out" || { echo "expected a line matching '$3'"; return 1; }
}

lab_say "the documented example $EXAMPLE, with its PKI files made"
EX=$TMP/example
mkdir -p "$EX"
cp "$EXAMPLE" "$EX/ipsecgw.conf"
if ! make_example_pki "$EX/pki"; then
	lab_check "openssl makes the example's PKI files" false
fi
lab_check "cfg/ipsecgw.conf passes --check" lab_conf_ok "$EX/ipsecgw.conf"
lab_check "--check loads the PKI files and says so" \
	pki_check "$EX/ipsecgw.conf" 0 'PKI files load: 2 identity\(ies\), 1 trustpoint\(s\), 3 certificate'

lab_say "--check opens keys, certificates and CA files"
cp "$EX/pki/gw.key" "$TMP/gw.key.good"
openssl genrsa -out "$EX/pki/gw.key" 2048 2>/dev/null
lab_check "a key that is not its certificate's is refused" \
	pki_check "$EX/ipsecgw.conf" 1 'identity key .*/gw\.key does not match certificate .*/gw\.crt'
cp "$TMP/gw.key.good" "$EX/pki/gw.key"
chmod 644 "$EX/pki/gw.key"
lab_check "a key file readable by others passes with a warning" \
	pki_check "$EX/ipsecgw.conf" 0 'gw\.key: readable by others \(mode 0644\)'
chmod 600 "$EX/pki/gw.key"
printf 'not the passphrase\n' >"$EX/pki/gw-ec.pass"
lab_check "a wrong passphrase is refused" \
	pki_check "$EX/ipsecgw.conf" 1 'gw-ec\.key: cannot decrypt with the passphrase of .*gw-ec\.pass, wrong passphrase'
printf 'ec passphrase\n' >"$EX/pki/gw-ec.pass"
chmod 640 "$EX/pki/gw-ec.pass"
lab_check "a passphrase file the group may read is refused" \
	pki_check "$EX/ipsecgw.conf" 1 'gw-ec\.pass: group or others have access \(mode 0640\)'
chmod 600 "$EX/pki/gw-ec.pass"
mv "$EX/pki/ca.crt" "$TMP/ca.crt"
lab_check "a missing CA file is refused, naming it" \
	pki_check "$EX/ipsecgw.conf" 1 'CA file .*/pki/ca\.crt: cannot read'
mv "$TMP/ca.crt" "$EX/pki/ca.crt"
( cd "$EX/pki" && ossl_sign "/O=ipsecgw test/CN=gw.example" gw.key intermediate.crt inter.key \
	gw.crt 5 FALSE digitalSignature )
lab_check "a certificate expiring in 5 days passes, with the expiry warning" \
	pki_check "$EX/ipsecgw.conf" 0 'identity 1 certificate .*CN=gw\.example.* expires in [45] day\(s\)'

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
