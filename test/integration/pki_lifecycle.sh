#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Certificate lifecycle (issue 9) against the running gateway: the lab PKI
# (test/lab/pki_tool.c) with our RSA certificate re-issued to expire in 5
# days, our EC key encrypted (PKCS#8, AES-256) with a passphrase file, and
# a CRL whose nextUpdate is 6 hours away, served over the management veth.
#
#   - --check loads the files and prints the expiry warning;
#   - the gateway starts with the encrypted key;
#   - the log has the expiry warning once, not every tick;
#   - /ipsecgw/pki/expiry counts 1 certificate expiring, 0 CAs, 1 CRL near
#     its nextUpdate once downloaded; /ipsecgw/pki/certificate,1 says
#     days_left 4 (5 days from when pki_tool ran, rounded down);
#   - `ipsecgw-cli show crypto pki certificates` shows each certificate
#     with its status and days left.
# About 15 s.
#
#   test/integration/pki_lifecycle.sh IPSECGW IPSECGW_CLI PKI_TOOL

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init pki_lifecycle "${1:?usage: pki_lifecycle.sh IPSECGW IPSECGW_CLI PKI_TOOL}" "${2:?}"
PKI_TOOL=$(readlink -f "${3:?usage: pki_lifecycle.sh IPSECGW IPSECGW_CLI PKI_TOOL}")
[[ -x $PKI_TOOL ]] || lab_die "pki_tool not found: $3"

PORT=8080
CRL_URL=http://$LAB_MGMT_CA_IP4:$PORT/inter.crl
PKI_DIR=$LAB_TMP/pki
WWW=$LAB_TMP/www
CONF=$LAB_TMP/gw.conf

# tm_get CMD KEY: one value of a telemetry reply.
tm_get() { lab_cli --raw "$1" | "$LAB_PY" "$LAB_SRC/jsonget.py" "$2"; }
# expect_tm CMD KEY WANT
expect_tm() { expect_eq "$1 $2" "$3" "$(tm_get "$1" "$2")"; }

lab_say "the lab PKI: our RSA certificate for 5 days, our EC key encrypted"
lab_topology
lab_mgmt
mkdir -p "$PKI_DIR" "$WWW"
"$PKI_TOOL" init "$PKI_DIR" >/dev/null || lab_die "pki_tool init failed"
"$PKI_TOOL" ee "$PKI_DIR" gw --cn gw.example --serial 0x2a0 --days 5 | sed 's/^/    /'
[[ ${PIPESTATUS[0]} -eq 0 ]] || lab_die "pki_tool ee failed"
printf 'lab passphrase\n' >"$PKI_DIR/gw-ec.pass"
chmod 600 "$PKI_DIR/gw-ec.pass"
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$PKI_DIR/gw-ec.key" -out "$PKI_DIR/gw-ec.key.enc" \
	-passout "file:$PKI_DIR/gw-ec.pass" || lab_die "openssl pkcs8 failed"
mv -f "$PKI_DIR/gw-ec.key.enc" "$PKI_DIR/gw-ec.key"
chmod 600 "$PKI_DIR/gw-ec.key"
lab_crl_publish "$PKI_TOOL" "$PKI_DIR" "$WWW" inter.crl inter --number 1 --next-update 21600

lab_conf_af_packet "$CONF"
lab_conf_pki "$CONF" "PKI_DIR=$PKI_DIR" "CRL_URLS=\"$CRL_URL\"" \
	"CRL_CACHE_DIR=$LAB_TMP/crl-cache" || lab_die "cannot render the PKI block"
sed -i "s|key = \"$PKI_DIR/gw-ec.key\";|& key_passphrase_file = \"$PKI_DIR/gw-ec.pass\";|" "$CONF"
sed -i 's|^pki = {|&\n  expiry_warning_days = 30;\n  crl_warning_hours = 12;|' "$CONF"
grep -n 'key_passphrase_file\|warning' "$CONF" | sed 's/^/    /'

check_warns() {
	local out rc
	out=$("$IPSECGW" -c "$CONF" --check 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    /'
	expect_eq "exit status of --check" 0 "$rc" || return 1
	grep -qE 'certificate expiry: identity 1 certificate .*CN=gw\.example \(serial 02a0\) expires in [45] day' <<<"$out"
}
lab_check "--check loads the encrypted key and warns of the expiry" check_warns

lab_http_start http "$WWW" "$LAB_TMP/http.log" "$PORT"
lab_check "the CRL server answers" lab_http_up http "$CRL_URL" || lab_die "no HTTP server"

lab_say "the gateway"
lab_gw_start "$CONF"
crl_near() {
	local i n
	for ((i = 0; i < 100; i++)); do
		n=$(tm_get /ipsecgw/pki/expiry crls_next_update_near)
		[[ $n == 1 ]] && { echo "crls_next_update_near 1 after $((i / 10)).$((i % 10)) s"; return 0; }
		sleep 0.1
	done
	echo "crls_next_update_near is '$n' after 10 s"
	return 1
}
lab_check "the CRL (nextUpdate in 6 h) counts as near its nextUpdate" crl_near
lab_check "one certificate expiring" expect_tm /ipsecgw/pki/expiry certs_expiring 1
lab_check "no CA expiring (10 years)" expect_tm /ipsecgw/pki/expiry cas_expiring 0
lab_check "certificate 1 is our RSA identity" expect_tm /ipsecgw/pki/certificate,1 role identity
# 5 days from when pki_tool ran: 4 days and some hours, or 5 in the same second.
days_left() {
	local d
	d=$(tm_get /ipsecgw/pki/certificate,1 days_left)
	echo "days_left: $d"
	[[ $d == 4 || $d == 5 ]]
}
lab_check "certificate 1 has 4 (or 5) days left" days_left
lab_check "certificate 1 belongs to trustpoint LAB-CA" \
	expect_tm /ipsecgw/pki/certificate,1 trustpoint LAB-CA
lab_check "certificate 2 is our EC identity (its key decrypted)" \
	expect_tm /ipsecgw/pki/certificate,2 key_type EC-prime256v1

show_certs() {
	local out
	out=$(lab_cli show crypto pki certificates) || { echo "$out"; return 1; }
	echo "$out" | sed 's/^/    /'
	grep -qE 'Status: EXPIRING in [45] day\(s\)' <<<"$out" &&
		grep -q 'Certificate Serial Number (hex): 02a0' <<<"$out" &&
		grep -q '^CA Certificate (LAB-CA)' <<<"$out" &&
		grep -q ' 1 certificate(s), 0 CA(s), 1 CRL(s) near nextUpdate' <<<"$out"
}
lab_check "show crypto pki certificates" show_certs
sleep 2
warned_once() {
	local n
	n=$(grep -c 'certificate expiry: identity 1 certificate' "$LAB_GW_LOG")
	expect_eq "expiry warnings for our certificate in the log" 1 "$n"
}
lab_check "the log warned once, not every tick" warned_once
lab_check "warnings_logged says so" expect_tm /ipsecgw/pki/expiry warnings_logged 1
lab_gw_stop
lab_finish
