#!/bin/sh
# The context of every alert read for all alerts of a window at once on
# PostgreSQL (pg_alert_contexts, pg_reports_by_trust_many:
# store/pg_query_alert.c, one read of the window each, as
# alert_batch.sh checks for SQLite) equals what the single-key queries
# answer: each alert of 'alert --format json' is checked against those
# queries run by psql, and the whole JSON equals SQLite's byte for byte,
# on a store of many reporters and duplicates, spikes, reason codes
# (summed across reports; a tie), and reports of both provenances.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin alertb

. "$TOP/tests/integration/alert_batch.lib"
alert_batch_corpus
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" -q --db "$db" ingest "$T"/files/* "$T"/codes/*.json > /dev/null 2>&1
	"$TLSWATCH" -q --db "$db" ingest "$T"/mail/reports.mbox > /dev/null 2>&1
done
t_check "both provenances stored" test \
	"$(pg_sql "$PGA" "select count(distinct provenance) from report")" -ge 2
t_eq "reason reports stored" \
	"$(pg_sql "$PGA" "select count(*) from report where organization like 'Reason %'")" 5

# day number of YYYY-MM-DD; TEXT as an SQL string literal
dn() { pg_sql "$PGA" "select date '$1' - date '1970-01-01'"; }
sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

checked=0 unverified=0 coded=0 n=0
for at in 2026-02-06 2026-02-07 2026-02-09; do
	# each run from the stored state alone: a fresh copy of both stores
	n=$((n + 1))
	pg_sql "$(pg_uri postgres)" "CREATE DATABASE run$n TEMPLATE alertb" > /dev/null
	RUN=$(pg_uri "run$n")
	cp "$SQ" "$T/run.db"
	rm -f "$T/run.db-wal" "$T/run.db-shm"
	"$TLSWATCH" --db "$RUN" alert --at "$at" --lookback 5d --format json > "$T/a.json" 2> "$T/a.err"
	t_check "alert --at $at on PostgreSQL: JSON" jq -e '.alerts | length > 0' "$T/a.json"
	"$TLSWATCH" --db "$T/run.db" alert --at "$at" --lookback 5d --format json > "$T/s.json" 2>&1
	if cmp -s "$T/a.json" "$T/s.json"; then
		t_pass "alert --at $at: PostgreSQL's JSON is SQLite's"
	else
		t_fail "alert --at $at: PostgreSQL's JSON is SQLite's" "$(diff "$T/s.json" "$T/a.json" | head -5)"
	fi
	cat "$T/a.json" >> "$T/all.json"
	jq -r '.alerts[] | select(.kind | test("failure-spike|new-failure|domain-spike|rate-drop"))
		| [.kind, (.policy_domain // ""), (.mx_host // ""), (.result_type // ""),
		   (.organization // "\u0001"), .since, .day, (.failure_reason_code // "\u0001"),
		   .unverified_only] | @tsv' "$T/a.json" > "$T/alerts.tsv"
	while IFS="$(printf '\t')" read -r kind dom mx type org since day code unv; do
		lo=$(dn "$since")
		hi=$(($(dn "$day") + 1))
		case "$kind" in
		failure-spike | new-failure)
			cond="coalesce(f.receiving_mx_hostname, '') = $(sq "$mx") AND f.result_type = $(sq "$type") AND"
			;;
		*) cond= ;;
		esac
		want=$(pg_sql "$PGA" "SELECT f.failure_reason_code FROM failure f
			JOIN policy p ON p.id = f.policy JOIN report r ON r.id = p.report
			WHERE r.day >= $lo AND r.day < $hi AND coalesce(p.policy_domain, '') = $(sq "$dom")
			AND $cond f.failure_reason_code IS NOT NULL
			GROUP BY 1 ORDER BY sum(f.failed_sessions) DESC,
			f.failure_reason_code COLLATE \"C\" LIMIT 1")
		[ -z "$want" ] && want=$(printf '\001')
		orgcond=
		[ "$org" != "$(printf '\001')" ] && orgcond="AND r.organization = $(sq "$org")"
		counts=$(pg_sql "$PGA" "SELECT count(*) FILTER (WHERE r.provenance <> 'unverified-mail')
			|| ' ' || count(*) FILTER (WHERE r.provenance = 'unverified-mail') FROM report r
			WHERE r.day >= $lo AND r.day < $hi $orgcond AND EXISTS (SELECT 1 FROM policy p
			WHERE p.report = r.id AND coalesce(p.policy_domain, '') = $(sq "$dom"))")
		alert_batch_verdict
	done < "$T/alerts.tsv"
done
alert_batch_totals
