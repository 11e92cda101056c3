#!/bin/sh
# The report keys 'ingest' looks up ahead (store_prefetch_reports) while
# a report of the same key is still pending in the batch (kept in memory,
# not yet sent): the server says "absent" then. If the pending rows are
# sent before the second report of that key is added (a conflict's trust
# statements send them), the second must not be taken as new: it once
# was, and the whole ingest failed on report_key's primary key (seen on
# CI in pg_ops.sh under load, where the reader's timing made the groups
# looked up ahead fall that way). Here a FIFO makes the timing certain:
# a file A is stored (the reader waits on the FIFO, so A's group holds A
# alone), then one mail with two reports of A's key, D (other content: a
# conflict) and B (A's content: a duplicate), is looked up while A is
# pending. The outcomes and figures must be SQLite's.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin pf
{
	printf 'From: noreply-smtp-tls-reporting@google.com\nMessage-ID: <two@example.org>\n'
	printf 'Subject: Report Domain: example.com\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b1"\n\n'
	for f in forged genuine; do
		printf -- '--b1\nContent-Type: application/tlsrpt+json\n'
		printf 'Content-Disposition: attachment; filename="%s.json"\n\n' "$f"
		cat "$DATA/trust/$f.json"
		printf '\n'
	done
	printf -- '--b1--\n'
} > "$T/two.eml"

# ingest_fifo DB: A, then the mail through a FIFO written once A is stored
ingest_fifo() {
	rm -f "$T/fifo" "$T/run.err"
	mkfifo "$T/fifo"
	"$TLSWATCH" --db "$1" ingest -v "$DATA/trust/genuine.json" "$T/fifo" > "$T/run.out" \
		2> "$T/run.err" &
	pid=$!
	i=0
	while [ $i -lt 300 ] && ! grep -q 'genuine.json: stored' "$T/run.out"; do
		sleep 0.1
		i=$((i + 1))
	done
	cat "$T/two.eml" > "$T/fifo"
	wait $pid
	echo "exit $?"
	cat "$T/run.out" "$T/run.err" | sed -e 's|^[^ ]*/trust/|trust/|' -e 's|^tlswatch: [^ ]*/|tlswatch: |' \
		-e 's/report [0-9]*/report N/'
	"$TLSWATCH" --db "$1" reports --format json | grep -c '"report_id"'

}
ingest_fifo "$SQ" > "$T/sq.out"
ingest_fifo "$PGA" > "$T/pg.out"
t_check "SQLite: A stored first (the FIFO held the mail back)" \
	grep -q 'genuine.json: stored' "$T/sq.out"
t_check "SQLite: the mail's other report is a conflict" grep -q 'fifo: quarantined: conflicts' \
	"$T/sq.out"
t_same "PostgreSQL: exit status and every outcome as SQLite's" "$T/sq.out" "$T/pg.out"
t_eq "PostgreSQL: no error on report_key" "$(grep -c 'report_key' "$T/pg.out")" 0
t_eq "PostgreSQL: one report of the key stored" \
	"$(pg_sql "$PGA" "SELECT count(*) FROM report WHERE report_id LIKE '2026-11-01T%'")" 1
pg_same "PostgreSQL: reports as SQLite's" reports --format json
t_eq "PostgreSQL: db check finds nothing" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
