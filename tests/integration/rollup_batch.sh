#!/bin/sh
# The ingest writer keeps the roll-ups of 012, 014, 021 and 027 itself, once per touched
# row per batch, with its connection's triggers off meanwhile
# (store/sqlite_write_batch.c). Whatever happens, every aggregate,
# roll-up and lifetime table, the summary and 'db check' must be exactly
# what the per-row triggers make (TLSWATCH_NO_ROLLUP_BATCH=1, the
# reference): on a corpus with duplicates and conflicts (the trust code
# settles the batch in the middle), after 'quarantine pick', 'db prune'
# and 'db recount' (they write aggregate rows outside the batch: the
# triggers must fire there), after a batch that fails at its commit and is
# rolled back, with two ingest processes writing one file at once, and
# when the schema holds a trigger the writer does not know (batching off,
# the trigger fires for every row).
. "$TOP/tests/lib.sh"
t_dkim_off
cd "$T"
"$GEN" --out "$T/a" --seed 31 --start 2026-03-01 --days 8 --domains 8 --duplicates 20 \
	--format gz > /dev/null
"$GEN" --out "$T/b" --seed 32 --start 2026-03-04 --days 8 --domains 8 --format maildir > /dev/null
SAMPLES="$DATA/samples"

# figures DB: every aggregate, roll-up and lifetime table (sorted rows),
# the summary of every day and what db check says
figures() {
	for t in agg_domain agg_failure agg_mx agg_policy_type agg_domain_pruned \
		agg_failure_pruned agg_mx_pruned roll_domain roll_org roll_failure roll_mx roll_type \
		roll_report_day roll_presence roll_reason roll_trust life_domain life_failure life_mx roll_domain_month \
		roll_org_month roll_failure_month agg_failure_month roll_mx_month roll_type_month roll_day \
		roll_domain_year roll_org_year roll_failure_year agg_failure_year roll_mx_year roll_type_year; do
		[ "$t" = "${SKIP:-}" ] && continue
		echo "== $t $(t_sql "$1" "SELECT count(*) FROM $t")"
		t_sql "$1" "SELECT * FROM $t" | sort
	done
	echo "== summary"
	"$TLSWATCH" --db "$1" summary --all --format json
	echo "== db check"
	"$TLSWATCH" --db "$1" db check 2>&1
	echo "exit $?"
}
# same NAME REF DB: the figures of DB are those of REF, and db check is clean
same() {
	figures "$2" > "$T/ref.txt"
	figures "$3" > "$T/got.txt"
	if cmp -s "$T/ref.txt" "$T/got.txt"; then
		t_pass "$1: every figure as the per-row triggers make it"
	else
		t_fail "$1: every figure as the per-row triggers make it" \
			"$(diff "$T/ref.txt" "$T/got.txt" | head -8 | tr '\n' ' ')"
	fi
	t_check "$1: db check clean" grep -q '^exit 0$' "$T/got.txt"
}
ref() { TLSWATCH_NO_ROLLUP_BATCH=1 "$TLSWATCH" -q --db "$REF" "$@" > /dev/null 2>&1; }
bat() { "$TLSWATCH" -q --db "$DB" "$@" > /dev/null 2>&1; }

