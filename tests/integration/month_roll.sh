#!/bin/sh
# The per-month roll-ups (schema/021_month_rollups.sql) answer exactly what
# the day tables answer: every summary (text, JSON, HTML), /api/v1/summary,
# the dashboard (/?all=1, /failures) and /metrics are byte for byte the
# same read with them and without (TLSWATCH_NO_MONTH_ROLLUPS; and without
# any roll-up, TLSWATCH_NO_ROLLUPS), for periods that start and end in the
# middle of a month, cover whole months, span a year's end, lie inside one
# month, and --all; on a store with duplicates, conflicts, late reports,
# a conflict pick, a prune whose bound lies mid-month, and a recount. db
# check agrees throughout, finds a tampered month row and --repair mends
# it; a store rewound to 18 (as main's binary left it) migrates to 21 with
# the same month tables and figures; the ingest batch stays on with 021's
# triggers (they must not fire while it runs).
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
t_dkim_off
cd "$T"
DB="$T/m.db"
. "$TOP/tests/month_lib.sh"
month_inputs 5
"$TLSWATCH" -q --db "$DB" ingest "$T/a" > /dev/null 2>&1
"$TLSWATCH" -q --db "$DB" ingest "$T/b" "$DATA"/samples/*.json > /dev/null 2>&1
"$TLSWATCH" -q --db "$DB" ingest "$T/late" > /dev/null 2>&1
t_check "conflicts stored" \
	test "$(t_sql "$DB" "select count(*) from quarantine where conflict_report is not null")" -gt 0
t_check "month rows for four months or more" \
	test "$(t_sql "$DB" "select count(distinct day) from roll_domain_month")" -ge 4
t_check "the org-keyed month table is filled" \
	test "$(t_sql "$DB" "select count(*) from agg_failure_month")" -gt 50
t_eq "db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0

# views FILE: every view of the store into FILE (tests/month_lib.sh)
views() { month_views "$DB" "$1"; }
# same NAME: the views with the month tables, without them, and without
# any roll-up, byte for byte
same() {
	views "$T/with.txt"
	TLSWATCH_NO_MONTH_ROLLUPS=1 views "$T/days.txt"
	TLSWATCH_NO_ROLLUPS=1 views "$T/none.txt"
	t_check "$1: views have content" grep -q '"by_domain"' "$T/with.txt"
	t_check "$1: the dashboard answered" grep -q 'tlswatch_' "$T/with.txt"
	for ref in days none; do
		if cmp -s "$T/$ref.txt" "$T/with.txt"; then
			t_pass "$1: the same with the month tables as with $ref"
		else
			t_fail "$1: the same with the month tables as with $ref" \
				"$(diff "$T/$ref.txt" "$T/with.txt" | head -8 | tr '\n' ' ')"
		fi
	done
}
same "stored"

# a conflict pick re-aggregates a day, a prune bound mid-month moves rows,
# a recount writes every aggregate again: the triggers keep the months
cid=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null order by id limit 1")
t_check "a conflict to pick" test -n "$cid"
"$TLSWATCH" -q --db "$DB" quarantine pick "$cid" > /dev/null 2>&1
t_eq "conflict picked" "$?" 0
before=$(t_sql "$DB" "select n_rows from roll_domain_month where day = 20393 and policy_domain = 'example.com'")
"$TLSWATCH" -q --db "$DB" db prune --before 2025-11-24 > /dev/null 2>&1
t_eq "pruned" "$?" 0
after=$(t_sql "$DB" "select n_rows from roll_domain_month where day = 20393 and policy_domain = 'example.com'")
t_check "the prune took part of November's month rows ($before -> $after)" test "$after" -lt "$before"
t_eq "pick and prune: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
"$TLSWATCH" -q --db "$DB" db recount > /dev/null 2>&1
t_eq "recount: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
same "after a pick, a prune and a recount"
cp "$T/with.txt" "$T/good.txt"

# a tampered month row: db check names its table, --repair mends it
# (December 2025: a whole month of --all after the prune)
t_sql "$DB" "update roll_domain_month set failed_sessions = failed_sessions + 5
	where day = 20423 and policy_domain = 'example.com'"
"$TLSWATCH" --db "$DB" db check > "$T/check.out" 2>&1
t_eq "db check fails on a tampered month row" "$?" 1
"$TLSWATCH" --db "$DB" summary --all --format json > "$T/tampered.json" 2>&1
TLSWATCH_NO_MONTH_ROLLUPS=1 "$TLSWATCH" --db "$DB" summary --all --format json > "$T/untampered.json" 2>&1
cmp -s "$T/tampered.json" "$T/untampered.json"
t_eq "the summary reads the month tables (a tampered row shows)" "$?" 1
t_check "db check names roll_domain_month" grep -q 'roll_domain_month: 2 rows differ' "$T/check.out"
"$TLSWATCH" --db "$DB" db check --repair > /dev/null 2>&1
t_eq "repaired: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
views "$T/repaired.txt"
t_check "repaired: the same views as before" cmp "$T/good.txt" "$T/repaired.txt"

# a store at 18, as main's binary left it, migrates with the same months;
# the ingest batch writes them with 021's triggers off
roll_rewound "$DB" month 18 21 "$MONTHS"
roll_batch_quiet month agg_domain roll_domain_month "$T/a" 021
web_sanitizer_clean
