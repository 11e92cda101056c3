#!/bin/sh
# grafana.sh - the Grafana dashboards of docs/grafana/ against a real
# PostgreSQL 15 (pg_lib.sh) and a real Prometheus, as a user would import
# them: both files are valid dashboard JSON with their data source as an
# import input; a store made at schema 7 (the PostgreSQL baseline) migrates
# to 13 and its views give the same rows as an SQLite store's of the same
# inputs; the read-only role of docs/postgresql.md (run from the doc
# itself) runs every panel and variable query, expanded as Grafana expands
# its macros (grafana_macros.py), and can read nothing but the views nor
# write anything; the panels' figures equal 'tlswatch summary --format
# json' (the whole month, one domain, one reporter); every metric the
# Prometheus dashboard names is in a real /metrics scrape of 'tlswatch
# web', and a real Prometheus scraping it runs every expression.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
cd "$T"
t_dkim_off
PGD=$TOP/docs/grafana/tlswatch-postgresql.json
PROMD=$TOP/docs/grafana/tlswatch-prometheus.json
MACROS="python3 $TOP/tests/integration/grafana_macros.py"
PROM_PID=
prom_stop() {
	if [ -n "$PROM_PID" ]; then
		kill -TERM "$PROM_PID" 2> /dev/null
		wait "$PROM_PID" 2> /dev/null
		PROM_PID=
	fi
}
trap 'prom_stop; pg_cleanup; web_cleanup' EXIT

# 1. the files: JSON, a current schema, every panel on the import input
for f in "$PGD" "$PROMD"; do
	n=$(basename "$f")
	t_check "$n parses" jq empty "$f"
	t_check "$n: schemaVersion of Grafana 11 or later" jq -e '.schemaVersion >= 39' "$f"
done
t_eq "PostgreSQL dashboard: data source is the import input" \
	"$(jq -r '[.__inputs[0].name, ([.panels[].datasource.uid, .panels[].targets[].datasource.uid,
		.templating.list[].datasource.uid] | unique | join(" "))] | join(" ")' "$PGD")" \
	'DS_POSTGRESQL ${DS_POSTGRESQL}'
t_eq "Prometheus dashboard: data source is the import input" \
	"$(jq -r '[.__inputs[0].name, ([.panels[].datasource.uid, .panels[].targets[].datasource.uid,
		.templating.list[].datasource.uid] | unique | join(" "))] | join(" ")' "$PROMD")" \
	'DS_PROMETHEUS ${DS_PROMETHEUS}'
t_eq "PostgreSQL dashboard: domain and organization variables" \
	"$(jq -r '[.templating.list[].name] | join(" ")' "$PGD")" "domain organization"
t_check "every SQL panel filters on the time picker" \
	jq -e '[.panels[].targets[].rawSql | test("\\$__timeFilter\\(day\\)")] | all' "$PGD"

if ! pg_start; then
	t_fail "PostgreSQL test server starts"
	exit 0
fi

# 2. a store at schema 7 (the baseline, as main had it) migrates to the newest
PGA=$(pg_newdb tlswatch)
pg_sql "$PGA" "$(cat "$TOP/schema/pg/007_baseline.sql")
	CREATE TABLE schema_version (version bigint NOT NULL);
	INSERT INTO schema_version VALUES (7);" > /dev/null
t_eq "store at 7" "$(pg_sql "$PGA" "SELECT version FROM schema_version")" 7
"$GEN" --out "$T/month" --seed 7 --start 2026-03-01 --days 31 --domains 2 --duplicates 10 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-03-20,300" --format gz \
	> /dev/null || t_fail "generator" "exit $?"
SQ=$T/s.db
for db in "$PGA" "$SQ"; do
	"$TLSWATCH" -q --db "$db" ingest "$DATA"/samples/*.json "$DATA"/postfix/*.json \
		"$DATA"/grafana/*.json \
		> /dev/null 2>> "$T/ingest.err"
	"$TLSWATCH" -q --db "$db" ingest "$T"/month/* > /dev/null 2>> "$T/ingest.err"
done
NEWEST=$(ls "$TOP/schema/pg" | sed -n 's/^0*\([0-9][0-9]*\)_.*/\1/p' | sort -n | tail -1)
t_eq "migrated 7 -> the newest ($NEWEST)" \
	"$(pg_sql "$PGA" "SELECT version FROM schema_version")" "$NEWEST"
