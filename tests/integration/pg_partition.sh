#!/bin/sh
# Month partitions on PostgreSQL (schema/pg/018, docs/postgresql.md
# "Retention: month partitions"), on a real PostgreSQL 15 (pg_lib.sh):
# a year of reports lands in one partition per month; 'db prune' drops
# the months before the bound (pg_inherits) and deletes rows only in the
# month that holds it, with the same summary, alert, reports, quarantine,
# lifetime totals and db check as the same prune on SQLite; a report for a
# pruned month and one for a new month make their partitions; a writer
# running during prune loses nothing; migration 018 converts a store at
# version 13 (its rows, sequences, views and the Grafana role's grants);
# 'db copy' from PostgreSQL while a writer runs copies one consistent
# moment.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin part
"$GEN" --out "$T/year" --seed 3 --start 2025-10-01 --days 365 --domains 1 --duplicates 20 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-03-20,300" --format gz
printf '{"organization-name": "Bad"}' > "$T/bad.json"
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest "$T"/year/* "$T/bad.json" > /dev/null 2>> "$T/ingest.err"
	"$TLSWATCH" --db "$db" alert --at 2026-03-21 --repeat-after 0 --format json \
		> /dev/null 2>&1
done
parts() {
	pg_sql "$PGA" "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i
		JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '$1'::regclass"
}
t_eq "one report partition per month of the year" "$(parts report | wc -w)" 12
t_eq "the failure details too" "$(parts failure | wc -w)" 12
t_eq "every row in its report's month" "$(pg_sql "$PGA" "SELECT count(*) FROM policy p
	JOIN report r ON r.id = p.report WHERE r.day <> p.day")" 0
pg_same "before prune: summary" summary --all --format json
life() {
	echo "$(pg_sql "$1" "SELECT sum(reports) || ' ' || sum(failed_sessions) FROM life_domain")" \
		"$(pg_sql "$1" "SELECT sum(failed_sessions) FROM life_mx")" \
		"$(pg_sql "$1" "SELECT count(*) FROM quarantine") $(pg_sql "$1" \
			"SELECT count(*) FROM alert_sent_day")"
}
life_before=$(life "$PGA")

# --- prune: five whole months and half of March 2026
"$TLSWATCH" --db "$SQ" -v db prune --before 2026-03-15 > "$T/prune.s" 2>&1
"$TLSWATCH" --db "$PGA" -v db prune --before 2026-03-15 > "$T/prune.p" 2>&1
t_eq "prune exits 0" "$?" 0
t_check "prune counts the same reports as on SQLite" cmp "$T/prune.s" "$T/prune.p"
t_check "prune counted some" grep -q "[1-9][0-9]* reports before 2026-03-15 deleted" \
	"$T/prune.p"
t_eq "the months before March are gone, their rows not deleted one by one" "$(parts report)" \
	"report_m202603 report_m202604 report_m202605 report_m202606 report_m202607 report_m202608 report_m202609"
t_eq "so are their raw reports, policies and failure details" \
	"$(parts raw_report | wc -w) $(parts policy | wc -w) $(parts failure | wc -w)" "7 7 7"
t_eq "no report left before the bound" \
	"$(pg_sql "$PGA" "SELECT count(*) FROM report WHERE day < 20527")" 0
t_eq "March keeps its days from the bound on" \
	"$(pg_sql "$PGA" "SELECT min(day) FROM report_m202603")" 20527
t_eq "lifetime totals, quarantine and alert state kept" "$(life "$PGA")" "$life_before"
t_eq "the same lifetime totals as on SQLite" \
	"$(t_sql "$SQ" "SELECT sum(reports) || ' ' || sum(failed_sessions) FROM life_domain")" \
	"$(pg_sql "$PGA" "SELECT sum(reports) || ' ' || sum(failed_sessions) FROM life_domain")"
pg_same "after prune: summary --all" summary --all --format json
pg_same "after prune: summary of March" summary --since 2026-03-01 --until 2026-04-01 \
	--format json
pg_same "after prune: alert" alert --at 2026-03-21 --repeat-after 0 --format json
pg_same "after prune: reports" reports --all --format json --limit 500
pg_same "after prune: quarantine" quarantine list --all
EMPTY_OK=1 pg_same "after prune: db check" db check
t_eq "after prune: db check exits 0" "$("$TLSWATCH" --db "$PGA" db check > /dev/null 2>&1
	echo $?)" 0

# --- a report for a pruned month, and one for a month not seen yet
"$GEN" --out "$T/late" --seed 5 --start 2025-11-10 --days 1 --domains 1 --format gz
"$GEN" --out "$T/new" --seed 5 --start 2026-10-03 --days 2 --domains 1 --format gz
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest "$T"/late/* "$T"/new/* > /dev/null 2>> "$T/ingest.err"
done
t_eq "a report for a pruned month makes its month again" \
	"$(parts report | tr ' ' '\n' | grep -c 'report_m202511\|report_m202610')" 2
pg_same "late and new reports: summary" summary --all --format json
EMPTY_OK=1 pg_same "late and new reports: db check" db check

# --- a writer running while prune drops months: it waits for the
# writer lock, and nothing is lost
"$GEN" --out "$T/more" --seed 6 --start 2026-10-05 --days 4 --domains 1 --format gz
"$TLSWATCH" --db "$PGA" ingest "$T"/more/* > /dev/null 2> "$T/more.err" &
w=$!
"$TLSWATCH" --db "$PGA" db prune --before 2026-06-01 2> "$T/prune2.p"
t_eq "prune beside a writer exits 0" "$?" 0
wait "$w"
t_eq "the writer beside prune exits 0" "$?" 0
"$TLSWATCH" --db "$SQ" ingest "$T"/more/* > /dev/null 2>&1
"$TLSWATCH" --db "$SQ" db prune --before 2026-06-01 2> /dev/null
t_eq "months dropped beside the writer" "$(parts report)" \
	"report_m202606 report_m202607 report_m202608 report_m202609 report_m202610"
pg_same "prune beside a writer: summary" summary --all --format json
pg_same "prune beside a writer: reports" reports --all --format json --limit 500
EMPTY_OK=1 pg_same "prune beside a writer: db check" db check

# --- migration 018 on a store at version 13 (main's schema files), with
# rows, a Grafana read-only role and its grants
PGM=$(pg_newdb mig)
for f in "$TOP"/schema/pg/007_*.sql "$TOP"/schema/pg/01[0-3]_*.sql; do
	psql -X -q -v ON_ERROR_STOP=1 "$PGM" -f "$f" > /dev/null 2>> "$T/mig.err"
done
pg_sql "$PGM" "CREATE TABLE schema_version (version bigint NOT NULL);
	INSERT INTO schema_version VALUES (13)" > /dev/null
# the rows of PGA as main's tables hold them (no day column)
for t in "raw_report:id, sha256, json_size, gz" "source:*" \
	"report:id, organization, report_id, contact_info, start_time, end_time, day,
		successful_sessions, failed_sessions, raw_id, source_id, content_sha256, provenance,
		quirks" \
	"policy:id, report, idx, policy_type, policy_domain, policy_strings, mx_hosts,
		successful_sessions, failed_sessions, policy_domain_source" \
	"failure:id, policy, result_type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo,
		receiving_ip, additional_information, failure_reason_code, failed_sessions" \
	"agg_domain:*" "agg_failure:*" "agg_mx:*" "agg_policy_type:*" "agg_domain_pruned:*" \
	"agg_failure_pruned:*" "agg_mx_pruned:*" "quarantine:*" "alert_sent_day:*"; do
	name=${t%%:*}
	cols=${t#*:}
	psql -X -q -v ON_ERROR_STOP=1 "$PGA" -c "\\copy (SELECT $cols FROM $name ORDER BY 1) TO
		'$T/rows'" 2>> "$T/mig.err"
	psql -X -q -v ON_ERROR_STOP=1 "$PGM" -c "\\copy $name FROM '$T/rows'" 2>> "$T/mig.err"
done
pg_sql "$PGM" "SELECT setval(pg_get_serial_sequence(t, 'id'), 1000000)
	FROM unnest(ARRAY['raw_report', 'report', 'policy', 'failure']) AS t" > /dev/null
t_eq "the version-13 store is filled" "$(cat "$T/mig.err")" ""
pg_sql "$PGM" "CREATE ROLE grafana LOGIN; GRANT USAGE ON SCHEMA public TO grafana;
	GRANT SELECT ON tlswatch_daily, tlswatch_failures, tlswatch_mx_failures, tlswatch_reports
	TO grafana" > /dev/null
"$TLSWATCH" --db "$PGA" summary --all --format json > "$T/sum.a" 2>&1
"$TLSWATCH" --db "$PGM" db check > "$T/mig.check" 2>&1
t_eq "migrated from 13: db check finds nothing" "$?" 0
t_eq "migrated to the newest version" "$(pg_sql "$PGM" "SELECT max(version) FROM schema_version")" \
	"$(ls "$TOP/schema/pg" | sed -n 's/^0*\([0-9][0-9]*\)_.*/\1/p' | sort -n | tail -1)"
