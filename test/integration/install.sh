#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `meson install` into a scratch DESTDIR: exactly the binaries, the systemd
# unit and the example configuration, with sane modes; the unit points at
# the installed binary and configuration and passes `systemd-analyze
# verify` (run on a copy whose paths point into DESTDIR, so that its check
# of ExecStart= binaries means something; a copy with a typo must fail it);
# the installed example passes the installed `ipsecgw --check` (with the
# PKI files it names written by pki_tool).  Without root that is all.
# With root, the installed gateway runs as the unit runs it: the unit's
# capability bounding set and no_new_privs (setpriv), $RUNTIME_DIRECTORY,
# the lab's af_packet ports; the installed ipsecgw-cli reaches it through
# $RUNTIME_DIRECTORY, a ping crosses it, ExecReload's SIGHUP (a reload of
# the same file: unchanged) leaves it running, and SIGTERM ends it with
# exit 0 inside TimeoutStopSec.
#
#   test/integration/install.sh IPSECGW IPSECGW_CLI PKI_TOOL BUILD_DIR
#
# $MESON: the meson to run (default: meson on PATH).

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

PKI_TOOL=$(readlink -f "${3:?usage: install.sh IPSECGW IPSECGW_CLI PKI_TOOL BUILD_DIR}")
BUILD=$(readlink -f "${4:?usage: install.sh IPSECGW IPSECGW_CLI PKI_TOOL BUILD_DIR}")
MESON=${MESON:-meson}
LAB_NAME=install
TMP=$(mktemp -d /tmp/ipsecgw-install.XXXXXX)
DEST=$TMP/dest
trap 'rm -rf "$TMP"' EXIT

lab_say "meson install --destdir $DEST"
install_ok() {
	"$MESON" install -C "$BUILD" --no-rebuild --quiet --destdir "$DEST"
}
lab_check "meson install into a DESTDIR" install_ok || { lab_finish; exit 1; }

# The install locations as meson reports them: "SRC\tDEST" lines.
"$LAB_PY" -c 'import json,sys
for s, d in json.load(sys.stdin).items(): print(d)' \
	< <("$MESON" introspect --installed "$BUILD") >"$TMP/installed" 2>&1
inst_path() { grep -E "/$1\$" "$TMP/installed" | head -1; }
BIN_GW=$(inst_path ipsecgw)
BIN_CLI=$(inst_path ipsecgw-cli)
UNIT=$(inst_path ipsecgw.service)
EXAMPLE=$(inst_path ipsecgw.conf.example)
echo "meson installs:"
sed 's/^/  /' "$TMP/installed"

# expect_files: what is under DEST is exactly the four files, where expected.
expect_files() {
	local want got
	want=$(printf '%s\n' "$BIN_GW" "$BIN_CLI" "$UNIT" "$EXAMPLE" | sort)
	got=$(cd "$DEST" && find . -type f -o -type l | sed 's/^\.//' | sort)
	echo "$got" | sed 's/^/  /'
	[[ $(wc -l <"$TMP/installed") -eq 4 ]] || { echo "meson installs $(wc -l <"$TMP/installed") files, expected 4"; return 1; }
	[[ $got == "$want" ]] || { echo "expected exactly:"; echo "$want" | sed 's/^/  /'; return 1; }
	[[ $BIN_GW == */bin/ipsecgw && $BIN_CLI == */bin/ipsecgw-cli ]] || { echo "binaries not in a bin/ directory"; return 1; }
	[[ $UNIT == */systemd/system/ipsecgw.service ]] || { echo "unit not in a systemd/system directory"; return 1; }
	[[ $EXAMPLE == /etc/ipsecgw/ipsecgw.conf.example || $EXAMPLE == */etc/ipsecgw/ipsecgw.conf.example ]] ||
		{ echo "example not in an etc/ipsecgw directory"; return 1; }
}
lab_check "exactly ipsecgw, ipsecgw-cli, the unit and the example are installed (no test tools)" expect_files

# expect_mode FILE MODE: octal permission bits, regular file, owned as installed.
expect_mode() {
	local f=$DEST$1
	[[ -f $f && ! -L $f ]] || { echo "$f: not a regular file"; return 1; }
	expect_eq "mode of $1" "$2" "$(stat -c %a "$f")"
}
expect_elf() {
	local f=$DEST$1
	expect_mode "$1" 755 || return 1
	[[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == 177ELF ]] || { echo "$1: not an ELF file"; return 1; }
}
lab_check "installed ipsecgw is an executable ELF, mode 755" expect_elf "$BIN_GW"
lab_check "installed ipsecgw-cli is an executable ELF, mode 755" expect_elf "$BIN_CLI"
lab_check "installed unit is mode 644" expect_mode "$UNIT" 644
lab_check "installed example is mode 644" expect_mode "$EXAMPLE" 644
lab_check "installed example is cfg/ipsecgw.conf" cmp "$DEST$EXAMPLE" "$LAB_ROOT/cfg/ipsecgw.conf"

