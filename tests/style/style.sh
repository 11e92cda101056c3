#!/bin/sh
# tests/style/style.sh - the house rules CI holds every change to: 'make lint'
# (banned functions, layers and library doors, cppcheck, gcc -fanalyzer) and
# the .clang-format check (docs/style.md).
. "$TOP/tests/lib.sh"

if (cd "$TOP" && sh tools/lint.sh) > "$T/lint.log" 2>&1; then
	t_pass "make lint is clean"
else
	t_fail "make lint is clean" "$(grep -v '^==' "$T/lint.log" | head -5 | tr '\n' ' ')"
fi
if (cd "$TOP" && sh tools/format-check.sh) > "$T/format.log" 2>&1; then
	t_pass "every C file is formatted per .clang-format"
else
	t_fail "every C file is formatted per .clang-format" "$(head -5 "$T/format.log" | tr '\n' ' ')"
fi
