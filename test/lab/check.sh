#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `make check`: every test (unit and integration) through meson, then one
# closing line "N passed, N failed[, N skipped]" taken from meson's summary.
# Exits non-zero when a test failed, timed out, or no test ran at all.
#
#   test/lab/check.sh BUILD_DIR

set -uo pipefail

BUILD=${1:-build}
LOG=$(mktemp /tmp/ipsecgw-check.XXXXXX)
trap 'rm -f "$LOG"' EXIT

meson test -C "$BUILD" --print-errorlogs 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}

# Meson's summary block: "Ok: N", "Expected Fail: N", "Fail: N",
# "Unexpected Pass: N", "Skipped: N", "Timeout: N".
count() { sed -n "s/^$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$LOG" | tail -1; }
ok=$(count Ok)
xfail=$(count 'Expected Fail')
fail=$(count Fail)
xpass=$(count 'Unexpected Pass')
skip=$(count Skipped)
tmo=$(count Timeout)
passed=$((${ok:-0} + ${xfail:-0}))
failed=$((${fail:-0} + ${xpass:-0} + ${tmo:-0}))

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
if ((rc == 0 && failed > 0)); then
	rc=1
fi
exit "$rc"