t_check "reports stored" test "$(pg_sql "$PGA" "SELECT count(*) FROM report")" -gt 1000
t_eq "same reports as SQLite" "$(pg_sql "$PGA" "SELECT count(*) FROM report")" \
	"$(t_sql "$SQ" "SELECT count(*) FROM report")"

# the views on both backends, row for row (times as RFC 3339 text)
ts() { echo "to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"; }
for v in "tlswatch_daily:$(ts day), policy_domain, organization, reports, successful_sessions, failed_sessions" \
	"tlswatch_failures:$(ts day), policy_domain, organization, mx_host, result_type, failed_sessions" \
	"tlswatch_mx_failures:$(ts day), policy_domain, organization, mx_host, failed_sessions" \
	"tlswatch_reports:id, $(ts day), organization, report_id, $(ts start_time), $(ts end_time), domains, successful_sessions, failed_sessions, provenance" \
	"tlswatch_daily_by_domain:$(ts day), policy_domain, reports, successful_sessions, failed_sessions" \
	"tlswatch_daily_by_reporter:$(ts day), organization, reports, successful_sessions, failed_sessions" \
	"tlswatch_failures_by_domain:$(ts day), policy_domain, mx_host, result_type, failed_sessions" \
	"tlswatch_mx_failures_by_domain:$(ts day), policy_domain, mx_host, failed_sessions"; do
	name=${v%%:*}
	cols=${v#*:}
	psql -X -q -At -F '|' "$PGA" -c "SELECT $cols FROM $name" | LC_ALL=C sort > "$T/$name.pg"
	sqlite3 -batch -noheader "$SQ" "SELECT * FROM $name" | LC_ALL=C sort > "$T/$name.sq"
	if [ ! -s "$T/$name.pg" ]; then
		t_fail "$name: same rows on both backends" "no rows on PostgreSQL"
	elif cmp -s "$T/$name.pg" "$T/$name.sq"; then
		t_pass "$name: same rows on both backends"
	else
		t_fail "$name: same rows on both backends" "$(diff "$T/$name.sq" "$T/$name.pg" | head -4)"
	fi
done

# the roll-up views of 024 are the 013 views summed across reporters (or
# domains), row for row: no row in one and not in the other
# both NAME NEW_VIEW KEYS VALUES OLD_VIEW: NEW_VIEW's KEYS, VALUES and
# OLD_VIEW's KEYS, sum of each of VALUES grouped by KEYS
both() {
	sums=$(echo "$4" | sed -E 's/([a-z_]+)/sum(\1)/g')
	n="SELECT $3, $4 FROM $2"
	o="SELECT $3, $sums FROM $5 GROUP BY $3"
	got=$(pg_sql "$PGA" "SELECT (SELECT count(*) FROM ($n EXCEPT ALL $o) a),
		(SELECT count(*) FROM ($o EXCEPT ALL $n) b), (SELECT count(*) FROM $2)")
	if [ "${got%|*}" = "0|0" ] && [ "${got##*|}" -gt 0 ]; then
		t_pass "$1"
	else
		t_fail "$1" "rows only in the new view | only in the old | in the new: $got"
	fi
}
V="reports, successful_sessions, failed_sessions"
both "tlswatch_daily_by_domain: tlswatch_daily summed over reporters" \
	tlswatch_daily_by_domain "day, policy_domain" "$V" tlswatch_daily
both "tlswatch_daily_by_reporter: tlswatch_daily summed over domains" \
	tlswatch_daily_by_reporter "day, organization" "$V" tlswatch_daily
both "tlswatch_failures_by_domain: tlswatch_failures summed over reporters" \
	tlswatch_failures_by_domain "day, policy_domain, mx_host, result_type" failed_sessions \
	tlswatch_failures
both "tlswatch_mx_failures_by_domain: tlswatch_mx_failures summed over reporters" \
	tlswatch_mx_failures_by_domain "day, policy_domain, mx_host" failed_sessions \
	tlswatch_mx_failures

# 3. the read-only role, made by the block of docs/postgresql.md itself
sed -n '/^-- the read-only role for Grafana$/,/^```$/p' "$TOP/docs/postgresql.md" \
	| sed '$d' > "$T/role.sql"
t_check "docs/postgresql.md holds the role's SQL" grep -q 'GRANT SELECT ON' "$T/role.sql"
psql -X -q -v ON_ERROR_STOP=1 "$PGA" -f "$T/role.sql" > "$T/role.out" 2>&1
t_eq "the documented role is created" "$?" 0
GRA=$(echo "$PGA" | sed 's|//tlswatch@|//grafana@|')
gsql() { psql -X -q -At -v ON_ERROR_STOP=1 "$GRA" -c "$1"; }
t_eq "grafana reads the views" "$(gsql "SELECT count(*) > 0 FROM tlswatch_reports")" t
# denied NAME SQL: the statement fails as grafana, for want of a right
denied() {
	if gsql "$2" > "$T/denied.out" 2>&1; then
		t_fail "grafana cannot $1" "it ran: $(head -2 "$T/denied.out")"
	elif grep -Eq 'permission denied|read-only transaction' "$T/denied.out"; then
		t_pass "grafana cannot $1"
	else
		t_fail "grafana cannot $1" "failed otherwise: $(head -2 "$T/denied.out")"
	fi
}
denied "read raw_report" "SELECT count(*) FROM raw_report"
denied "read report" "SELECT count(*) FROM report"
denied "read source (mail headers)" "SELECT count(*) FROM source"
denied "read quarantine" "SELECT count(*) FROM quarantine"
denied "read agg_domain" "SELECT count(*) FROM agg_domain"
denied "delete through a view" "DELETE FROM tlswatch_daily"
denied "insert a report" \
	"INSERT INTO report (organization, report_id, start_time, end_time, day, successful_sessions, failed_sessions, raw_id) VALUES ('x', 'x', 0, 0, 0, 0, 0, 1)"
denied "create a table" "CREATE TABLE public.t (x int)"
denied "create a temporary table" "BEGIN READ WRITE; CREATE TEMP TABLE t (x int)"
denied "change a view" "CREATE OR REPLACE VIEW tlswatch_daily AS SELECT 1 AS x"
denied "write even when asking for a read-write transaction" \
	"BEGIN READ WRITE; UPDATE tlswatch_daily SET reports = 0"
"$GEN" --out "$T/later" --seed 8 --start 2026-04-02 --days 1 --domains 1 --format gz > /dev/null
"$TLSWATCH" -q --db "$PGA" ingest "$T"/later/* > "$T/later.out" 2>&1
t_eq "the writer still works" "$?" 0

# a store upgraded to 024 (here: rewound to 23, its views gone) grants the
# new views to whoever may read the 013 ones: the role of an older
# docs/postgresql.md, under any name, reads them without a new GRANT
pg_sql "$PGA" "CREATE ROLE \"Old Viewer\" LOGIN; GRANT CONNECT ON DATABASE tlswatch TO \"Old Viewer\";
	GRANT USAGE ON SCHEMA public TO \"Old Viewer\";
	GRANT SELECT ON tlswatch_daily, tlswatch_failures, tlswatch_mx_failures, tlswatch_reports
		TO \"Old Viewer\";
	DROP VIEW tlswatch_daily_by_domain, tlswatch_daily_by_reporter, tlswatch_failures_by_domain,
		tlswatch_mx_failures_by_domain;
	UPDATE schema_version SET version = 23" > /dev/null
"$TLSWATCH" -q --db "$PGA" ingest "$T"/later/* > "$T/later.out" 2>&1
t_eq "rewound to 23: migrated again" "$(pg_sql "$PGA" "SELECT version FROM schema_version")" \
	"$NEWEST"
OLDV=$(echo "$PGA" | sed 's|//tlswatch@|//Old%20Viewer@|')
for v in tlswatch_daily_by_domain tlswatch_daily_by_reporter tlswatch_failures_by_domain \
	tlswatch_mx_failures_by_domain; do
	t_eq "after the upgrade, grafana and a role of the 013 views read $v" \
		"$(gsql "SELECT count(*) > 0 FROM $v") $(psql -X -At "$OLDV" -c "SELECT count(*) > 0 FROM $v" 2>&1)" \
		"t t"
done
denied "read roll_domain (the table under the view)" "SELECT count(*) FROM roll_domain"

# 4. every panel and variable query, as Grafana sends it, as grafana
FROM=2026-03-01T00:00:00Z
TO=2026-03-31T23:59:59.999Z
# var NAME: the values of a template variable's own query ("All")
var() {
	jq -r ".templating.list[] | select(.name == \"$1\") | .query" "$PGD" \
		| $MACROS sql "$FROM" "$TO" > "$T/var.sql" || return 1
	gsql "$(cat "$T/var.sql")"
}
var domain > "$T/domain.all" || t_fail "domain variable query runs" "$(cat "$T/var.sql")"
var organization > "$T/org.all" || t_fail "organization variable query runs"
echo example.com > "$T/one.dom.list"
echo "Google Inc." > "$T/one.org.list"
t_check "domain variable lists example.com" grep -qx example.com "$T/domain.all"
t_check "organization variable lists Google Inc." grep -qx "Google Inc." "$T/org.all"
# panel ID DOMAINS ORGS: panel ID's rows as a JSON array, run as grafana
panel() {
	jq -r ".panels[] | select(.id == $1) | .targets[0].rawSql" "$PGD" \
		| $MACROS sql "$FROM" "$TO" domain="$2" organization="$3" > "$T/panel.sql" || return 1
	gsql "SELECT coalesce(json_agg(q), '[]') FROM ($(cat "$T/panel.sql")) q"
}
t_eq "both variables' All is the custom value NULL (the roll-ups' switch)" \
	"$(jq -r '[.templating.list[].allValue] | join(" ")' "$PGD")" "NULL NULL"
# "All" as Grafana sends it (the variables' allValue, unquoted: the
# roll-ups of 024), and every value listed (the 013 views): the same rows
ALL="=NULL"
n=0
for id in $(jq -r '.panels[].id' "$PGD"); do
	title=$(jq -r ".panels[] | select(.id == $id) | .title" "$PGD")
	if panel "$id" "$ALL" "$ALL" > "$T/p$id.json" 2> "$T/p$id.err" &&
		[ "$(jq length "$T/p$id.json")" -gt 0 ]; then
		n=$((n + 1))
	else
		t_fail "panel '$title' runs and has rows" "$(head -3 "$T/p$id.err")"
	fi
	panel "$id" "$T/domain.all" "$T/org.all" > "$T/p$id.list.json" 2> "$T/p$id.err"
	if [ -s "$T/p$id.json" ] && cmp -s "$T/p$id.json" "$T/p$id.list.json"; then
		t_pass "panel '$title': All (roll-ups) as every value listed"
	else
		t_fail "panel '$title': All (roll-ups) as every value listed" \
			"$(diff "$T/p$id.json" "$T/p$id.list.json" | head -c 300) $(head -3 "$T/p$id.err")"
	fi
done
t_eq "every panel's query runs as grafana, with rows" "$n" "$(jq '.panels | length' "$PGD")"
# one reporter or one domain selected, the other All: the right branch
for id in 1 2 4 5 6; do
	panel "$id" "$T/domain.all" "$T/one.org.list" > "$T/q1.json" 2> "$T/q.err"
	panel "$id" "$ALL" "$T/one.org.list" > "$T/q2.json" 2>> "$T/q.err"
	panel "$id" "$T/one.dom.list" "$T/org.all" > "$T/q3.json" 2>> "$T/q.err"
	panel "$id" "$T/one.dom.list" "$ALL" > "$T/q4.json" 2>> "$T/q.err"
	if [ "$(jq length "$T/q1.json")" -gt 0 ] && cmp -s "$T/q1.json" "$T/q2.json" &&
		[ "$(jq length "$T/q3.json")" -gt 0 ] && cmp -s "$T/q3.json" "$T/q4.json" &&
		! cmp -s "$T/q1.json" "$T/p$id.json"; then
		t_pass "panel $id: one reporter or one domain, the other All"
	else
		t_fail "panel $id: one reporter or one domain, the other All" "$(head -3 "$T/q.err")"
	fi
done

# 5. the figures, against the summary of the same store and month
sum() { "$TLSWATCH" --db "$PGA" summary --since 2026-03-01 --until 2026-04-01 --format json "$@"; }
sum > "$T/sum.json"
# same NAME GOT_FILE WANT_FILE: sorted JSON equality
same() {
	jq -S 'sort_by(tostring)' "$2" > "$T/got.s"
	jq -S 'sort_by(tostring)' "$3" > "$T/want.s"
	if [ "$(jq length "$T/want.s")" = 0 ]; then
		t_fail "$1" "nothing to compare"
	elif cmp -s "$T/got.s" "$T/want.s"; then
		t_pass "$1"
	else
		t_fail "$1" "$(diff "$T/want.s" "$T/got.s" | head -6)"
	fi
}
jq '[{sessions: (.[0].sessions), failed: (.[0]["failed sessions"])}]' "$T/p1.json" > "$T/g"
jq '[{sessions: (.totals.successful_sessions + .totals.failed_sessions),
	failed: .totals.failed_sessions}]' "$T/sum.json" > "$T/w"
same "sessions of the month as the summary's totals" "$T/g" "$T/w"
jq '[.[] | {result_type: .["result type"], failed_sessions: .["failed sessions"]}]' \
	"$T/p4.json" > "$T/g"
jq '.by_result_type' "$T/sum.json" > "$T/w"
same "failed sessions by result type as the summary's" "$T/g" "$T/w"
jq '[.[] | {mx_host: (if .["MX host"] == "(none)" then null else .["MX host"] end),
	failed_sessions: .["failed sessions"]}]' "$T/p5.json" > "$T/g"
jq '.by_mx' "$T/sum.json" > "$T/w"
same "failed sessions by MX (once per MX) as the summary's" "$T/g" "$T/w"
# by reporter: the 20 with most failed sessions (ties in any order)
jq '[.[] | {organization: .reporter, failed_sessions: .["failed sessions"]}]' "$T/p6.json" > "$T/g"
jq '[.by_organization[] | select(.failed_sessions > 0) | {organization, failed_sessions}]' \
	"$T/sum.json" > "$T/w"
t_eq "failed sessions by reporter: the summary's 20 largest" \
	"$(jq -c '[.[].failed_sessions]' "$T/g")" \
	"$(jq -c '[.[].failed_sessions] | sort | reverse | .[:20]' "$T/w")"
t_eq "failed sessions by reporter: each as the summary says" \
	"$(jq -n --slurpfile g "$T/g" --slurpfile w "$T/w" '$g[0] - $w[0] | length')" 0
jq '[.[] | {organization, policy_domain: (if .["policy domain"] == "(none)" then null
	else .["policy domain"] end), mx_host: (if .["MX host"] == "(none)" then null
	else .["MX host"] end), result_type: .["result type"], failed_sessions: .["failed sessions"]}]' \
	"$T/p8.json" > "$T/g"
jq '.top_failures' "$T/sum.json" > "$T/w"
same "top failures as the summary's, row for row" "$T/g" "$T/w"
t_eq "top failures in the summary's order" \
	"$(jq -c '[.[] | .["failed sessions"]]' "$T/p8.json")" \
	"$(jq -c '[.top_failures[].failed_sessions]' "$T/sum.json")"

# problems: one row per (domain, MX, result type), as the overview and the
# summary's "problems" (most failed first, the number of reporters)
jq '[.[] | {policy_domain: (if .["policy domain"] == "(none)" then null
	else .["policy domain"] end), mx_host: (if .["MX host"] == "(none)" then null
	else .["MX host"] end), result_type: .["result type"], failed_sessions: .["failed sessions"],
	reporter_count: .reporters}]' "$T/p10.json" > "$T/g"
jq '[.problems[] | {policy_domain, mx_host, result_type, failed_sessions, reporter_count}]' \
	"$T/sum.json" > "$T/w"
same "problems as the summary's" "$T/g" "$T/w"

# one domain, one reporter
echo example.com > "$T/one.dom"
panel 2 "$T/one.dom" "$ALL" > "$T/g2.json"
sum --domain example.com > "$T/sum1.json"
t_eq "one domain: sessions per day add up to the summary's" \
	"$(jq '[.[].sessions] | add' "$T/g2.json")" \
	"$(jq '.totals.successful_sessions + .totals.failed_sessions' "$T/sum1.json")"
t_eq "one domain: one series" "$(jq -r '[.[].metric] | unique | join(" ")' "$T/g2.json")" \
	example.com
echo "Google Inc." > "$T/one.org"
panel 1 "$ALL" "$T/one.org" > "$T/g1.json"
sum --org "Google Inc." > "$T/sum2.json"
t_eq "one reporter: failed sessions as the summary's" \
	"$(jq '.[0]["failed sessions"]' "$T/g1.json")" "$(jq '.totals.failed_sessions' "$T/sum2.json")"
# the reports table of one day and domain: the reports 'reports' lists
FROM=2026-03-20T00:00:00Z TO=2026-03-20T23:59:59.999Z
panel 9 "$T/one.dom" "$ALL" > "$T/g9.json"
"$TLSWATCH" --db "$PGA" reports --since 2026-03-20 --until 2026-03-21 --domain example.com \
	--limit 1000 --format json > "$T/r9.json"
t_eq "reports table of one day and domain: the reports list's ids" \
	"$(jq -c '[.[].id] | sort' "$T/g9.json")" "$(jq -c '[.reports[].id] | sort' "$T/r9.json")"
t_check "reports table is not empty" test "$(jq length "$T/g9.json")" -gt 0

# 6. Prometheus: the names in a real scrape, every expression in a real server
if ! web_start --db "$PGA" web --listen 127.0.0.1:0; then
	t_fail "tlswatch web starts" "$(cat "$T/web.err")"
	exit 0
fi
curl -s "$WEB_URL/metrics" > "$T/metrics.txt"
jq -r '[.panels[].targets[].expr, .templating.list[].definition] | .[]' "$PROMD" \
	| grep -o 'tlswatch_[a-z_]*' | sort -u > "$T/names"
t_check "the Prometheus dashboard names metrics" test "$(wc -l < "$T/names")" -ge 5
missing=
while read -r m; do
	grep -q "^# TYPE $m " "$T/metrics.txt" || missing="$missing $m"
done < "$T/names"
t_eq "every metric of the Prometheus dashboard is in /metrics" "$missing" ""

hostport=${WEB_URL#http://}
mkdir -p "$T/prom"
cat > "$T/prom/prometheus.yml" << EOC
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: tlswatch
    static_configs:
      - targets: ['$hostport']
EOC
tries=0
PROM_URL=
while [ $tries -lt 5 ] && [ -z "$PROM_URL" ]; do
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	port=$((20000 + n % 40000))
	prometheus --config.file="$T/prom/prometheus.yml" --storage.tsdb.path="$T/prom/data" \
		--web.listen-address="127.0.0.1:$port" > "$T/prom/log" 2>&1 &
	PROM_PID=$!
	i=0
	while [ $i -lt 100 ]; do
		if curl -sf "http://127.0.0.1:$port/-/ready" > /dev/null 2>&1; then
			PROM_URL=http://127.0.0.1:$port
			break
		fi
		kill -0 "$PROM_PID" 2> /dev/null || break
		sleep 0.2
		i=$((i + 1))
	done
	[ -n "$PROM_URL" ] || prom_stop
	tries=$((tries + 1))
done
if [ -z "$PROM_URL" ]; then
	t_fail "Prometheus starts" "$(tail -3 "$T/prom/log")"
	exit 0
fi
# pq EXPR: the answer of an instant query
pq() { curl -s -G "$PROM_URL/api/v1/query" --data-urlencode "query=$1"; }
# two scrapes or more, so that increase() has two samples
i=0
while [ $i -lt 150 ]; do
	c=$(pq 'count_over_time(tlswatch_quarantined_inputs_total[1m])' | jq -r '.data.result[0].value[1] // 0')
	[ "$c" -ge 3 ] 2> /dev/null && break
	sleep 0.2
	i=$((i + 1))
done
t_check "Prometheus scraped tlswatch web" test "$c" -ge 3 2> /dev/null
t_eq "Prometheus holds the scrape's report counters" \
	"$(pq 'sum(tlswatch_reports_total)' | jq -r '.data.result[0].value[1]')" \
	"$(awk '/^tlswatch_reports_total\{/ { s += $NF } END { print s }' "$T/metrics.txt")"
bad=
n=0
jq -c '.panels[].targets[].expr' "$PROMD" | while read -r e; do
	printf '%s\n' "$e" | jq -r . | $MACROS promql 1m domain='.*' organization='.*' > "$T/expr" ||
		{ echo "not expanded: $e" >> "$T/prom.bad"; continue; }
	r=$(pq "$(cat "$T/expr")")
	if [ "$(echo "$r" | jq -r .status)" != success ]; then
		echo "$(cat "$T/expr"): $(echo "$r" | jq -r .error)" >> "$T/prom.bad"
	fi
	echo x >> "$T/prom.ran"
done
t_eq "every Prometheus panel's expression runs" "$(cat "$T/prom.bad" 2> /dev/null)" ""
t_eq "all of them ran" "$(wc -l < "$T/prom.ran")" "$(jq '[.panels[].targets[]] | length' "$PROMD")"
t_eq "the domain variable's values (label_values)" \
	"$(curl -s -G "$PROM_URL/api/v1/label/policy_domain/values" \
		--data-urlencode 'match[]=tlswatch_reports_total' | jq -r '.data | index("example.com") != null')" \
	true
prom_stop
web_stop
t_check "web ran clean" web_sanitizer_clean
pg_stop
