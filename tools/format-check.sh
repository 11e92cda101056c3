#!/bin/sh
# tools/format-check.sh - every tracked C file is as .clang-format would
# write it (docs/style.md). Prints the files that are not; exit 1 if any.
# 'clang-format -i FILE' fixes one.
set -u
cd "$(dirname "$0")/.."
status=0
for f in $(git ls-files '*.c' '*.h' 2> /dev/null || find . -name '*.[ch]' ! -path './build/*'); do
	[ -f "$f" ] || continue
	if clang-format --dry-run --Werror "$f" > /dev/null 2>&1; then
		continue
	fi
	echo "$f: not formatted (clang-format -i $f)"
	status=1
done
exit "$status"
