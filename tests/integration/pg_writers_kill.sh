#!/bin/sh
# Several writers into one PostgreSQL store at once (issue 16, item 2),
# one of them killed (SIGKILL) in the middle of its inputs and its inputs
# ingested again afterwards: each report stored once, the figures equal
# one SQLite ingest of the same inputs and a serial PostgreSQL ingest, db
# check clean. Writers share the writer lock and lock each report key
# (store/pg_write_lock.c); a killed writer's uncommitted transaction goes
# with its connection, key locks and all, and the others go on.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin
"$GEN" --out "$T/files" --seed 45 --start 2026-07-20 --days 20 --domains 12 --duplicates 30 \
	--format gz > /dev/null
find "$T/files" -type f | sort > "$T/all"
n=$(wc -l < "$T/all")
t_check "the corpus has reports over two months" test "$n" -gt 1500
# the victim takes everything; the others the first third (in the same
# order: the two race for each key from the start) and the last third:
# the middle only the victim has
cp "$T/all" "$T/victim"
sed -n "1,$((n / 3))p" "$T/all" > "$T/w1"
sed -n "$((2 * n / 3)),\$p" "$T/all" > "$T/w2"

SQ=$T/one.db
"$TLSWATCH" --db "$SQ" ingest --from "$T/all" > /dev/null 2>&1
t_eq "one SQLite ingest" "$?" 0
PGS=$(pg_newdb serial)
"$TLSWATCH" --db "$PGS" ingest --from "$T/all" > /dev/null 2>&1
t_eq "one serial PostgreSQL ingest" "$?" 0

PGK=$(pg_newdb killed)
"$TLSWATCH" --db "$PGK" db check > /dev/null 2>&1 # created before the race
"$TLSWATCH" --db "$PGK" ingest --from "$T/victim" > /dev/null 2> "$T/victim.err" &
victim=$!
"$TLSWATCH" --db "$PGK" ingest --from "$T/w1" > /dev/null 2> "$T/w1.err" &
pid1=$!
"$TLSWATCH" --db "$PGK" ingest --from "$T/w2" > /dev/null 2> "$T/w2.err" &
pid2=$!
# kill the victim once some of the writers' work is committed (bounded:
# 60 s), while it still has inputs left
i=0
while [ $i -lt 600 ]; do
	got=$(pg_sql "$PGK" "SELECT count(*) FROM report" 2> /dev/null || echo 0)
	[ "${got:-0}" -ge 300 ] && break
	kill -0 "$victim" 2> /dev/null || break
	sleep 0.1
	i=$((i + 1))
done
kill -KILL "$victim" 2> /dev/null
wait "$victim"
rv=$?
wait "$pid1"
r1=$?
wait "$pid2"
r2=$?
t_eq "the victim was killed mid-run (SIGKILL)" "$rv" 137
t_eq "the other writers finish" "$r1 $r2" "0 0"
got=$(pg_sql "$PGK" "SELECT count(*) FROM report")
t_check "the killed writer left inputs unstored" test "$got" -lt "$(t_sql "$SQ" \
	"SELECT count(*) FROM report")"
t_eq "no session of the killed writer is left" \
	"$(pg_sql "$PGK" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" 0
# its inputs again by two writers at once, in the same order: both race
# for each key left unstored (without the key locks one of them meets
# the other's key at its commit and fails)
cp "$T/victim" "$T/again1"
cp "$T/victim" "$T/again2"
t_eq "the killed writer's inputs ingested again" "$(pg_writers "$PGK" "$T/again1" "$T/again2")" \
	"0 0"

pg_stored_once "$PGK"
t_eq "nothing quarantined" "$(pg_sql "$PGK" "SELECT count(*) FROM quarantine")" 0
# the aggregates and roll-ups row for row against the serial ingest
for t in agg_domain agg_failure agg_mx agg_policy_type roll_domain roll_org roll_failure \
	roll_mx roll_type roll_report_day roll_trust roll_presence life_domain roll_reason roll_day \
	roll_domain_month roll_org_month roll_failure_month agg_failure_month roll_mx_month \
	roll_type_month; do
	pg_sql "$PGK" "SELECT * FROM $t" | LC_ALL=C sort > "$T/$t.k"
	pg_sql "$PGS" "SELECT * FROM $t" | LC_ALL=C sort > "$T/$t.s"
	t_same "$t: row for row as one serial ingest's" "$T/$t.s" "$T/$t.k"
done
pg_agrees "$PGK" 2026-08-01 2026-08-08
t_check "no sanitizer report" sh -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
	'$T'/*.err"
