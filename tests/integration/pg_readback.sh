#!/bin/sh
# Reports read back from their rows on PostgreSQL a round at a time
# (store/pg_readback.c: 'db recount', the provenance filter). What a
# postmaster checks after a recount: every report total and aggregate row
# is what SQLite's recount of the same inputs makes, under the same rules
# and after [counting] changed (the bundled samples, the Postfix/sys4
# reports, Microsoft's double report), rows added, mended and deleted
# with the roll-ups following, and recounting again changes nothing. Rounds split where a page's rows pass LIMIT_READBACK_ROWS
# (50,000): reports of 120 policies each (the policies' read is cut at
# 50,000 rows inside the 417th report, which must wait for the next round
# whole) and of 60 policies with a failure detail and an mx host each (a
# round's rows, not its policies, set its end). A damaged store (a report
# of more policies than a report may hold, a policy of more failure
# details) is named, and the recount leaves the store as it was.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin readback


# --- the samples: SQLite's recount, under the same rules and changed ones
printf '[trust]\ndkim = off\n' > plain.conf
printf '[trust]\ndkim = off\n[counting]\nsts_tlsa_same = mta.example.net\n' > same.conf
D="$DATA/postfix"
for db in "$SQ" "$PGA"; do
	# shellcheck disable=SC2086
	"$TLSWATCH" --config plain.conf --db "$db" ingest $DATA/samples/*.json $D/*.json \
		$D/*.eml > /dev/null 2>&1
done
t_check "reports stored" test "$(pg_sql "$PGA" "select count(*) from report")" -gt 20
t_figures "$PGA" > before.p
t_figures "$SQ" > before.s
t_same "ingested: the figures are SQLite's" before.s before.p
# rows to add (agg_mx), to mend (agg_failure, report) and to delete (a
# key no report has), the roll-ups following each by their triggers
pg_sql "$PGA" "update report set failed_sessions = 0; delete from agg_mx;
	update agg_failure set failed_sessions = failed_sessions + 1;
	insert into agg_domain values ((select min(day) from agg_domain), 'bogus.example',
	'Bogus Org', 3, 2, 1)" > /dev/null
"$TLSWATCH" --config plain.conf --db "$PGA" db recount > out 2> err
t_eq "recount under the same rules: exit 0, quiet" "$?:$(cat out err)" "0:"
t_figures "$PGA" > same.p
t_same "the same rules: the figures as ingested" before.p same.p
"$TLSWATCH" --db "$PGA" db check > out 2>&1
t_eq "the roll-ups follow: db check clean" "$?:$(cat out)" "0:"
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --config same.conf --db "$db" db recount > /dev/null 2>&1
done
t_figures "$SQ" > after.s
t_figures "$PGA" > after.p
t_check "[counting] changed: figures change" test "$(diff before.p after.p | grep -c '^<')" -gt 2
t_same "[counting] changed: SQLite's recount" after.s after.p
"$TLSWATCH" --config same.conf --db "$PGA" db recount > /dev/null 2>&1
t_figures "$PGA" > again.p
t_same "recounting again changes nothing" after.p again.p

# --- rounds: report N of ORG, of POLICIES policies on day DAY, each with
# FAIL failed sessions (a failure detail and an mx host when FAIL > 0)
big() {
	awk -v n="$1" -v np="$2" -v fail="$3" -v day="$4" -v org="$5" 'BEGIN {
		printf "{\"organization-name\":\"%s\",\"date-range\":{\"start-datetime\":", org
		printf "\"%sT00:00:00Z\",\"end-datetime\":\"%sT23:59:59Z\"},", day, day
		printf "\"contact-info\":\"x@example\",\"report-id\":\"rb-%s-%d\",\"policies\":[", org, n
		for (p = 1; p <= np; p++) {
			d = "d" p ".example"
			printf "%s{\"policy\":{\"policy-type\":\"sts\",", (p > 1 ? "," : "")
			printf "\"policy-string\":[\"version: STSv1\"],\"policy-domain\":\"%s\"", d
			if (fail > 0)
				printf ",\"mx-host\":[\"mx%d.%s\"]", n % 3, d
			printf "},\"summary\":{\"total-successful-session-count\":%d,", n % 7 + p
			printf "\"total-failure-session-count\":%d}", fail
			if (fail > 0) {
				printf ",\"failure-details\":[{\"result-type\":\"certificate-expired\","
				printf "\"receiving-mx-hostname\":\"mx%d.%s\",", n % 3, d
				printf "\"failed-session-count\":%d}]", fail
			}
			printf "}"
		}
		printf "]}\n"
	}'
}
# the wide reports alone in stores of their own: the policies' read is
# all of their rows, so the cut report's rows fill the round exactly
mkdir wide deep
i=1
while [ $i -le 450 ]; do
	big $i 120 0 2026-03-0$((i % 9 + 1)) wide > wide/w$i.json
	i=$((i + 1))
done
i=1
while [ $i -le 300 ]; do
	big $i 60 $((i % 4 + 1)) 2026-04-1$((i % 9)) deep > deep/f$i.json
	i=$((i + 1))
done
SQW=$T/w.db
PGW=$(pg_newdb readwide)
for db in "$SQW" "$PGW"; do
	"$TLSWATCH" --config plain.conf --db "$db" ingest wide > /dev/null 2>&1
done
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --config plain.conf --db "$db" ingest deep > /dev/null 2>&1
done
t_eq "the round reports are stored" "$(pg_sql "$PGW" "select count(*) from report"):$(pg_sql \
	"$PGA" "select count(*) from report where organization = 'deep'")" 450:300
# recount DB: its report totals and aggregates cleared, then recounted
recount() {
	pg_sql "$1" "update report set successful_sessions = 0, failed_sessions = 0;
		delete from agg_domain; delete from agg_failure; delete from agg_mx;
		delete from agg_policy_type" > /dev/null
	"$TLSWATCH" --config same.conf --db "$1" db recount > out 2> err
}
t_figures "$SQW" > wide.s
t_figures "$SQ" > deep.s
recount "$PGW"
t_eq "recount of reports of 120 policies: exit 0" "$?:$(cat err)" "0:"
t_figures "$PGW" > wide.p
t_check "their last policies are counted" grep -q "^agg_domain|.*|d120.example|wide|" wide.p
t_same "reports of 120 policies: SQLite's figures" wide.s wide.p
recount "$PGA"
t_eq "recount of reports of 60 policies with failures: exit 0" "$?:$(cat err)" "0:"
t_figures "$PGA" > deep.p
t_same "reports of 60 policies with failures: SQLite's figures" deep.s deep.p
for v in "summary --all --provenance file --format json" \
	"summary --all --provenance file --domain d60.example --format json"; do
	# shellcheck disable=SC2086
	pg_same "read back for a provenance: $v" $v
done
"$TLSWATCH" --db "$PGA" db check > /dev/null 2>&1
t_eq "db check agrees" "$?" 0

# --- a damaged store: named, and left as it was
POL="policy_type, policy_domain, policy_domain_source, policy_strings, mx_hosts,
	successful_sessions, failed_sessions"
ONE=$(pg_sql "$PGA" "select min(id) from report where organization = 'deep'")
pg_sql "$PGA" "insert into policy (report, day, idx, $POL) select report, day, 1000 + g, $POL
	from policy, generate_series(1, 4100) g where report = $ONE and idx = 0" > /dev/null
"$TLSWATCH" --config same.conf --db "$PGA" db recount > out 2> err
t_eq "a report of 4,160 policies: exit 2 (the database)" "$?" 2
t_check "the report row is named" grep -q "report row $ONE: more than 4096 policies" err
t_figures "$PGA" > damaged.p
t_same "the store as it was" deep.p damaged.p
pg_sql "$PGA" "delete from policy where report = $ONE and idx >= 1000" > /dev/null
FP=$(pg_sql "$PGA" "select min(id) from policy where report = $ONE")
pg_sql "$PGA" "insert into failure (policy, day, result_type, receiving_mx_hostname,
	failed_sessions) select policy, day, result_type, receiving_mx_hostname, 1 from failure,
	generate_series(1, 10000) g where policy = $FP" > /dev/null
"$TLSWATCH" --config same.conf --db "$PGA" db recount > out 2> err
t_eq "a policy of 10,001 failure details: exit 2" "$?" 2
t_check "the report row and the limit are named" \
	grep -q "report row $ONE: 10001 failure details .* more than 10000" err
t_figures "$PGA" > damaged2.p
t_same "the store as it was" deep.p damaged2.p
pg_stop
