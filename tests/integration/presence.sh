#!/bin/sh
# Reporter presence (schema/014_presence.sql): the "not in yet" check reads
# roll_presence, a bit per reporter day, instead of one agg_domain row per
# reporter day. On a store ending yesterday with many reporters,
# duplicates, and Google's and Microsoft's last two days not in yet:
# every summary (text, JSON, HTML; 7 days, 30 days, --all, one domain),
# alert and /api/v1/summary is byte for byte the same read with the
# roll-up and without (TLSWATCH_NO_ROLLUPS: the same rows summed from
# agg_domain); the late reports, a prune and a conflict pick keep it
# exact (db check); db check finds a tampered row and --repair mends it;
# a store rewound to 13 migrates and gives the same figures. Then the
# same on PostgreSQL against SQLite (pg_same).
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin tw
DB=$SQ

"$GEN" --out "$T/gen" --seed 11 --start "$(date -u -d '-40 days' +%F)" --days 40 --domains 6 \
	--duplicates 40 --format gz > /dev/null || t_fail "generator" "exit $?"
# Google's and Microsoft's reports of the last two days come later
since2=$(date -u -d "$(date -u -d '-2 days' +%F)" +%s)
mkdir "$T/late"
for f in "$T"/gen/google.com!* "$T"/gen/microsoft.com!*; do
	start=$(basename "$f" | cut -d'!' -f3)
	[ "$start" -ge "$since2" ] && mv "$f" "$T/late/"
