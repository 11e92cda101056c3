#!/bin/sh
# The summary reads only the failure groups it can show (query_summary_scan_top,
# store/sqlite_query_scan.c): the problems summed from roll_failure, the
# org-keyed groups only of the domains that can hold a top group or a top
# problem. Every summary (text, JSON, HTML), /api/v1/summary and the
# dashboard are byte for byte what the full read gives (TLSWATCH_NO_ROLLUPS,
# and without the month tables), for 7 days whose top groups lie partly
# outside the top problems' domains (the threshold's second read), whole
# months, --all, a domain filter and an organization (the full read). A
# tampered agg_failure row of a domain that cannot hold a shown group does
# not show: the pruned read is the one taken.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/summary_top_lib.sh"
t_dkim_off
cd "$T"
DB="$T/s.db"

summary_top_inputs
"$TLSWATCH" -q --db "$DB" ingest "$T/a" "$T/b" "$DATA"/samples/*.json > /dev/null 2>&1
t_check "month rows for whole months" \
	test "$(t_sql "$DB" "select count(distinct day) from agg_failure_month")" -ge 3

# the precondition of the second read (summary_top_lib.sh)
outside=$(t_sql "$DB" "$SUMMARY_TOP_OUTSIDE")
t_check "top groups outside the top problems' domains ($outside)" test "$outside" -gt 0

# views FILE: the summaries and pages into FILE
views() {
	{
		for p in "--since 2026-02-02 --until 2026-02-09" "--since 2026-01-24 --until 2026-02-09" \
			"--all" "--since 2025-12-01 --until 2026-02-01" \
			"--all --domain example.com --domain example-7.test" \
			"--since 2026-02-02 --until 2026-02-09 --domain example-12.test"; do
			for f in text json html; do
				echo "== summary $p --format $f"
				# shellcheck disable=SC2086
				"$TLSWATCH" --db "$DB" summary $p --format $f
				echo "rc $?"
			done
		done
		echo "== --org"
		"$TLSWATCH" --db "$DB" summary --since 2026-01-24 --until 2026-02-09 \
			--org "Google Inc." --format json
		echo "rc $?"
	} > "$1" 2>&1
	web_start --db "$DB" web --listen 127.0.0.1:0 || return
	for p in "/?since=2026-02-02&until=2026-02-09" "/?all=1" \
		"/api/v1/summary?since=2026-02-02&until=2026-02-09" "/api/v1/summary?all=1"; do
		echo "== $p"
		curl -s "$WEB_URL$p"
	done >> "$1"
	web_stop
}
views "$T/top.txt"
TLSWATCH_NO_MONTH_ROLLUPS=1 views "$T/days.txt"
TLSWATCH_NO_ROLLUPS=1 views "$T/full.txt"
t_check "views have content" grep -q '"problems"' "$T/top.txt"
t_check "the dashboard answered" grep -q 'top_failures' "$T/top.txt"
t_eq "no view failed" "$(grep -c '^rc [^0]' "$T/top.txt")" 0
t_same "the pruned read equals the full read" "$T/full.txt" "$T/top.txt"
t_same "the pruned read equals the full read, day tables only" "$T/full.txt" "$T/days.txt"

# a group of a domain with few failures, made the largest in agg_failure
# alone (roll_failure, which the pruned read sums its problems from, left
# as it was): the full read shows it, the pruned read does not read it
low=$(t_sql "$DB" "select policy_domain from roll_failure where day >= 20486 and day < 20493
	group by policy_domain order by sum(failed_sessions), policy_domain limit 1")
t_check "a domain with few failures ($low)" test -n "$low"
cp "$DB" "$T/t.db"
# without the triggers that would carry it into roll_failure
t_sql "$T/t.db" "drop trigger agg_failure_upd; drop trigger month_failure_upd;
	update agg_failure set failed_sessions = failed_sessions + 900000
	where (day, policy_domain, organization, mx_host, result_type) =
	(select day, policy_domain, organization, mx_host, result_type from agg_failure
	 where day >= 20486 and day < 20493 and policy_domain = '$low' limit 1)"
summary_top_tampered "$T/t.db" "$low"
