#!/bin/sh
# The trust roll-up (schema/020_trust_roll.sql): alert asks whether an
# alert's window rests on unverified-mail reports only, and reads that
# from roll_trust (reports per day, policy domain and reporter, counted
# once per domain, by provenance) instead of every policy of the window.
# On a store ending yesterday with files (verified) and mail without DKIM
# (unverified-mail), domains that rest on mail alone, a report naming one
# domain twice, duplicates, a conflict won by the stronger provenance and
# a pick that swaps it back, a prune and a recount: 'alert' (text and
# JSON, three days), '/' and '/?since=30d' are byte for byte the same with
# the roll-up and without (TLSWATCH_NO_ROLLUPS: report and policy read as
# before); db check agrees throughout, finds a tampered row and --repair
# mends it; a store rewound to 18 (main's schema before 020) migrates with
# the same figures. Then the same on PostgreSQL against SQLite (pg_same).
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin tr
DB=$SQ
y=$(date -u -d '-1 day' +%F)

"$GEN" --out "$T/files" --seed 51 --start "$(date -u -d '-40 days' +%F)" --days 40 --domains 6 \
	--duplicates 30 --spike "example.com,mx1.example.com,certificate-expired,$y,90" \
	--format gz > /dev/null || t_fail "generator" "exit $?"
# mail for eight domains: example-7.test and example-8.test rest on it alone
"$GEN" --out "$T/mail" --seed 52 --start "$(date -u -d '-36 days' +%F)" --days 36 --domains 8 \
	--spike "example-7.test,mx1.example-7.test,validation-failure,$y,70" \
	--spike "example.com,mx1.example.com,certificate-expired,$(date -u -d '-2 days' +%F),60" \
	--format mbox > /dev/null || t_fail "generator" "exit $?"