t_eq "migrated: report is partitioned" \
	"$(pg_sql "$PGM" "SELECT relkind FROM pg_class WHERE relname = 'report'")" p
t_eq "migrated: every row moved" \
	"$(pg_sql "$PGM" "SELECT (SELECT count(*) FROM report) || ' ' || (SELECT count(*) FROM policy)
		|| ' ' || (SELECT count(*) FROM failure) || ' ' || (SELECT count(*) FROM raw_report)")" \
	"$(pg_sql "$PGA" "SELECT (SELECT count(*) FROM report) || ' ' || (SELECT count(*) FROM policy)
		|| ' ' || (SELECT count(*) FROM failure) || ' ' || (SELECT count(*) FROM raw_report)")"
"$TLSWATCH" --db "$PGM" summary --all --format json > "$T/sum.m" 2>&1
t_check "migrated: the same summary" cmp "$T/sum.a" "$T/sum.m"
G=$(echo "$PGM" | sed 's|//tlswatch@|//grafana@|')
t_eq "the Grafana role still reads the reports view" \
	"$(psql -X -At "$G" -c "SELECT count(*) FROM tlswatch_reports" 2>&1)" \
	"$(pg_sql "$PGM" "SELECT count(*) FROM report")"
t_eq "and the daily view" "$(psql -X -At "$G" -c "SELECT count(*) > 0 FROM tlswatch_daily" 2>&1)" t
for t in report report_m202606 policy raw_report report_key; do
	if psql -X -At "$G" -c "SELECT 1 FROM $t LIMIT 1" > /dev/null 2>&1; then
		t_fail "the Grafana role cannot read $t"
	else
		t_pass "the Grafana role cannot read $t"
	fi
