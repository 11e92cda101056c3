#!/bin/sh
# The summary's pruned read on PostgreSQL (pg_summary_scan_top,
# store/pg_query_scan_top.c; the choice of domains shared with SQLite in
# store/scan_top.c): on a store whose top groups lie partly outside the top
# problems' domains (summary_top.sh's inputs), summary text and JSON for 7
# days, whole months, --all, domain filters and an organization are byte
# for byte SQLite's and PostgreSQL's own full read (TLSWATCH_NO_ROLLUPS). A
# tampered agg_failure row of a domain that cannot hold a shown group does
# not show: the pruned read is the one taken. --all with the most domains
# a filter takes reads.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
. "$TOP/tests/summary_top_lib.sh"
pg_test_begin tw

summary_top_inputs
# one ingest, copied: both stores hold the same rows (ingested apart, the
# conflicting overlaps of $T/a are not settled alike: a difference of
# ingest, not of the summary's read)
"$TLSWATCH" -q --db "$SQ" ingest "$T/a" "$T/b" "$DATA"/samples/*.json > /dev/null 2>&1
"$TLSWATCH" --db "$SQ" db copy --to "$PGA" 2> "$T/copy.err"
t_eq "db copy to PostgreSQL" "$?" 0
t_check "month rows for whole months" \
	test "$(pg_sql "$PGA" "select count(distinct day) from agg_failure_month")" -ge 3

# the precondition of the second read (summary_top_lib.sh)
outside=$(pg_sql "$PGA" "$SUMMARY_TOP_OUTSIDE")
t_check "top groups outside the top problems' domains ($outside)" test "$outside" -gt 0

# the most domains a filter takes (LIMIT_FILTER_DOMAINS), over whole
# months: PostgreSQL binds the filter once per span of one statement
# (QUERY_MAX_ARGS); at one filter's worth of values, 88 failed
many="--domain example.com"
i=1
while [ "$i" -lt 256 ]; do
	many="$many --domain example-$i.test"
	i=$((i + 1))
done

# views DB DIR: the summaries of DB, one file each in DIR
views() {
	mkdir -p "$2"
	n=0
	for p in "--since 2026-02-02 --until 2026-02-09" "--since 2026-01-24 --until 2026-02-09" \
		"--all" "--since 2025-12-01 --until 2026-02-01" \
		"--all --domain example.com --domain example-7.test" "--all (256 domains)" \
		"--since 2026-02-02 --until 2026-02-09 --domain example-12.test" \
		"--since 2026-01-24 --until 2026-02-09 --org Google"; do
		args=$p
		[ "$p" = "--all (256 domains)" ] && args="--all $many"
		for f in text json; do
			n=$((n + 1))
			{
				echo "== summary $p --format $f"
				# shellcheck disable=SC2086
				"$TLSWATCH" --db "$1" summary $args --format $f
				echo "rc $?"
			} > "$2/$n" 2>&1
		done
	done
	# an organization's name with a space
	"$TLSWATCH" --db "$1" summary --since 2026-01-24 --until 2026-02-09 \
		--org "Google Inc." --format json > "$2/org" 2>&1
	echo "rc $?" >> "$2/org"
}
views "$SQ" "$T/sqlite"
views "$PGA" "$T/top"
TLSWATCH_NO_ROLLUPS=1 views "$PGA" "$T/full"
t_check "views have content" grep -q '"problems"' "$T/top/2"
t_eq "no view failed" "$(cat "$T"/top/* | grep -c '^rc [^0]')" 0
for v in "$T"/top/*; do
	v=${v##*/}
	t_same "PostgreSQL's pruned read equals its full read: $(head -1 "$T/top/$v")" \
		"$T/full/$v" "$T/top/$v"
	t_same "PostgreSQL's pruned read equals SQLite's: $(head -1 "$T/top/$v")" \
		"$T/sqlite/$v" "$T/top/$v"
done

# a group of a domain with few failures made the largest in agg_failure
# alone (the triggers that carry it into roll_failure off for the
# update): the full read shows it, the pruned read does not read it
low=$(pg_sql "$PGA" "select policy_domain from roll_failure where day >= 20486
	and day < 20493 group by policy_domain order by sum(failed_sessions), policy_domain
	limit 1")
t_check "a domain with few failures ($low)" test -n "$low"
pg_sql "$PGA" "set session_replication_role = replica;
	update agg_failure set failed_sessions = failed_sessions + 900000
	where (day, policy_domain, organization, mx_host, result_type) =
	(select day, policy_domain, organization, mx_host, result_type from agg_failure
	 where day >= 20486 and day < 20493 and policy_domain = '$low' limit 1)" > /dev/null
summary_top_tampered "$PGA" "$low"

# PostgreSQL reads problems, not whole domains: a group of the smallest
# problem of the domain with the largest problem, below the 20th largest
# group, made the largest in agg_failure alone shows in the full read and
# not in the pruned one (SQLite reads that domain whole and would show it)
top=$(pg_sql "$PGA" "select policy_domain from roll_failure where day >= 20486 and day < 20493
	group by 1, mx_host, result_type order by sum(failed_sessions) desc, 1 limit 1")
small=$(pg_sql "$PGA" "select mx_host || '|' || result_type from roll_failure
	where day >= 20486 and day < 20493 and policy_domain = '$top'
	group by mx_host, result_type having sum(failed_sessions) > 0
	order by sum(failed_sessions), 1 limit 1")
edge=$(pg_sql "$PGA" "select failed_sessions from (select sum(failed_sessions) failed_sessions
	from agg_failure where day >= 20486 and day < 20493 group by organization, policy_domain,
	mx_host, result_type order by 1 desc limit 20) g order by 1 limit 1")
below=$(pg_sql "$PGA" "select sum(failed_sessions) from roll_failure where day >= 20486
	and day < 20493 and policy_domain = '$top' and mx_host || '|' || result_type = '$small'")
t_check "a small problem ($small: $below) of the top domain ($top), below the edge ($edge)" \
	test -n "$small" -a "${below:-0}" -gt 0 -a "${below:-0}" -lt "${edge:-0}"
pg_sql "$PGA" "set session_replication_role = replica;
	update agg_failure set failed_sessions = failed_sessions + 1900000
	where (day, policy_domain, organization, mx_host, result_type) =
	(select day, policy_domain, organization, mx_host, result_type from agg_failure
	 where day >= 20486 and day < 20493 and policy_domain = '$top'
	 and mx_host || '|' || result_type = '$small' limit 1)" > /dev/null
"$TLSWATCH" --db "$PGA" summary --since 2026-02-02 --until 2026-02-09 --format json \
	> "$T/p-top.json" 2>&1
TLSWATCH_NO_ROLLUPS=1 "$TLSWATCH" --db "$PGA" summary --since 2026-02-02 --until 2026-02-09 \
	--format json > "$T/p-full.json" 2>&1
first='.top_failures[0] | .policy_domain + " " + .mx_host + "|" + .result_type'
t_eq "the full read shows the tampered problem's group first" "$(jq -r "$first" "$T/p-full.json")" \
	"$top $small"
t_check "the pruned read leaves its problem unread" \
	test "$(jq -r "$first" "$T/p-top.json")" != "$top $small"
t_check "the pruned read still shows its domain" \
	jq -e --arg d "$top" '[.top_failures[] | select(.policy_domain == $d)] | length > 0' \
	"$T/p-top.json"
