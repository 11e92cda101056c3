#!/bin/sh
# roll_reason on PostgreSQL (schema/pg/025_reason_roll.sql): the same rows
# as SQLite's (schema/019) after ingest, a verified report replacing an
# unverified one, a conflict picked, a prune that drops a whole month's
# partitions and deletes the days of the next, and a recount; the summary
# (JSON, text, HTML), the dashboard, /api/v1/summary and the alert context
# byte for byte the same as on SQLite and as without roll-ups
# (TLSWATCH_NO_ROLLUPS=1); db check finds a tampered row and --repair
# mends it; migration 025 on a store rewound to 024, 'db copy' both ways,
# three writers at once, and failure texts too long for a B-tree key.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin rr

# report ORG ID DAY N: tests/reason_report.sh, every report's contact and
# information link at x.example (the mail below comes from there)
. "$TOP/tests/reason_report.sh"
report() { reason_report "$1" "$2" "$3" "$4" x.example; }
mail() { # FILE: a report as unverified mail (DKIM is off)
	printf 'From: tls@x.example\nMessage-ID: <%s@x.example>\n' "$(basename "$1")"
	printf 'Subject: Report Domain: example.com\nContent-Type: application/tlsrpt+json\n\n'
	cat "$1"
}
mkdir -p "$T/own"
for d in 2026-02-08 2026-02-10 2026-02-11 2026-02-14; do
	report "Roll Org A" "a-$d" "$d" 7 > "$T/own/a-$d.json"
	report "Roll Org B" "b-$d" "$d" 2 > "$T/own/b-$d.json"
