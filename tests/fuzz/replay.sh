#!/bin/sh
# Replays every fuzz target over its seed corpus and its regression files
# (crashes and hangs found by 'make fuzz') under gcc's ASan+UBSan, without
# libFuzzer. Seeds: tests/fuzz/corpus/NAME/ plus the shared test data
# (tools/fuzz-seeds.sh says which); regressions: tests/fuzz/regressions/NAME/.
. "$TOP/tests/lib.sh"

for bin in "$TOP"/build/asan/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin" | sed 's/^fuzz_//')
	files=$(sh "$TOP/tools/fuzz-seeds.sh" "$name"; find "$TOP/tests/fuzz/regressions/$name" -type f 2>/dev/null)
	if [ -z "$files" ]; then
		t_fail "fuzz_$name" "no corpus"
		continue
	fi
	# shellcheck disable=SC2086
	if echo "$files" | xargs "$bin" > "$T/$name.log" 2>&1; then
		t_pass "fuzz_$name: $(echo "$files" | wc -l) inputs"
	else
		t_fail "fuzz_$name" "$(grep -m3 -E 'ERROR|runtime error' "$T/$name.log")"
	fi
done