lab_say "the unit"
CONF=$(dirname "$EXAMPLE")/ipsecgw.conf
# unit_key KEY: the value of KEY= in the installed unit (last one wins).
unit_key() { sed -n "s/^$1=//p" "$DEST$UNIT" | tail -1; }
expect_unit() {
	local bad=0
	expect_eq "ExecStart" "$BIN_GW -c $CONF" "$(unit_key ExecStart)" || bad=1
	expect_eq "ExecStartPre" "$BIN_GW -c $CONF --check" "$(unit_key ExecStartPre)" || bad=1
	expect_eq "ExecReload" '/bin/kill -HUP $MAINPID' "$(unit_key ExecReload)" || bad=1
	expect_eq "KillSignal" SIGTERM "$(unit_key KillSignal)" || bad=1
	expect_eq "Restart" on-failure "$(unit_key Restart)" || bad=1
	expect_eq "StateDirectory" ipsecgw "$(unit_key StateDirectory)" || bad=1
	expect_eq "RuntimeDirectory" ipsecgw "$(unit_key RuntimeDirectory)" || bad=1
	expect_eq "LimitMEMLOCK" infinity "$(unit_key LimitMEMLOCK)" || bad=1
	[[ $(unit_key TimeoutStopSec) =~ ^[0-9]+$ ]] && (($(unit_key TimeoutStopSec) >= 15)) ||
		{ echo "TimeoutStopSec '$(unit_key TimeoutStopSec)': expected at least 15 s"; bad=1; }
	# What DPDK needs must not be taken away.
	grep -nE '^(PrivateDevices=(yes|true)|DevicePolicy=|DeviceAllow=|ProtectClock=|ProtectKernelTunables=(yes|true)|PrivateNetwork=(yes|true)|MemoryDenyWriteExecute=|SystemCallFilter=)' \
		"$DEST$UNIT" && { echo "the unit restricts what DPDK needs"; bad=1; }
	grep -q '@[A-Z]*@' "$DEST$UNIT" && { echo "unsubstituted @VAR@ in the unit"; bad=1; }
	return $bad
}
lab_check "the unit runs the installed binary on $CONF, as documented" expect_unit

# systemd-analyze verify checks that ExecStart= binaries exist: verify a
# copy of the unit whose absolute paths point into DEST.
mkdir -p "$TMP/units" "$TMP/units-bad"
sed -e "s|=$BIN_GW |=$DEST$BIN_GW |" "$DEST$UNIT" >"$TMP/units/ipsecgw.service"
sed -e 's/^ExecStart=/ExecStrat=/' "$TMP/units/ipsecgw.service" >"$TMP/units-bad/ipsecgw.service"
verify_ok() {
	local out rc
	out=$(systemd-analyze verify --man=no "$1" 2>&1)
	rc=$?
	echo "$out"
	expect_eq "exit status of systemd-analyze verify" 0 "$rc" || return 1
	[[ -z $out ]] || { echo "expected no complaints"; return 1; }
}
verify_refuses() {
	local out rc
	out=$(systemd-analyze verify --man=no "$1" 2>&1)
	rc=$?
	echo "$out"
	[[ $rc -ne 0 && -n $out ]] || { echo "expected a complaint and a non-zero exit"; return 1; }
}
if command -v systemd-analyze >/dev/null; then
	grep -E '^Exec' "$TMP/units/ipsecgw.service" | sed 's/^/  /'
	lab_check "systemd-analyze verify passes the unit (paths into DESTDIR)" \
		verify_ok "$TMP/units/ipsecgw.service"
	lab_check "systemd-analyze verify refuses a copy with ExecStart misspelt" \
		verify_refuses "$TMP/units-bad/ipsecgw.service"
else
	echo "systemd-analyze not found: the unit is only checked by the greps above"
fi

