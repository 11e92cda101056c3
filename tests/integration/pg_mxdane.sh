#!/bin/sh
# "DANE results at your MX hosts" (docs/counting.md rule 5) on PostgreSQL
# against SQLite, on a real PostgreSQL 15 (pg_lib.sh) with the data of
# tests/golden/postfix_mx.sh (tests/data/postfix/mx). The section reads
# only contract operations (store_policy_seen, store_check_history,
# query_group), so where the PostgreSQL store has the check reads its
# summaries are byte for byte SQLite's, section included; where it does
# not (a store from before them), the section is empty there and nothing
# else of the summary changes.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin tw
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest "$DATA"/postfix/mx/*.json > /dev/null 2>> ingest.err
	echo "$?" >> ingest.rc
done
t_eq "both stores took the reports" "$(tr '\n' ' ' < ingest.rc)" "0 0 "
CHECK="insert into check_result (domain, checked_at, status, mx)
	values ('third.example', 1796169600, 'ok', '10 mx.hosted.example')"
t_sql "$SQ" "$CHECK"
has_checks=$(pg_sql "$PGA" "SELECT to_regclass('check_result') IS NOT NULL")
[ "$has_checks" = t ] && pg_sql "$PGA" "$CHECK"

P="--since 2026-11-30 --until 2026-12-01"
n=0
for filter in "--domain apex.example --domain other.example" "--domain third.example" \
	"--domain mx.apex.example" ""; do
	for fmt in json text; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		"$TLSWATCH" --db "$SQ" summary $P $filter --format $fmt > "s$n" 2> "s$n.err"
		# shellcheck disable=SC2086
		"$TLSWATCH" --db "$PGA" summary $P $filter --format $fmt > "p$n" 2> "p$n.err"
		echo "$n $fmt ${filter:-(all)}" >> runs
	done
done
t_eq "the section has content on SQLite" \
	"$(jq -c '[.dane_at_mx[] | [.policy_domain, .mx_host]]' s1)" \
	'[["apex.example","mx.apex.example"],["other.example","mx.apex.example"],["other.example","mx1.relay.example"]]'
while read -r i fmt what; do
	if [ "$has_checks" = t ]; then
		if cmp -s "s$i" "p$i"; then
			t_pass "$fmt $what: PostgreSQL as SQLite"
		else
			t_fail "$fmt $what: PostgreSQL as SQLite" "$(diff "s$i" "p$i" | head -6)"
		fi
	elif [ "$fmt" = json ]; then
		# no check reads on this PostgreSQL store: the section is empty
		# there, and the rest of the document is SQLite's
		t_eq "json $what: no section without the check reads" \
			"$(jq -c '.dane_at_mx // "absent"' "p$i")" \
			"$(jq -c 'if has("dane_at_mx") then [] else "absent" end' "s$i")"
		t_eq "json $what: the rest as SQLite" \
			"$(jq -cS 'del(.dane_at_mx, .published)' "p$i")" \
			"$(jq -cS 'del(.dane_at_mx, .published)' "s$i")"
	fi
done < runs
pg_stop
