#!/bin/sh
# 'tlswatch db recount' (docs/counting.md, Recounting): after [counting]
# changes, the stored reports are recounted under the new rules. A store
# with every bundled sample, the Postfix/sys4 reports and Microsoft's
# double-reporting one; recounting changes exactly the figures of the
# organisation the override names, to what a fresh ingest under that
# configuration stores; recounting again changes nothing; dropping the
# override and recounting gives the first figures back.
. "$TOP/tests/lib.sh"
cd "$T"
D="$DATA/postfix"
printf '[trust]\ndkim = off\n' > plain.conf
printf '[trust]\ndkim = off\n[counting]\nsts_tlsa_same = mta.example.net\n' > same.conf

inputs="$DATA/samples/*.json $D/*.json $D/*.eml"
# shellcheck disable=SC2086
"$TLSWATCH" --config plain.conf --db a.db ingest $inputs > /dev/null 2>&1
t_sql a.db "select count(*) from report" > n
t_check "reports stored" test "$(cat n)" -gt 20
t_figures a.db > before.dump

"$TLSWATCH" --config plain.conf --db a.db db recount > out 2> err
t_eq "recount under the same rules: exit 0" "$?" 0
t_eq "quiet when all is well" "$(cat out err)" ""
t_figures a.db > same-rules.dump
t_check "the same rules: nothing changes" cmp -s before.dump same-rules.dump

"$TLSWATCH" --config same.conf --db a.db db recount
t_eq "recount after [counting] changed: exit 0" "$?" 0
t_figures a.db > after.dump
diff before.dump after.dump | grep '^[<>]' | sort > changed
t_eq "only mta.example.net's merged figures change" \
	"$(grep -v 'mta.example.net' changed)" ""
# apex.example from the sys4 reporter: tlsa 8/3, sts 5/2 and a
# no-policy-found 4/1; as the same sessions max(8, 5) + 4 = 12 and
# max(3, 2) + 1 = 4; by MX max(2 + 1, 1 + 1) + 1 = 4; result type
# 'unknown' 1 under each: max, 1. shop.example (sys4-shop.eml): sts 3/1
# and the tlsa policy of its MX host 6/0 (rule 5): max(3, 6) = 6, not 9.
# Per policy type nothing merges.
t_eq "the changed rows" "$(cat changed)" \
	"< agg_domain|20787|apex.example|mta.example.net|1|17|6
< agg_domain|20787|shop.example|mta.example.net|1|9|1
< agg_failure|20787|apex.example|mta.example.net|apex.example|unknown|2
< agg_mx|20787|apex.example|mta.example.net|apex.example|6
< report|mta.example.net|2026-11-30T00:00:00Z_idx1_apex.example|17|6
< report|mta.example.net|2026-11-30T00:00:00Z_idx1_shop.example|9|1
> agg_domain|20787|apex.example|mta.example.net|1|12|4
> agg_domain|20787|shop.example|mta.example.net|1|6|1
> agg_failure|20787|apex.example|mta.example.net|apex.example|unknown|1
> agg_mx|20787|apex.example|mta.example.net|apex.example|4
> report|mta.example.net|2026-11-30T00:00:00Z_idx1_apex.example|12|4
> report|mta.example.net|2026-11-30T00:00:00Z_idx1_shop.example|6|1"

# shellcheck disable=SC2086
"$TLSWATCH" --config same.conf --db fresh.db ingest $inputs > /dev/null 2>&1
t_figures fresh.db > fresh.dump
if diff -u fresh.dump after.dump > diff; then
	t_pass "equal to a fresh ingest under the new rules"
else
	t_fail "equal to a fresh ingest under the new rules" "$(head -20 diff)"
fi
t_check "db check agrees" "$TLSWATCH" --config same.conf --db a.db db check

"$TLSWATCH" --config same.conf --db a.db db recount
t_figures a.db > again.dump
t_check "recounting again changes nothing" cmp -s after.dump again.dump

"$TLSWATCH" --config plain.conf --db a.db db recount
t_figures a.db > back.dump
t_check "the override dropped: the first figures again" cmp -s before.dump back.dump

# pruned days: their reports are gone, their lifetime totals (/metrics)
# stay as they were, and the days kept recount to what they held
"$TLSWATCH" --config plain.conf --db a.db db prune --before 2025-01-01
t_eq "prune: exit 0" "$?" 0
pruned() {
	t_sql "$1" "select 'domain', * from agg_domain_pruned order by 2, 3;
	select 'failure', * from agg_failure_pruned order by 2, 3, 4, 5;
	select 'mx', * from agg_mx_pruned order by 2, 3, 4"
}
pruned a.db > pruned-before
t_check "prune kept lifetime totals" test -s pruned-before
t_figures a.db > kept-before.dump
"$TLSWATCH" --config plain.conf --db a.db db recount
t_eq "recount after a prune: exit 0" "$?" 0
pruned a.db > pruned-after
t_check "the lifetime totals of pruned days are kept" cmp -s pruned-before pruned-after
t_figures a.db > kept-after.dump
t_check "the days kept count as before" cmp -s kept-before.dump kept-after.dump
t_check "db check agrees after a prune and a recount" \
	"$TLSWATCH" --config plain.conf --db a.db db check

# one transaction: a report that cannot be read back (damaged mx-host
# list, the last one recounted) fails the recount, and nothing changed
cp a.db damaged.db
t_sql damaged.db "update policy set mx_hosts = '[\"mx.example' where id =
	(select max(p.id) from policy p where p.report = (select max(id) from report))"
t_figures damaged.db > damaged-before.dump
"$TLSWATCH" --config plain.conf --db damaged.db db recount > /dev/null 2> err
t_eq "a damaged report: exit 2" "$?" 2
t_check "says which database and why" grep -q "damaged.db: cannot read reports to recount" err
t_figures damaged.db > damaged-after.dump
t_check "a failed recount changes nothing" cmp -s damaged-before.dump damaged-after.dump

"$TLSWATCH" --db missing.db db recount 2> err
t_eq "no database: exit 2" "$?" 2
t_check "no database: says so" grep -q "no database there" err
t_check "no database: none created" test ! -e missing.db
"$TLSWATCH" --db a.db db recount extra 2> err
t_eq "a stray argument: usage error" "$?" 2
