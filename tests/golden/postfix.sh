#!/bin/sh
# Golden test: reports in the shapes the sys4 TLSRPT reporter (Postfix
# 3.10+) sends, from tests/data/postfix (made by make_data.py there, after
# tlsrpt-reporter's own code), each ingested into a fresh database; what is
# stored must equal NAME.expected (checked by hand against the JSON: see
# the README there). Then the count-once rule side by side: Microsoft's
# identical sts+tlsa pair counts once, sys4's disjoint pair adds, in one
# store; and migration 007 recounts a store made under the old rule.
# UPDATE=1 rewrites the .expected files (review the diff by hand).
. "$TOP/tests/lib.sh"
t_dkim_off # not a trust test: the mail here is unsigned (docs/trust.md)
cd "$T"
D="$DATA/postfix"

for f in "$D"/*.json "$D"/*.eml; do
	name=$(basename "$f")
	name=${name%.*}
	db="$T/$name.db"
	"$TLSWATCH" --db "$db" ingest "$f" > out 2> err
	rc=$?
	{
		echo "exit $rc"
		sed "s|$f|INPUT|" err
		t_dump_store "$db"
		t_sql "$db" "select 'helo', length(receiving_mx_helo),
			substr(receiving_mx_helo, -31) from failure
			where length(receiving_mx_helo) > 100"
	} > "$name.got"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$name.got" "$D/$name.expected"
	fi
	if diff -u "$D/$name.expected" "$name.got" > diff; then
		t_pass "$name"
	else
		t_fail "$name" "$(head -20 diff)"
	fi
done

# DANE via a hosted MX (sys4-shop.eml): the tlsa policy named after the
# MX host counts under shop.example (domain views, rule 5), while the
# per-type view keeps it under the MX host as sent.
t_eq "per-type view keeps the MX name" \
	"$(t_sql "$T/sys4-shop.db" "select policy_domain || ' ' || policy_type || ' ' || successful_sessions from agg_policy_type order by policy_type")" \
	"shop.example sts 3
mx.hosting.example tlsa 6"

# Side by side, one store: apex.example gets 13 ok / 3 failed from
# Microsoft (sts and tlsa the same sessions) and 8+5+4 ok / 3+2+1 failed
# from the sys4 reporter (tlsa, sts and no-policy-found all different
# sessions): 30 / 9 in all, not 21 / 6 as max(sts, tlsa) gave.
db="$T/both.db"
"$TLSWATCH" --db "$db" ingest "$D"/microsoft-apex.json "$D"/*apex.example*.json > /dev/null 2>&1
t_eq "both reporters stored" "$?" 0
"$TLSWATCH" --db "$db" summary --since 2026-11-30 --until 2026-12-01 --format json > s.json
t_eq "apex.example: every session once" \
	"$(jq -c '[.by_domain[] | select(.policy_domain == "apex.example") | .successful_sessions, .failed_sessions]' s.json)" \
	"[30,9]"
t_eq "by organisation" \
	"$(jq -c '[.by_organization[] | [.organization, .successful_sessions, .failed_sessions]] | sort' s.json)" \
	'[["Microsoft Corporation",13,3],["mta.example.net",17,6]]'
t_eq "by MX host: apex.example 3 (Microsoft) + 6 (sys4)" \
	"$(jq -c '[.by_mx[] | select(.mx_host == "apex.example") | .failed_sessions]' s.json)" "[9]"
t_eq "result type unknown shown: one under sts, one under tlsa, added" \
	"$(jq -c '[.by_result_type[] | select(.result_type == "unknown") | .failed_sessions]' s.json)" "[2]"
"$TLSWATCH" --db "$db" summary --since 2026-11-30 --until 2026-12-01 > s.txt
t_check "text: rates rounded (30 of 39 is 76.923%)" grep -q "76.92%" s.txt
t_check "text: rates rounded (17 of 23 is 73.913%)" grep -q "73.91%" s.txt
t_check "text: no placeholder in hints" sh -c '! grep -q "<domain>" s.txt'
t_check "db check: aggregates agree" "$TLSWATCH" --db "$db" db check
id=$(t_sql "$db" "select id from report where organization = 'mta.example.net'")
"$TLSWATCH" --db "$db" show "$id" > show.txt
t_check "show: the report is marked" grep -q "kept, although: *organization-name empty: named from file name" show.txt
t_check "show: the inferred domain is marked" grep -q "policy-domain from: *file name" show.txt

# The operator's override: a reporter declared in [counting]
# sts_tlsa_same is counted the Microsoft way (max), even a sys4 one.
printf '[counting]\nsts_tlsa_same = mta.example.net\n' > counting.conf
"$TLSWATCH" --config counting.conf --db over.db ingest "$D"/*apex.example*.json > /dev/null 2>&1
t_eq "override: max(8/3, 5/2) + 4/1" \
	"$(t_sql over.db "select successful_sessions || '/' || failed_sessions from agg_domain")" "12/4"
printf '[counting]\nsts_tlsa_same = a\nsts_tlsa_disjoint = a\n' > bad.conf
"$TLSWATCH" --config bad.conf --db over.db summary > /dev/null 2> err
t_eq "an organization in both lists: exit 2" "$?" 2
t_check "names the mistake" grep -q "'a' is in both" err

# Migration 007: a store made under the old rules, which took max(sts, tlsa)
# of the sys4 pair (8 / 3 instead of 13 / 5; its no-policy-found always
# added: 12 / 4 instead of 17 / 6; and max(1, 1) "unknown" failures at
# apex.example instead of 2) and filed the no-policy-found policy (4 / 1,
# a starttls-not-supported failure) under (none), is recounted when
# opened, to what a fresh ingest stores.
dump_types() {
	t_sql "$1" "select 'agg_policy_type', day, policy_domain, organization, policy_type,
		policies, successful_sessions, failed_sessions from agg_policy_type
		order by policy_domain, organization, policy_type;
	select 'agg_mx', day, policy_domain, organization, mx_host, failed_sessions
		from agg_mx order by policy_domain, organization, mx_host"
}
{ t_dump_store "$db"; dump_types "$db"; } > fresh.dump
sqlite3 "$db" "
	UPDATE report SET successful_sessions = successful_sessions - 5,
		failed_sessions = failed_sessions - 2 WHERE organization = 'mta.example.net';
	UPDATE agg_domain SET successful_sessions = successful_sessions - 5,
		failed_sessions = failed_sessions - 2 WHERE organization = 'mta.example.net';
	UPDATE agg_failure SET failed_sessions = failed_sessions - 1
		WHERE organization = 'mta.example.net' AND result_type = 'unknown';
	UPDATE policy SET policy_domain = NULL WHERE policy_domain_source IS NOT NULL;
	UPDATE agg_domain SET successful_sessions = successful_sessions - 4,
		failed_sessions = failed_sessions - 1 WHERE organization = 'mta.example.net';
	INSERT INTO agg_domain VALUES (20787, '', 'mta.example.net', 1, 4, 1);
	UPDATE agg_failure SET policy_domain = '' WHERE organization = 'mta.example.net'
		AND result_type = 'starttls-not-supported';
	UPDATE agg_policy_type SET policy_domain = '' WHERE organization = 'mta.example.net'
		AND policy_type = 'no-policy-found';
	DELETE FROM agg_mx;
	$(sed -n '/^INSERT INTO agg_mx/,/HAVING sum(v) > 0;/p' "$TOP/schema/006_alerts_judged.sql")
	ALTER TABLE report DROP COLUMN quirks;
	ALTER TABLE policy DROP COLUMN policy_domain_source;
	DROP TABLE recount_pending;
	PRAGMA user_version = 6;"
# what 006 left in agg_mx (its own SQL, from the migration): the sys4 report's
# apex.example failures max(3, 2) = 3, not 5, and its no-policy-found
# failure under '' (migration 007 did not touch agg_mx; 010 recounts it)
t_eq "the old store's by-MX figures" \
	"$(t_sql "$db" "select policy_domain || ' ' || mx_host || ' ' || failed_sessions from agg_mx
		where organization = 'mta.example.net' order by 1")" \
	" apex.example 1
apex.example apex.example 3"
# the old store knew neither quirks nor inferred domains: blank them in
# the expectation too
sed -e '/^quirks|/d' -e '/^inferred|/d' fresh.dump > want.dump
"$TLSWATCH" --db "$db" ingest "$D"/microsoft-apex.json > /dev/null 2>&1
t_eq "migrated to the newest schema" "$(t_sql "$db" "PRAGMA user_version")" \
	"$(t_sql "$T/microsoft-apex.db" "PRAGMA user_version")"
{ t_dump_store "$db"; dump_types "$db"; } | sed -e '/^quirks|/d' -e '/^inferred|/d' > got.dump
if diff -u want.dump got.dump > diff; then
	t_pass "migrations 007 and 010 recount to a fresh ingest's figures, by MX too"
else
	t_fail "migrations 007 and 010 recount to a fresh ingest's figures, by MX too" \
		"$(head -20 diff)"
fi
t_check "db check after the migration" "$TLSWATCH" --db "$db" db check
t_eq "the inferred domain says where it came from" \
	"$(t_sql "$db" "select policy_domain_source from policy where policy_type = 'no-policy-found'")" \
	report-id
