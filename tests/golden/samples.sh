#!/bin/sh
# Golden test: every real-world sample in tests/data/samples is ingested into a
# fresh database, and what was stored (report, policies, failure details,
# count-once totals and aggregates) or why it was refused must equal NAME.expected.
# UPDATE=1 rewrites the .expected files (review the diff by hand before committing).
. "$TOP/tests/lib.sh"

for f in "$DATA"/samples/*.json; do
	name=$(basename "$f" .json)
	db="$T/$name.db"
	"$TLSWATCH" --db "$db" ingest "$f" > "$T/out" 2> "$T/err"
	rc=$?
	{
		echo "exit $rc"
		sed "s|$f|INPUT|" "$T/err"
		t_dump_store "$db"
	} > "$T/$name.got"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$T/$name.got" "$DATA/samples/$name.expected"
	fi
	if diff -u "$DATA/samples/$name.expected" "$T/$name.got" > "$T/diff"; then
		t_pass "$name"
	else
		t_fail "$name" "$(head -20 "$T/diff")"
	fi
done

# All samples into one database: a second run stores nothing new. Several
# samples are versions of the RFC 8460 example under one (organization,
# report-id) with different content (errata, edits): conflicts, each held
# in quarantine once (docs/trust.md), not duplicates.
db="$T/all.db"
"$TLSWATCH" --db "$db" ingest "$DATA"/samples/*.json > /dev/null 2>&1
t_eq "all samples: exit 1 (one is invalid)" "$?" 1
stored=$(t_sql "$db" "select count(*) from report")
"$TLSWATCH" --db "$db" -v ingest "$DATA"/samples/*.json > "$T/second" 2>/dev/null
t_eq "second run: nothing new" "$(t_sql "$db" "select count(*) from report")" "$stored"
conflicts=$(t_sql "$db" "select count(*) from quarantine where conflict_report is not null")
t_eq "the RFC example's versions conflict" "$conflicts" 3
t_eq "second run: every other valid input a duplicate" \
	"$(grep -c ': duplicate$' "$T/second")" "$(ls "$DATA"/samples/*.json | wc -l | awk -v c="$conflicts" '{print $1 - 1 - c}')"
t_eq "second run: invalid input and conflicts quarantined once" \
	"$(t_sql "$db" "select count(*) from quarantine")" $((1 + conflicts))
