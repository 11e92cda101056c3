#!/bin/sh
# by_mx.sh - failures by MX host counted once per MX (docs/counting.md).
# A Microsoft-style report lists the same sessions under sts and tlsa but
# classes them differently (sts certificate-expired, tlsa tlsa-invalid):
# the MX is charged once, by_result_type keeps each type's own figure.
# Then, on a generated month plus that report, every figure by MX that
# tlswatch shows (summary JSON, the failures breakdown of one result type)
# equals an independent computation in SQL over the stored failure
# details; the migration's backfill of agg_mx (schema/006) rebuilds the
# rows the ingest path wrote; db prune removes them.
. "$TOP/tests/lib.sh"
t_dkim_off # not a trust test: the mail here is unsigned (docs/trust.md)

cat > "$T/ms.json" << 'EOF2'
{"organization-name":"Microsoft Corporation","date-range":{"start-datetime":"2026-07-10T00:00:00Z","end-datetime":"2026-07-10T23:59:59Z"},"contact-info":"tlsrpt@microsoft.com","report-id":"ms-by-mx-1","policies":[
{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: mx1.example.com","mx: mx2.example.com","max_age: 86400"],"policy-domain":"example.com","mx-host":["mx1.example.com","mx2.example.com"]},"summary":{"total-successful-session-count":100,"total-failure-session-count":13},"failure-details":[
 {"result-type":"certificate-expired","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx1.example.com","failed-session-count":10},
 {"result-type":"starttls-not-supported","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx2.example.com","failed-session-count":3}]},
{"policy":{"policy-type":"tlsa","policy-string":["3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"],"policy-domain":"example.com","mx-host":["mx1.example.com","mx2.example.com"]},"summary":{"total-successful-session-count":100,"total-failure-session-count":13},"failure-details":[
 {"result-type":"tlsa-invalid","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx1.example.com","failed-session-count":10},
 {"result-type":"starttls-not-supported","sending-mta-ip":"192.0.2.1","receiving-mx-hostname":"mx2.example.com","failed-session-count":3}]},
{"policy":{"policy-type":"no-policy-found","policy-domain":"example.com"},"summary":{"total-successful-session-count":5,"total-failure-session-count":2},"failure-details":[
 {"result-type":"starttls-not-supported","sending-mta-ip":"192.0.2.2","receiving-mx-hostname":"mx1.example.com","failed-session-count":2}]}]}
EOF2
"$TLSWATCH" --db "$T/one.db" ingest "$T/ms.json" || t_fail "ingest ms.json" "exit $?"
sum() {
	db=$1
	shift
	"$TLSWATCH" --db "$T/$db.db" summary --since 2026-06-01 --until 2026-08-01 --format json "$@"
}
summary1() { "$TLSWATCH" --db "$T/one.db" summary --since 2026-07-10 --until 2026-07-11 --format json "$@"; }
t_eq "by_mx: mx1 once (max(sts 10, tlsa 10) + no-policy-found 2), mx2 once" \
	"$(summary1 | jq -c '[.by_mx[] | [.mx_host, .failed_sessions]]')" \
	'[["mx1.example.com",12],["mx2.example.com",3]]'
t_eq "by_result_type: each type its own figure" \
	"$(summary1 | jq -c '[.by_result_type[] | [.result_type, .failed_sessions]]')" \
	'[["certificate-expired",10],["tlsa-invalid",10],["starttls-not-supported",5]]'
t_eq "domain total: max(13, 13) + 2" "$(summary1 | jq -c '.totals.failed_sessions')" 15
# --- a generated month (Microsoft's sts + tlsa for example.com) plus the report
"$GEN" --out "$T/g" --seed 3 --start 2026-06-01 --days 45 --domains 4 --format mbox > /dev/null ||
	t_fail "generator" "exit $?"
"$TLSWATCH" --db "$T/m.db" ingest "$T/g/reports.mbox" "$T/ms.json" || t_fail "ingest month" "exit $?"
# the rule in SQL, from the stored details: per report, domain and MX, sum
# each policy type, then max(sts, tlsa) + the rest
INDEP="SELECT mx, sum(v) FROM (SELECT coalesce(f.receiving_mx_hostname, '') AS mx,
	max(sum(CASE WHEN p.policy_type = 'sts' THEN f.failed_sessions ELSE 0 END),
	    sum(CASE WHEN p.policy_type = 'tlsa' THEN f.failed_sessions ELSE 0 END))
	+ sum(CASE WHEN p.policy_type IN ('sts', 'tlsa') THEN 0 ELSE f.failed_sessions END) AS v
	FROM report r JOIN policy p ON p.report = r.id JOIN failure f ON f.policy = p.id
	WHERE r.day >= 20605 AND r.day < 20666 %s
	GROUP BY r.id, coalesce(p.policy_domain, ''), mx) GROUP BY mx HAVING sum(v) > 0 ORDER BY 2 DESC, 1"
# shellcheck disable=SC2059
t_sql "$T/m.db" "$(printf "$INDEP" "")" | sed 's/^|/null|/' > "$T/want"
sum m | jq -r '.by_mx[] | "\(.mx_host // "null")|\(.failed_sessions)"' > "$T/got"
t_eq "summary by_mx equals the SQL computation (month + report)" "$(cat "$T/got")" "$(cat "$T/want")"
t_check "... over more than the one report" test "$(wc -l < "$T/want")" -gt 5
# shellcheck disable=SC2059
t_sql "$T/m.db" "$(printf "$INDEP" "AND p.policy_domain = 'example.com'")" | sed 's/^|/null|/' > "$T/want"
sum m --domain example.com | jq -r '.by_mx[] | "\(.mx_host // "null")|\(.failed_sessions)"' > "$T/got"
t_eq "summary --domain by_mx equals the SQL computation" "$(cat "$T/got")" "$(cat "$T/want")"

# --- the migration's backfill rebuilds what ingest wrote
sed -n '/^INSERT INTO agg_mx/,/;$/p' "$TOP/schema/006_alerts_judged.sql" > "$T/backfill.sql"
t_check "the backfill statement is in schema/006" test -s "$T/backfill.sql"
t_sql "$T/m.db" "SELECT * FROM agg_mx ORDER BY 1, 2, 3, 4" > "$T/written"
t_sql "$T/m.db" "DELETE FROM agg_mx; $(cat "$T/backfill.sql") SELECT * FROM agg_mx ORDER BY 1, 2, 3, 4" > "$T/rebuilt"
t_check "backfill == ingest's rows" cmp -s "$T/written" "$T/rebuilt"

# --- db prune takes agg_mx rows with their days
"$TLSWATCH" --db "$T/m.db" db prune --before 2026-07-01 > /dev/null 2>&1 || t_fail "db prune" "exit $?"
t_eq "db prune: no agg_mx row before the cut" \
	"$(t_sql "$T/m.db" "SELECT count(*) FROM agg_mx WHERE day < 20635")" 0