done
"$GEN" --out "$T/mignew" --seed 9 --start 2026-11-05 --days 1 --domains 1 --format gz
"$TLSWATCH" --db "$PGM" ingest "$T"/mignew/* > /dev/null 2>&1
t_eq "migrated: new reports take ids after the old sequence's" \
	"$(pg_sql "$PGM" "SELECT count(*) FROM report WHERE id > 1000000")" "$(ls "$T/mignew" | wc -l)"

# --- db copy from PostgreSQL while a writer adds reports: one snapshot
"$GEN" --out "$T/copyw" --seed 8 --start 2026-10-10 --days 40 --domains 2 --format gz
PGC=$(pg_newdb copied)
"$TLSWATCH" --db "$PGA" ingest "$T"/copyw/* > /dev/null 2> "$T/copyw.err" &
w=$!
sleep 1
"$TLSWATCH" --db "$PGA" db copy --to "$PGC" > /dev/null 2> "$T/copy.err"
t_eq "db copy beside a writer exits 0" "$?" 0
wait "$w"
"$TLSWATCH" --db "$PGC" db check > "$T/copy.check" 2>&1
t_eq "the copy holds together: db check finds nothing" "$?" 0
t_eq "the copy: each report with its policies" "$(pg_sql "$PGC" "SELECT count(*) FROM report r
	WHERE NOT EXISTS (SELECT 1 FROM policy p WHERE p.report = r.id)")" 0
"$TLSWATCH" --db "$PGA" db copy --to "$T/copy.db" > /dev/null 2>&1
t_eq "copied again once the writer is done: every report" \
	"$(t_sql "$T/copy.db" "SELECT count(*) FROM report")" \
	"$(pg_sql "$PGA" "SELECT count(*) FROM report")"
t_eq "the writers' warnings" "$(grep -v 'quarantined' "$T/ingest.err" "$T/more.err" \
	"$T/copyw.err" | grep -v 'bad.json' | head -3)" ""

# --- forged months ahead of the clock make no partitions: each month a
# report names would be one, and a sender may name 2,400 (to 2200)
before=$(parts report | wc -w)
for y in 2150 2151 2199; do
	sed "s/2024-01-01/$y-06-01/g" > "$T/ahead-$y.json" <<'JSON'
{"organization-name":"Forger","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},"contact-info":"x@example.com","report-id":"F1","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}]}
JSON
done
"$TLSWATCH" --db "$PGA" ingest "$T"/ahead-*.json > /dev/null 2> "$T/ahead.err"
t_eq "reports dated years ahead: refused" "$?" 1
t_eq "each quarantined, the field named" \
	"$(grep -c 'quarantined: date-range.start-datetime: 2[0-9-]*T00:00:00Z is more than 2 days ahead' "$T/ahead.err")" 3
t_eq "no partition made for them" "$(parts report | wc -w)" "$before"
