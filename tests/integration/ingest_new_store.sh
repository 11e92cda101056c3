#!/bin/sh
# What issue 18's ingest work (item 4) changed in how a store is made and
# what each report costs to store, checked where a user would see it:
# - a new store takes every migration in one transaction: two ingests
#   started at once on a path that does not exist yet both succeed and
#   store everything (before, the second ran migration 1 again and failed:
#   "table raw_report already exists");
# - migration 023 drops report_provenance, an index no read needs: a new
#   store has none, a store of schema 018 loses it, both end with the same
#   schema, and the provenance filters give the same answers from the days
#   asked for (report_day), not from a walk of all time.
. "$TOP/tests/lib.sh"
t_dkim_off
cd "$T"
"$GEN" --out "$T/a" --seed 41 --start 2026-03-01 --days 2 --domains 3 --format gz > /dev/null
"$GEN" --out "$T/b" --seed 42 --start 2026-03-02 --days 2 --domains 3 --format maildir \
	> /dev/null
n_a=$(ls "$T"/a/*.json.gz | wc -l)

# one process alone: the reference store
"$TLSWATCH" -q --db "$T/ref.db" ingest "$T"/a/*.json.gz "$T/b" > /dev/null 2>&1
want=$(t_sql "$T/ref.db" "SELECT count(*) FROM report")
t_eq "the corpus has reports of both kinds" "$([ "$want" -gt "$n_a" ] && echo yes)" yes

# --- two ingests creating one store at once, five times
bad=0
for i in 1 2 3 4 5; do
	rm -f "$T/two.db" "$T/two.db-wal" "$T/two.db-shm"
	"$TLSWATCH" -q --db "$T/two.db" ingest "$T"/a/*.json.gz > /dev/null 2> "$T/one.err" &
	p1=$!
	"$TLSWATCH" -q --db "$T/two.db" ingest "$T/b" > /dev/null 2> "$T/two.err" &
	p2=$!
	wait "$p1"
	rc1=$?
	wait "$p2"
	rc2=$?
	got=$(t_sql "$T/two.db" "SELECT count(*) FROM report")
	if [ "$rc1" -gt 1 ] || [ "$rc2" -gt 1 ] || [ "$got" != "$want" ]; then
		bad=$((bad + 1))
		echo "round $i: exit $rc1/$rc2, $got reports: $(cat "$T/one.err" "$T/two.err")" >&2
	fi
done
t_eq "two ingests creating one store at once: both store everything" "$bad" 0
t_eq "... and db check agrees" "$("$TLSWATCH" --db "$T/two.db" db check > /dev/null 2>&1; echo $?)" 0

# --- 023 on a new store
newest=$(ls "$TOP"/schema/[0-9]*.sql | sed 's|.*/0*||; s|_.*||' | sort -n | tail -1)
t_eq "a new store is at the newest schema" "$(t_sql "$T/ref.db" "PRAGMA user_version")" "$newest"
t_eq "a new store has no report_provenance" \
	"$(t_sql "$T/ref.db" "SELECT count(*) FROM sqlite_master WHERE name = 'report_provenance'")" 0
# the provenance filter's WHERE (store/sqlite_where.c): bounded by day
plan=$(t_sql "$T/ref.db" "EXPLAIN QUERY PLAN SELECT count(*) FROM report r
	WHERE r.day >= 20000 AND r.day < 20600 AND r.provenance = 'file'")
t_eq "a provenance filter reads the days asked for" \
	"$(echo "$plan" | grep -c 'USING INDEX report_day')" 1

# --- 023 on a store of schema 018: the index as 005 made it
cp "$T/ref.db" "$T/old.db"
t_sql "$T/old.db" "CREATE INDEX report_provenance ON report(provenance); PRAGMA user_version = 18"
t_eq "the old store has the index" \
	"$(t_sql "$T/old.db" "SELECT count(*) FROM sqlite_master WHERE name = 'report_provenance'")" 1
"$TLSWATCH" -q --db "$T/old.db" ingest "$T"/a/*.json.gz > /dev/null 2>&1
t_eq "migrated: at the newest schema" "$(t_sql "$T/old.db" "PRAGMA user_version")" "$newest"
t_sql "$T/ref.db" "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name" > "$T/new.schema"
t_sql "$T/old.db" "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name" > "$T/old.schema"
t_check "migrated step by step: the schema of a new store" cmp "$T/new.schema" "$T/old.schema"

# answers: the same from both stores, with and without a provenance filter
answers() {
	for p in "" file unverified-mail dkim-verified; do
		echo "== provenance '$p'"
		"$TLSWATCH" --db "$1" summary --all --format json ${p:+--provenance "$p"}
		"$TLSWATCH" --db "$1" reports --all --limit 5 --format json ${p:+--provenance "$p"}
	done
}
answers "$T/ref.db" > "$T/ref.out" 2>&1
answers "$T/old.db" > "$T/old.out" 2>&1
t_check "the same answers from both stores" cmp "$T/ref.out" "$T/old.out"
total() {
	"$TLSWATCH" --db "$T/ref.db" reports --all --limit 1 --format json --provenance "$1" |
		sed -n 's/^  "total": \([0-9]*\),$/\1/p'
}
t_eq "the files' reports under provenance file" "$(total file)" "$n_a"
t_eq "the mail's under unverified-mail" "$(total unverified-mail)" "$((want - n_a))"