# tlsrpt ORG ID DOMAIN1 DOMAIN2 FAILED: one report of yesterday, two policies
tlsrpt() {
	pol() {
		printf '{"policy": {"policy-type": "%s", "policy-domain": "%s"},' "$1" "$2"
		printf ' "summary": {"total-successful-session-count": 5, "total-failure-session-count": %s},' "$3"
		printf ' "failure-details": [{"result-type": "validation-failure",'
		printf ' "receiving-mx-hostname": "mx1.%s", "failed-session-count": %s}]}' "$2" "$3"
	}
	printf '{"organization-name": "%s", "date-range": {"start-datetime": "%sT00:00:00Z",' "$1" "$y"
	printf ' "end-datetime": "%sT23:59:59Z"}, "contact-info": "tls@x.test", "report-id": "%s",' "$y" "$2"
	printf ' "policies": [%s, %s]}\n' "$(pol sts "$3" "$5")" "$(pol tlsa "$4" "$5")"
}
mail() { # FILE: a report as unverified mail
	printf 'From: tls@twice.test\nMessage-ID: <%s@twice.test>\n' "$(basename "$1")"
	printf 'Subject: Report Domain: example-8.test\nContent-Type: application/tlsrpt+json\n\n'
	cat "$1"
}
mkdir "$T/own"
# one domain named twice (sts and tlsa): counted once
tlsrpt "Twice Org" t1 example-8.test example-8.test 80 > "$T/own/twice.json"
# the same key with other content: by mail first, then as a file, which
# supersedes it (file over unverified-mail): the report's provenance changes
tlsrpt "Swap Org" s1 example-8.test example-7.test 50 > "$T/own/swap-mail.json"
tlsrpt "Swap Org" s1 example-8.test example-7.test 55 > "$T/own/swap-file.json"
mail "$T/own/swap-mail.json" > "$T/own/swap.eml"
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" ingest "$T"/files/* "$T/own/twice.json" "$T/own/swap.eml" \
		> /dev/null 2>> "$T/ingest.err"
	"$TLSWATCH" -q --db "$db" ingest "$T"/mail/*.mbox > /dev/null 2>> "$T/ingest.err"
	"$TLSWATCH" -q --db "$db" ingest "$T/own/swap-file.json" > /dev/null 2>> "$T/ingest.err"
done
t_eq "both provenances stored" \
	"$(t_sql "$DB" "select count(distinct provenance) from report")" 2
t_eq "the file superseded the mail" \
	"$(t_sql "$DB" "select provenance from report where organization = 'Swap Org'")" file
t_eq "the report naming a domain twice: counted once" \
	"$(t_sql "$DB" "select verified from roll_trust where organization = 'Twice Org'")" 1
t_check "the roll-up is filled" test "$(t_sql "$DB" "select count(*) from roll_trust")" -gt 100
t_eq "db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0

# views FILE: alert (text and JSON, three days: each on its own copy, as
# alert writes its state), '/' and '/?since=30d' of the store into FILE
views() {
	for at in "" "--at $(date -u -d '-2 days' +%F)" "--at $(date -u -d '-12 days' +%F)"; do
		for f in text json; do
			cp "$DB" "$T/alert.db"
			rm -f "$T/alert.db-wal" "$T/alert.db-shm"
			echo "== alert $at --format $f"
			# shellcheck disable=SC2086
			"$TLSWATCH" --db "$T/alert.db" alert $at --repeat-after 0 --format $f 2>&1
			echo "rc $?"
		done
	done > "$1"
	cp "$DB" "$T/web.db"
	rm -f "$T/web.db-wal" "$T/web.db-shm"
	if web_start --db "$T/web.db" web --listen 127.0.0.1:0; then
		for p in / "/?since=30d"; do
			echo "== $p"
			curl -s "$WEB_URL$p" | sed 's/[0-9][0-9]:[0-9][0-9]:[0-9][0-9] UTC//g'
		done >> "$1"
	else
		echo "web did not start" >> "$1"
	fi
	web_stop
}
# same NAME: views with the roll-up and without, byte for byte
same() {
	views "$T/with.txt"
	TLSWATCH_NO_ROLLUPS=1 views "$T/without.txt"
	if cmp -s "$T/with.txt" "$T/without.txt"; then
		t_pass "$1: alert and / the same with and without the roll-up"
	else
		t_fail "$1: alert and / the same with and without the roll-up" \
			"$(diff "$T/without.txt" "$T/with.txt" | head -8)"
	fi
}
same "ingest"
t_check "some alerts rest on unverified reports only" \
	grep -q '"unverified_only": true' "$T/with.txt"
t_check "some alerts are verified" grep -q '"unverified_only": false' "$T/with.txt"
t_check "the dashboard answered" grep -q 'example-7.test' "$T/with.txt"

# a pick swaps the copies back (the mail's report again), a prune and a
# recount: the triggers keep the roll-up exact
held="select id from quarantine where released is null and conflict_report =
	(select id from report where organization = 'Swap Org')"
cid=$(t_sql "$DB" "$held")
t_check "a conflict to pick" test -n "$cid"
"$TLSWATCH" -q --db "$DB" quarantine pick "$cid" > /dev/null 2>&1
t_eq "picked: the mail's copy is back" \
	"$(t_sql "$DB" "select provenance from report where organization = 'Swap Org'")" unverified-mail
"$TLSWATCH" -q --db "$DB" db prune --before "$(date -u -d '-30 days' +%F)" > /dev/null
"$TLSWATCH" -q --db "$DB" db recount > /dev/null
t_eq "pick, prune, recount: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0
t_eq "pruned days gone from the roll-up" \
	"$(t_sql "$DB" "select count(*) from roll_trust where day < (select min(day) from report)")" 0
same "after a pick, a prune and a recount"
cp "$T/with.txt" "$T/good.txt"

# a tampered row: db check names the table, --repair mends
t_sql "$DB" "update roll_trust set verified = verified + 1 where (day, policy_domain, organization) =
	(select day, policy_domain, organization from roll_trust order by day desc, policy_domain limit 1)"
"$TLSWATCH" --db "$DB" db check > "$T/check.out" 2>&1
t_eq "db check fails on a tampered row" "$?" 1
t_check "db check names roll_trust" grep -q 'roll_trust: 2 rows differ' "$T/check.out"
"$TLSWATCH" --db "$DB" db check --repair > /dev/null 2>&1
t_eq "repaired: db check agrees" "$("$TLSWATCH" --db "$DB" db check 2>&1; echo $?)" 0

# a store at 18 (main's schema before 020) migrates with the same figures
cp "$DB" "$T/old.db"
rm -f "$T/old.db-wal" "$T/old.db-shm"
t_sql "$T/old.db" "DROP TRIGGER policy_trust_ins; DROP TRIGGER policy_trust_del;
	DROP TABLE roll_trust; PRAGMA user_version = 18"
"$TLSWATCH" -q --db "$T/old.db" db prune --before 2000-01-02 > /dev/null
t_eq "migrated to 20 or later" "$(t_sql "$T/old.db" "PRAGMA user_version" | awk '{ print ($1 >= 20) }')" 1
t_eq "migrated: db check agrees" "$("$TLSWATCH" --db "$T/old.db" db check 2>&1; echo $?)" 0
DB=$T/old.db views "$T/migrated.txt"
t_check "migrated: the same alerts and pages" cmp "$T/good.txt" "$T/migrated.txt"

# --- PostgreSQL: the same rows, the same answers
pcid=$(pg_sql "$PGA" "$held")
"$TLSWATCH" -q --db "$PGA" quarantine pick "$pcid" > /dev/null 2>&1
"$TLSWATCH" -q --db "$PGA" db prune --before "$(date -u -d '-30 days' +%F)" > /dev/null
"$TLSWATCH" -q --db "$PGA" db recount > /dev/null
rows="SELECT day, policy_domain, organization, verified, unverified FROM roll_trust ORDER BY 1, 2, 3"
t_check "PostgreSQL: roll_trust row for row as SQLite" \
	test "$(pg_sql "$PGA" "$rows" | md5sum)" = "$(sqlite3 -batch "$SQ" "$rows" | md5sum)"
t_eq "PostgreSQL: db check agrees" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
for at in "" "--at $(date -u -d '-2 days' +%F)"; do
	# shellcheck disable=SC2086
	pg_same "PostgreSQL: alert $at" alert $at --repeat-after 0 --format json
	# shellcheck disable=SC2086
	TLSWATCH_NO_ROLLUPS=1 pg_same "PostgreSQL: alert $at without roll-ups" alert $at \
		--repeat-after 0 --format json
done
pg_sql "$PGA" "update roll_trust set unverified = unverified + 1 where (day, policy_domain, organization) =
	(select day, policy_domain, organization from roll_trust order by 1, 2, 3 limit 1)" > /dev/null
"$TLSWATCH" --db "$PGA" db check > "$T/check.p" 2>&1
t_eq "PostgreSQL: db check fails on a tampered row" "$?" 1
t_check "PostgreSQL: db check names roll_trust" grep -q 'roll_trust: 2 rows differ' "$T/check.p"
"$TLSWATCH" --db "$PGA" db check --repair > /dev/null 2>&1
t_eq "PostgreSQL: repaired" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0
pg_stop
web_sanitizer_clean
