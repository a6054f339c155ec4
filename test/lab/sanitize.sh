#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The sanitizer stage (issue 8): a clang build with AddressSanitizer,
# LeakSanitizer (clang's runtime, Debian's libclang-rt-14-dev) and
# UndefinedBehaviorSanitizer, then
#
#   1. a self-test: a leak, a heap overflow and a signed overflow in a small
#      program built with the same flags must be reported (LSan does not run
#      under ptrace, and a stage that cannot see a leak must not pass);
#   2. every unit test (meson test --suite unit);
#   3. one interop smoke test, test/integration/ikev2_swan.sh (both its
#      cases), with the ASan gateway, ipsecgw-cli and pki_tool against a
#      real strongSwan (needs root; skipped without it or without
#      strongSwan); every gateway must exit 0, so its leak check ran;
#   4. no sanitizer report from any process.
#
# The summary counts the self-test, each unit test, the interop test and
# the report check (4) as one item each.
# Every sanitized process writes its reports to BUILD_DIR/meson-logs/
# sanitize/ (log_path): a report from a process whose own exit status
# nobody checks (the gateway's leak check at exit, ipsecgw-cli) still
# fails the stage.  Errors halt and abort the process; leaks are checked
# at exit.  Suppressions: test/lab/lsan.supp (DPDK and OpenSSL internals
# only).  Prints the time of each step and, last,
# "sanitize: N passed, N failed[, N skipped]"; exits non-zero on any
# sanitizer report or test failure.
#
#   test/lab/sanitize.sh BUILD_DIR        (e.g. build-asan)

set -uo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:?usage: sanitize.sh BUILD_DIR}
BUILD=$(realpath -m "$BUILD")
SANITIZE=address,undefined
SUPP=$SRC/test/lab/lsan.supp
REPORTS=$BUILD/meson-logs/sanitize
JOBS=2

PASS=0
FAIL=0
SKIP=0
T0=$(date +%s)

step_start() {
	STEP=$1
	STEP_T0=$(date +%s)
	printf '\n[%s] sanitize: %s\n' "$(date +%H:%M:%S)" "$STEP"
}
step_end() {
	local now
	now=$(date +%s)
	printf '[%s] sanitize: %s took %d s (total %d s)\n' "$(date +%H:%M:%S)" \
		"$STEP" $((now - STEP_T0)) $((now - T0))
}
summary() {
	local line="sanitize: $PASS passed, $FAIL failed"
	((SKIP > 0)) && line+=", $SKIP skipped"
	printf '\n%s (%d s)\n' "$line" $(($(date +%s) - T0))
}
die() {
	echo "sanitize: $*" >&2
	FAIL=$((FAIL + 1))
	summary
	exit 1
}

# Sanitizer options for every process started from here (meson sets its
# own only when these are unset).  halt_on_error/abort_on_error: the first
# error kills the process, so the test that ran it fails.  log_path: one
# report file per process, checked at the end.  detect_stack_use_after_return
# and strict_string_checks (a string function reading a buffer with no
# NUL) cost nothing measurable here.  UBSan's options repeat the
# common ones (log_path, abort_on_error), which it parses after ASan's.
asan_env() {
	local sym
	export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:print_stacktrace=1:detect_stack_use_after_return=1:strict_string_checks=1:log_path=$REPORTS/report"
	export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:report_error_type=1:log_path=$REPORTS/report"
	export LSAN_OPTIONS="suppressions=$SUPP:print_suppressions=1"
	sym=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer) &&
		export ASAN_SYMBOLIZER_PATH=$sym
}

# count_reports: print the sanitizer reports in $REPORTS (the first 10 in
# full, then one line each) on stderr, and their number on stdout.  A file
# that only lists matched suppressions is shown, not counted.
count_reports() {
	local f n=0 prog
	for f in "$REPORTS"/report.*; do
		[[ -e $f ]] || continue
		if ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: ' "$f"; then
			echo "--- note from $f:" >&2
			sed 's/^/  | /' "$f" >&2
			continue
		fi
		n=$((n + 1))
		# The program: the first stack frame in a file of ours ("(/path/prog+0x...)").
		prog=$(grep -om1 '(/[^ ()]*+0x' "$f" | sed 's/^(\(.*\)+0x$/\1/')
		if ((n <= 10)); then
			echo "--- sanitizer report $f (${prog:-unknown program}):" >&2
			head -n 60 "$f" | sed 's/^/  | /' >&2
		else
			echo "--- sanitizer report $f (${prog:-unknown program}): $(grep -m1 -E 'ERROR|runtime error' "$f")" >&2
		fi
	done
	echo "$n"
}

