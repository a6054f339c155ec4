#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Telemetry paging: with 300 IPv4 and 20 IPv6 routes more than one
# 256-entry page, nothing may be dropped, neither by the CLI (text and
# --json) nor on the wire (/ipsecgw/routes[,START] walked by an independent
# client), and an unknown ID is an error.
#
#   test/integration/paging.sh IPSECGW IPSECGW_CLI

set -uo pipefail
# shellcheck source=../lab/lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lab/lab.sh"

lab_init paging "${1:?usage: paging.sh IPSECGW IPSECGW_CLI}" "${2:?}"
lab_topology

N4=300
N6=20
PREFIXES4=$LAB_TMP/prefixes4
PREFIXES6=$LAB_TMP/prefixes6
extra=
for ((i = 0; i < N4; i++)); do
	p="10.$((100 + i / 256)).$((i % 256)).0/24"
	echo "$p" >>"$PREFIXES4"
	extra+=$',\n  { prefix = "'$p'"; via = "10.10.0.254"; }'
done
for ((i = 1; i <= N6; i++)); do
	p="2001:db8:100:$(printf '%x' "$i")::/64"
	echo "$p" >>"$PREFIXES6"
	extra+=$',\n  { prefix = "'$p'"; via = "2001:db8:10::fe"; }'
done
lab_conf_af_packet "$LAB_TMP/gw.conf" "EXTRA_ROUTES=$extra"
lab_gw_start "$LAB_TMP/gw.conf"

# all_listed FILE_OF_PREFIXES OUTPUT_FILE: every prefix appears exactly once.
all_listed() {
	local want=$1 out=$2 seen missing dup
	seen=$(grep -oE '10\.10[01]\.[0-9]+\.0/24|2001:db8:100:[0-9a-f]*::/64' "$out" | sort)
	missing=$(sort "$want" | comm -23 - <(uniq <<<"$seen") | head -5)
	dup=$(uniq -d <<<"$seen" | head -5)
	echo "$(wc -l <"$want") configured, $(uniq <<<"$seen" | grep -c .) listed"
	[[ -z $missing ]] || { echo "missing, e.g.: $(tr '\n' ' ' <<<"$missing")"; return 1; }
	[[ -z $dup ]] || { echo "listed twice, e.g.: $(tr '\n' ' ' <<<"$dup")"; return 1; }
}

cli_lists() {
	local out=$LAB_TMP/cli-$RANDOM
	lab_cli "$@" >"$out" 2>&1 || { tail -5 "$out"; echo "ipsecgw-cli $* failed"; return 1; }
	echo "ipsecgw-cli $*: $(wc -l <"$out") lines"
	all_listed "$WANT" "$out"
}

lab_say "ipsecgw-cli follows the pages"
WANT=$PREFIXES4 lab_check "show ip route lists all $N4 extra IPv4 routes" cli_lists show ip route
WANT=$PREFIXES4 lab_check "--json show ip route lists all $N4 extra IPv4 routes" cli_lists --json show ip route
WANT=$PREFIXES6 lab_check "show ipv6 route lists all $N6 extra IPv6 routes" cli_lists show ipv6 route
json_valid() {
	lab_cli --json show ip route | "$LAB_PY" -c 'import json,sys; json.load(sys.stdin); print("valid JSON")'
}
lab_check "--json show ip route is one JSON document" json_valid

lab_say "the wire: /ipsecgw/routes[,START] and /ipsecgw/route,ID"
walk() {
	local out=$LAB_TMP/walk
	"$LAB_PY" "$LAB_SRC/tmlist.py" "$LAB_SOCK" routes route prefix via >"$out" 2>&1 ||
		{ tail -3 "$out"; return 1; }
	tail -1 "$out"
	grep -q '^pages=[2-9]' "$out" || { echo "expected more than one page"; return 1; }
	all_listed "$PREFIXES4" "$out" && all_listed "$PREFIXES6" "$out"
}
lab_check "every route reachable through the pages, each id once" walk
unknown_id() {
	local out
	out=$(lab_cli --raw /ipsecgw/route,4000000000 2>&1)
	echo "$out"
	grep -qi error <<<"$out"
}
lab_check "an unknown route id is an error" unknown_id

lab_finish
