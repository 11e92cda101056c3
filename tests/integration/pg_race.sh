#!/bin/sh
# Three writers into one PostgreSQL store at once on the SAME report keys
# (issue 16 item 2): every report id of the corpus reaches all three, each
# in its own order, and a fifth of the keys also come as a copy with other
# content (another contact-info: a conflict, the same aggregates). Each
# writer's own answers (duplicate, conflict) and the store afterwards
# (reports, quarantine, every figure, the roll-ups) must equal one SQLite
# ingest of the same inputs: the key lookup and the send of a batch race
# between writers, and the roll-ups of schema/pg/017 are summed per
# statement. A conflicting copy comes to one writer only, so that which
# copy is stored first cannot change a count or a figure.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin
"$GEN" --out "$T/files" --seed 33 --start 2026-05-01 --days 8 --domains 4 --format json \
	> /dev/null
ls "$T"/files/* > "$T/all"
n=$(wc -l < "$T/all")
t_check "the corpus has reports" test "$n" -gt 200
# every fifth report again, its contact-info changed: same key, other content
mkdir "$T/var"
grep -l '"contact-info":"' $(cat "$T/all") | awk 'NR % 5 == 0' | while read -r f; do
	sed 's/"contact-info":"/"contact-info":"other-/' "$f" > "$T/var/$(basename "$f")"
done
ls "$T"/var/* > "$T/vars"
nv=$(wc -l < "$T/vars")
cp "$T/all" "$T/w1"
sort -r "$T/all" > "$T/w2"
# the third writer: the conflicting copies first, then every report in
# another order (by name from its fifth character)
{
	cat "$T/vars"
	sort -k1.5 "$T/all"
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
	"$((2 * n)) $nv"

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
	"$((2 * n)) $nv"
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
	ord="1, 2, 3"
	[ "$t" = roll_report_day ] && ord=1
	pg_sql "$PGR" "SELECT * FROM $t ORDER BY $ord" > "$T/$t.p"
	t_sql "$SQ" "SELECT * FROM $t ORDER BY $ord" > "$T/$t.s"
	if [ -s "$T/$t.s" ] && cmp -s "$T/$t.s" "$T/$t.p"; then
		t_pass "$t: row for row as one ingest's"
	else
		t_fail "$t: row for row as one ingest's" "$(diff "$T/$t.s" "$T/$t.p" | head -3)"
	fi
done
pg_same_sq() { # name, then a tlswatch command: the same output from both stores
	name=$1
	shift
	"$TLSWATCH" --db "$SQ" "$@" > "$T/s.out" 2>&1
	"$TLSWATCH" --db "$PGR" "$@" > "$T/p.out" 2>&1
	if [ -s "$T/s.out" ] && cmp -s "$T/s.out" "$T/p.out"; then
		t_pass "$name"
	else
		t_fail "$name" "$(diff "$T/s.out" "$T/p.out" | head -5)"
	fi
}
pg_same_sq "summary --all: as one SQLite ingest" summary --all --format json
pg_same_sq "a day of one domain: as one SQLite ingest" summary --since 2026-05-03 \
	--until 2026-05-04 --domain example.com --format json
"$TLSWATCH" --db "$PGR" db check > "$T/check.out" 2>&1
t_eq "db check: aggregates and roll-ups agree with the reports" "$?" 0
t_check "no sanitizer report" sh -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
	'$T'/w*.out"