REF=$T/ref.db
DB=$T/batch.db
for d in "$REF" "$DB"; do
	if [ "$d" = "$REF" ]; then run=ref; else run=bat; fi
	$run ingest "$T/a"
	$run ingest "$T/b" "$SAMPLES"/*
	$run ingest "$T/a"
done
t_check "a store of some size" test "$(t_sql "$DB" "select count(*) from report")" -gt 500
t_check "conflicts met in the middle of a batch" \
	test "$(t_sql "$DB" "select count(*) from quarantine where conflict_report is not null")" -gt 0
same "ingest" "$REF" "$DB"
# batching is on only while the schema's triggers are exactly those the
# writer knows: a migration's new trigger must join the list (or the
# writer silently falls back to per-row triggers, twice as slow)
t_sql "$DB" "select name from sqlite_schema where type = 'trigger' order by name" > "$T/trig.txt"
sed -n '/^static const char \*const batch_known_triggers/,/^};/p' "$TOP/store/sqlite_write_batch.c" |
	sed -n 's/^ *"\([a-z_]*\)",$/\1/p' > "$T/known.txt"
t_check "the schema's triggers are the batch's known ones" cmp -s "$T/trig.txt" "$T/known.txt"

# the conflict picks, a prune and a recount run with the triggers
cid=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null order by id limit 1")
t_check "a conflict to pick" test -n "$cid"
ref quarantine pick "$cid"
bat quarantine pick "$cid"
t_check "picked" test "$(t_sql "$DB" "select count(*) from quarantine where id = $cid and released is not null")" = 1
same "quarantine pick" "$REF" "$DB"
ref db prune --before 2026-03-03
bat db prune --before 2026-03-03
t_check "pruned days kept in the lifetime totals" test "$(t_sql "$DB" "select count(*) from agg_domain_pruned")" -gt 0
same "db prune" "$REF" "$DB"
ref db recount
bat db recount
same "db recount" "$REF" "$DB"
# and the next batch after them
ref ingest "$T/a" "$T/b"
bat ingest "$T/a" "$T/b"
same "ingest after them" "$REF" "$DB"

# a batch that fails at its commit (the disk fills up) is rolled back
# whole, roll-ups with it; a re-run stores the rest
FULL=$T/full.db
REF=$T/ref-full.db
"$TLSWATCH" -q --db "$FULL" quarantine retry > /dev/null 2>&1
(ulimit -f 1024; "$TOP/tlswatch" -q --db "$FULL" ingest "$T/a" "$T/b") > /dev/null 2>&1
t_eq "disk full: exit 2" "$?" 2
t_check "disk full: part stored, not all" \
	test "$(t_sql "$FULL" "select count(*) from report")" -lt "$(t_sql "$DB" "select count(*) from report")"
t_check "disk full: db check clean after the rollback" "$TLSWATCH" --db "$FULL" db check
"$TLSWATCH" -q --db "$FULL" ingest "$T/a" "$T/b" > /dev/null 2>&1
ref ingest "$T/a" "$T/b"
same "rolled back, then re-run" "$REF" "$FULL"

# two ingest processes on one file at once
CONC=$T/conc.db
REF=$T/ref-conc.db
"$TLSWATCH" -q --db "$CONC" quarantine retry > /dev/null 2>&1
"$TLSWATCH" -q --db "$CONC" ingest "$T/a" > /dev/null 2>&1 &
p1=$!
"$TLSWATCH" -q --db "$CONC" ingest "$T/b" > /dev/null 2>&1 &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
t_check "concurrent: both ingests done (exit $r1 $r2)" test "$r1" -le 1 -a "$r2" -le 1
ref ingest "$T/a" "$T/b"
# a report both in a (file) and b (mail) keeps the provenance of the copy
# stored first (docs/trust.md): with two writers a matter of timing, so
# roll_trust is left to db check here
SKIP=roll_trust same "two writers at once" "$REF" "$CONC"

# a trigger this code does not know (a later roll-up): the writer does not
# batch, and the trigger fires for every row
ODD=$T/odd.db
REF=$T/ref-odd.db
"$TLSWATCH" -q --db "$ODD" quarantine retry > /dev/null 2>&1
t_sql "$ODD" "CREATE TABLE seen (n INTEGER);
	CREATE TRIGGER zz_seen AFTER INSERT ON agg_domain BEGIN INSERT INTO seen VALUES (1); END;"
"$TLSWATCH" -q --db "$ODD" ingest "$T/a" > /dev/null 2>&1
t_eq "unknown trigger: fired for every aggregate row" \
	"$(t_sql "$ODD" "select count(*) from seen")" "$(t_sql "$ODD" "select count(*) from agg_domain")"
ref ingest "$T/a"
same "unknown trigger" "$REF" "$ODD"
