#!/bin/sh
# /metrics past its byte budget on PostgreSQL (store/pg_query_life.c): the
# failure family holds more series than its part of the budget can show,
# so PostgreSQL sorts only the series failing at least as often as the
# last one kept (many tie there); the page is SQLite's byte for byte, the
# cut marked and counted, and the rows kept are the most failed.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin metricscut

# report ORG: 2,000 MX names (the most one report may name), one in 12
# failing 9 times, the others once: the line the server's read is cut at
# falls among the series failing once, and so does the page's own cut by
# bytes, so a tie there left out or let in shows
report() {
	awk -v org="$1" 'BEGIN {
		for (i = 0; i < 2000; i++)
			total += i % 12 ? 1 : 9
		printf "{\"organization-name\":\"%s\",\"date-range\":{\"start-datetime\":", org
		printf "\"2026-03-02T00:00:00Z\",\"end-datetime\":\"2026-03-02T23:59:59Z\"},"
		printf "\"contact-info\":\"x@example.net\",\"report-id\":\"cut-%s\",\"policies\":[", org
		printf "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\"},"
		printf "\"summary\":{\"total-successful-session-count\":1,"
		printf "\"total-failure-session-count\":%d},\"failure-details\":[", total
		for (i = 0; i < 2000; i++)
			printf "%s{\"result-type\":\"certificate-expired\",\"receiving-mx-hostname\":" \
				"\"m%d.e.net\",\"failed-session-count\":%d}", i ? "," : "", i, i % 12 ? 1 : 9
		printf "]}]}\n"
	}' > "$T/$1.json"
}
# 24,000 series: more than the family's read may keep (its part of the
# budget over the shortest line it could write), so the server cuts too
orgs="a b c d e f g h i j k l"
for org in $orgs; do
	report "$org"
done
for db in "$SQ" "$PGA"; do
	for org in $orgs; do
		"$TLSWATCH" -q --db "$db" ingest "$T/$org.json" > /dev/null 2>&1
	done
done
t_eq "24,000 failure series stored" \
	"$(pg_sql "$PGA" "select count(*) from life_failure")" 24000

metrics() {
	web_start --db "$1" web --listen 127.0.0.1:0 || return 1
	curl -s "$WEB_URL/metrics" > "$2"
	web_stop
}
metrics "$SQ" "$T/m.s"
metrics "$PGA" "$T/m.p"
n=$(grep -c '^tlswatch_failed_sessions_total{' "$T/m.p")
dropped=$(sed -n 's/^tlswatch_metrics_series_dropped{family="tlswatch_failed_sessions_total"} //p' \
	"$T/m.p")
t_check "PostgreSQL: the failure family is cut ($n written, ${dropped:-none} dropped)" \
	test "$n" -gt 1000 -a "${dropped:-0}" -gt 0 -a "$((n + ${dropped:-0}))" -eq 24000
if [ -s "$T/m.s" ] && cmp -s "$T/m.s" "$T/m.p"; then
	t_pass "PostgreSQL: /metrics is SQLite's byte for byte"
else
	t_fail "PostgreSQL: /metrics is SQLite's byte for byte" \
		"$(diff "$T/m.s" "$T/m.p" | head -5)"
fi
# the most failed kept, in order, and every series failing more than the
# least kept one among them
t_eq "PostgreSQL: the series kept are the most failed, in order" \
	"$(sed -n 's/^tlswatch_failed_sessions_total{.*} //p' "$T/m.p" | sort -rn -c 2>&1; echo $?)" 0
least=$(sed -n 's/^tlswatch_failed_sessions_total{.*} //p' "$T/m.p" | tail -1)
t_eq "PostgreSQL: every series above the least kept is kept" \
	"$(sed -n 's/^tlswatch_failed_sessions_total{.*} //p' "$T/m.p" | awk -v l="$least" '$1 > l' | wc -l)" \
	"$(pg_sql "$PGA" "select count(*) from life_failure where failed_sessions > $least")"
pg_stop
web_sanitizer_clean
