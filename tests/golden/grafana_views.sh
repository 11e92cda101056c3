#!/bin/sh
# grafana_views.sh - the read-only views of schema/013_grafana_views.sql
# (what Grafana reads; docs/postgresql.md "Grafana") on an SQLite store
# give the figures of 'tlswatch summary --format json' for the same period:
# totals, by domain, by organisation, by MX (counted once per MX), by
# result type, the top failures, and the report count. The bundled samples
# (sts+tlsa reports, inferred domains, details without an MX) and a
# generated month with a spike and re-sends.
. "$TOP/tests/lib.sh"
cd "$T"
t_dkim_off
DB=$T/v.db
"$GEN" --out "$T/month" --seed 7 --start 2026-03-01 --days 31 --domains 3 --duplicates 10 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-03-20,300" --format gz \
	> /dev/null || t_fail "generator" "exit $?"
"$TLSWATCH" -q --db "$DB" ingest "$DATA"/samples/*.json "$DATA"/postfix/*.json \
	"$DATA"/grafana/*.json > /dev/null 2>&1
"$TLSWATCH" -q --db "$DB" ingest "$T"/month/* > /dev/null 2>&1
t_check "corpus stored" test "$(t_sql "$DB" "select count(*) from report")" -gt 1000
t_check "schema at 13 or later (the views)" test "$(t_sql "$DB" "PRAGMA user_version")" -ge 13

# views VIEW_SQL: rows as a sorted JSON array (sqlite3 -json), keys sorted
views() { sqlite3 -json "$DB" "$1" | jq -S 'sort_by(tostring)'; }
# same NAME JQ_FILTER SQL: the summary's part (through JQ_FILTER) equals the
# views' rows for SINCE..UNTIL
same() {
	jq -S "$2 | sort_by(tostring)" "$T/sum.json" > "$T/want"
	views "$3" > "$T/got"
	if [ ! -s "$T/got" ] || [ "$(jq length "$T/got")" = 0 ]; then
		t_fail "$1" "the views gave no rows: $(head -c 300 "$T/got")"
	elif cmp -s "$T/want" "$T/got"; then
		t_pass "$1"
	else
		t_fail "$1" "$(diff "$T/want" "$T/got" | head -6)"
	fi
}

# check SINCE UNTIL [--all]: one period, every breakdown
check() {
	since=$1 until=$2
	shift 2
	if [ "${1:-}" = --all ]; then
		"$TLSWATCH" --db "$DB" summary --all --format json > "$T/sum.json"
		w="1"
	else
		"$TLSWATCH" --db "$DB" summary --since "$since" --until "$until" --format json \
			> "$T/sum.json"
		w="day >= '${since}T00:00:00Z' AND day < '${until}T00:00:00Z'"
	fi
	p="$since..$until${1:+ $1}"
	same "$p: totals" '[.totals]' \
		"SELECT (SELECT count(*) FROM tlswatch_reports WHERE $w) AS reports,
			sum(successful_sessions) AS successful_sessions,
			sum(failed_sessions) AS failed_sessions FROM tlswatch_daily WHERE $w"
	same "$p: by domain" '.by_domain' \
		"SELECT policy_domain, sum(reports) AS reports,
			sum(successful_sessions) AS successful_sessions,
			sum(failed_sessions) AS failed_sessions
		FROM tlswatch_daily WHERE $w GROUP BY policy_domain"
	same "$p: by organisation" '.by_organization' \
		"SELECT organization, sum(reports) AS reports,
			sum(successful_sessions) AS successful_sessions,
			sum(failed_sessions) AS failed_sessions
		FROM tlswatch_daily WHERE $w GROUP BY organization"
	same "$p: by MX, once per MX" '.by_mx' \
		"SELECT mx_host, sum(failed_sessions) AS failed_sessions FROM tlswatch_mx_failures
		WHERE $w GROUP BY mx_host HAVING sum(failed_sessions) > 0"
	same "$p: by result type" '.by_result_type' \
		"SELECT result_type, sum(failed_sessions) AS failed_sessions FROM tlswatch_failures
		WHERE $w GROUP BY result_type HAVING sum(failed_sessions) > 0"
	# the summary keeps the first 20: failed desc, then the names bytewise,
	# null after every string (docs/summary-json.md)
	same "$p: top failures" '.top_failures' \
		"SELECT organization, policy_domain, mx_host, result_type,
			sum(failed_sessions) AS failed_sessions FROM tlswatch_failures WHERE $w
		GROUP BY organization, policy_domain, mx_host, result_type
		HAVING sum(failed_sessions) > 0
		ORDER BY 5 DESC, organization, policy_domain IS NULL, policy_domain,
			mx_host IS NULL, mx_host, result_type LIMIT 20"
}
check 2026-03-01 2026-04-01
check 2026-03-18 2026-03-22
check all all --all

# the reports view: one row per report, its totals, date-range and domains
# as the reports list gives them
off=0
: > "$T/pages.json"
while [ "$off" -lt 10000 ]; do
	"$TLSWATCH" --db "$DB" reports --all --limit 1000 --offset "$off" --format json \
		>> "$T/pages.json" || break
	off=$((off + 1000))
done
jq -s '{reports: [.[].reports[]]}' "$T/pages.json" > "$T/reports.json"
t_eq "reports list complete" "$(jq '.reports | length' "$T/reports.json")" \
	"$(t_sql "$DB" "select count(*) from report")"
jq -S '[.reports[] | {id, organization, report_id, successful_sessions, failed_sessions,
	provenance, day: (.day + "T00:00:00Z"), start_time: .start_datetime,
	end_time: .end_datetime, domains: (if (.policy_domains | length) == 0 then null
	else (.policy_domains | join(", ")) end)}] | sort_by(.id)' "$T/reports.json" > "$T/want"
sqlite3 -json "$DB" "SELECT * FROM tlswatch_reports" | jq -S 'sort_by(.id)' > "$T/got"
if cmp -s "$T/want" "$T/got"; then
	t_pass "reports view as the reports list"
else
	t_fail "reports view as the reports list" "$(diff "$T/want" "$T/got" | head -6)"
fi
