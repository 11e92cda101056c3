#!/bin/sh
# /metrics from the lifetime totals (schema/012_rollups.sql): its counters
# equal the all-time sums of the daily aggregates and the pruned days' (what
# /metrics computed from them before); 'db prune' does not lower them;
# 'db check' finds a tampered total and 'db check --repair' restores it;
# [web] metrics_labels = domain | domain,org | full picks the labels.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
t_dkim_off
cd "$T"
DB="$T/m.db"

"$GEN" --out "$T/gen" --seed 11 --start 2026-02-01 --days 20 --domains 1 --duplicates 5 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-02-15,40" \
	--format gz > /dev/null
"$TLSWATCH" -q --db "$DB" ingest "$T"/gen/* > /dev/null 2>&1
t_check "corpus stored" test "$(t_sql "$DB" "select count(*) from report")" -gt 100

# want FILE: the counters as the all-time sums of agg_* and agg_*_pruned
# (full labels), one line per series, sorted
want() {
	t_sql "$DB" "
	select 'tlswatch_reports_total{policy_domain=\"' || d || '\",organization=\"' || o || '\"} ' || sum(n)
	from (select policy_domain d, organization o, reports n from agg_domain
		union all select policy_domain, organization, reports from agg_domain_pruned) group by d, o;
	select 'tlswatch_sessions_total{policy_domain=\"' || d || '\",organization=\"' || o
		|| '\",result=\"successful\"} ' || sum(ok)
		|| char(10) || 'tlswatch_sessions_total{policy_domain=\"' || d || '\",organization=\"' || o
		|| '\",result=\"failed\"} ' || sum(bad)
	from (select policy_domain d, organization o, successful_sessions ok, failed_sessions bad
		from agg_domain union all select policy_domain, organization, successful_sessions,
		failed_sessions from agg_domain_pruned) group by d, o;
	select 'tlswatch_failed_sessions_total{policy_domain=\"' || d || '\",organization=\"' || o
		|| '\",mx_host=\"' || m || '\",result_type=\"' || r || '\"} ' || sum(n)
	from (select policy_domain d, organization o, mx_host m, result_type r, failed_sessions n
		from agg_failure union all select policy_domain, organization, mx_host, result_type,
		failed_sessions from agg_failure_pruned) group by d, o, m, r having sum(n) > 0;
	select 'tlswatch_mx_failed_sessions_total{policy_domain=\"' || d || '\",organization=\"' || o
		|| '\",mx_host=\"' || m || '\"} ' || sum(n)
	from (select policy_domain d, organization o, mx_host m, failed_sessions n from agg_mx
		union all select policy_domain, organization, mx_host, failed_sessions
		from agg_mx_pruned) group by d, o, m having sum(n) > 0;" | sort > "$1"
}
# got FILE: the counter series /metrics serves, sorted
got() {
	curl -s "$WEB_URL/metrics" > "$T/metrics.txt"
	grep -E '^tlswatch_(reports|sessions|failed_sessions|mx_failed_sessions)_total\{' \
		"$T/metrics.txt" | sort > "$1"
}
same() {
	if cmp -s "$2" "$3"; then t_pass "$1"; else t_fail "$1" "$(diff "$2" "$3" | head -5)"; fi
}

if ! web_start --db "$DB" web --listen 127.0.0.1:0; then
	t_fail "dashboard starts" "$(cat "$T/web.err")"
	exit 0
fi
want "$T/want0"
got "$T/got0"
t_check "metrics has series" test "$(wc -l < "$T/got0")" -gt 20
same "counters equal the sums of the daily figures" "$T/got0" "$T/want0"
grep -q 'tlswatch_metrics_series_dropped{' "$T/metrics.txt"
t_eq "no series dropped" "$?" 1

# a prune moves days to the lifetime tables: no counter falls
"$TLSWATCH" --db "$DB" db prune --before 2026-02-10 > /dev/null
t_eq "prune: days deleted" "$(t_sql "$DB" "select count(*) from report where day < 20494")" 0
got "$T/got1"
same "prune lowers no counter" "$T/got1" "$T/got0"
want "$T/want1"
same "after prune: counters equal the sums" "$T/got1" "$T/want1"

# more reports: the counters grow by exactly what came in
"$GEN" --out "$T/gen2" --seed 12 --start 2026-02-21 --days 3 --domains 2 --format gz > /dev/null
"$TLSWATCH" -q --db "$DB" ingest "$T"/gen2/* > /dev/null 2>&1
want "$T/want2"
got "$T/got2"
same "after more reports: counters equal the sums" "$T/got2" "$T/want2"
web_stop

# a tampered total: found by db check, restored by --repair
t_sql "$DB" "update life_domain set reports = reports + 7
	where policy_domain = (select min(policy_domain) from life_domain)"
t_sql "$DB" "update roll_domain set failed_sessions = failed_sessions + 1
	where day = (select max(day) from roll_domain)"
"$TLSWATCH" --db "$DB" db check > "$T/check.out" 2>&1
t_eq "check of tampered totals: exit 1" "$?" 1
grep -q 'life_domain' "$T/check.out"
t_eq "check names the tampered lifetime table" "$?" 0
grep -q 'roll_domain' "$T/check.out"
t_eq "check names the tampered roll-up" "$?" 0
"$TLSWATCH" --db "$DB" db check --repair > "$T/check.out" 2>&1
t_eq "check --repair: exit 0" "$?" 0
"$TLSWATCH" --db "$DB" db check > "$T/check.out" 2>&1
t_eq "check after repair: exit 0" "$?" 0
if web_start --db "$DB" web --listen 127.0.0.1:0; then
	got "$T/got3"
	same "repair restores the counters" "$T/got3" "$T/want2"
	web_stop
fi

# coarser labels
printf '[trust]\ndkim = off\n[web]\nmetrics_labels = domain\n' > "$T/dom.conf"
if web_start --config "$T/dom.conf" --db "$DB" web --listen 127.0.0.1:0; then
	got "$T/got4"
	t_sql "$DB" "select 'tlswatch_reports_total{policy_domain=\"' || policy_domain || '\"} '
		|| sum(reports) from life_domain group by policy_domain" | sort > "$T/want4"
	grep '^tlswatch_reports_total{' "$T/got4" > "$T/got4r"
	same "metrics_labels = domain: reports by domain alone" "$T/got4r" "$T/want4"
	grep -q 'organization=' "$T/got4"
	t_eq "metrics_labels = domain: no organization label" "$?" 1
	web_stop
fi
printf '[trust]\ndkim = off\n[web]\nmetrics_labels = domain,org\n' > "$T/org.conf"
if web_start --config "$T/org.conf" --db "$DB" web --listen 127.0.0.1:0; then
	got "$T/got5"
	grep -q 'mx_host=.*result_type=' "$T/got5"
	t_eq "metrics_labels = domain,org: failures without MX" "$?" 1
	grep '^tlswatch_reports_total{' "$T/got5" > "$T/got5r"
	grep '^tlswatch_reports_total{' "$T/want2" > "$T/want5"
	same "metrics_labels = domain,org: reports as full" "$T/got5r" "$T/want5"
	web_stop
fi
printf '[web]\nmetrics_labels = everything\n' > "$T/bad.conf"
"$TLSWATCH" --config "$T/bad.conf" --db "$DB" web --listen 127.0.0.1:0 > /dev/null 2> "$T/err"
t_eq "metrics_labels unknown: exit 2" "$?" 2
grep -q 'metrics_labels' "$T/err"
t_eq "metrics_labels unknown: names the key" "$?" 0
web_sanitizer_clean
