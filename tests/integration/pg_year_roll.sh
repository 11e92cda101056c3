#!/bin/sh
# The per-year roll-ups on PostgreSQL (schema/pg/034_year_rollups.sql), on
# a real PostgreSQL 15 (pg_lib.sh), the cases of year_roll.sh on a store of
# 420 days across two years' ends: every summary (text, JSON, HTML),
# /api/v1/summary, the dashboard (/?all=1, /failures) and /metrics byte for
# byte SQLite's on the same inputs, and PostgreSQL's own without the year
# tables (TLSWATCH_NO_YEAR_ROLLUPS), without the month tables
# (TLSWATCH_NO_MONTH_ROLLUPS) and without any roll-up (TLSWATCH_NO_ROLLUPS);
# the year tables row for row SQLite's after ingest, a prune whose bound
# lies mid-year and a recount. The summary reads the year rows (a tampered
# one shows), db check names a tampered year table and --repair mends it,
# a store rewound to 33 migrates with the same rows.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin years
. "$TOP/tests/month_lib.sh"
year_inputs
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" ingest "$T/a" > /dev/null 2>&1
	"$TLSWATCH" -q --db "$db" ingest "$T/b" > /dev/null 2>&1
done
t_eq "year rows for 2025 and 2026" "$(pg_sql "$PGA" "SELECT string_agg(day::text, ','
	ORDER BY day) FROM (SELECT DISTINCT day FROM roll_domain_year) AS y")" "20089,20454"
t_check "the org-keyed year table is filled" \
	test "$(pg_sql "$PGA" "SELECT count(*) FROM agg_failure_year")" -gt 20

# rows_same NAME DB: DB's year tables are SQLite's ($SQ)
rows_same() { roll_same "$1" "$2" "$YEARS"; }
rows_same "stored" "$PGA"
t_eq "db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0

# same NAME: PostgreSQL's views with the year tables, SQLite's, and
# PostgreSQL's without the year tables, the month tables or any roll-up,
# byte for byte
same() {
	year_views "$PGA" "$T/with.txt"
	year_views "$SQ" "$T/sqlite.txt"
	TLSWATCH_NO_YEAR_ROLLUPS=1 year_views "$PGA" "$T/months.txt"
	TLSWATCH_NO_MONTH_ROLLUPS=1 year_views "$PGA" "$T/days.txt"
	TLSWATCH_NO_ROLLUPS=1 year_views "$PGA" "$T/none.txt"
	t_check "$1: views have content" grep -q '"by_domain"' "$T/with.txt"
	t_check "$1: the dashboard answered" grep -q 'tlswatch_' "$T/with.txt"
	for ref in sqlite months days none; do
		t_same "$1: PostgreSQL with the year tables as $ref" "$T/$ref.txt" "$T/with.txt"
	done
}
same "stored"

# a tampered year row shows in most of 2025 (it is read, as the year less
# what lies outside) and in db check, which names its table; --repair
# mends it
pg_sql "$PGA" "UPDATE roll_failure_year SET failed_sessions = failed_sessions + 7
	WHERE day = 20089 AND policy_domain = 'example.com'
	AND result_type = 'certificate-expired'"
period="--since 2025-01-20 --until 2025-12-30"
# shellcheck disable=SC2086
"$TLSWATCH" --db "$PGA" summary $period --format json > "$T/tampered.json" 2>&1
# shellcheck disable=SC2086
TLSWATCH_NO_YEAR_ROLLUPS=1 "$TLSWATCH" --db "$PGA" summary $period --format json \
	> "$T/untampered.json" 2>&1
cmp -s "$T/tampered.json" "$T/untampered.json"
t_eq "the summary reads the year tables (a tampered row shows)" "$?" 1
pg_sql "$PGA" "DELETE FROM agg_failure_year WHERE (day, policy_domain, organization, mx_host,
	result_type) = (SELECT day, policy_domain, organization, mx_host, result_type
	FROM agg_failure_year ORDER BY 1, 2, 3, 4, 5 LIMIT 1)"
"$TLSWATCH" --db "$PGA" db check > "$T/check.out" 2>&1
t_eq "db check fails on tampered year rows" "$?" 1
t_check "db check names roll_failure_year" grep -q 'roll_failure_year: [0-9]* rows differ' \
	"$T/check.out"
t_check "db check names agg_failure_year" grep -q 'agg_failure_year: 1 rows differ' \
	"$T/check.out"
"$TLSWATCH" --db "$PGA" db check --repair > /dev/null 2>&1
t_eq "repaired: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
rows_same "repaired" "$PGA"

# a prune bound mid-year moves rows, a recount writes every aggregate
# again: the triggers keep the years
before=$(pg_sql "$PGA" "SELECT sum(n_rows) FROM roll_domain_year WHERE day = 20089")
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" db prune --before 2025-02-17 > /dev/null 2>&1
	t_eq "pruned" "$?" 0
done
after=$(pg_sql "$PGA" "SELECT sum(n_rows) FROM roll_domain_year WHERE day = 20089")
t_check "the prune took part of 2025's year rows ($before -> $after)" test "$after" -lt "$before"
rows_same "pruned" "$PGA"
t_eq "pruned: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" db recount > /dev/null 2>&1
done
t_eq "recount: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
rows_same "recount" "$PGA"
same "after a prune and a recount"

# a store at 33, as the previous binary left it, migrates with the same
# year rows as the triggers kept
pg_roll_rewound "$PGA" year 33 "$YEARS"
rows_same "migrated" "$PGA"
pg_stop
web_sanitizer_clean
