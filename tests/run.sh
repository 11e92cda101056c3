#!/bin/sh
# tests/run.sh - runs every test under ASan+UBSan and ends with the line
# "N passed, N failed". Called by 'make check' after the build.
#   unit tests:   build/asan/tests/test_*   (cmocka; each case counts)
#   shell tests:  tests/golden/*.sh, tests/integration/*.sh, tests/fuzz/replay.sh,
#                 tests/style/style.sh (make lint and the .clang-format check)
# "tests/run.sh PATTERN" runs only the tests whose name contains PATTERN;
# TESTS_OUT names another output directory (default tests/out).
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
rm -rf "$OUT"
mkdir -p "$OUT"
RESULTS="$OUT/results"
: > "$RESULTS"
export RESULTS

for t in "$TOP"/build/asan/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	# a binary left from a test file since renamed or split is not run
	[ -f "$TOP/tests/unit/$name.c" ] || continue
	case "$name" in *"$ONLY"*) ;; *) continue ;; esac
	log="$OUT/$name.log"
	(cd "$TOP" && "$t") > "$log" 2>&1
	rc=$?
	ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	i=0
	while [ "$i" -lt "${ok:-0}" ]; do echo "pass $name" >> "$RESULTS"; i=$((i + 1)); done
	if [ "$rc" -ne 0 ] && [ -z "$bad" ]; then bad=1; fi
	i=0
	while [ "$i" -lt "${bad:-0}" ]; do echo "FAIL $name (see tests/out/$name.log)" >> "$RESULTS"; i=$((i + 1)); done
	if [ "${bad:-0}" -gt 0 ]; then grep -E '^\[  FAILED  \]|^\[  ERROR   \]|ERROR:|error:' "$log" | head -20 >&2; fi
	echo "unit $name: ${ok:-0} passed, ${bad:-0} failed"
done

for t in "$TOP"/tests/golden/*.sh "$TOP"/tests/integration/*.sh "$TOP"/tests/fuzz/replay.sh \
	"$TOP"/tests/style/*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case "$name" in *"$ONLY"*) ;; *) continue ;; esac
	before=$(wc -l < "$RESULTS")
	sh "$t" > "$OUT/$name.log" 2>&1
	rc=$?
	after=$(wc -l < "$RESULTS")
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name: script exited $rc (see tests/out/$name.log)" >> "$RESULTS"
		tail -5 "$OUT/$name.log" >&2
	elif [ "$after" -eq "$before" ]; then
		echo "FAIL $name: recorded no result" >> "$RESULTS"
	fi
	p=$(tail -n +"$((before + 1))" "$RESULTS" | grep -c '^pass')
	f=$(tail -n +"$((before + 1))" "$RESULTS" | grep -c '^FAIL')
	echo "$name: $p passed, $f failed"
done

passed=$(grep -c '^pass' "$RESULTS")
failed=$(grep -c '^FAIL' "$RESULTS")
if [ "$failed" -gt 0 ]; then
	echo
	echo "Failures:"
	grep '^FAIL' "$RESULTS"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
