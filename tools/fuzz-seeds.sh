#!/bin/sh
# tools/fuzz-seeds.sh NAME - lists the seed files of fuzz target NAME: its own
# corpus directory plus the shared test data that fits it.
top=$(cd "$(dirname "$0")/.." && pwd)
name=$1
find "$top/tests/fuzz/corpus/$name" -type f 2>/dev/null
case "$name" in
report) find "$top/tests/data/samples" -name '*.json' ;;
ingest | intake) find "$top/tests/data/samples" -name '*.json'; find "$top/tests/fuzz/corpus/gz" -type f
	find "$top/tests/data/mail" -type f ! -name README.md 2>/dev/null ;;
mail | mbox | trust) find "$top/tests/data/mail" -type f ! -name README.md 2>/dev/null ;;
esac
