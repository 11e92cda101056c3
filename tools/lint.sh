#!/bin/sh
# tools/lint.sh - 'make lint': banned functions (docs/style.md),
# cppcheck, and gcc -fanalyzer over every source file. Exit 1 on findings.
set -u
cd "$(dirname "$0")/.."
status=0
src=$(ls lib/*.c core/*.c store/*.c collector/*.c analyzer/*.c web/*.c cli/*.c tools/*.c \
	tools/gen/*.c 2>/dev/null)
inc="-Ilib -Icore -Istore -Icollector -Ianalyzer -Iweb -Icli -Ibuild/gen"

echo "== banned functions"
if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|sscanf|alloca)[[:space:]]*\(' $src; then
	status=1
fi
# variable-length arrays are caught by -Wvla in every build

echo "== layers and library doors"
sh tools/layers.sh || status=1

echo "== cppcheck"
if command -v cppcheck > /dev/null; then
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--inline-suppr --std=c11 -D_GNU_SOURCE $inc \
		--suppress=missingIncludeSystem $src || status=1
else
	echo "cppcheck not installed (apt-get install cppcheck)"; status=1
fi

echo "== gcc -fanalyzer"
mkdir -p build/lint
for f in $src; do
	gcc -std=c11 -D_GNU_SOURCE -fanalyzer -Wno-analyzer-too-complex -O1 \
		$inc \
		$(pkg-config --cflags libcjson gnutls libmicrohttpd libpq 2>/dev/null) \
		-c "$f" -o build/lint/out.o 2> build/lint/analyzer.txt
	rc=$?
	if [ "$rc" != 0 ] || grep -q 'warning:' build/lint/analyzer.txt; then
		cat build/lint/analyzer.txt
		status=1
	fi
done
[ "$status" = 0 ] && echo "lint: clean"
exit "$status"
