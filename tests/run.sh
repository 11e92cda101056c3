#!/bin/sh
# tests/run.sh - runs every test under ASan+UBSan and ends with the line
# "N passed, N failed". Called by 'make check' after the build.
#   unit tests:   build/asan/tests/test_*   (cmocka; each case counts)
#   shell tests:  tests/golden/*.sh, tests/integration/*.sh, tests/fuzz/replay.sh,
#                 tests/style/style.sh (make lint and the .clang-format check)
# "tests/run.sh PATTERN" runs only the tests whose name contains PATTERN;
# TESTS_OUT names another output directory (default tests/out).
# TESTS_JOBS tests run at once (default 2, one per core of CI's machine;
# 1 runs them one after another). Each test runs alone in its own scratch
# directory (tests/run_one.sh); its lines are printed in the order below,
# each with its wall and CPU time, whatever order the tests end in.
set -u
ONLY=${1:-}
TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
export TLSWATCH="$TOP/build/asan/tlswatch"
export GEN="$TOP/build/tools/gen"
export DATA="$TOP/tests/data"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=99"
OUT=${TESTS_OUT:-$TOP/tests/out}
export OUT
# The tests' scratch directories ($T, tests/lib.sh) go to a tmpfs when there
# is one with room: a test store's commits then cost no disk sync (50 SQLite
# commits took 5 s on a disk shared with other builds, 1 s on /dev/shm) and
# nothing a test checks depends on the disk. A small /dev/shm (a container's
# 64 MB) is not used. TESTS_TMPDIR names another directory.
if [ -z "${TESTS_TMPDIR:-}" ]; then
	TESTS_TMPDIR=/tmp
	shm=$(df -P -k /dev/shm 2> /dev/null | awk 'NR == 2 { print $4 }')
	if [ -w /dev/shm ] && [ "${shm:-0}" -ge 4194304 ]; then TESTS_TMPDIR=/dev/shm; fi
fi
export TESTS_TMPDIR
JOBS=${TESTS_JOBS:-2}
rm -rf "$OUT"
mkdir -p "$OUT"
RESULTS="$OUT/results"
: > "$RESULTS"

# The slowest tests start first so that the last one to end is a short
# one (measured on 2 cores; docs/testing.md). A name missing here runs in
# its turn after them; a name here that no longer exists is skipped.
FIRST="pg_year_roll pg_month_roll month_roll trust_roll pg_partition style rollup_batch reason_roll
	pg_prefetch_pending pg_reason_roll alert_batch_pg presence graph_collect pg_ops pg_summary_top
	grafana web_intake
	hostile pg_ingest_cost"

# the tests to run, in the order their lines are printed
list=$(
	for t in "$TOP"/build/asan/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		# a binary left from a test file since renamed or split is not run
		[ -f "$TOP/tests/unit/$name.c" ] || continue
		echo "$t"
	done
	for t in "$TOP"/tests/golden/*.sh "$TOP"/tests/integration/*.sh \
		"$TOP"/tests/fuzz/replay.sh "$TOP"/tests/style/*.sh; do
		[ -f "$t" ] && echo "$t"
	done
)
list=$(for t in $list; do
	case "$t" in *.sh) name=$(basename "$t" .sh) ;; *) name=$(basename "$t") ;; esac
	case "$name" in *"$ONLY"*) echo "$t" ;; esac
done)

# the same tests in the order they start: FIRST's, then the rest
order=$(
	for n in $FIRST; do
		for t in $list; do
			case "$t" in */"$n".sh) echo "$t" ;; esac
		done
	done
	for t in $list; do
		name=$(basename "$t" .sh)
		case " $(echo $FIRST) " in *" $name "*) ;; *) echo "$t" ;; esac
	done
)

[ -n "$order" ] && printf '%s\n' $order | xargs -d '\n' -P "$JOBS" -n 1 sh "$TOP/tests/run_one.sh" &
runner=$!

# print each test's line once it and every test before it have ended
for t in $list; do
	case "$t" in *.sh) name=$(basename "$t" .sh) ;; *) name=$(basename "$t") ;; esac
	while [ ! -e "$OUT/$name.done" ]; do
		if ! kill -0 "$runner" 2> /dev/null && [ ! -e "$OUT/$name.done" ]; then
			echo "FAIL $name: never ended (the runner stopped)" >> "$OUT/$name.results"
			echo "$name: never ended" > "$OUT/$name.line"
			break
		fi
		sleep 0.2
	done
	[ -s "$OUT/$name.err" ] && cat "$OUT/$name.err" >&2
	cat "$OUT/$name.results" >> "$RESULTS"
	cat "$OUT/$name.line"
done
wait "$runner"

passed=$(grep -c '^pass' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
if [ "$failed" -gt 0 ]; then
	echo
	echo "Failures:"
	grep '^FAIL' "$RESULTS"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
