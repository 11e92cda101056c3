#!/bin/sh
# Golden test: every real-world sample in tests/data/samples is ingested into a
# fresh database, and what was stored (report, policies, failure details,
# count-once totals and aggregates) or why it was refused must equal NAME.expected.
# UPDATE=1 rewrites the .expected files (review the diff by hand before committing).
. "$TOP/tests/lib.sh"

dump() {
	db=$1
	t_sql "$db" "select 'report', organization, report_id, coalesce(contact_info,'-'),
		start_time, end_time, day, successful_sessions, failed_sessions from report;
	select 'policy', idx, policy_type, coalesce(policy_domain,'-'),
		coalesce(policy_strings,'-'), coalesce(mx_hosts,'-'),
		successful_sessions, failed_sessions from policy order by idx;
	select 'quirks', quirks from report where quirks is not null;
	select 'inferred', idx, policy_domain, policy_domain_source from policy
		where policy_domain_source is not null order by idx;
	select 'failure', p.idx, f.result_type, coalesce(f.sending_mta_ip,'-'),
		coalesce(f.receiving_mx_hostname,'-'), coalesce(f.receiving_ip,'-'),
		coalesce(f.failure_reason_code,'-'), coalesce(f.additional_information,'-'),
		f.failed_sessions from failure f join policy p on p.id = f.policy order by f.id;
	select 'agg_domain', day, policy_domain, organization, reports, successful_sessions,
		failed_sessions from agg_domain order by policy_domain;
	select 'agg_failure', policy_domain, mx_host, result_type, failed_sessions
		from agg_failure order by policy_domain, mx_host, result_type;
	select 'quarantine', kind, reason, size from quarantine;"
}

for f in "$DATA"/samples/*.json; do
	name=$(basename "$f" .json)
	db="$T/$name.db"
	"$TLSWATCH" --db "$db" ingest "$f" > "$T/out" 2> "$T/err"
	rc=$?
	{
		echo "exit $rc"
		sed "s|$f|INPUT|" "$T/err"
		dump "$db"
	} > "$T/$name.got"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$T/$name.got" "$DATA/samples/$name.expected"
	fi
	if diff -u "$DATA/samples/$name.expected" "$T/$name.got" > "$T/diff"; then
		t_pass "$name"
	else
		t_fail "$name" "$(head -20 "$T/diff")"
	fi
done

# All samples into one database: re-sends of the RFC example are duplicates,
# not errors, and a second run stores nothing new.
db="$T/all.db"
"$TLSWATCH" --db "$db" ingest "$DATA"/samples/*.json > /dev/null 2>&1
t_eq "all samples: exit 1 (one is invalid)" "$?" 1
stored=$(t_sql "$db" "select count(*) from report")
"$TLSWATCH" --db "$db" -v ingest "$DATA"/samples/*.json > "$T/second" 2>/dev/null
t_eq "second run: nothing new" "$(t_sql "$db" "select count(*) from report")" "$stored"
t_eq "second run: every valid input a duplicate" \
	"$(grep -c ': duplicate$' "$T/second")" "$(ls "$DATA"/samples/*.json | wc -l | awk '{print $1 - 1}')"
t_eq "second run: invalid input quarantined once" "$(t_sql "$db" "select count(*) from quarantine")" 1
