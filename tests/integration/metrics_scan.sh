#!/bin/sh
# /metrics read in one pass (store/sqlite_query_life_scan.c: the coarser
# label sets grouped in C, the most failed series kept in a bounded heap)
# serves byte for byte what SQLite's GROUP BY and ORDER BY ... LIMIT served
# (TLSWATCH_NO_METRICS_SCAN=1), and the same with one handle as with the
# failure family read beside on a second, for metrics_labels = full, domain,org and
# domain, on lifetime tables past the 2 MiB budget (so the choice of which
# series are cut matters), with ties of the figures across many keys,
# groups summed over organisations, MX hosts and result types, and label
# values that need escaping.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
t_dkim_off
cd "$T"
DB="$T/m.db"

"$GEN" --out "$T/gen" --seed 7 --start 2026-03-01 --days 4 --domains 3 --format gz > /dev/null
"$TLSWATCH" -q --db "$DB" ingest "$T"/gen/* > /dev/null 2>&1
t_check "corpus stored" test "$(t_sql "$DB" "select count(*) from report")" -gt 10
cp "$DB" "$T/tiny.db"

# Lifetime rows written as the triggers would have (only /metrics reads
# them): 40 domains, figures drawn from a few values (ties everywhere),
# long names so that every family passes its part of the budget.
pad=$(printf '%0120d' 0)
t_sql "$DB" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
INSERT INTO life_domain (policy_domain, organization, n_rows, reports, successful_sessions,
	failed_sessions)
SELECT 'd' || (i % 40) || '.example', 'Org ' || i || ' $pad', 1, i % 9 + 1,
	(i * 7) % 5 * 100, (i * 13) % 4 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9000)
INSERT INTO life_failure (policy_domain, organization, mx_host, result_type, n_rows,
	failed_sessions)
SELECT 'd' || (i % 40) || '.example', 'Org ' || (i % 7), 'mx' || i || '.$pad',
	CASE i % 4 WHEN 0 THEN 'starttls-not-supported' WHEN 1 THEN 'certificate-expired'
	WHEN 2 THEN 'validation-failure' ELSE 'sts-policy-invalid' END, 1, (i * 7919) % 6 + 1
FROM n WHERE 1 ON CONFLICT DO NOTHING;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
INSERT INTO life_mx (policy_domain, organization, mx_host, n_rows, failed_sessions)
SELECT 'd' || (i % 40) || '.example', 'Org ' || (i % 7), 'mx' || (i % 2000) || '.$pad', 1,
	(i * 31) % 5 + 1 FROM n WHERE 1 ON CONFLICT DO NOTHING;
INSERT INTO life_domain VALUES ('q\"uote\\d.example', 'Evil ' || char(10) || 'Org' || char(7),
	1, 3, 4, 5);
INSERT INTO life_domain VALUES ('q\"uote\\d.example', '', 1, 3, 4, 5);
INSERT INTO life_failure VALUES ('q\"uote\\d.example', '', 'mx\"' || char(10), 'x\\y', 1, 6);
INSERT INTO life_mx VALUES ('q\"uote\\d.example', 'Evil ' || char(10) || 'Org', '', 1, 5);"
t_check "lifetime rows written" test "$(t_sql "$DB" "select count(*) from life_failure")" -gt 8000

# fetch LABELS FILE [reference]: /metrics of a fresh server
fetch() {
	printf '[trust]\ndkim = off\n[web]\nmetrics_labels = %s\n' "$1" > "$T/conf"
	[ -n "${3:-}" ] && export TLSWATCH_NO_METRICS_SCAN=1
	if web_start --config "$T/conf" --db "$DB" web --listen 127.0.0.1:0; then
		curl -s "$WEB_URL/metrics" > "$2"
	else
		: > "$2"
	fi
	web_stop
	unset TLSWATCH_NO_METRICS_SCAN
	t_check "$1${3:+ (reference)}: the server stopped cleanly" web_sanitizer_clean
}

for labels in full domain,org domain; do
	fetch "$labels" "$T/scan-$labels.txt"
	fetch "$labels" "$T/sql-$labels.txt" reference
	t_check "$labels: series served" grep -q '^tlswatch_mx_failed_sessions_total{' \
		"$T/scan-$labels.txt"
	t_same "$labels: byte for byte as SQLite grouped and ordered it" "$T/scan-$labels.txt" \
		"$T/sql-$labels.txt"
done

# the failure family read ahead on a second handle (web/metrics.c) or, on
# a server with one handle, in turn: the same bytes
TLSWATCH_WEB_READERS=1 fetch full "$T/one-full.txt"
t_same "full: one handle (read in turn) as two (read beside)" "$T/one-full.txt" \
	"$T/scan-full.txt"

# the budget was passed: the cut chose among tied series
for fam in tlswatch_reports_total tlswatch_sessions_total tlswatch_failed_sessions_total \
	tlswatch_mx_failed_sessions_total; do
	t_check "full: $fam cut by the budget" \
		grep -q "^tlswatch_metrics_series_dropped{family=\"$fam\"} [1-9]" "$T/scan-full.txt"
done
# grouped sums: a domain's failures of one result type over its
# organisations and MX hosts, and a domain's MX over its organisations
want=$(t_sql "$DB" "select sum(failed_sessions) from life_failure where policy_domain =
	'd1.example' and result_type = 'certificate-expired'")
t_eq "domain: failures summed over organisations and MX hosts" \
	"$(sed -n 's/^tlswatch_failed_sessions_total{policy_domain="d1.example",result_type="certificate-expired"} //p' "$T/scan-domain.txt")" \
	"$want"
want=$(t_sql "$DB" "select sum(failed_sessions) from life_mx where policy_domain =
	'd1.example' and mx_host = 'mx1.$pad'")
t_eq "domain: an MX summed over organisations" \
	"$(sed -n "s/^tlswatch_mx_failed_sessions_total{policy_domain=\"d1.example\",mx_host=\"mx1.$pad\"} //p" "$T/scan-domain.txt")" \
	"$want"
t_check "escaped label values" grep -qF \
	'tlswatch_failed_sessions_total{policy_domain="q\"uote\\d.example",organization="",mx_host="mx\"\n",result_type="x\\y"} 6' \
	"$T/scan-full.txt"

# The rows a family reads are cut at what its part of the budget could
# hold at the shortest (web/metrics.c metrics_row_min): 60,000 domains of
# a few letters, so that the series are near the shortest; a family cut
# by the budget must have filled it to within one row (a bound too tight
# would stop it early, with room left).
DB="$T/tiny.db"
t_sql "$DB" "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
INSERT INTO life_domain (policy_domain, organization, n_rows, reports, successful_sessions,
	failed_sessions)
SELECT 'd' || i, 'o', 1, i % 7 + 1, i % 3, i % 2 FROM n;"
fetch domain "$T/tiny.txt"
for fam in tlswatch_reports_total tlswatch_sessions_total; do
	# bytes written, and the part the family had (from its cut comment)
	w=$(grep "^$fam{" "$T/tiny.txt" | wc -c)
	b=$(sed -n "s/^# tlswatch: truncated: [0-9]* series of $fam left out past \([0-9]*\) bytes.*/\1/p" \
		"$T/tiny.txt")
	t_check "domain, 60,000 short domains: $fam cut by the budget" test -n "$b"
	t_check "$fam fills its part to within one row (${w} of ${b:-?} bytes)" \
		test "${b:-0}" -gt "$w" -a "$((${b:-0} - w))" -lt 160
done
