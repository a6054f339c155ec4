#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `make check`: every test (unit, integration, benchmark smoke tests)
# through meson, then the hardening stages, each timed:
#   - sanitize: the unit tests and one interop test in a clang ASan+UBSan
#     build (test/lab/sanitize.sh, build dir BUILD-asan);
#   - fuzz: every libFuzzer target for a bounded time (test/fuzz/fuzz.sh,
#     build dir BUILD-fuzz, FUZZ_SECONDS each, default 45).
# Then one closing line "N passed, N failed[, N skipped]" over all of them
# (each stage's own "NAME: N passed, N failed" line is added in).  Exits
# non-zero when a test failed, timed out, or no test ran at all.
# CHECK_STAGES (default "meson sanitize fuzz") picks the stages.
#
#   test/lab/check.sh BUILD_DIR

set -uo pipefail

BUILD=${1:-build}
STAGES=${CHECK_STAGES:-meson sanitize fuzz}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOG=$(mktemp /tmp/ipsecgw-check.XXXXXX)
XLOG=$(mktemp /tmp/ipsecgw-check-x.XXXXXX)
trap 'rm -f "$LOG" "$XLOG"' EXIT
T0=$SECONDS
xpass=0 xfail=0 xskip=0 xrc=0

# stage NAME CMD...: run a hardening stage, time it, add its summary line in.
stage() {
	local name=$1 start=$SECONDS line p f k rc
	shift
	[[ " $STAGES " == *" $name "* ]] || return 0
	echo
	echo "=== check: $name (started $(date -u +%H:%M:%S))"
	"$@" 2>&1 | tee "$XLOG"
	rc=${PIPESTATUS[0]}
	echo "=== check: $name took $((SECONDS - start)) s (exit $rc)"
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$XLOG" | tail -1)
	p=$(sed -n 's/.* \([0-9]*\) passed.*/\1/p' <<<"$line")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
	k=$(sed -n 's/.* \([0-9]*\) skipped.*/\1/p' <<<"$line")
	if [[ -z $line ]]; then
		echo "check: $name printed no summary line (exit $rc)"
		f=1
	fi
	xpass=$((xpass + ${p:-0}))
	xfail=$((xfail + ${f:-0}))
	xskip=$((xskip + ${k:-0}))
	if ((rc != 0)); then
		xrc=1
		((${f:-0} > 0)) || xfail=$((xfail + 1))
	fi
}

rc=0
if [[ " $STAGES " == *" meson "* ]]; then
	echo "=== check: meson (started $(date -u +%H:%M:%S))"
	meson test -C "$BUILD" --print-errorlogs 2>&1 | tee "$LOG"
	rc=${PIPESTATUS[0]}
	echo "=== check: meson took $((SECONDS - T0)) s (exit $rc)"
else
	echo "Ok: 0" >"$LOG"
fi
stage sanitize bash "$HERE/sanitize.sh" "$BUILD-asan"
if [[ -f $HERE/../fuzz/fuzz.sh ]]; then
	stage fuzz bash "$HERE/../fuzz/fuzz.sh" "$BUILD-fuzz" "${FUZZ_SECONDS:-45}"
fi

# Meson's summary block: "Ok: N", "Expected Fail: N", "Fail: N",
# "Unexpected Pass: N", "Skipped: N", "Timeout: N".
count() { sed -n "s/^$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$LOG" | tail -1; }
ok=$(count Ok)
xfail_meson=$(count 'Expected Fail')
fail=$(count Fail)
xpass_meson=$(count 'Unexpected Pass')
skip=$(count Skipped)
tmo=$(count Timeout)
passed=$((${ok:-0} + ${xfail_meson:-0} + xpass))
failed=$((${fail:-0} + ${xpass_meson:-0} + ${tmo:-0} + xfail))
skip=$((${skip:-0} + xskip))

echo
if [[ -z $ok ]]; then
	echo "check: no meson test summary (meson test exited $rc)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ((${skip:-0} > 0)); then
	echo "$passed passed, $failed failed, ${skip} skipped"
else
	echo "$passed passed, $failed failed"
fi
if ((passed == 0)); then
	echo "check: no test ran" >&2
	exit 1
fi
echo "check: all stages took $((SECONDS - T0)) s"
if (((rc == 0 && failed > 0) || xrc != 0)); then
	rc=1
fi
exit "$rc"
