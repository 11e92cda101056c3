#!/bin/sh
# More alerts in one run than one statement asks the sent state of on
# PostgreSQL (LIMIT_PG_ALERT_KEYS, query_alert_sent_many): 600 domains
# failing on one day, none before. Both stores alert the same
# 600 (JSON byte for byte), record them all as sent, and the next run is
# silent on both: every key's state read, in two statements on PostgreSQL.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin alertmany

# report DAY N: Google's report of DAY (YYYY-MM-DD) for 600 domains
# d0.example .. d599.example, 40 sessions each; on the first N of them 20
# failing (certificate-expired at the domain's MX)
report() {
	awk -v day="$1" -v n="$2" 'BEGIN {
		printf "{\"organization-name\":\"Google Inc.\",\"date-range\":{\"start-datetime\":"
		printf "\"%sT00:00:00Z\",\"end-datetime\":\"%sT23:59:59Z\"},", day, day
		printf "\"contact-info\":\"x@example.net\",\"report-id\":\"many-%s\",\"policies\":[", day
		for (i = 0; i < 600; i++) {
			f = i < n ? 20 : 0
			printf "%s{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"d%d.example\"},", i ? "," : "", i
			printf "\"summary\":{\"total-successful-session-count\":%d,", 40 - f
			printf "\"total-failure-session-count\":%d},\"failure-details\":[", f
			if (f)
				printf "{\"result-type\":\"certificate-expired\",\"receiving-mx-hostname\":" \
					"\"mx.d%d.example\",\"failed-session-count\":%d}", i, f
			printf "]}"
		}
		printf "]}\n"
	}' > "$T/r-$1.json"
}
for d in 01 02 03 04 05 06 07 08 09 10 11 12 13 14; do
	report "2026-03-$d" 0
done
report 2026-03-15 600
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest "$T"/r-*.json > /dev/null 2>> "$T/ingest.err" ||
		t_fail "ingest into $db" "$(tail -3 "$T/ingest.err")"
done

pg_same "600 alerts in one run" alert --at 2026-03-16 --format json
t_eq "both alerted" "$rp $rs" "1 1"
cp "$T/out.p" "$T/first.json"; cp "$T/out.p" /tmp/am.json
t_eq "600 alerts, one per domain" "$(jq '[.alerts[].policy_domain] | unique | length' "$T/first.json")" 600
t_eq "all 600 recorded as sent on PostgreSQL" \
	"$(pg_sql "$PGA" "SELECT count(DISTINCT policy_domain) FROM alert_sent_day")" 600
EMPTY_OK=1 pg_same "the next run, every key's state read" alert --at 2026-03-16 --format json
t_eq "the next run: silent on both" "$rp $rs $(wc -c < "$T/out.p")" "0 0 0"
pg_stop
