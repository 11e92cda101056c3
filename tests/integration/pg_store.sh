#!/bin/sh
# The PostgreSQL store against the SQLite store, on a real PostgreSQL 15
# (pg_lib.sh): the same inputs (the bundled samples with their conflicts,
# a generated month with re-sends and a spike) give byte-identical JSON
# from summary, reports, show, alert (and its sent-state) and the web API;
# quarantine (list, pick), prune and db check work on it (three writers
# at once: pg_writers.sh); a writer killed mid-batch loses nothing after a re-run; the
# collector lock of a mailbox is one per store, across processes; a URI
# with a password is refused without being echoed.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin tw
"$GEN" --out "$T/month" --seed 5 --start 2026-03-01 --days 14 --domains 2 --duplicates 25 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-03-13,500" --format gz
SAMPLES=$(ls "$DATA"/samples/*.json "$DATA"/trust/*.json)

# both stores get the same inputs in the same order
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest $SAMPLES > /dev/null 2>> "$T/ingest.err"
	echo "$?" >> "$T/ingest.rc"
	"$TLSWATCH" --db "$db" ingest "$T"/month/* > /dev/null 2>> "$T/ingest.err"
	echo "$?" >> "$T/ingest.rc"
done
t_eq "same ingest exit codes" "$(sed -n 1,2p "$T/ingest.rc" | tr '\n' ' ')" \
	"$(sed -n 3,4p "$T/ingest.rc" | tr '\n' ' ')"
t_check "nothing reached the PostgreSQL store's error path" \
	sh -c "! grep -q 'database postgresql' '$T/ingest.err'"

pg_same "summary --all" summary --all --format json
pg_same "summary of a week, one domain" summary --since 2026-03-08 --until 2026-03-15 \
	--domain example.com --format json
pg_same "a domain filter compares domains as domains" reports --all --domain EXAMPLE.Net. \
	--format json
pg_same "summary of one organisation" summary --all --org "Google Inc." --format json
pg_same "summary as text" summary --all
pg_same "reports list" reports --all --format json --limit 1000
pg_same "reports list, second page" reports --all --format json --limit 7 --offset 7
pg_same "reports of one domain and result type" reports --all --domain example.net \
	--result-type certificate-expired --format json
n=$(t_sql "$SQ" "SELECT count(*) FROM report")
t_eq "every report stored once" "$(pg_sql "$PGA" "SELECT count(*) || ' ' ||
	count(DISTINCT (organization, report_id)) FROM report")" "$n $n"
bad=0
# the samples' reports, and every 400th of the month (a process each, the
# two stores at once: this loop was a fifth of the test's time)
for id in $(t_sql "$SQ" "SELECT id FROM report WHERE id < 30 OR id % 400 = 0 ORDER BY id"); do
	"$TLSWATCH" --db "$SQ" show "$id" --format json > "$T/show.s" 2>&1 &
	"$TLSWATCH" --db "$PGA" show "$id" --format json > "$T/show.p" 2>&1
	wait $!
	pg_norm "$T/show.s"
	pg_norm "$T/show.p"
	cmp -s "$T/show.s" "$T/show.p" || { bad=$((bad + 1)); echo "show $id differs" >&2; }
done
t_eq "show of every report" "$bad" 0
pg_same "quarantine list" quarantine list --all

# alert and its sent-state: the second run has nothing new to send
pg_same "alert" alert --at 2026-03-14 --format json
EMPTY_OK=1 pg_same "alert again: already sent" alert --at 2026-03-14 --format json
t_eq "alert state kept" "$(pg_sql "$PGA" "SELECT count(*) FROM alert_sent_day")" \
	"$(t_sql "$SQ" "SELECT count(*) FROM alert_sent_day")"

# the web API, /metrics and the overview (its alerts' series read beside
# it on a second handle: web_overview_beside.sh), byte for byte
api() {
	web_start --db "$1" web --listen 127.0.0.1:0 || return 1
	for u in "api/v1/summary?since=2026-03-01&until=2026-04-01" \
		"api/v1/timeseries?since=2026-03-05&until=2026-03-12" \
		"api/v1/failures?since=2026-03-01&until=2026-04-01&group_by=mx" \
		"api/v1/failures?since=2026-03-01&until=2026-04-01&group_by=result_type" \
		"api/v1/failures?since=2026-03-01&until=2026-04-01&group_by=ip" \
		"api/v1/reports?since=2026-03-01&until=2026-04-01&page_size=50" \
		"api/v1/reports/3" "metrics" "?since=2026-03-01&until=2026-04-01" \
		"?since=2026-03-01&until=2026-04-01&domain=example.com"; do
		echo "== $u"
		curl -s "$WEB_URL/$u"
		echo
	done > "$2"
	web_stop
	pg_norm "$2"
}
api "$SQ" "$T/api.s"
api "$PGA" "$T/api.p"
t_eq "the overviews answered" "$(grep -c '^<h1>Overview</h1>' "$T/api.p")" 2
if [ -s "$T/api.s" ] && cmp -s "$T/api.s" "$T/api.p"; then
	t_pass "web API and /metrics"
else
	t_fail "web API and /metrics" "$(diff "$T/api.s" "$T/api.p" | head -5)"
fi

# a dashboard outlives a restart of the database server: its connections
# are made again
if web_start --db "$PGA" web --listen 127.0.0.1:0; then
	curl -s "$WEB_URL/api/v1/summary?since=2026-03-01&until=2026-04-01" > "$T/r1"
	runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG/data" -m fast -w -t 30 restart \
		> /dev/null 2>&1
	code=$(curl -s -o "$T/r2" -w '%{http_code}' \
		"$WEB_URL/api/v1/summary?since=2026-03-01&until=2026-04-01&domain=example.com")
	code2=$(curl -s -o "$T/r3" -w '%{http_code}' \
		"$WEB_URL/api/v1/summary?since=2026-03-01&until=2026-04-01")
	web_stop
	if [ "$code $code2" = "200 200" ] && cmp -s "$T/r1" "$T/r3"; then
		t_pass "the dashboard outlives a database restart"
	else
		t_fail "the dashboard outlives a database restart" "HTTP $code $code2: $(head -c 200 "$T/r2")"
	fi
else
	t_fail "the dashboard starts on PostgreSQL" "$(cat "$T/web.err")"
fi

# a statement of the alert series that fails (sent at once with the two
# others: store/pg_pipeline.c) is shown on its page, and leaves the
# connection usable: the next pages read the series again
if web_start --db "$PGA" web --listen 127.0.0.1:0; then
	P="$WEB_URL/?since=2026-03-01&until=2026-04-01"
	pg_sql "$PGA" "ALTER TABLE roll_failure RENAME TO roll_failure_gone"
	curl -s -o "$T/o1" "$P&n=1"
	pg_sql "$PGA" "ALTER TABLE roll_failure_gone RENAME TO roll_failure"
	bad=0
	for n in 2 3 4 5; do
		code=$(curl -s -o "$T/o$n" -w '%{http_code}' "$P&n=$n")
		if [ "$code" != 200 ] || grep -q 'class="error"' "$T/o$n"; then
			bad=$n
		fi
	done
	web_stop
	t_check "a failed series read is shown on its page" \
		grep -q "cannot read the alert series: ERROR:  relation" "$T/o1"
	t_eq "the pages after it read the series again, without an error" "$bad" 0
fi

# a conflict picked: the stored copy leaves every figure, on both
qid=$(t_sql "$SQ" "SELECT min(id) FROM quarantine WHERE conflict_report IS NOT NULL")
EMPTY_OK=1 pg_same "quarantine pick" quarantine pick "$qid"
pg_same "summary after the pick" summary --all --format json
pg_same "quarantine after the pick" quarantine list --all

# retention: prune, then the figures of the days kept and the lifetime
# totals of /metrics
EMPTY_OK=1 pg_same "db prune" db prune --before 2026-03-05
pg_same "summary after prune" summary --all --format json
api "$SQ" "$T/api.s"
api "$PGA" "$T/api.p"
if cmp -s "$T/api.s" "$T/api.p"; then
	t_pass "API and /metrics after prune"
else
	t_fail "API and /metrics after prune" "$(diff "$T/api.s" "$T/api.p" | head -5)"
fi
"$TLSWATCH" --db "$PGA" -v db check > "$T/check.out" 2>&1
t_eq "db check on PostgreSQL" "$?" 0
pg_sql "$PGA" "UPDATE agg_domain SET failed_sessions = failed_sessions + 1 WHERE day =
	(SELECT max(day) FROM agg_domain)" > /dev/null
"$TLSWATCH" --db "$PGA" db check > "$T/check.out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q '^aggregates: day 20[0-9-]*: reports say ' "$T/check.out"; then
	t_pass "db check finds a wrong aggregate"
else
	t_fail "db check finds a wrong aggregate" "exit $rc: $(head -2 "$T/check.out")"
fi

# a week for the fault test below, and its figures on SQLite (three
# writers at once on overlapping inputs: pg_writers.sh)
"$GEN" --out "$T/week" --seed 9 --start 2026-04-01 --days 7 --domains 1 --duplicates 10 \
	--format gz
SM=$T/month.db
"$TLSWATCH" --db "$SM" ingest "$T"/week/* > /dev/null 2>&1
"$TLSWATCH" --db "$SM" summary --all --format json > "$T/sum.s"

# a writer killed mid-batch (inside its transaction, holding the writer
# lock): nothing of its open transaction is left (what it committed
# before, at a new month's partitions or every LIMIT_PG_KEY_LOCKS keys,
# is whole: db check), and a re-run stores it all
PGK=$(pg_newdb killed)
"$TLSWATCH" --db "$PGK" db check > /dev/null 2>&1
"$TLSWATCH" --db "$PGK" ingest "$T"/month/* > /dev/null 2>&1 &
kpid=$!
i=0
while [ $i -lt 400 ]; do
	n=$(pg_sql "$PGK" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND classid = 1953264503 AND objid = 1 AND granted" 2> /dev/null)
	[ "${n:-0}" -gt 0 ] && break
	kill -0 "$kpid" 2> /dev/null || break
	sleep 0.02
	i=$((i + 1))
done
sleep 0.1
kill -9 "$kpid" 2> /dev/null
wait "$kpid" 2> /dev/null
"$TLSWATCH" --db "$PGK" db check > /dev/null 2>&1
t_eq "killed mid-batch: what is stored is whole (db check)" "$?" 0
"$TLSWATCH" --db "$PGK" ingest "$T"/month/* > /dev/null 2>&1
t_eq "re-run after a kill succeeds" "$?" 0
"$TLSWATCH" --db "$T/mo.db" ingest "$T"/month/* > /dev/null 2>&1
"$TLSWATCH" --db "$T/mo.db" summary --all --format json > "$T/sum.mo"
"$TLSWATCH" --db "$PGK" summary --all --format json > "$T/sum.k"
if cmp -s "$T/sum.mo" "$T/sum.k"; then
	t_pass "nothing lost after a killed writer"
else
	t_fail "nothing lost after a killed writer" "$(diff "$T/sum.mo" "$T/sum.k" | head -5)"
fi

# db copy: SQLite into a new PostgreSQL database, everything kept (ids,
# times of arrival, quarantine, alert and IMAP state); refused into a
# store that is not empty
PGY=$(pg_newdb copied)
"$TLSWATCH" --db "$SQ" -v db copy --to "$PGY" > "$T/copy.out" 2>&1
t_eq "db copy succeeds" "$?" 0
copied() {
	"$TLSWATCH" --db "$SQ" "$@" > "$T/cp.s" 2>&1
	"$TLSWATCH" --db "$PGY" "$@" > "$T/cp.p" 2>&1
	if [ -s "$T/cp.s" ] && cmp -s "$T/cp.s" "$T/cp.p"; then
		t_pass "copied: $*"
	else
		t_fail "copied: $*" "$(diff "$T/cp.s" "$T/cp.p" | head -5)"
	fi
}
copied summary --all --format json
copied reports --all --format json --limit 1000
copied quarantine list --all
copied show 1 --format json
copied show "$(t_sql "$SQ" "SELECT max(id) FROM report")" --format json
for t in alert_sent_day alert_judged agg_domain_pruned quarantine source policy failure; do
	t_eq "copied: every row of $t" "$(pg_sql "$PGY" "SELECT count(*) FROM $t")" \
		"$(t_sql "$SQ" "SELECT count(*) FROM $t")"
done
"$GEN" --out "$T/new" --seed 11 --start 2026-05-01 --days 2 --domains 1 --format gz
"$TLSWATCH" --db "$PGY" ingest "$T"/new/* > /dev/null 2>&1
t_eq "the copy takes new reports (ids go on)" "$?" 0
"$TLSWATCH" --db "$SQ" db copy --to "$PGY" > "$T/copy2.out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q 'not empty' "$T/copy2.out"; then
	t_pass "db copy into a store that is not empty is refused"
else
	t_fail "db copy into a store that is not empty is refused" "exit $rc: $(cat "$T/copy2.out")"
fi

# one collector per mailbox: while another process holds the mailbox's
# lock, collect exits 0 with a note and does not connect at all
printf 'x\n' > "$T/imap.pw"
chmod 600 "$T/imap.pw"
printf '[imap]\nhost=127.0.0.1\nport=1\ntls=imaps\nuser=u\npassword_file=%s\n[trust]\ndkim = off\n' \
	"$T/imap.pw" > "$T/collect.conf"
mkfifo "$T/hold"
psql -X -q -At "$PGA" < "$T/hold" > "$T/hold.out" 2>&1 &
hold_pid=$!
exec 8> "$T/hold"
echo "SELECT pg_advisory_lock(hashtextextended('collect 127.0.0.1:1 u INBOX', 0));" >&8
echo "SELECT 'held';" >&8
i=0
while [ $i -lt 200 ] && ! grep -q held "$T/hold.out"; do
	sleep 0.05
	i=$((i + 1))
done
"$TLSWATCH" --config "$T/collect.conf" --db "$PGA" collect > "$T/c1.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -q 'another collector is collecting 127.0.0.1:1 INBOX' "$T/c1.out"; then
	t_pass "second collector on a mailbox exits 0 with a note"
else
	t_fail "second collector on a mailbox exits 0 with a note" "exit $rc: $(cat "$T/c1.out")"
fi
echo '\q' >&8
exec 8>&-
wait "$hold_pid"
"$TLSWATCH" --config "$T/collect.conf" --db "$PGA" collect > "$T/c2.out" 2>&1
t_eq "with the lock free, collect goes on (and fails to connect)" "$?" 2

# a statement failing inside a report's pipeline (a trigger refuses
# failure details): a clear error, nothing of the failed transaction
# stored (a shared writer commits early, before a new month's partitions
# and every LIMIT_PG_KEY_LOCKS keys: what it committed before is whole,
# as db check finds); the same input once the fault is gone stores
# everything
PGF=$(pg_newdb fault)
"$TLSWATCH" --db "$PGF" db check > /dev/null 2>&1
pg_sql "$PGF" "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS
	\$\$BEGIN RAISE EXCEPTION 'injected fault'; END\$\$;
	CREATE TRIGGER boom BEFORE INSERT ON failure FOR EACH ROW EXECUTE FUNCTION boom()" > /dev/null
"$TLSWATCH" --db "$PGF" ingest "$T"/week/* > "$T/fault.out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q 'injected fault' "$T/fault.out" &&
	"$TLSWATCH" --db "$PGF" db check > /dev/null 2>&1; then
	t_pass "a failed statement in a pipeline: error, no report without its details"
else
	t_fail "a failed statement in a pipeline: error, no report without its details" \
		"exit $rc: $(head -2 "$T/fault.out")"
fi
pg_sql "$PGF" "DROP TRIGGER boom ON failure" > /dev/null
"$TLSWATCH" --db "$PGF" ingest "$T"/week/* > /dev/null 2>&1
"$TLSWATCH" --db "$PGF" summary --all --format json > "$T/sum.f"
if cmp -s "$T/sum.s" "$T/sum.f"; then
	t_pass "after the fault, the same input stores everything"
else
	t_fail "after the fault, the same input stores everything" "$(diff "$T/sum.s" "$T/sum.f" | head -3)"
fi

# the store's unit tests (test_sqlite_query: scans against GROUP BY on
# names that differ only in case, absent domains and MX hosts ...) on
# PostgreSQL
TLSWATCH_TEST_DB=$(pg_newdb unit) "$TOP/build/asan/tests/test_sqlite_query" > "$T/unit.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -q 'PASSED' "$T/unit.out"; then
	t_pass "store unit tests on PostgreSQL"
else
	t_fail "store unit tests on PostgreSQL" "exit $rc: $(grep -E 'FAIL|ERROR|error' "$T/unit.out" | head -3)"
fi
# of them: the alert series read again in full after the server dropped
# the connection (sent as one pipeline: the fall-back of pg_pipeline.c)
t_check "the alert series read again after a dropped connection" \
	grep -q 'OK \] test_series_after_cut' "$T/unit.out"

# a password in the URI is refused and never echoed
"$TLSWATCH" --db "postgresql://tlswatch:Hunter2secret@/tw?host=$PG/sock&port=$PG_PORT" \
	summary --all > "$T/pw.out" 2>&1
rc=$?
if [ "$rc" = 2 ] && grep -q PGPASSFILE "$T/pw.out" && ! grep -q Hunter2 "$T/pw.out"; then
	t_pass "a password in the URI is refused, not shown"
else
	t_fail "a password in the URI is refused, not shown" "exit $rc: $(cat "$T/pw.out")"
fi
t_check "no sanitizer report" sh -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
	'$T/ingest.err'"
