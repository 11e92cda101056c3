#!/bin/sh
# The per-month roll-ups on PostgreSQL (schema/pg/026_month_rollups.sql),
# on a real PostgreSQL 15 (pg_lib.sh), the cases of month_roll.sh: every
# summary (text, JSON, HTML), /api/v1/summary, the dashboard (/?all=1,
# /failures) and /metrics byte for byte the same as SQLite's on the same
# inputs, and as PostgreSQL's own without the month tables
# (TLSWATCH_NO_MONTH_ROLLUPS) and without any roll-up (TLSWATCH_NO_ROLLUPS),
# for periods mid-month, whole months, across a year's end, inside one
# month and --all; the month tables row for row SQLite's after ingest
# (duplicates, conflicts, late reports), a conflict pick, a prune whose
# bound lies mid-month and a recount, and so are the year tables
# (schema/pg/034, pg_year_roll.sh reads them). db check finds a tampered
# month row and --repair mends it; db copy both ways carries them; three
# writers at once keep them exact; a store rewound to 25 migrates with the
# same rows.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin months
. "$TOP/tests/month_lib.sh"
month_inputs 3
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" ingest "$T/a" > /dev/null 2>&1
	"$TLSWATCH" -q --db "$db" ingest "$T/b" "$DATA"/samples/*.json > /dev/null 2>&1
	"$TLSWATCH" -q --db "$db" ingest "$T/late" > /dev/null 2>&1
done
t_check "conflicts stored" test "$(pg_sql "$PGA" \
	"select count(*) from quarantine where conflict_report is not null")" -gt 0
t_check "month rows for four months or more" \
	test "$(pg_sql "$PGA" "select count(distinct day) from roll_domain_month")" -ge 4
t_check "the org-keyed month table is filled" \
	test "$(pg_sql "$PGA" "select count(*) from agg_failure_month")" -gt 50

# rows_same NAME DB: DB's month and year tables are SQLite's ($SQ)
rows_same() { roll_same "$1" "$2" "$MONTHS $YEARS"; }
rows_same "stored" "$PGA"
t_eq "db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0

# views DB FILE: every view of DB into FILE (tests/month_lib.sh)
views() { month_views "$@"; }
# same NAME [none]: PostgreSQL's views with the month tables, SQLite's,
# and PostgreSQL's without them (with "none": and without any roll-up),
# byte for byte
same() {
	views "$PGA" "$T/with.txt"
	views "$SQ" "$T/sqlite.txt"
	TLSWATCH_NO_MONTH_ROLLUPS=1 views "$PGA" "$T/days.txt"
	refs="sqlite days"
	if [ "${2:-}" = none ]; then
		TLSWATCH_NO_ROLLUPS=1 views "$PGA" "$T/none.txt"
		refs="$refs none"
	fi
	t_check "$1: views have content" grep -q '"by_domain"' "$T/with.txt"
	t_check "$1: the dashboard answered" grep -q 'tlswatch_' "$T/with.txt"
	for ref in $refs; do
		t_same "$1: PostgreSQL with the month tables as $ref" "$T/$ref.txt" "$T/with.txt"
	done
}
same "stored" none

# a conflict pick re-aggregates a day, a prune bound mid-month moves rows,
# a recount writes every aggregate again: the triggers keep the months
# the same conflict on both stores, by its content: the first whose
# reporter's day holds no policy with an inferred domain (a pick on
# PostgreSQL counts that day again from the raw reports, where such a
# domain is absent; SQLite from the reports as stored)
hash=$(t_sql "$SQ" "select hex(q.sha256) from quarantine q join report c on
	c.id = q.conflict_report where q.released is null and not exists (select 1 from report r
	join policy p on p.report = r.id where r.day = c.day and r.organization = c.organization
	and p.policy_domain_source is not null) order by q.id limit 1")
t_check "a conflict to pick" test -n "$hash"
cid_s=$(t_sql "$SQ" "select id from quarantine where hex(sha256) = '$hash'")
cid_p=$(pg_sql "$PGA" "select id from quarantine where upper(encode(sha256, 'hex')) = '$hash'")
"$TLSWATCH" -q --db "$SQ" quarantine pick "$cid_s" > /dev/null 2>&1
t_eq "conflict picked on SQLite" "$?" 0
"$TLSWATCH" -q --db "$PGA" quarantine pick "$cid_p" > /dev/null 2>&1
t_eq "conflict picked on PostgreSQL" "$?" 0
before=$(pg_sql "$PGA" "select n_rows from roll_domain_month where day = 20393
	and policy_domain = 'example.com'")
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" db prune --before 2025-11-24 > /dev/null 2>&1
	t_eq "pruned" "$?" 0
done
after=$(pg_sql "$PGA" "select n_rows from roll_domain_month where day = 20393
	and policy_domain = 'example.com'")
t_check "the prune took part of November's month rows ($before -> $after)" \
	test "$after" -lt "$before"
rows_same "pick and prune" "$PGA"
t_eq "pick and prune: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" db recount > /dev/null 2>&1
done
t_eq "recount: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
rows_same "recount" "$PGA"
same "after a pick, a prune and a recount"
"$TLSWATCH" --db "$PGA" summary --all --format json > "$T/good.json" 2>&1

# a tampered month row: db check names its table, --repair mends it
# (December 2025: a whole month of --all after the prune)
pg_sql "$PGA" "update roll_domain_month set failed_sessions = failed_sessions + 5
	where day = 20423 and policy_domain = 'example.com'"
"$TLSWATCH" --db "$PGA" db check > "$T/check.out" 2>&1
t_eq "db check fails on a tampered month row" "$?" 1
t_check "db check names roll_domain_month" grep -q 'roll_domain_month: 2 rows differ' \
	"$T/check.out"
"$TLSWATCH" --db "$PGA" summary --all --format json > "$T/tampered.json" 2>&1
TLSWATCH_NO_MONTH_ROLLUPS=1 "$TLSWATCH" --db "$PGA" summary --all --format json \
	> "$T/untampered.json" 2>&1
cmp -s "$T/tampered.json" "$T/untampered.json"
t_eq "the summary reads the month tables (a tampered row shows)" "$?" 1
pg_sql "$PGA" "delete from agg_failure_month where (day, policy_domain, organization, mx_host,
	result_type) = (select day, policy_domain, organization, mx_host, result_type
	from agg_failure_month order by 1, 2, 3, 4, 5 limit 1)"
"$TLSWATCH" --db "$PGA" db check > "$T/check.out" 2>&1
t_check "db check names agg_failure_month" grep -q 'agg_failure_month: 1 rows differ' \
	"$T/check.out"
"$TLSWATCH" --db "$PGA" db check --repair > /dev/null 2>&1
t_eq "repaired: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
rows_same "repaired" "$PGA"
"$TLSWATCH" --db "$PGA" summary --all --format json > "$T/repaired.json" 2>&1
t_same "repaired: the same summary as before" "$T/good.json" "$T/repaired.json"

# --- db copy: SQLite -> PostgreSQL -> SQLite
PGC=$(pg_newdb copied)
"$TLSWATCH" --db "$SQ" db copy --to "$PGC" 2> "$T/copy1.err"
t_eq "db copy to PostgreSQL" "$?" 0
rows_same "copied to PostgreSQL" "$PGC"
"$TLSWATCH" --db "$PGC" db copy --to "$T/back.db" 2> "$T/copy2.err"
t_eq "db copy back to SQLite" "$?" 0
rows_same "copied back to SQLite" "$T/back.db"
SQ=$T/back.db PGA=$PGC pg_same "copied store: summary --all" summary --all --format json

# --- a store rewound to 25 (before the month tables) migrates with the
# same rows as the triggers kept
pg_roll_rewound "$PGA" month 25 "$MONTHS"
rows_same "migrated" "$PGA"

# --- three writers at once, each a third of the inputs: the month rows
# of one SQLite ingest of them all. The inputs: the first set's reports
# of every fourth day (field 3 of a name is its start), in all four
# months, listed by find (15,000 names and more can pass the limit of
# one argument list, "$T"/a/*); a quarter keeps the step's cost down. A resend sorts next to its
# original, so the two go to different writers and race for one key.
find "$T/a" -type f | sort | awk -F'!' 'int($3 / 86400) % 4 == 0' > "$T/all"
t_check "three writers: inputs with resends among them" \
	test "$(grep -c 'resend' "$T/all")" -gt 5
for i in 0 1 2; do
	awk -v i=$i 'NR % 3 == i' "$T/all" > "$T/w$i"
done
SQ=$T/one.db
"$TLSWATCH" -q --db "$SQ" ingest --from "$T/all" > /dev/null 2>&1
PGW=$(pg_newdb writers)
"$TLSWATCH" --db "$PGW" db check > /dev/null 2>&1 # created before the race
t_eq "three writers: each exits 0" "$(pg_writers "$PGW" "$T/w0" "$T/w1" "$T/w2")" "0 0 0"
t_eq "three writers: db check agrees" "$("$TLSWATCH" --db "$PGW" db check 2>&1; echo $?)" 0
rows_same "three writers" "$PGW"
PGA=$PGW pg_same "three writers: summary --all" summary --all --format json

# the triggers' update and delete branches: rows moved to another month,
# changed, deleted; the same statements on both stores, on days the
# writers' inputs hold (day numbers divisible by 4, December 2025)
edit="UPDATE agg_domain SET day = 20600 WHERE day = 20428 AND policy_domain = 'example.net';
UPDATE agg_policy_type SET day = 20601 WHERE day = 20432;
UPDATE agg_failure SET failed_sessions = failed_sessions + 1 WHERE day = 20440;
UPDATE agg_failure SET day = 20602 WHERE day = 20444 AND policy_domain = 'example.com';
DELETE FROM agg_mx WHERE day = 20436 AND policy_domain = 'example.org';
DELETE FROM agg_domain WHERE day = 20448;"
t_sql "$SQ" "$edit"
pg_sql "$PGW" "BEGIN; $edit COMMIT;" > /dev/null
t_check "the edits moved rows" test "$(pg_sql "$PGW" "SELECT count(*) FROM roll_domain_month
	WHERE day = tlswatch_month_of(20600)")" -gt 0
rows_same "after updates and deletes of agg_*" "$PGW"
"$TLSWATCH" --db "$PGW" db check > "$T/check.out" 2>&1
t_check "after the edits: db check saw them (it can fail)" grep -q "aggregates say" "$T/check.out"
t_eq "after the edits: the month and year tables still their sums" \
	"$(grep -c "_month\|_year\|roll_day" "$T/check.out")" 0
pg_stop
web_sanitizer_clean
