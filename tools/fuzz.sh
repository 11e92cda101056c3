#!/bin/sh
# tools/fuzz.sh BIN... - 'make fuzz': runs each libFuzzer target for
# FUZZ_SECONDS on a working corpus in build/fuzz/corpus/NAME seeded from
# tools/fuzz-seeds.sh. Crashes, leaks and hangs land in build/fuzz/crashes/NAME/:
# fix the cause, then copy the file to tests/fuzz/regressions/NAME/ so that
# 'make check' replays it for ever.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-60}
found=0
for bin in "$@"; do
	name=$(basename "$bin" | sed 's/^fuzz_//')
	corpus="$top/build/fuzz/corpus/$name"
	crashes="$top/build/fuzz/crashes/$name"
	mkdir -p "$corpus" "$crashes"
	sh "$top/tools/fuzz-seeds.sh" "$name" | while read -r f; do cp "$f" "$corpus/" 2>/dev/null; done
	find "$top/tests/fuzz/regressions/$name" -type f -exec cp {} "$corpus/" \; 2>/dev/null
	echo "fuzz_$name: $secs s"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
		-artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" \
		> "$top/build/fuzz/$name.log" 2>&1
	grep -E '^stat::(number_of_executed_units|new_units_added)|^#[0-9]+.*DONE' "$top/build/fuzz/$name.log" | tr '\n' ' '
	echo
	n=$(find "$crashes" -type f | wc -l)
	if [ "$n" -gt 0 ]; then
		echo "  $n crash/hang file(s) in $crashes (see build/fuzz/$name.log)"
		found=1
	fi
done
exit $found
