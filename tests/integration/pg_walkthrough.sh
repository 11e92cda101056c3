#!/bin/sh
# pg_walkthrough.sh - docs/postgresql.md from a postmaster's first command
# to the dashboard, on a private server: the doc's configuration (its
# marked block) and its first command, the read-only Grafana role by the
# doc's SQL, then two collectors (two Maildirs) and the intake (POSTs from
# curl) writing into the one store at once: all three are held at the
# writer lock until each waits there, then let go together. The figures
# must be those of one SQLite store fed the same inputs the same ways
# (summary --all and the API's all-time summary byte for byte), and the
# dashboard and the Grafana role must show them. pg_trial.sh goes further
# (IMAP, nginx, an oracle); this is the short path a new user takes.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
cd "$T" || exit 1
t_dkim_off # generated mail is not signed
LOCK_PID=
walk_cleanup() {
	[ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2> /dev/null
	pg_cleanup
	web_cleanup
}
trap walk_cleanup EXIT

# 1. the role and database (pg_trial.sh runs the doc's createuser block)
PG_SUPER=postgres
if ! pg_start; then
	t_fail "PostgreSQL test server starts"
	exit 0
fi
SUPER=$(pg_uri postgres)
pg_sql "$SUPER" "CREATE ROLE tlswatch LOGIN PASSWORD 'walk-Pa55'" > /dev/null
pg_sql "$SUPER" "CREATE DATABASE tlswatch OWNER tlswatch ENCODING 'UTF8'" > /dev/null
t_eq "role and database made" "$?" 0

# 2. the doc's configuration and first command
awk '/^<!-- tests\/integration\/pg_walkthrough.sh runs this configuration/ { f = 1; next }
	f == 1 && /^```/ { f = 2; next } f == 2 && /^```/ { exit } f == 2 { print }' \
	"$TOP/docs/postgresql.md" > doc.conf
t_check "docs/postgresql.md: the first command's configuration" \
	grep -q '^database = postgresql://tlswatch@/tlswatch?host=/run/postgresql$' doc.conf
install -m 600 /dev/null db-password
echo walk-Pa55 > db-password
sed -e "s|host=/run/postgresql|host=$PG/sock\&port=$PG_PORT|" \
	-e "s|/etc/tlswatch/db-password|$T/db-password|" doc.conf > pg.conf
printf '[trust]\ndkim = off\n[web]\nintake_rate = 0\nintake_client_bytes = 0\n' > sq.conf
# a POST waits at the writer lock until the collectors wait there too
printf 'request_timeout = 600\n' >> sq.conf
cat sq.conf >> pg.conf
URI=$(sed -n 's/^database = //p' pg.conf)
tw() { "$TLSWATCH" --config "$T/pg.conf" "$@"; }

tw summary --all > first.out 2> first.err
t_eq "summary before the tables: exit 2" "$?" 2
t_check "... saying the database has no tlswatch tables yet" \
	grep -q "database $URI has no tlswatch tables yet" first.err
tw -v db check > check.out 2>&1
t_eq "tlswatch -v db check: exit 0" "$?" 0
t_eq "... and what it says" "$(cat check.out)" "$URI: no problem found"
DB=$(pg_uri tlswatch) # as the superuser
t_eq "... the tables made, at the newest migration" \
	"$(pg_sql "$DB" "SELECT max(version) FROM schema_version")" \
	"$(ls "$TOP"/schema/pg/*.sql | sed -n '$s|.*/0*\([0-9]*\)_.*|\1|p')"

# 3. the read-only Grafana role, by the doc's SQL
sed -n '/^-- the read-only role for Grafana$/,/^```$/p' "$TOP/docs/postgresql.md" | sed '$d' \
	> role.sql
psql -X -q -v ON_ERROR_STOP=1 "$DB" -f role.sql > role.out 2>&1
t_eq "the doc's Grafana role is made" "$?" 0
GRA=$(echo "$DB" | sed 's|//postgres@|//grafana@|')
gsql() { psql -X -q -At "$GRA" -c "$1" 2>&1; }

# 4. the inputs: two mailboxes and a sender's POSTs, days apart so that no
# report-id repeats with other content (a conflict's winner would depend on
# the order); the same month, so all three add to the same roll-up rows.
# Mailbox B also holds 10 of A's mails: stored once, whoever comes first.
"$GEN" --out A --seed 31 --start 2026-10-01 --days 3 --domains 2 --format maildir \
	--duplicates 3 > /dev/null
"$GEN" --out B --seed 32 --start 2026-10-04 --days 3 --domains 2 --format maildir \
	--duplicates 3 > /dev/null
"$GEN" --out P --seed 33 --start 2026-10-07 --days 3 --domains 2 --format json > /dev/null
for f in $(ls A/new | sed 10q); do cp "A/new/$f" "B/new/$f.again"; done
find P -type f | sort > posts
t_check "inputs generated" test "$(wc -l < posts)" -gt 50
# post_all URL: every report of P POSTed, 4 at a time; the status codes
post_all() {
	tr '\n' '\0' < posts | xargs -0 -P4 -n1 sh -c 'curl -s -o /dev/null -w "%{http_code}\n" \
		-H "Content-Type: application/tlsrpt+json" --data-binary @"$1" "$0"' "$1"
}

# 5. the three writers at once. The writer lock (pg_write_lock.c) is held
# until each of them waits for it, so that they surely overlap
mkfifo lock.fifo
psql -X -q "$DB" < lock.fifo > /dev/null 2>&1 &
LOCK_PID=$!
exec 9> lock.fifo
echo "SELECT pg_advisory_lock(1953264503, 1); SELECT 'held';" >&9
# waiters GRANTED: the writers (by their PGAPPNAME) holding or waiting
waiters() {
	pg_sql "$DB" "SELECT string_agg(DISTINCT a.application_name, ' ' ORDER BY a.application_name) FROM pg_locks l
		JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory'
		AND l.classid = 1953264503 AND l.objid = 1 AND l.granted = $1"
}
i=0
while [ "$(waiters true)" != psql ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_eq "the writer lock held" "$(waiters true)" psql
PGAPPNAME=walk-intake
export PGAPPNAME
if ! web_start --config "$T/pg.conf" web --listen 127.0.0.1:0 --intake \
	--intake-listen 127.0.0.1:0; then
	t_fail "tlswatch web --intake on PostgreSQL starts" "$(head -3 "$T/web.err")"
	exit 0
fi
PGAPPNAME=walk-A tw ingest A > A.out 2>&1 &
PA=$!
PGAPPNAME=walk-B tw ingest B > B.out 2>&1 &
PB=$!
unset PGAPPNAME
post_all "$WEB_INTAKE_URL" > post.codes &
PP=$!
# both ingests and the intake (one POST or more) wait
i=0
while [ "$(waiters false)" != "walk-A walk-B walk-intake" ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_eq "both collectors and the intake wait for the writer lock" "$(waiters false)" \
	"walk-A walk-B walk-intake"
# \q, not EOF: the writers started above inherited fd 9
printf 'SELECT pg_advisory_unlock(1953264503, 1);\n\\q\n' >&9
exec 9>&-
wait "$LOCK_PID"
LOCK_PID=
wait "$PA"
t_eq "collector A (ingest of a Maildir): exit 0" "$?" 0
wait "$PB"
t_eq "collector B: exit 0" "$?" 0
wait "$PP"
t_eq "every POST answered 201" "$(sort post.codes | uniq -c | sed 's/^ *//')" \
	"$(wc -l < posts | tr -d ' ') 201"

# 6. the same inputs into a new SQLite store, the same ways
SQ=$T/s.db
curl -s "$WEB_URL/api/v1/summary?all=1" > api.p
curl -s "$WEB_URL/?all=1" > page.p
web_stop
"$TLSWATCH" --config "$T/sq.conf" --db "$SQ" ingest A B > sq.out 2>&1
t_eq "SQLite: the Maildirs stored" "$?" 0
web_start --config "$T/sq.conf" --db "$SQ" web --listen 127.0.0.1:0 --intake \
	--intake-listen 127.0.0.1:0
post_all "$WEB_INTAKE_URL" > sq.codes
t_eq "SQLite: every POST answered 201" "$(sort sq.codes | uniq -c | sed 's/^ *//')" \
	"$(wc -l < posts | tr -d ' ') 201"
curl -s "$WEB_URL/api/v1/summary?all=1" > api.s
web_stop

# 7. what the user checks: the figures, byte for byte, and the counts
tw summary --all --format json > sum.p
"$TLSWATCH" --db "$SQ" summary --all --format json > sum.s
t_check "summary --all --format json has figures" grep -q '"reports"' sum.s
t_same "summary --all --format json: PostgreSQL as SQLite, byte for byte" sum.s sum.p
t_same "/api/v1/summary?all=1: PostgreSQL as SQLite, byte for byte" api.s api.p
n=$(t_sql "$SQ" "SELECT count(*) FROM report")
t_eq "reports: every input but the duplicates, once" \
	"$(pg_sql "$DB" "SELECT count(*) || ' ' || count(DISTINCT (organization, report_id)) FROM report")" \
	"$n $n"
tw db check > dbcheck.out 2>&1
t_eq "db check: the figures agree with the reports" "$?" 0
# the dashboard's overview of all time shows the totals (1,234 as printed)
totals=$(python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["totals"]
print(" ".join(format(t[k], ",") for k in ("reports", "successful_sessions", "failed_sessions")))' sum.s)
set -- $totals
sed 's/<[^>]*>/ /g' page.p | tr -s ' \n' ' ' > page.txt
t_check "dashboard: Reports $1" grep -q "Reports $1 " page.txt
t_check "dashboard: Successful sessions $2" grep -q "Successful sessions $2 " page.txt
t_check "dashboard: Failed sessions $3" grep -q "Failed sessions $3 " page.txt
t_eq "Grafana's role reads the reports" "$(gsql "SELECT count(*) FROM tlswatch_reports")" "$n"
t_eq "... the daily figures" \
	"$(gsql "SELECT sum(successful_sessions) || ' ' || sum(failed_sessions) FROM tlswatch_daily")" \
	"$(python3 -c 'import json, sys; t = json.load(open(sys.argv[1]))["totals"]
print(t["successful_sessions"], t["failed_sessions"])' sum.s)"
case $(gsql "SELECT count(*) FROM raw_report") in
*"permission denied"*) t_pass "... and not the raw reports" ;;
*) t_fail "... and not the raw reports" "$(gsql "SELECT count(*) FROM raw_report")" ;;
esac
pg_stop
t_eq "server stops" "$?" 0
