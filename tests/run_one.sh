#!/bin/sh
# tests/run_one.sh FILE - runs one test for tests/run.sh (never alone: it
# needs run.sh's environment) and leaves in $OUT, for run.sh to print in order:
#   NAME.log      the test's output
#   NAME.results  its "pass ..." / "FAIL ..." lines
#   NAME.time     wall, user and system seconds (/usr/bin/time)
#   NAME.err      what run.sh shows on stderr when it failed
#   NAME.line     its summary line, "NAME: N passed, N failed (W s, CPU C s)"
#   NAME.done     written last: the test is over
# FILE is a unit test binary (build/asan/tests/test_*) or a shell test.
set -u
: "${OUT:?run through tests/run.sh}"
t=$1
case "$t" in
*.sh) name=$(basename "$t" .sh) ;;
*) name=$(basename "$t") ;;
esac
log="$OUT/$name.log"
RESULTS="$OUT/$name.results"
export RESULTS
: > "$RESULTS"
: > "$OUT/$name.err"
# time writes "Command exited with non-zero status N" above the figures
timing() { tail -n 1 "$OUT/$name.time" | awk '{printf "(%.1f s, CPU %.1f s)", $1, $2 + $3}'; }

case "$t" in
*.sh)
	/usr/bin/time -f '%e %U %S' -o "$OUT/$name.time" sh "$t" > "$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name: script exited $rc (see tests/out/$name.log)" >> "$RESULTS"
		tail -5 "$log" >> "$OUT/$name.err"
	elif [ ! -s "$RESULTS" ]; then
		echo "FAIL $name: recorded no result" >> "$RESULTS"
	fi
	p=$(grep -c '^pass' "$RESULTS")
	f=$(grep -c '^FAIL' "$RESULTS")
	echo "$name: $p passed, $f failed $(timing)" > "$OUT/$name.line"
	;;
*)
	(cd "$TOP" && /usr/bin/time -f '%e %U %S' -o "$OUT/$name.time" "$t") > "$log" 2>&1
	rc=$?
	ok=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	bad=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	i=0
	while [ "$i" -lt "${ok:-0}" ]; do echo "pass $name" >> "$RESULTS"; i=$((i + 1)); done
	if [ "$rc" -ne 0 ] && [ -z "$bad" ]; then bad=1; fi
	i=0
	while [ "$i" -lt "${bad:-0}" ]; do echo "FAIL $name (see tests/out/$name.log)" >> "$RESULTS"; i=$((i + 1)); done
	if [ "${bad:-0}" -gt 0 ]; then
		grep -E '^\[  FAILED  \]|^\[  ERROR   \]|ERROR:|error:' "$log" | head -20 >> "$OUT/$name.err"
	fi
	echo "unit $name: ${ok:-0} passed, ${bad:-0} failed $(timing)" > "$OUT/$name.line"
	;;
esac
: > "$OUT/$name.done"
