#!/bin/sh
# roll_reason (schema/019_reason_rollup.sql) answers the failure-reason-code
# and additional-information reads exactly as the failure details do: the
# summary (text, JSON, HTML), the dashboard, /api/v1/summary and alert are
# byte for byte the same with it and without (TLSWATCH_NO_ROLLUPS), for
# periods and domain, organization and MX filters, on a store with
# duplicates, sts+tlsa reports whose views of one group differ in result
# type, a conflict picked, a prune and a recount. db check finds a
# tampered row and --repair mends it; migration 019 on a store made
# without it, 'db copy' and the ingest batch give the same rows.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
t_dkim_off
cd "$T"
DB="$T/r.db"

# report ORG ID DAY N: tests/reason_report.sh
. "$TOP/tests/reason_report.sh"
report() { reason_report "$@"; }
mkdir -p "$T/own"
for d in 2026-02-08 2026-02-10 2026-02-11 2026-02-14; do
	report "Roll Org A" "a-$d" "$d" 7 > "$T/own/a-$d.json"
	report "Roll Org B" "b-$d" "$d" 2 > "$T/own/b-$d.json"
done
"$GEN" --out "$T/gen" --seed 7 --start 2026-01-01 --days 45 --domains 6 --duplicates 40 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-02-10,90" --format gz > /dev/null
"$TLSWATCH" -q --db "$DB" ingest "$T"/gen/* "$T"/own/*.json > /dev/null 2>&1
"$TLSWATCH" -q --db "$DB" ingest "$DATA"/samples/*.json "$DATA"/postfix/*.json \
	"$DATA"/postfix/*.eml > /dev/null 2>&1
t_check "reason codes rolled up" test "$(t_sql "$DB" "select count(*) from roll_reason where kind = 0")" -gt 5
t_check "information texts rolled up" test "$(t_sql "$DB" "select count(*) from roll_reason where kind = 1")" -gt 5
# one group: max(sts 7+3, tlsa 11) = 11, on its first result type
t_eq "sts and tlsa views counted once" "$(t_sql "$DB" "select group_concat(result_type || '=' || failed_sessions, ' ') from (select * from roll_reason where day = (select day from report where report_id = 'a-2026-02-10') and organization = 'Roll Org A' and kind = 0 and mx_host = 'mx1.example.com' order by result_type)")" \
	"certificate-expired=11 tlsa-invalid=0 validation-failure=0"

# a conflict (same key, other content) picked, with the batch running
report "Roll Org A" "a-2026-02-10" 2026-02-10 40 > "$T/own/a-conflict.json"
"$TLSWATCH" -q --db "$DB" ingest "$T/own/a-conflict.json" > /dev/null 2>&1
cid=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null order by id desc limit 1")
t_check "a conflict to pick" test -n "$cid"
"$TLSWATCH" -q --db "$DB" quarantine pick "$cid" > /dev/null 2>&1
t_eq "the conflict's figures in" "$(t_sql "$DB" "select failed_sessions from roll_reason where day = (select day from report where report_id = 'a-2026-02-10') and organization = 'Roll Org A' and kind = 0 and mx_host = 'mx1.example.com' and result_type = 'certificate-expired'")" 43
"$TLSWATCH" -q --db "$DB" db prune --before 2026-01-05 > /dev/null
"$TLSWATCH" -q --db "$DB" db recount > /dev/null 2>&1
t_check "db check clean" "$TLSWATCH" --db "$DB" db check

views() {
	{
		for p in "--since 2026-02-05 --until 2026-02-15" "--since 2026-01-01 --until 2026-03-01" \
			"--all" "--all --domain example.com" "--all --domain EXAMPLE.org." \
			"--since 2026-02-01 --until 2026-02-20 --domain example.com --domain example.org"; do
			for f in json text html; do
				echo "== summary $p $f"
				# shellcheck disable=SC2086
				"$TLSWATCH" --db "$DB" summary $p --format $f
				echo "rc $?"
			done
		done
		echo "== org"
		"$TLSWATCH" --db "$DB" summary --all --org "Roll Org B" --format json
		echo "== provenance (the details answer)"
		"$TLSWATCH" --db "$DB" summary --all --provenance file --format json
	} > "$1" 2>&1
}
views "$T/with.txt"
TLSWATCH_NO_ROLLUPS=1 views "$T/without.txt"
t_check "the summaries name the codes" grep -q 'X509_V_ERR_CERT_HAS_EXPIRED' "$T/with.txt"
t_check "and the information texts" grep -q 'see RFC 3207' "$T/with.txt"
if cmp -s "$T/with.txt" "$T/without.txt"; then
	t_pass "summaries: the same with and without roll_reason"
else
	t_fail "summaries: the same with and without roll_reason" "$(diff "$T/without.txt" "$T/with.txt" | head -8)"
fi

# alert writes its state: each reads its own copy
for w in with without; do
	cp "$DB" "$T/alert-$w.db"
	rm -f "$T/alert-$w.db-wal" "$T/alert-$w.db-shm"
done
"$TLSWATCH" --db "$T/alert-with.db" alert --at 2026-02-11 --format json > "$T/a-with" 2>&1
TLSWATCH_NO_ROLLUPS=1 "$TLSWATCH" --db "$T/alert-without.db" alert --at 2026-02-11 \
	--format json > "$T/a-without" 2>&1
t_check "alert: the same with and without roll_reason" cmp -s "$T/a-with" "$T/a-without"

pages="/?since=2026-02-01&until=2026-02-20 /?all=1 /?all=1&domain=example.com
/api/v1/summary?all=1 /api/v1/summary?since=2026-02-01&until=2026-02-20&domain=example.com
/api/v1/summary?all=1&org=Roll+Org+A /api/v1/summary?all=1&mx=mx1.example.com
/api/v1/summary?all=1&mx=mx1.example.com&result_type=tlsa-invalid
/failures?all=1&group_by=mx"
web_same_without_rollups "$DB" "dashboard and API (roll_reason)" 'X509_V_ERR_CERT_HAS_EXPIRED' "$pages"
web_sanitizer_clean

# db check finds a tampered row; --repair mends it
t_sql "$DB" "select * from roll_reason" | sort > "$T/rows.txt"
t_sql "$DB" "update roll_reason set failed_sessions = failed_sessions + 1 where text = 'see RFC 3207'"
"$TLSWATCH" --db "$DB" db check > "$T/check.txt" 2>&1
t_eq "db check: tampered row found" "$?" 1
t_check "db check names roll_reason" grep -q 'roll_reason' "$T/check.txt"
"$TLSWATCH" -q --db "$DB" db check --repair > /dev/null 2>&1
t_check "db check --repair: clean again" "$TLSWATCH" --db "$DB" db check
t_sql "$DB" "select * from roll_reason" | sort > "$T/repaired.txt"
t_check "repaired rows as kept" cmp -s "$T/rows.txt" "$T/repaired.txt"

# migration 019 on a store that never had it (rewound to 018)
cp "$DB" "$T/old.db"
t_sql "$T/old.db" "DROP TABLE roll_reason; PRAGMA user_version = 18"
mkdir -p "$T/empty"
"$TLSWATCH" -q --db "$T/old.db" ingest "$T/empty" > /dev/null 2>&1
t_check "migrated past 018" test "$(t_sql "$T/old.db" "pragma user_version")" -ge 19
"$TLSWATCH" --db "$T/old.db" summary --all --format json > "$T/old.json" 2>&1
"$TLSWATCH" --db "$DB" summary --all --format json > "$T/new.json" 2>&1
t_check "migrated: same summary" cmp -s "$T/old.json" "$T/new.json"
t_sql "$T/old.db" "select * from roll_reason" | sort > "$T/migrated.txt"
t_check "migrated: same rows" cmp -s "$T/rows.txt" "$T/migrated.txt"

# db copy fills it once the details are in
"$TLSWATCH" -q --db "$DB" db copy --to "$T/copy.db" > /dev/null 2>&1
t_sql "$T/copy.db" "select * from roll_reason" | sort > "$T/copied.txt"
t_check "db copy: same rows" cmp -s "$T/rows.txt" "$T/copied.txt"

# roll_reason is written by the store, not by triggers: none on failure or
# on the table itself (rollup_batch.sh checks that every trigger of the
# schema is one the ingest batch knows)
t_eq "no trigger on failure or roll_reason" \
	"$(t_sql "$DB" "select count(*) from sqlite_schema where type = 'trigger' and tbl_name in ('failure', 'roll_reason')")" 0
