#!/bin/sh
# The context of every alert (most common failure-reason-code, "rests only
# on unverified reports") read for all alerts of a window at once
# (query_alert_contexts, store_reports_by_trust_many; issue 18) equals what
# the single-key queries answered before: each alert of 'alert --format
# json' is checked against those queries run by sqlite3, on a store of
# many reporters and duplicates, spikes, reason codes, late days judged
# again, and reports of both provenances (files, and mail not checked).
. "$TOP/tests/lib.sh"
t_dkim_off
cd "$T"
DB="$T/a.db"

. "$TOP/tests/integration/alert_batch.lib"
alert_batch_corpus
"$TLSWATCH" -q --db "$DB" ingest "$T"/files/* "$T"/codes/*.json > /dev/null 2>&1
t_eq "reason reports stored" "$(t_sql "$DB" "select count(*) from report where organization like 'Reason %'")" 5
"$TLSWATCH" -q --db "$DB" ingest "$T"/mail/reports.mbox > /dev/null 2>&1
t_check "both provenances stored" test \
	"$(t_sql "$DB" "select count(distinct provenance) from report")" -ge 2
t_check "reason codes stored" test \
	"$(t_sql "$DB" "select count(*) from failure where failure_reason_code is not null")" -gt 0

# day number of YYYY-MM-DD
dn() { t_sql "$DB" "select cast(julianday('$1') - 2440587.5 as integer)"; }
# sq TEXT: TEXT as an SQL string literal
sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

checked=0 unverified=0 coded=0
for at in 2026-02-06 2026-02-07 2026-02-09; do
	cp "$DB" "$T/run.db"
	rm -f "$T/run.db-wal" "$T/run.db-shm"
	"$TLSWATCH" --db "$T/run.db" alert --at "$at" --lookback 5d --format json > "$T/a.json" 2> "$T/a.err"
	t_check "alert --at $at: JSON" jq -e '.alerts | length > 0' "$T/a.json"
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
		want=$(t_sql "$DB" "SELECT f.failure_reason_code FROM failure f
			JOIN policy p ON p.id = f.policy JOIN report r ON r.id = p.report
			WHERE r.day >= $lo AND r.day < $hi AND coalesce(p.policy_domain, '') = $(sq "$dom")
			AND $cond f.failure_reason_code IS NOT NULL
			GROUP BY 1 ORDER BY sum(f.failed_sessions) DESC, 1 COLLATE BINARY LIMIT 1")
		[ -z "$want" ] && want=$(printf '\001')
		orgcond=
		[ "$org" != "$(printf '\001')" ] && orgcond="AND r.organization = $(sq "$org")"
		counts=$(t_sql "$DB" "SELECT coalesce(sum(r.provenance <> 'unverified-mail'), 0) || ' ' ||
			coalesce(sum(r.provenance = 'unverified-mail'), 0) FROM report r
			WHERE r.day >= $lo AND r.day < $hi $orgcond AND EXISTS (SELECT 1 FROM policy p
			WHERE p.report = r.id AND coalesce(p.policy_domain, '') = $(sq "$dom"))")
		alert_batch_verdict
	done < "$T/alerts.tsv"
done
alert_batch_totals
