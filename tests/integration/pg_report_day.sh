#!/bin/sh
# roll_report_day on PostgreSQL added to at commit
# (schema/pg/028_ingest_writers.sql): a transaction that adds a
# report to a day does not make another that adds to the same day wait
# for its commit (the other gives up after 5 s under lock_timeout; before
# 028 it waited for the first one's commit), and the counts stay exact:
# both commits counted, a report added and deleted in one transaction
# leaves no row, a rollback leaves nothing, the rows equal one SQLite
# ingest's after three writers at once, and db check agrees. A store
# rewound to 27 migrates again.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin reportday
"$GEN" --out "$T/files" --seed 28 --start 2026-06-01 --days 8 --domains 4 --duplicates 20 \
	--format gz
ls "$T"/files/* > "$T/all"
n=$(wc -l < "$T/all")
awk 'NR % 3 == 1' "$T/all" > "$T/w1"
awk 'NR % 3 == 2' "$T/all" > "$T/w2"
awk 'NR % 3 == 0' "$T/all" > "$T/w3"
"$TLSWATCH" -q --db "$SQ" ingest --from "$T/all" > /dev/null 2>&1
"$TLSWATCH" -q --db "$PGA" db check > /dev/null 2>&1 # created before the race
t_eq "three writers at once succeed" "$(pg_writers "$PGA" "$T/w1" "$T/w2" "$T/w3")" "0 0 0"
t_check "the files hold reports" test "$n" -gt 30

# days DB: roll_report_day's rows, "day|reports" sorted, from either store
days() {
	case "$1" in
	postgresql:*) psql -X -q -At -F '|' "$1" -c "SELECT day, reports FROM roll_report_day" ;;
	*) t_sql "$1" "SELECT day, reports FROM roll_report_day" ;;
	esac | sort
}
days "$SQ" > "$T/days.s"
days "$PGA" > "$T/days.p"
t_check "SQLite's days are counted" test -s "$T/days.s"
t_same "three writers: roll_report_day row for row one SQLite ingest's" "$T/days.s" "$T/days.p"
t_eq "nothing left waiting for a commit" \
	"$(pg_sql "$PGA" "SELECT count(*) FROM roll_report_day_txn")" 0
t_eq "db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0

# copy X DAY: SQL adding a copy of the first report on DAY, its report-id
# ending in -028X
copy() {
	echo "INSERT INTO report (organization, report_id, contact_info, start_time, end_time,
		day, successful_sessions, failed_sessions, raw_id, source_id, content_sha256,
		provenance, quirks) SELECT organization, report_id || '-028$1', contact_info, start_time,
		end_time, $2, successful_sessions, failed_sessions, raw_id, source_id,
		content_sha256, provenance, quirks FROM report WHERE id = (SELECT min(id) FROM report)"
}
DAY=$(pg_sql "$PGA" "SELECT min(day) FROM report")
BEFORE=$(pg_sql "$PGA" "SELECT reports FROM roll_report_day WHERE day = $DAY")
# an empty day of the same month (its partitions are there)
EMPTY=$((DAY + 20))
t_eq "day $EMPTY has no report" "$(pg_sql "$PGA" "SELECT count(*) FROM report
	WHERE day = $EMPTY")" 0

# --- one transaction adds to DAY and stays open; another adds to DAY
mkfifo "$T/hold"
psql -X -q -At -v ON_ERROR_STOP=1 "$PGA" < "$T/hold" > "$T/hold.out" 2>&1 &
HOLD=$!
exec 8> "$T/hold"
echo "BEGIN; $(copy a "$DAY");" >&8
i=0
while [ "$(pg_sql "$PGA" "SELECT count(*) FROM pg_stat_activity
	WHERE datname = current_database() AND state = 'idle in transaction'
	AND backend_xid IS NOT NULL")" != 1 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_check "the first transaction holds its report" test $i -lt 300
pg_sql "$PGA" "SET lock_timeout = '5s'; $(copy b "$DAY")" > "$T/b.out" 2>&1
t_eq "a second transaction adds to the same day without waiting for the first" "$?" 0
t_eq "the second is counted at its commit" \
	"$(pg_sql "$PGA" "SELECT reports FROM roll_report_day WHERE day = $DAY")" $((BEFORE + 1))
echo "COMMIT;" >&8
exec 8>&-
wait "$HOLD"
t_eq "the first commits" "$?" 0
t_eq "both counted" \
	"$(pg_sql "$PGA" "SELECT reports FROM roll_report_day WHERE day = $DAY")" $((BEFORE + 2))

# --- within a transaction; a rollback; added and deleted in one
t_eq "the writing transaction's change waits in roll_report_day_txn" \
	"$(psql -X -q -At -v ON_ERROR_STOP=1 "$PGA" -c "BEGIN" -c "$(copy c "$EMPTY")" \
		-c "SELECT day || ' ' || reports FROM roll_report_day_txn
		WHERE xid = txid_current()" -c "ROLLBACK")" "$EMPTY 1"
t_eq "a rollback leaves nothing" "$(pg_sql "$PGA" "SELECT count(*) FROM roll_report_day
	WHERE day = $EMPTY")|$(pg_sql "$PGA" "SELECT count(*) FROM roll_report_day_txn")" "0|0"
pg_sql "$PGA" "BEGIN; $(copy d "$EMPTY"); $(copy e "$DAY");
	DELETE FROM report WHERE report_id LIKE '%-028a' OR report_id LIKE '%-028b'
	OR report_id LIKE '%-028d'; COMMIT" > /dev/null
t_eq "added and deleted in one transaction: no row for the empty day" \
	"$(pg_sql "$PGA" "SELECT count(*) FROM roll_report_day WHERE day = $EMPTY")" 0
t_eq "two deleted, one added: the day's count" \
	"$(pg_sql "$PGA" "SELECT reports FROM roll_report_day WHERE day = $DAY")" $((BEFORE + 1))
pg_sql "$PGA" "DELETE FROM report WHERE report_id LIKE '%-028e'" > /dev/null
days "$PGA" > "$T/days.p"
t_same "the copies gone: roll_report_day as SQLite's again" "$T/days.s" "$T/days.p"
t_eq "db check agrees after the copies" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0

# --- a tampered day is found and repaired
pg_sql "$PGA" "UPDATE roll_report_day SET reports = reports + 5 WHERE day = $DAY" > /dev/null
"$TLSWATCH" --db "$PGA" db check > "$T/check.out" 2>&1
rc=$?
t_check "db check finds a tampered day" test "$rc" -ne 0
t_check "it names roll_report_day" grep -q roll_report_day "$T/check.out"
"$TLSWATCH" --db "$PGA" db check --repair > /dev/null 2>&1
days "$PGA" > "$T/days.p"
t_same "repaired: as SQLite's" "$T/days.s" "$T/days.p"

# --- a store rewound to 27 migrates again, the same rows
pg_sql "$PGA" "SET client_min_messages = warning; DROP TABLE roll_report_day_txn CASCADE;
	DROP FUNCTION tlswatch_report_day_fold CASCADE; UPDATE schema_version SET version = 27" \
	> /dev/null
"$TLSWATCH" -q --db "$PGA" ingest "$DATA/samples/google.json" > /dev/null 2>&1
"$TLSWATCH" -q --db "$SQ" ingest "$DATA/samples/google.json" > /dev/null 2>&1
t_check "migrated from 27" test "$(pg_sql "$PGA" "SELECT version FROM schema_version")" -ge 28
days "$SQ" > "$T/days.s"
days "$PGA" > "$T/days.p"
t_same "migrated: roll_report_day as SQLite's" "$T/days.s" "$T/days.p"
t_eq "migrated: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
