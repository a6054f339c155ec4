# SPDX-License-Identifier: BSD-3-Clause
# Sourced by the benchmark scripts (bench.sh, bench_capture.sh): stop the
# benchmark's gateway (BENCH_PID; SIGCONT first, the ESP part may have
# stopped it) and, at exit, remove BENCH_TMP after a success or say where
# its files are kept.

bench_stop() {
	local i
	[[ -n $BENCH_PID ]] || return 0
	kill -CONT "$BENCH_PID" 2>/dev/null	# the ESP part may have stopped it
	kill -TERM "$BENCH_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$BENCH_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$BENCH_PID" 2>/dev/null && kill -KILL "$BENCH_PID" 2>/dev/null
	wait "$BENCH_PID" 2>/dev/null
	BENCH_PID=
}

bench_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	bench_stop
	if ((rc == 0)); then
		rm -rf "$BENCH_TMP"
	else
		echo "(benchmark files kept in $BENCH_TMP)"
	fi
	exit "$rc"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
