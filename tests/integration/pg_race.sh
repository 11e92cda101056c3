#!/bin/sh
# Three writers into one PostgreSQL store at once on the SAME report keys
# (issue 16 item 2): most report ids reach all three writers, each in its
# own order; a fifth of those carrying a contact-info come twice, once as
# sent and once with another contact-info (a conflict with the same
# aggregates), the two copies to two different writers. Each writer's own
# answers (duplicate, conflict) and the store afterwards (reports,
# quarantine, every aggregate, roll-up and lifetime row, the summary) must
# equal one SQLite ingest of the same inputs, whichever writer stores a
# key first: the key lookups and the sends of the batches race between
# writers, and the roll-ups of schema/pg/017 are summed per statement.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin
"$GEN" --out "$T/files" --seed 33 --start 2026-05-01 --days 8 --domains 4 --format json \
	> /dev/null
ls "$T"/files/* > "$T/all"
n=$(wc -l < "$T/all")
t_check "the corpus has reports" test "$n" -gt 200
# every fifth report (of those with a contact-info) also comes with
# another contact-info: same key, other content, the same aggregates
mkdir "$T/var"
grep -l '"contact-info":"' $(cat "$T/all") | awk 'NR % 5 == 0' > "$T/conflicting"
while read -r f; do
	sed 's/"contact-info":"/"contact-info":"other-/' "$f" > "$T/var/$(basename "$f")"
done < "$T/conflicting"
ls "$T"/var/* > "$T/vars"
nv=$(wc -l < "$T/vars")
grep -vxF -f "$T/conflicting" "$T/all" > "$T/same"
nd=$(wc -l < "$T/same")
# the keys of "same" reach all three writers, each in its own order; a
# conflicting key comes twice, its first copy to one writer and its other
# to another, so that whichever is stored first, the counts are one
# ingest's: 2 duplicates a key of "same", 1 conflict a conflicting key
cat "$T/same" "$T/conflicting" > "$T/w1"
sort -r "$T/same" > "$T/w2"
{
	cat "$T/vars"
	sort -k1.5 "$T/same"
} > "$T/w3"

# the oracle: one SQLite ingest of the three writers' inputs, one after
# another
SQ=$T/one.db
: > "$T/sq.out"
for w in w1 w2 w3; do
	"$TLSWATCH" -v --db "$SQ" ingest --from "$T/$w" >> "$T/sq.out" 2>&1
done
answers() { # duplicates, conflicts in the -v lines of $@
	echo "$(cat "$@" | grep -c ': duplicate$') $(cat "$@" | grep -c 'conflicts with report')"
}
t_eq "one SQLite ingest: 2 duplicates a key, 1 conflict a copy" "$(answers "$T/sq.out")" \
	"$((2 * nd)) $nv"

PGR=$(pg_newdb race)
"$TLSWATCH" --db "$PGR" db check > /dev/null 2>&1 # created before the race
for w in w1 w2 w3; do
	"$TLSWATCH" -v --db "$PGR" ingest --from "$T/$w" > "$T/$w.out" 2>&1 &
	eval "pid_$w=\$!"
done
rcs=
for w in w1 w2 w3; do
	eval "wait \$pid_$w"
	rcs="$rcs $?"
done
# 1: a conflict was quarantined (the writer that saw the other copy second)
t_check "three writers on the same keys finish (exit 0 or 1)" \
	sh -c "echo '$rcs' | grep -qvE '[^01 ]'"
t_eq "the writers' own answers: as one ingest" "$(answers "$T"/w1.out "$T"/w2.out "$T"/w3.out)" \
	"$((2 * nd)) $nv"
t_eq "each key stored once" "$(pg_sql "$PGR" "SELECT count(*) || ' ' ||
	count(DISTINCT (organization, report_id)) FROM report")" "$n $n"
t_eq "every conflicting copy in quarantine, linked to its report" \
	"$(pg_sql "$PGR" "SELECT count(*) FROM quarantine WHERE conflict_report IS NOT NULL")" \
	"$(t_sql "$SQ" "SELECT count(*) FROM quarantine WHERE conflict_report IS NOT NULL")"
for t in policy failure; do
	t_eq "$t: as many rows as one ingest's" "$(pg_sql "$PGR" "SELECT count(*) FROM $t")" \
		"$(t_sql "$SQ" "SELECT count(*) FROM $t")"
done
# the aggregates, roll-ups and lifetime totals row for row (no ids in them)
for t in agg_domain agg_failure agg_mx agg_policy_type roll_domain roll_org roll_failure \
	roll_mx roll_type roll_report_day life_domain life_failure life_mx; do
	pg_sql "$PGR" "SELECT * FROM $t" | LC_ALL=C sort > "$T/$t.p"
	t_sql "$SQ" "SELECT * FROM $t" | LC_ALL=C sort > "$T/$t.s"
	if [ -s "$T/$t.s" ] && cmp -s "$T/$t.s" "$T/$t.p"; then
		t_pass "$t: row for row as one ingest's"
	else
		t_fail "$t: row for row as one ingest's" "$(diff "$T/$t.s" "$T/$t.p" | head -3)"
	fi
done
pg_agrees "$PGR" 2026-05-03 2026-05-04
t_check "no sanitizer report" sh -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
	'$T'/w*.out"