done
# by mail first, then as a file with other figures: the file replaces it
report "Swap Org" s1 2026-02-10 20 > "$T/own/swap-mail.json"
report "Swap Org" s1 2026-02-10 30 > "$T/swap-file.json"
mail "$T/own/swap-mail.json" > "$T/own/swap.eml"
rm "$T/own/swap-mail.json"
"$GEN" --out "$T/gen" --seed 7 --start 2026-01-01 --days 45 --domains 6 --duplicates 40 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-02-10,90" --format gz > /dev/null
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" ingest "$T"/gen/* "$T"/own/* > /dev/null 2>> "$T/ingest.err"
	"$TLSWATCH" -q --db "$db" ingest "$DATA"/samples/*.json "$DATA"/postfix/*.json \
		"$DATA"/postfix/*.eml > /dev/null 2>> "$T/ingest.err"
	"$TLSWATCH" -q --db "$db" ingest "$T/swap-file.json" > /dev/null 2>> "$T/ingest.err"
done

ROWS="SELECT day, kind, text, policy_domain, organization, mx_host, result_type, n_rows,
	failed_sessions, sent_sessions FROM roll_reason ORDER BY 1, 2, 3, 4, 5, 6, 7"
# same_rows NAME [SQLITE PG]: roll_reason row for row on both stores
same_rows() {
	t_sql "${2:-$SQ}" "$ROWS" > "$T/rows.s"
	pg_sql "${3:-$PGA}" "$ROWS" > "$T/rows.p"
	if [ ! -s "$T/rows.s" ]; then
		t_fail "$1" "no rows on SQLite"
	else
		t_same "$1" "$T/rows.s" "$T/rows.p"
	fi
}
t_check "reason codes rolled up" test "$(pg_sql "$PGA" "select count(*) from roll_reason where kind = 0")" -gt 5
t_check "information texts rolled up" test "$(pg_sql "$PGA" "select count(*) from roll_reason where kind = 1")" -gt 5
# one group: max(sts 7+3, tlsa 11) = 11, on its first result type
t_eq "sts and tlsa views counted once" "$(pg_sql "$PGA" "select string_agg(result_type || '=' || failed_sessions, ' ' order by result_type) from roll_reason where day = (select day from report where report_id = 'a-2026-02-10') and organization = 'Roll Org A' and kind = 0 and mx_host = 'mx1.example.com'")" \
	"certificate-expired=11 tlsa-invalid=0 validation-failure=0"
t_eq "the file replaced the mail: its figures only" "$(pg_sql "$PGA" "select sum(sent_sessions) from roll_reason where organization = 'Swap Org' and kind = 0 and mx_host = 'mx1.example.com'")" 44
same_rows "after ingest: the same rows as SQLite"

# a conflict (same key, other content) held and picked
report "Roll Org A" "a-2026-02-10" 2026-02-10 40 > "$T/a-conflict.json"
held="select id from quarantine where conflict_report is not null and released is null order by id desc limit 1"
"$TLSWATCH" -q --db "$SQ" ingest "$T/a-conflict.json" > /dev/null 2>&1
"$TLSWATCH" -q --db "$PGA" ingest "$T/a-conflict.json" > /dev/null 2>&1
cid=$(t_sql "$SQ" "$held")
pcid=$(pg_sql "$PGA" "$held")
t_check "a conflict to pick" test -n "$pcid"
"$TLSWATCH" -q --db "$SQ" quarantine pick "$cid" > /dev/null 2>&1
"$TLSWATCH" -q --db "$PGA" quarantine pick "$pcid" > /dev/null 2>&1
t_eq "the picked report's figures in" "$(pg_sql "$PGA" "select failed_sessions from roll_reason where day = (select day from report where report_id = 'a-2026-02-10') and organization = 'Roll Org A' and kind = 0 and mx_host = 'mx1.example.com' and result_type = 'certificate-expired'")" 43
same_rows "after a conflict picked: the same rows"
# January goes as partitions, then 1 and 2 February row by row
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" db prune --before 2026-02-03 > /dev/null
	"$TLSWATCH" -q --db "$db" db recount > /dev/null 2>&1
done
t_eq "pruned days have no rows" "$(pg_sql "$PGA" "select count(*) from roll_reason where day < 20487")" 0
same_rows "after prune and recount: the same rows"
t_eq "db check clean" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0

# every read with roll_reason: as SQLite, and as the details
p1="--since 2026-02-05 --until 2026-02-15"
p2="--since 2026-02-01 --until 2026-02-20 --domain example.com --domain example.org"
for p in "$p1" "--all" "--all --domain EXAMPLE.org." "$p2"; do
	for f in json text html; do
		# shellcheck disable=SC2086
		pg_same "summary $p $f" summary $p --format $f
	done
done
pg_same "summary, one organisation" summary --all --org "Roll Org B" --format json
"$TLSWATCH" --db "$PGA" summary --all --format json > "$T/with.json"
TLSWATCH_NO_ROLLUPS=1 "$TLSWATCH" --db "$PGA" summary --all --format json > "$T/without.json"
t_check "the summary names the codes" grep -q 'X509_V_ERR_CERT_HAS_EXPIRED' "$T/with.json"
t_check "and the information texts" grep -q 'see RFC 3207' "$T/with.json"
t_same "summary: the same without roll-ups" "$T/with.json" "$T/without.json"
for at in 2026-02-15 2026-02-11; do
	pg_same "alert --at $at" alert --at $at --repeat-after 0 --format json
	cp "$T/out.p" "$T/alert.p"
	TLSWATCH_NO_ROLLUPS=1 pg_same "alert --at $at without roll-ups" alert --at $at \
		--repeat-after 0 --format json
done
t_check "the alert context names a code" grep -q '"failure_reason_code": *"[^"]' "$T/alert.p"

pages="/?since=2026-02-01&until=2026-02-20 /?all=1 /?all=1&domain=example.com
/api/v1/summary?all=1 /api/v1/summary?since=2026-02-01&until=2026-02-20&domain=example.com
/api/v1/summary?all=1&org=Roll+Org+A /api/v1/summary?all=1&mx=mx1.example.com
/api/v1/summary?all=1&mx=mx1.example.com&result_type=tlsa-invalid"
web_same_without_rollups "$PGA" "PostgreSQL dashboard and API (roll_reason)" \
	'X509_V_ERR_CERT_HAS_EXPIRED' "$pages"
web_start --db "$SQ" web --listen 127.0.0.1:0 && web_fetch_pages "$T/web-sqlite.txt" "$pages"
web_stop
t_same "dashboard and API: as on SQLite" "$T/web-sqlite.txt" "$T/web-with.txt"

# db check finds a tampered row; --repair mends it
pg_sql "$PGA" "$ROWS" > "$T/kept.txt"
pg_sql "$PGA" "update roll_reason set failed_sessions = failed_sessions + 1 where text = 'see RFC 3207'"
"$TLSWATCH" --db "$PGA" db check > "$T/check.txt" 2>&1
t_eq "db check: tampered row found" "$?" 1
"$TLSWATCH" --db "$PGA" summary --all --format json > "$T/tampered.json"
t_check "the summary reads the table (the tampered figure shows)" \
	sh -c "! cmp -s '$T/with.json' '$T/tampered.json'"
t_check "db check names roll_reason" grep -q 'roll_reason' "$T/check.txt"
"$TLSWATCH" -q --db "$PGA" db check --repair > /dev/null 2>&1
t_eq "db check --repair: clean again" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
pg_sql "$PGA" "$ROWS" > "$T/repaired.txt"
t_same "repaired rows as kept" "$T/kept.txt" "$T/repaired.txt"

# migration 025 on a store rewound to 024
PGM=$(pg_newdb mig)
"$TLSWATCH" -q --db "$SQ" db copy --to "$PGM" > /dev/null 2>&1
pg_sql "$PGM" "DROP TABLE roll_reason; UPDATE schema_version SET version = 24"
mkdir -p "$T/empty"
"$TLSWATCH" -q --db "$PGM" ingest "$T/empty" > /dev/null 2>&1
t_check "migrated past 024" test "$(pg_sql "$PGM" "SELECT version FROM schema_version")" -ge 25
same_rows "migration 025: the same rows" "$SQ" "$PGM"

# db copy both ways: the table refilled from the details
PGC=$(pg_newdb copied)
"$TLSWATCH" -q --db "$SQ" db copy --to "$PGC" > /dev/null 2>&1
same_rows "db copy SQLite -> PostgreSQL: the same rows" "$SQ" "$PGC"
"$TLSWATCH" -q --db "$PGA" db copy --to "$T/back.db" > /dev/null 2>&1
same_rows "db copy PostgreSQL -> SQLite: the same rows" "$T/back.db" "$PGA"

# three writers at once on overlapping inputs: the rows of one ingest
ls "$T"/gen/* "$T"/own/a-* "$T"/own/b-* > "$T/all"
n=$(wc -l < "$T/all")
sed -n "1,$((2 * n / 3))p" "$T/all" > "$T/w1"
sed -n "$((n / 3 + 1)),\$p" "$T/all" > "$T/w2"
sort -r "$T/all" > "$T/w3"
ONE=$T/one.db
"$TLSWATCH" -q --db "$ONE" ingest --from "$T/all" > /dev/null 2>&1
PGW=$(pg_newdb writers)
"$TLSWATCH" --db "$PGW" db check > /dev/null 2>&1 # created before the race
t_eq "three writers succeed" "$(pg_writers "$PGW" "$T/w1" "$T/w2" "$T/w3")" "0 0 0"
same_rows "three writers: the rows of one ingest" "$ONE" "$PGW"

# texts too long for a B-tree key (LIMIT_TEXT_SHORTENED + an organization
# as long): the key is their digest
long=$(head -c 3000 /dev/zero | tr '\0' 'x')
org=$(head -c 1500 /dev/zero | tr '\0' 'o')
report "$org" long-1 2026-02-12 5 | sed "s|see RFC 3207|$long|" > "$T/long.json"
"$TLSWATCH" -q --db "$PGA" ingest "$T/long.json" > /dev/null 2> "$T/long.err"
t_eq "a long text and organization stored" "$?" 0
t_check "its rows in" test "$(pg_sql "$PGA" "select count(*) from roll_reason where organization = '$org'")" -gt 3
"$TLSWATCH" -q --db "$SQ" ingest "$T/long.json" > /dev/null 2>&1
same_rows "long texts: the same rows"
t_eq "no trigger on roll_reason or failure" "$(pg_sql "$PGA" "SELECT count(*) FROM pg_trigger t
	JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
	AND c.relname IN ('roll_reason', 'failure')")" 0
pg_stop