done
t_check "late reports set aside" test "$(ls "$T/late" | wc -l)" -gt 4
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" ingest "$T"/gen/* > /dev/null 2>> "$T/ingest.err"
	"$TLSWATCH" -q --db "$db" ingest "$DATA"/samples/*.json "$DATA"/postfix/*.json \
		> /dev/null 2>> "$T/ingest.err"
done
t_check "many reporters" test "$(t_sql "$DB" "select count(distinct organization) from report")" -gt 20
t_check "the roll-up is filled" test "$(t_sql "$DB" "select count(*) from roll_presence")" -gt 100
t_eq "db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0

# views FILE: the summaries and the API of the store into FILE
views() {
	{
		for p in "" "--since 30d" "--all" "--domain example.com" "--since 30d --domain example-4.test"; do
			for f in text json html; do
				echo "== summary $p --format $f"
				# shellcheck disable=SC2086
				"$TLSWATCH" --db "$DB" summary $p --format $f
				echo "rc $?"
			done
		done
	} > "$1" 2>&1
}
# same NAME: views with the roll-up and without, byte for byte
same() {
	views "$T/with.txt"
	TLSWATCH_NO_ROLLUPS=1 views "$T/without.txt"
	if cmp -s "$T/with.txt" "$T/without.txt"; then
		t_pass "$1: summaries the same with and without the roll-up"
	else
		t_fail "$1: summaries the same with and without the roll-up" \
			"$(diff "$T/without.txt" "$T/with.txt" | head -8)"
	fi
}
same "late reporters missing"
t_check "the summary names Google as not in yet" grep -q '"missing_reporters": "Google Inc\.' "$T/with.txt"
cp "$T/with.txt" "$T/before-late.txt"

# alert writes its state: each reads its own copy of the store
for at in "" "--at $(date -u -d '-2 days' +%F)" "--at $(date -u -d '-12 days' +%F)"; do
	for w in with without; do
		cp "$DB" "$T/alert-$w.db"
		rm -f "$T/alert-$w.db-wal" "$T/alert-$w.db-shm"
	done
	# shellcheck disable=SC2086
	"$TLSWATCH" --db "$T/alert-with.db" alert $at --format json > "$T/a-with" 2>&1
	# shellcheck disable=SC2086
	TLSWATCH_NO_ROLLUPS=1 "$TLSWATCH" --db "$T/alert-without.db" alert $at --format json \
		> "$T/a-without" 2>&1
	if cmp -s "$T/a-with" "$T/a-without"; then
		t_pass "alert $at: the same with and without the roll-up"
	else
		t_fail "alert $at: the same with and without the roll-up" \
			"$(diff "$T/a-without" "$T/a-with" | head -6)"
	fi
done

# the API runs the same analyzer code
web_start --db "$DB" web --listen 127.0.0.1:0 && curl -s "$WEB_URL/api/v1/summary" > "$T/api-with"
web_stop
TLSWATCH_NO_ROLLUPS=1 web_start --db "$DB" web --listen 127.0.0.1:0 &&
	curl -s "$WEB_URL/api/v1/summary" > "$T/api-without"
web_stop
t_check "the API answered with days not in yet" grep -q 'not_in_yet' "$T/api-with"
t_check "/api/v1/summary: the same with and without the roll-up" cmp "$T/api-with" "$T/api-without"

# the late reports come: bits set by the triggers
"$TLSWATCH" -q --db "$DB" ingest "$T"/late/* > /dev/null 2>> "$T/ingest.err"
t_eq "late reports: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
same "late reports in"
cmp -s "$T/before-late.txt" "$T/with.txt"
t_eq "the late reports changed what is not in yet" "$?" 1
# a prune clears bits, a conflict pick re-aggregates a day
"$TLSWATCH" -q --db "$DB" db prune --before "$(date -u -d '-30 days' +%F)" > /dev/null
cid=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null limit 1")
if [ -n "$cid" ]; then
	"$TLSWATCH" -q --db "$DB" quarantine pick "$cid" > /dev/null 2>&1
	t_eq "conflict picked" "$?" 0
fi
t_eq "prune and pick: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
same "after a prune"
cp "$T/with.txt" "$T/good.txt"

# a tampered row: db check names the table, the summary changes, --repair mends
t_sql "$DB" "update roll_presence set days = 0 where (first_day, policy_domain, organization) =
	(select first_day, policy_domain, organization from roll_presence
	 where policy_domain = 'example.com' order by first_day desc, organization limit 1)"
"$TLSWATCH" --db "$DB" db check > "$T/check.out" 2>&1
t_eq "db check fails on a tampered row" "$?" 1
t_check "db check names roll_presence" grep -q 'roll_presence: 2 rows differ' "$T/check.out"
"$TLSWATCH" --db "$DB" db check --repair > /dev/null 2>&1
t_eq "repaired: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
views "$T/repaired.txt"
t_check "repaired: the same summaries as before" cmp "$T/good.txt" "$T/repaired.txt"

# a store at 13 (as main's binary left it) migrates to 14 with the same figures
cp "$DB" "$T/old.db"
rm -f "$T/old.db-wal" "$T/old.db-shm"
t_sql "$T/old.db" "DROP TRIGGER agg_domain_presence_ins; DROP TRIGGER agg_domain_presence_del;
	DROP TRIGGER agg_domain_presence_upd; DROP TABLE roll_presence; PRAGMA user_version = 13"
"$TLSWATCH" -q --db "$T/old.db" db prune --before 2000-01-02 > /dev/null
t_eq "migrated to 14 or later" "$(t_sql "$T/old.db" "PRAGMA user_version" | awk '{ print ($1 >= 14) }')" 1
t_eq "migrated: db check agrees" "$("$TLSWATCH" --db "$T/old.db" db check 2>&1; echo $?)" 0
DB=$T/old.db views "$T/migrated.txt"
t_check "migrated: the same summaries" cmp "$T/good.txt" "$T/migrated.txt"

# --- PostgreSQL: the same rows, the same answers
"$TLSWATCH" -q --db "$PGA" ingest "$T"/late/* > /dev/null 2>> "$T/ingest.err"
"$TLSWATCH" -q --db "$PGA" db prune --before "$(date -u -d '-30 days' +%F)" > /dev/null
if [ -n "$cid" ]; then
	pcid=$(pg_sql "$PGA" "select id from quarantine where conflict_report is not null and released is null order by id limit 1")
	"$TLSWATCH" -q --db "$PGA" quarantine pick "$pcid" > /dev/null 2>&1
fi
rows="SELECT policy_domain, organization, first_day, days FROM roll_presence ORDER BY 1, 2, 3"
t_check "PostgreSQL: roll_presence row for row as SQLite" \
	test "$(pg_sql "$PGA" "$rows" | md5sum)" = "$(sqlite3 -batch "$SQ" "$rows" | md5sum)"
t_eq "PostgreSQL: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
pg_same "PostgreSQL: summary text" summary --since 30d
pg_same "PostgreSQL: summary JSON" summary --format json
TLSWATCH_NO_ROLLUPS=1 pg_same "PostgreSQL: summary JSON without roll-ups" summary --format json
# the alerts' domains' rows only (pg_reporter_presence_of), and every
# domain's merged from the key's blocks (pg_reporter_presence)
for at in "" "--at $(date -u -d '-1 days' +%F)"; do
	# shellcheck disable=SC2086
	pg_same "PostgreSQL: alert ${at:-today}" alert --format json --repeat-after 0 $at
	# shellcheck disable=SC2086
	TLSWATCH_NO_SHARED_READS=1 pg_same "PostgreSQL: alert ${at:-today}, each window apart" \
		alert --format json --repeat-after 0 $at
done
pg_sql "$PGA" "update roll_presence set days = days # 1 where (first_day, policy_domain, organization) =
	(select first_day, policy_domain, organization from roll_presence order by 1, 2, 3 limit 1)" > /dev/null
"$TLSWATCH" --db "$PGA" db check > "$T/check.p" 2>&1
t_eq "PostgreSQL: db check fails on a tampered row" "$?" 1
t_check "PostgreSQL: db check names roll_presence" grep -q 'roll_presence: 2 rows differ' "$T/check.p"
"$TLSWATCH" --db "$PGA" db check --repair > /dev/null 2>&1
t_eq "PostgreSQL: repaired" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
pg_stop
web_sanitizer_clean
