#!/bin/sh
# roll_trust's statement trigger on PostgreSQL (migration 036) against
# reports built to make it slow: 30 reports of 4,000 policies each over
# 1,000 policy domains (the most one report may name), 120,000 policies,
# ingested and then pruned with the smallest work_mem the server takes.
# Before 036 the insert branch compared each policy with the statement's
# rows (NOT IN, hashed only while they fitted in work_mem): at 1MB, 60
# such reports had not gone in after 5 minutes. What must hold: ingest and
# prune end (each under a timeout far above their cost), every (report,
# domain) counted once in roll_trust, as SQL over the stored policies
# counts it, db check clean, the figures as SQLite's, and none left after
# the prune.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin th

mkdir -p "$T/in"
r=0
while [ "$r" -lt 30 ]; do
	jq -n --argjson r "$r" '{"organization-name": "Org \($r)",
		"date-range": {"start-datetime": "2026-11-01T00:00:00Z",
			"end-datetime": "2026-11-01T23:59:59Z"},
		"contact-info": "tlsrpt@org\($r).example", "report-id": "hostile-\($r)",
		"policies": [range(4000) as $i | {"policy": {"policy-type": "no-policy-found",
			"policy-domain": "d\($r)-\($i % 1000).example",
			"mx-host": ["mx\($i / 1000 | floor).example"]},
			"summary": {"total-successful-session-count": 1,
				"total-failure-session-count": 0}}]}' > "$T/in/r$r.json"
	r=$((r + 1))
done

PGOPTIONS="-c work_mem=64kB" timeout 300 "$TLSWATCH" -q --db "$PGA" ingest "$T"/in/*.json \
	> /dev/null 2> "$T/ingest.err"
t_eq "120,000 policies ingested with work_mem 64kB" "$?" 0
t_eq "every policy stored" "$(pg_sql "$PGA" "SELECT count(*) FROM policy")" 120000
t_eq "roll_trust: each (report, domain) once, as the policies count it" \
	"$(pg_sql "$PGA" "SELECT count(*), sum(verified), sum(unverified) FROM roll_trust")" \
	"$(pg_sql "$PGA" "SELECT count(*), count(*), 0 FROM (SELECT DISTINCT p.report,
		p.policy_domain FROM policy p) AS k")"
"$TLSWATCH" --db "$PGA" db check > "$T/check.out" 2>&1
t_eq "db check clean after the ingest" "$?" 0
"$TLSWATCH" -q --db "$SQ" ingest "$T"/in/*.json > /dev/null 2>&1
pg_same "summary: as SQLite's" summary --since 2026-11-01 --until 2026-11-02 --format json

PGOPTIONS="-c work_mem=64kB" timeout 300 "$TLSWATCH" -q --db "$PGA" db prune \
	--before 2026-11-02 > /dev/null 2> "$T/prune.err"
t_eq "the day pruned with work_mem 64kB" "$?" 0
t_eq "no policy and no trust row left" \
	"$(pg_sql "$PGA" "SELECT (SELECT count(*) FROM policy) || ' ' ||
		(SELECT count(*) FROM roll_trust)")" "0 0"
"$TLSWATCH" --db "$PGA" db check > "$T/check.out" 2>&1
t_eq "db check clean after the prune" "$?" 0
