#!/bin/sh
# 'tlswatch db prune' keeps the figures of the days kept exactly, and
# 'tlswatch db check' finds damage and disagreement.
. "$TOP/tests/lib.sh"
t_dkim_off
S="$DATA/samples"
db="$T/db"
"$TLSWATCH" --db "$db" ingest "$S"/*.json > /dev/null 2>&1
t_eq "samples loaded" "$(t_sql "$db" "select count(*) from report")" 23
"$TLSWATCH" --db "$db" db check > "$T/out"; t_eq "check of a good database: exit 0" "$?" 0
t_eq "check of a good database: silent" "$(cat "$T/out")" ""

# what the days from 2024 on say, before the prune
kept() {
	t_sql "$db" "select day, policy_domain, organization, reports, successful_sessions, failed_sessions
		from agg_domain where day >= 19723 order by 1, 2, 3;
		select day, policy_domain, mx_host, result_type, failed_sessions from agg_failure
		where day >= 19723 order by 1, 2, 3, 4;
		select organization, report_id from report where day >= 19723 order by 1, 2"
}
kept > "$T/before"
old=$(t_sql "$db" "select count(*) from report where day < 19723")
"$TLSWATCH" --db "$db" -v db prune --before 2024-01-01 > "$T/out"; t_eq "prune exit 0" "$?" 0
t_eq "prune says how many" "$(cat "$T/out")" "$old reports before 2024-01-01 deleted"
kept > "$T/after"
cmp -s "$T/before" "$T/after"; t_eq "figures of the kept days unchanged" "$?" 0
t_eq "no old report left" "$(t_sql "$db" "select count(*) from report where day < 19723")" 0
t_eq "no old aggregate left" "$(t_sql "$db" "select count(*) from agg_domain where day < 19723")" 0
t_eq "no orphan policy" "$(t_sql "$db" "select count(*) from policy where report not in (select id from report)")" 0
t_eq "no orphan raw bytes" "$(t_sql "$db" "select count(*) from raw_report where id not in (select raw_id from report)")" 0
t_eq "no orphan source" "$(t_sql "$db" "select count(*) from source where id not in (select source_id from report where source_id is not null)")" 0
# one invalid sample and three conflicting versions of the RFC example
t_eq "quarantine kept" "$(t_sql "$db" "select count(*) from quarantine")" 4
"$TLSWATCH" --db "$db" db check; t_eq "check after prune: exit 0" "$?" 0
"$TLSWATCH" --db "$db" db prune 2> "$T/err"; t_eq "prune without a bound: exit 2" "$?" 2
grep -q 'keep_days' "$T/err"; t_eq "prune without a bound says how to give one" "$?" 0
printf '[retention]\nkeep_days = 36500\n' > "$T/conf"
n=$(t_sql "$db" "select count(*) from report")
"$TLSWATCH" --config "$T/conf" --db "$db" db prune; t_eq "prune with keep_days: exit 0" "$?" 0
t_eq "keep_days of a century keeps everything" "$(t_sql "$db" "select count(*) from report")" "$n"
"$TLSWATCH" --db "$db" db prune --keep-days 1; t_eq "prune --keep-days 1: exit 0" "$?" 0
t_eq "prune --keep-days 1 leaves no report of before yesterday" \
	"$(t_sql "$db" "select count(*) from report where day < cast(strftime('%s','now') as integer) / 86400 - 1")" 0

# damage: the aggregates disagree with the reports
db="$T/db2"
"$TLSWATCH" --db "$db" ingest "$S"/*.json > /dev/null 2>&1
sqlite3 "$db" "update agg_domain set failed_sessions = failed_sessions + 5
	where (day, policy_domain, organization) = (select day, policy_domain, organization
	from agg_domain order by day desc limit 1)"
"$TLSWATCH" --db "$db" db check > "$T/out" 2> "$T/err"; t_eq "check of damaged figures: exit 1" "$?" 1
grep -q '^aggregates: day 20[0-9-]*: reports say' "$T/out"; t_eq "check names the day" "$?" 0
grep -q '1 problem found' "$T/err"; t_eq "check counts problems" "$?" 0
# a file that is not a database at all
printf 'garbage that is not SQLite at all, long enough for a header.....................' > "$T/junk"
"$TLSWATCH" --db "$T/junk" db check 2> "$T/err"; t_eq "check of a foreign file: exit 2" "$?" 2
