# tests/summary_top_lib.sh - the inputs of summary_top.sh (SQLite) and
# pg_summary_top.sh (PostgreSQL): a store whose top failure groups lie
# partly outside the top problems' domains, so the pruned summary read
# takes its second round. Sourced after tests/lib.sh.
#
#   summary_top_inputs   generates $T/a (40 domains for 16 days: many
#                        problems) and $T/b (3 of them for 80 days: whole
#                        months; overlapping reports conflict)
#   SUMMARY_TOP_OUTSIDE  SQL (SQLite and PostgreSQL alike): how many of the
#                        20 largest groups of 2026-02-02..08 (20486 =
#                        2026-02-02) lie in a domain of none of the 20
#                        largest problems; above 0 for these inputs
#   summary_top_tampered DB LOW  checks: with a group of domain LOW (few
#                        failures) made the largest of 2026-02-02..08 in
#                        agg_failure alone, the full read shows it first,
#                        the pruned read leaves LOW unread

summary_top_inputs() {
	"$GEN" --out "$T/a" --seed 7 --start 2026-01-24 --days 16 --domains 40 --duplicates 30 \
		--format mbox > /dev/null || t_fail "generator" "exit $?"
	"$GEN" --out "$T/b" --seed 8 --start 2025-11-10 --days 80 --domains 3 --format gz \
		> /dev/null || t_fail "generator" "exit $?"
}

SUMMARY_TOP_OUTSIDE="with g as (select organization o, policy_domain d, mx_host m,
	result_type r, sum(failed_sessions) f from agg_failure where day >= 20486 and day < 20493
	group by 1, 2, 3, 4), p as (select d, m, r, sum(f) pf from g group by 1, 2, 3),
	tp as (select d from p order by pf desc limit 20),
	tg as (select d from g order by f desc limit 20)
	select count(*) from tg where d not in (select d from tp)"

summary_top_tampered() {
	"$TLSWATCH" --db "$1" summary --since 2026-02-02 --until 2026-02-09 --format json \
		> "$T/t-top.json" 2>&1
	TLSWATCH_NO_ROLLUPS=1 "$TLSWATCH" --db "$1" summary --since 2026-02-02 \
		--until 2026-02-09 --format json > "$T/t-full.json" 2>&1
	t_eq "the full read shows the tampered group first" \
		"$(jq -r '.top_failures[0].policy_domain' "$T/t-full.json")" "$2"
	t_check "the pruned read leaves its domain unread" test \
		"$(jq -r '.top_failures[0].policy_domain' "$T/t-top.json")" != "$2"
}