command -v clang >/dev/null || die "clang not found (test/lab/install-deps.sh installs it)"
[[ -f $SUPP ]] || die "no suppressions file $SUPP"

# ---------------------------------------------------------------- configure
step_start "configure $BUILD (clang, -Db_sanitize=$SANITIZE)"
if [[ ! -f $BUILD/build.ninja ]]; then
	CC=clang meson setup "$BUILD" "$SRC" -Db_sanitize=$SANITIZE -Db_lundef=false \
		--buildtype=debugoptimized >"$BUILD.setup.log" 2>&1 ||
		{ tail -n 30 "$BUILD.setup.log"; die "meson setup failed (log $BUILD.setup.log)"; }
	mv -f "$BUILD.setup.log" "$BUILD/meson-logs/sanitize-setup.log"
else
	# The compiler of the first compile command: "clang ..." or "cc ...".
	cc_id=$(/usr/bin/python3 -c 'import json, os, sys
print(os.path.basename(json.load(open(sys.argv[1]))[0]["command"].split()[0]))' \
		"$BUILD/compile_commands.json") || die "cannot read the compiler of $BUILD"
	[[ $cc_id == clang ]] ||
		die "$BUILD is configured with $cc_id, not clang: remove it or pick another directory"
	meson configure "$BUILD" -Db_sanitize=$SANITIZE -Db_lundef=false >/dev/null ||
		die "meson configure $BUILD failed"
fi
step_end

# ---------------------------------------------------------------- build
# Only what this stage runs: the unit tests' programs, the gateway, the CLI
# and pki_tool (meson test --no-rebuild below).
step_start "build (ninja -j$JOBS)"
# Regenerate first if a meson.build changed, so that the list of tests is new.
ninja -C "$BUILD" build.ninja >/dev/null || die "cannot regenerate $BUILD/build.ninja"
mapfile -t TARGETS < <(/usr/bin/python3 -c '
import json, os, sys
info = sys.argv[1] + "/meson-info"
build = os.path.realpath(sys.argv[1])
files = {t["id"]: t["filename"] for t in json.load(open(info + "/intro-targets.json"))}
out = {"controlplane/ipsecgw", "controlplane/ipsecgw-cli", "test/integration/pki_tool"}
for t in json.load(open(info + "/intro-tests.json")):
    if any(s.split(":")[-1] == "unit" for s in t["suite"]):
        for dep in t["depends"]:
            out.update(os.path.relpath(f, build) for f in files[dep])
print("\n".join(sorted(out)))' "$BUILD") || die "cannot list the unit tests of $BUILD"
((${#TARGETS[@]} > 3)) || die "no unit test found in $BUILD"
ninja -C "$BUILD" -j"$JOBS" "${TARGETS[@]}" >"$BUILD/meson-logs/sanitize-build.log" 2>&1 ||
	{ tail -n 40 "$BUILD/meson-logs/sanitize-build.log"; die "build failed (log $BUILD/meson-logs/sanitize-build.log)"; }
echo "built ${#TARGETS[@]} targets (log $BUILD/meson-logs/sanitize-build.log)"
step_end

rm -rf "$REPORTS"
mkdir -p "$REPORTS"
asan_env
echo "ASAN_OPTIONS=$ASAN_OPTIONS"
echo "UBSAN_OPTIONS=$UBSAN_OPTIONS"
echo "LSAN_OPTIONS=$LSAN_OPTIONS"

# ---------------------------------------------------------------- self-test
# A leak, a heap overflow and a signed overflow the runtime must report,
# built with the same compiler and flags; their reports go to a directory of
# their own.
step_start "self-test: the sanitizers see a leak, an overflow, a signed overflow"
selftest() {
	local dir=$1 what rc av
	local prog=$dir/leak
	printf '%s\n' '#include <stdlib.h>' \
		'void *volatile keep;' \
		'__attribute__((noinline)) static int lose(int i) {' \
		'	char *p = malloc(8);' \
		'	keep = p; keep = NULL;' \
		'	return p[i];	/* i = 8: one past the end */' \
		'}' \
		'int main(int argc, char **argv) {' \
		'	volatile int big = 2147483647;' \
		'	(void)argv;' \
		'	if (argc > 2) return big + argc > 0;	/* signed overflow */' \
		'	return lose(argc > 1 ? 8 : 0) == 1;' \
		'}' \
		>"$dir/leak.c"
	clang -g -O1 -fsanitize=$SANITIZE "$dir/leak.c" -o "$prog" || return 1
	local -A expect=([leak]="ERROR: LeakSanitizer: detected memory leaks"
		[overflow]="ERROR: AddressSanitizer: heap-buffer-overflow"
		[ub]="runtime error: signed integer overflow")
	local -A args=([leak]="" [overflow]="1" [ub]="1 2")
	for what in leak overflow ub; do
		read -ra av <<<"${args[$what]}"
		# (In a subshell: its "Aborted" notice goes to /dev/null.)
		(ASAN_OPTIONS=${ASAN_OPTIONS/log_path=*/log_path=$dir/$what} \
			UBSAN_OPTIONS=${UBSAN_OPTIONS/log_path=*/log_path=$dir/$what} \
			"$prog" "${av[@]}"; exit $?) 2>/dev/null
		rc=$?
		if ((rc == 0)) || ! grep -qF "${expect[$what]}" "$dir/$what".* 2>/dev/null; then
			echo "no $what report (exit $rc); sanitizers not working here:"
			cat "$dir/$what".* 2>/dev/null
			return 1
		fi
		echo "$what reported: $(grep -hm1 -F "${expect[$what]}" "$dir/$what".* | sed 's/^==[0-9]*==//') (exit $rc)"
	done
}
ST_DIR=$(mktemp -d /tmp/ipsecgw-sanitize.XXXXXX)
if selftest "$ST_DIR"; then
	PASS=$((PASS + 1))
	echo "ok   - self-test"
else
	FAIL=$((FAIL + 1))
	echo "FAIL - self-test"
fi
rm -rf "$ST_DIR"
step_end

# ---------------------------------------------------------------- unit tests
step_start "unit tests (meson test --suite unit)"
UNIT_LOG=$BUILD/meson-logs/sanitize-unit.log
meson test -C "$BUILD" --suite unit --no-rebuild --num-processes "$JOBS" \
	--timeout-multiplier 3 --print-errorlogs 2>&1 | tee "$UNIT_LOG" |
	grep -vE '^(ninja: |Found ninja|Cleaning)'
unit_rc=${PIPESTATUS[0]}
count() { sed -n "s/^$1:[[:space:]]*\([0-9][0-9]*\).*/\1/p" "$UNIT_LOG" | tail -1; }
ok=$(count Ok)
if [[ -z $ok ]]; then
	echo "no meson test summary (meson test exited $unit_rc)"
	FAIL=$((FAIL + 1))
else
	PASS=$((PASS + ok + $(count 'Expected Fail')))
	FAIL=$((FAIL + $(count Fail) + $(count 'Unexpected Pass') + $(count Timeout)))
	SKIP=$((SKIP + $(count Skipped)))
	((unit_rc != 0 && $(count Fail) + $(count Timeout) == 0)) && FAIL=$((FAIL + 1))
fi
step_end

# ---------------------------------------------------------------- interop
step_start "interop smoke test: ikev2_swan.sh, ASan gateway vs strongSwan"
SWAN_LOG=$BUILD/meson-logs/sanitize-ikev2_swan.log
bash "$SRC/test/integration/ikev2_swan.sh" "$BUILD/controlplane/ipsecgw" \
	"$BUILD/controlplane/ipsecgw-cli" "$BUILD/test/integration/pki_tool" >"$SWAN_LOG" 2>&1
swan_rc=$?
grep -E '^(===|ok |FAIL|SKIP|ERROR|failed:|ikev2_swan:)|gateway exit status' "$SWAN_LOG"
# A gateway that did not exit 0 after SIGTERM aborted (a report) or was
# killed (no leak check at exit): either fails the test.
if ((swan_rc == 0)) && grep -qE 'gateway exit status [^0]|gateway exit status 0[0-9]' "$SWAN_LOG"; then
	echo "a gateway did not exit 0: its leak check at exit did not run cleanly"
	swan_rc=1
fi
case $swan_rc in
0) PASS=$((PASS + 1)); echo "ok   - ikev2_swan (log $SWAN_LOG)" ;;
77) SKIP=$((SKIP + 1)); echo "skip - ikev2_swan (log $SWAN_LOG)" ;;
*) FAIL=$((FAIL + 1)); tail -n 50 "$SWAN_LOG"; echo "FAIL - ikev2_swan, exit $swan_rc (log $SWAN_LOG)" ;;
esac
step_end

# ---------------------------------------------------------------- reports
step_start "sanitizer reports ($REPORTS)"
nrep=$(count_reports | tail -n 1)
if ((nrep > 0)); then
	echo "FAIL - $nrep sanitizer report(s) above"
	FAIL=$((FAIL + 1))
else
	PASS=$((PASS + 1))
	echo "ok   - no sanitizer report from any process"
fi
step_end

summary
((FAIL == 0 && PASS > 0))
