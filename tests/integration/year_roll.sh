#!/bin/sh
# The per-year roll-ups (schema/027_year_rollups.sql) answer exactly what
# the month and day tables answer: every summary (text, JSON, HTML),
# /api/v1/summary, the dashboard (/?all=1, /failures) and /metrics are byte
# for byte the same read with them, without them
# (TLSWATCH_NO_YEAR_ROLLUPS), without the month tables either
# (TLSWATCH_NO_MONTH_ROLLUPS) and without any roll-up
# (TLSWATCH_NO_ROLLUPS), on a store of 420 days across two years' ends:
# --all, most of a year (read as the year less what lies outside), a year
# less a few days at both ends, a period inside one month; after a prune
# whose bound lies mid-year, a conflict pick and a recount. The summary
# reads the year rows (a tampered one shows), db check names a tampered
# year table and --repair mends it, a store rewound to 26 migrates to the
# same year tables, and the ingest batch writes them with 027's triggers
# off.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/month_lib.sh"
t_dkim_off
cd "$T"
DB="$T/y.db"
year_inputs
"$TLSWATCH" -q --db "$DB" ingest "$T/a" > /dev/null 2>&1
"$TLSWATCH" -q --db "$DB" ingest "$T/b" > /dev/null 2>&1
t_eq "year rows for 2025 and 2026" \
	"$(t_sql "$DB" "select group_concat(day) from (select distinct day from roll_domain_year order by day)")" \
	"20089,20454"
t_check "the org-keyed year table is filled" \
	test "$(t_sql "$DB" "select count(*) from agg_failure_year")" -gt 20
t_eq "db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0

# views FILE: every view of the store into FILE (tests/month_lib.sh)
views() { year_views "$DB" "$1"; }
# same NAME: the views with the year tables, without them, without the
# month tables and without any roll-up, byte for byte
same() {
	views "$T/with.txt"
	TLSWATCH_NO_YEAR_ROLLUPS=1 views "$T/months.txt"
	TLSWATCH_NO_MONTH_ROLLUPS=1 views "$T/days.txt"
	TLSWATCH_NO_ROLLUPS=1 views "$T/none.txt"
	t_check "$1: views have content" grep -q '"by_domain"' "$T/with.txt"
	t_check "$1: the dashboard answered" grep -q 'tlswatch_' "$T/with.txt"
	for ref in months days none; do
		if cmp -s "$T/$ref.txt" "$T/with.txt"; then
			t_pass "$1: the same with the year tables as with $ref"
		else
			t_fail "$1: the same with the year tables as with $ref" \
				"$(diff "$T/$ref.txt" "$T/with.txt" | head -8 | tr '\n' ' ')"
		fi
	done
}
same "stored"

# a tampered year row shows in --all (it is read) and in db check, which
# names its table; --repair mends it
t_sql "$DB" "update roll_failure_year set failed_sessions = failed_sessions + 7
	where day = 20089 and policy_domain = 'example.com' and result_type = 'certificate-expired'"
"$TLSWATCH" --db "$DB" summary --since 2025-01-20 --until 2025-12-30 --format json \
	> "$T/tampered.json" 2>&1
TLSWATCH_NO_YEAR_ROLLUPS=1 "$TLSWATCH" --db "$DB" summary --since 2025-01-20 --until 2025-12-30 \
	--format json > "$T/untampered.json" 2>&1
cmp -s "$T/tampered.json" "$T/untampered.json"
t_eq "the summary reads the year tables (a tampered row shows)" "$?" 1
"$TLSWATCH" --db "$DB" db check > "$T/check.out" 2>&1
t_eq "db check fails on a tampered year row" "$?" 1
t_check "db check names roll_failure_year" grep -q 'roll_failure_year: ' "$T/check.out"
"$TLSWATCH" --db "$DB" db check --repair > /dev/null 2>&1
t_eq "repaired: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0

# a conflict pick re-aggregates a day, a prune bound mid-year moves rows,
# a recount writes every aggregate again: the triggers keep the years
cid=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null order by id limit 1")
t_check "a conflict to pick" test -n "$cid"
"$TLSWATCH" -q --db "$DB" quarantine pick "$cid" > /dev/null 2>&1
t_eq "conflict picked" "$?" 0
before=$(t_sql "$DB" "select sum(n_rows) from roll_domain_year where day = 20089")
"$TLSWATCH" -q --db "$DB" db prune --before 2025-02-17 > /dev/null 2>&1
t_eq "pruned" "$?" 0
after=$(t_sql "$DB" "select sum(n_rows) from roll_domain_year where day = 20089")
t_check "the prune took part of 2025's year rows ($before -> $after)" test "$after" -lt "$before"
t_eq "pick and prune: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
"$TLSWATCH" -q --db "$DB" db recount > /dev/null 2>&1
t_eq "recount: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
same "after a pick, a prune and a recount"

# a store at 26, as main's binary left it, migrates with the same years;
# the ingest batch writes them with 027's triggers off
roll_rewound "$DB" year 26 27 "$YEARS"
roll_batch_quiet year agg_failure agg_failure_year "$T/b" 027
web_sanitizer_clean