lab_say "the installed example with the installed ipsecgw --check"
# Its pki/ paths are relative to its directory: give it those files, with
# a key that names a key_passphrase_file encrypted (PKCS#8) under it.
PKI=$DEST$(dirname "$EXAMPLE")/pki
write_pki() {
	local line key pass
	mkdir -p "$PKI" && "$PKI_TOOL" init "$PKI" >/dev/null && cp "$PKI/inter.crt" "$PKI/intermediate.crt" &&
		chmod 600 "$PKI"/*.key || return 1
	while IFS= read -r line; do
		key=$(sed -n 's/.*[^_]key *= *"pki\/\([^"]*\)".*/\1/p' <<<"$line")
		pass=$(sed -n 's/.*key_passphrase_file *= *"pki\/\([^"]*\)".*/\1/p' <<<"$line")
		[[ -n $key && -n $pass ]] || { echo "cannot read key and passphrase file in: $line"; return 1; }
		echo "encrypting pki/$key under pki/$pass"
		od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$PKI/$pass" && echo >>"$PKI/$pass" &&
			chmod 600 "$PKI/$pass" &&
			openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$PKI/$key" -out "$PKI/$key.enc" \
				-passout "file:$PKI/$pass" && mv "$PKI/$key.enc" "$PKI/$key" && chmod 600 "$PKI/$key" ||
			return 1
	done < <(grep -E '^[^#]*key_passphrase_file' "$DEST$EXAMPLE")
	ls -l "$PKI" | sed 1d
}
lab_check "pki_tool (and openssl pkcs8) write the files the example names" write_pki
IPSECGW=$DEST$BIN_GW
lab_check "ipsecgw -c <installed example> --check" lab_conf_ok "$DEST$EXAMPLE"

if [[ $(id -u) -ne 0 ]]; then
	echo "not root: the installed gateway is not started"
	lab_finish
	exit
fi

lab_say "the installed gateway, run as the unit runs it"
# setpriv applies the unit's CapabilityBoundingSet and NoNewPrivileges;
# lab_gw_start sets RUNTIME_DIRECTORY (as RuntimeDirectory= does).
[[ -n $(unit_key UMask) ]] || { echo "the unit sets no UMask"; exit 1; }
caps=$(unit_key CapabilityBoundingSet | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
[[ -n $caps ]] || caps=+all
cat >"$TMP/unit-run" <<EOF
#!/bin/bash
umask $(unit_key UMask)
exec setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,$caps $DEST$BIN_GW "\$@"
EOF
chmod 755 "$TMP/unit-run"
echo "  $(sed -n 3p "$TMP/unit-run")"
trap - EXIT
lab_init install "$TMP/unit-run" "$DEST$BIN_CLI"
trap 'rc=$?; rm -rf "$TMP"; (exit $rc); lab_teardown' EXIT
lab_topology
lab_conf_af_packet "$LAB_TMP/gw.conf"
lab_gw_start "$LAB_TMP/gw.conf"

gw_caps() {
	grep -E '^(CapPrm|CapBnd|NoNewPrivs)' "/proc/$LAB_GW_PID/status"
	[[ $(sed -n 's/^CapBnd:\t//p' "/proc/$LAB_GW_PID/status") != $(sed -n 's/^CapBnd:\t//p' /proc/$$/status) ]] ||
		{ echo "the bounding set was not applied"; return 1; }
	grep -q '^NoNewPrivs:.*1' "/proc/$LAB_GW_PID/status" || { echo "no_new_privs not set"; return 1; }
}
lab_check "the gateway runs with the unit's capability bounding set" gw_caps
lab_check "the installed ipsecgw-cli finds it through \$RUNTIME_DIRECTORY" \
	lab_show_words show version -- "$("$DEST$BIN_GW" --version | cut -d' ' -f2)"
lab_check "the branch pings hq through it" ping_ok "$NS_BR" -c 3 -i 0.2 -W 2 "$LAB_HQ_IP4"

reload_logged() {
	/bin/kill -HUP "$LAB_GW_PID" || return 1
	sleep 1
	lab_gw_alive || { echo "ipsecgw exited on SIGHUP"; return 1; }
	grep -E 'reload [0-9]+ \(sighup\): unchanged' "$LAB_GW_LOG"
}
lab_check "ExecReload (SIGHUP) reloads the same file: unchanged, the gateway keeps running" \
	reload_logged

# lab_gw_stop (SIGTERM, SIGKILL after 10 s) in this shell: it reaps the gateway.
limit=$(unit_key TimeoutStopSec)
t0=$(date +%s%N)
lab_gw_stop
t1=$(date +%s%N)
stop_ms=$(((t1 - t0) / 1000000))
stopped_in_time() {
	echo "stopped in $stop_ms ms (TimeoutStopSec=$limit s)"
	expect_eq "exit status after SIGTERM" 0 "$LAB_GW_RC" || return 1
	((stop_ms < limit * 1000)) || { echo "slower than TimeoutStopSec"; return 1; }
	grep -E 'shutting down|shutdown' "$LAB_GW_LOG"
}
lab_check "SIGTERM (KillSignal) ends it with exit 0 inside TimeoutStopSec" stopped_in_time

lab_finish
