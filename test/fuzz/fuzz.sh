#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run every libFuzzer target of test/fuzz/ for a bounded time.
#
#   test/fuzz/fuzz.sh BUILD_DIR SECONDS [TARGET...]
#
# Sets BUILD_DIR up when it is not yet (clang, -Dfuzz=true, ASan + UBSan
# on every library, libFuzzer's coverage instrumentation on every library:
# -fsanitize=fuzzer-no-link), builds the fuzz_* targets only, and runs each
# (default: all six) for SECONDS on a copy of its seed corpus
# (test/fuzz/corpus/NAME, copied to a temporary directory so the repo's is
# never modified), one process, -rss_limit_mb=2048, -timeout=10 per input.
# UBSan findings are fatal (halt_on_error); LeakSanitizer uses
# test/fuzz/lsan.supp.  Crash, leak, timeout and OOM reproducers are kept
# in BUILD_DIR/fuzz-artifacts/ (NAME-crash-..., NAME-leak-..., ...) and
# each run's log in BUILD_DIR/fuzz-logs/NAME.log.
#
# Prints one line per target: runs, edges covered (libFuzzer's "cov:") of
# the edges instrumented in the binary (all libraries linked in, EAL and
# set-up code included), features, corpus size, exec/s; exits non-zero if any target found
# something (the reproducer's path is printed) or did not run.  The last
# line is "fuzz: N passed, N failed" (targets), for test/lab/check.sh.
# Reproduce one:  BUILD_DIR/test/fuzz/fuzz_NAME REPRODUCER
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS [ike|ikev1|esp|crl|cfg|tm ...]" >&2
	exit 2
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$1
secs=$2
shift 2
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(ike ikev1 esp crl cfg tm)
case $secs in ''|*[!0-9]*) echo "SECONDS must be a number" >&2; exit 2;; esac

stamp() { date +%s; }
t0=$(stamp)

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$src" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link >"$build.setup.log" 2>&1 || {
		cat "$build.setup.log" >&2
		echo "fuzz: meson setup failed" >&2
		exit 1
	}
	rm -f "$build.setup.log"
fi
isfuzz='import json, sys
sys.exit(0 if any(o["name"] == "fuzz" and o["value"] is True for o in json.load(sys.stdin)) else 1)'
if ! meson introspect "$build" --buildoptions 2>/dev/null | /usr/bin/python3 -c "$isfuzz"; then
	echo "fuzz: $build is not configured with -Dfuzz=true (set it up anew or use another dir)" >&2
	exit 1
fi
ninja -C "$build" $(printf 'test/fuzz/fuzz_%s ' "${targets[@]}") >"$build/fuzz-build.log" 2>&1 || {
	tail -40 "$build/fuzz-build.log" >&2
	echo "fuzz: build failed" >&2
	exit 1
}
build=$(cd "$build" && pwd)	# the targets run from a temporary directory
echo "fuzz: built in $(( $(stamp) - t0 )) s; ${secs} s per target"

arts="$build/fuzz-artifacts"
logs="$build/fuzz-logs"
mkdir -p "$arts" "$logs"
tmp=$(mktemp -d /tmp/ipsecgw-fuzz-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/run"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export LSAN_OPTIONS=suppressions=$src/test/fuzz/lsan.supp
export RUNTIME_DIRECTORY=$tmp/run	# EAL's runtime files (esp, tm)

fail=0 npass=0 nfail=0
for t in "${targets[@]}"; do
	bin="$build/test/fuzz/fuzz_$t"
	log="$logs/$t.log"
	corp="$tmp/corpus-$t"
	mkdir -p "$corp"
	cp "$src/test/fuzz/corpus/$t/"* "$corp/" 2>/dev/null
	seeds=$(ls "$corp" | wc -l)
	(cd "$tmp" && "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$arts/$t-" "$corp") >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corpn=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
	edges=$(sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters.*/\1/p' "$log" | head -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	printf 'fuzz_%-6s runs %-9s cov %5s of %-6s ft %-6s corpus %s->%s  exec/s %s' "$t" \
		"${runs:-?}" "${cov:-?}" "${edges:-?}" "${ft:-?}" "$seeds" "${corpn:-?}" "${eps:-?}"
	if [ $rc -ne 0 ] || [ -n "$repro" ] || [ -z "$runs" ]; then
		fail=1
		nfail=$((nfail + 1))
		echo "  FAILED (exit $rc)"
		grep -m1 -E 'ERROR: |runtime error:|SUMMARY:' "$log" | sed 's/^/    /'
		if [ -n "$repro" ]; then
			echo "    reproducer: $repro"
			echo "    rerun:      $bin $repro"
		fi
		echo "    log:        $log"
	else
		npass=$((npass + 1))
		echo "  ok"
	fi
done
echo "fuzz: $(( $(stamp) - t0 )) s in all; $([ $fail -eq 0 ] && echo 'no findings' || echo 'FINDINGS')"
echo "fuzz: $npass passed, $nfail failed"
exit $fail
