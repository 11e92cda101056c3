#!/bin/sh
# Faults on the ingest side, with real processes and a real SQLite file:
# another writer holding the lock, the disk filling up during a commit,
# SIGKILL and SIGTERM in the middle of a run, a damaged database. After
# each: a clear one-line error, no partial report, and a re-run that
# completes the job with each report stored exactly once.
. "$TOP/tests/lib.sh"
"$GEN" --out "$T/r" --seed 7 --days 20 --domains 4 --format gz
n=$(ls "$T/r" | wc -l)
[ "$n" -gt 300 ]; t_eq "corpus of $n reports generated" "$?" 0

consistent() { # DB NAME: no partial report, figures agree, every report whole
	"$TLSWATCH" --db "$1" db check > "$T/check" 2>&1
	t_eq "$2: db check clean" "$?" 0
	t_eq "$2: no report without its policies" \
		"$(t_sql "$1" "select count(*) from report r where not exists (select 1 from policy p where p.report = r.id)")" 0
}
complete() { # DB NAME: a re-run stores the rest, each report once
	"$TLSWATCH" --db "$1" ingest "$T"/r/* > /dev/null 2>&1
	t_eq "$2: re-run exit 0" "$?" 0
	t_eq "$2: every report stored once" "$(t_sql "$1" "select count(*) from report")" "$n"
	t_eq "$2: no duplicate rows" \
		"$(t_sql "$1" "select count(*) from (select organization, report_id from report group by 1, 2 having count(*) > 1)")" 0
	consistent "$1" "$2 (after re-run)"
}

# another writer holds the database: wait (busy timeout), then a clear error
db="$T/locked.db"
"$TLSWATCH" --db "$db" ingest "$T"/r/* > /dev/null 2>&1
rm -f "$db" "$db-wal" "$db-shm"
# an empty database ('db check' refuses a missing file; retry makes one)
"$TLSWATCH" --db "$db" quarantine retry > /dev/null 2>&1
t_lock_db "$db"
"$TLSWATCH" --db "$db" ingest "$T"/r/* > "$T/out" 2> "$T/err"
t_eq "locked: exit 2" "$?" 2
t_eq "locked: one line" "$(wc -l < "$T/err")" 1
grep -q 'database is locked' "$T/err"; t_eq "locked: says the database is locked" "$?" 0
t_unlock_db
t_eq "locked: nothing stored" "$(t_sql "$db" "select count(*) from report")" 0
complete "$db" "locked"

# the disk fills up during a commit (a file size limit)
db="$T/full.db"
"$TLSWATCH" --db "$db" db check > /dev/null 2>&1
(ulimit -f 1024; "$TOP/tlswatch" --db "$db" ingest "$T"/r/*) > "$T/out" 2> "$T/err"
rc=$?
t_eq "disk full: exit 2" "$rc" 2
t_eq "disk full: one line" "$(wc -l < "$T/err")" 1
grep -Eq 'disk is full|disk I/O error|too large' "$T/err"; t_eq "disk full: says why" "$?" 0
consistent "$db" "disk full"
complete "$db" "disk full"

# SIGKILL and SIGTERM in the middle of a run
for sig in KILL TERM; do
	db="$T/$sig.db"
	"$TOP/tlswatch" --db "$db" ingest "$T"/r/* "$T"/r/* "$T"/r/* "$T"/r/* > /dev/null 2>&1 &
	pid=$!
	# wait until the first batch is committed, then kill
	i=0
	while [ "$i" -lt 200 ] && [ "$(t_sql "$db" "select count(*) from report" 2>/dev/null || echo 0)" -lt 1 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -s "$sig" "$pid" 2>/dev/null
	wait "$pid"
	consistent "$db" "SIG$sig"
	complete "$db" "SIG$sig"
done

# a damaged database file: a clear error, no crash
db="$T/bad.db"
"$TLSWATCH" --db "$db" ingest "$T"/r/* > /dev/null 2>&1
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
size=$(wc -c < "$db")
dd if=/dev/urandom of="$db" bs=4096 seek=$((size / 4096 / 2)) count=4 conv=notrunc 2> /dev/null
"$TLSWATCH" --db "$db" db check > "$T/out" 2> "$T/err"
rc=$?
[ "$rc" = 1 ] || [ "$rc" = 2 ]; t_eq "damaged: db check exit 1 or 2 (got $rc)" "$?" 0
[ -s "$T/out" ] || [ -s "$T/err" ]; t_eq "damaged: db check says something" "$?" 0
"$TLSWATCH" --db "$db" summary --all > /dev/null 2> "$T/err"
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 2 ]; t_eq "damaged: summary does not crash (exit $rc)" "$?" 0
