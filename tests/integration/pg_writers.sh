#!/bin/sh
# Three writers into one PostgreSQL store at once, on overlapping inputs of
# two kinds (the same generated reports as .json.gz files, with re-sends,
# and as an mbox of report mail, four reports a message), each writer in
# its own order: every report stored once, and the figures equal one
# SQLite ingest of the same inputs; db check finds the aggregates true.
# The reports are gathered per batch and sent with COPY
# (store/pg_write_batch.c): this is its test under contention.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin
"$GEN" --out "$T/files" --seed 21 --start 2026-06-01 --days 6 --domains 3 --duplicates 40 \
	--spike "example.net,mx1.example.net,starttls-not-supported,2026-06-03,300" --format gz
"$GEN" --out "$T/mail" --seed 21 --start 2026-06-01 --days 6 --domains 3 --format mbox \
	--spike "example.net,mx1.example.net,starttls-not-supported,2026-06-03,300" --reports-per-file 4
ls "$T"/files/* > "$T/all"
n=$(wc -l < "$T/all")
MBOX=$(ls "$T"/mail/*)
{
	sed -n "1,$((2 * n / 3))p" "$T/all"
	echo "$MBOX"
} > "$T/w1"
{
	echo "$MBOX"
	sed -n "$((n / 3 + 1)),\$p" "$T/all"
} > "$T/w2"
sort -r "$T/all" > "$T/w3"

SQ=$T/one.db
"$TLSWATCH" --db "$SQ" ingest --from "$T/all" > /dev/null 2>&1
"$TLSWATCH" --db "$SQ" ingest $MBOX > /dev/null 2>&1
t_eq "one SQLite ingest: the mail holds the same reports (no conflict)" "$?" 0
PGW=$(pg_newdb writers)
"$TLSWATCH" --db "$PGW" db check > /dev/null 2>&1 # created before the race
rcs=$(pg_writers "$PGW" "$T/w1" "$T/w2" "$T/w3")
if [ "$rcs" = "0 0 0" ]; then
	t_pass "three writers on overlapping inputs succeed"
else
	t_fail "three writers on overlapping inputs succeed" \
		"exit $rcs: $(head -3 "$T/w1.err" "$T/w2.err" "$T/w3.err")"
fi
t_check "the SQLite store holds reports" test "$(t_sql "$SQ" "SELECT count(*) FROM report")" -gt 100
pg_stored_once "$PGW"
"$TLSWATCH" --db "$SQ" summary --all --format json > "$T/sum.s"
"$TLSWATCH" --db "$PGW" summary --all --format json > "$T/sum.p"
if [ -s "$T/sum.s" ] && cmp -s "$T/sum.s" "$T/sum.p"; then
	t_pass "figures equal one SQLite ingest"
else
	t_fail "figures equal one SQLite ingest" "$(diff "$T/sum.s" "$T/sum.p" | head -5)"
fi
"$TLSWATCH" --db "$SQ" summary --since 2026-06-03 --until 2026-06-04 --domain example.net \
	--format json > "$T/day.s"
"$TLSWATCH" --db "$PGW" summary --since 2026-06-03 --until 2026-06-04 --domain example.net \
	--format json > "$T/day.p"
t_check "the spike day's figures equal SQLite's" cmp -s "$T/day.s" "$T/day.p"
"$TLSWATCH" --db "$PGW" db check > "$T/check.out" 2>&1
t_eq "db check: aggregates agree with the reports" "$?" 0
t_check "no sanitizer report" sh -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
	'$T'/w*.err"
