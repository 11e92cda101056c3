#!/bin/sh
# The roll-ups (schema/012_rollups.sql) answer exactly what the daily
# aggregates answer: every summary (JSON, text), alert and dashboard view is
# byte for byte the same read with them and without (TLSWATCH_NO_ROLLUPS),
# on a store of many reporters, domains and duplicates, sts+tlsa reports of
# both kinds (Microsoft: the same sessions; sys4: different ones), a prune
# and a conflict resolved by 'quarantine pick'. db check agrees throughout.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
t_dkim_off
cd "$T"
DB="$T/r.db"

"$GEN" --out "$T/gen" --seed 5 --start 2026-01-01 --days 45 --domains 6 --duplicates 40 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-02-10,90" \
	--spike "example.net,mx2.example.net,starttls-not-supported,2026-02-12,30" \
	--format gz > /dev/null
"$TLSWATCH" -q --db "$DB" ingest "$T"/gen/* > /dev/null 2>&1
"$TLSWATCH" -q --db "$DB" ingest "$DATA"/samples/*.json "$DATA"/postfix/*.json "$DATA"/postfix/*.eml > /dev/null 2>&1
t_check "many reporters" test "$(t_sql "$DB" "select count(distinct organization) from report")" -gt 20
t_check "many domains" test "$(t_sql "$DB" "select count(distinct policy_domain) from agg_domain")" -gt 6
# a conflict picked by the postmaster re-aggregates its day
cid=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null limit 1")
if [ -n "$cid" ]; then
	"$TLSWATCH" -q --db "$DB" quarantine pick "$cid" > /dev/null 2>&1
	t_eq "conflict picked" "$?" 0
fi
"$TLSWATCH" -q --db "$DB" db prune --before 2026-01-05 > /dev/null
t_check "db check agrees" "$TLSWATCH" --db "$DB" db check

# views FILE: every CLI view of the store into FILE
views() {
	{
		for p in "--since 2026-02-05 --until 2026-02-15" "--since 2026-01-01 --until 2026-03-01" \
			"--all" "--all --domain example.com" "--all --domain example.com --domain example.net" \
			"--since 2026-02-01 --until 2026-02-20 --org Google Inc." \
			"--since 2026-02-01 --until 2026-02-20 --domain example.net --org Microsoft Corporation"; do
			echo "== summary $p"
			# shellcheck disable=SC2086
			case "$p" in
			*--org*)
				o=${p#*--org }
				q=${p%% --org*}
				"$TLSWATCH" --db "$DB" summary $q --org "$o" --format json
				;;
			*) "$TLSWATCH" --db "$DB" summary $p --format json ;;
			esac
			echo "rc $?"
		done
		echo "== summary text"
		"$TLSWATCH" --db "$DB" summary --all
		echo "== reports"
		"$TLSWATCH" --db "$DB" reports --all --domain example.com --format json
	} > "$1" 2>&1
}
views "$T/with.txt"
TLSWATCH_NO_ROLLUPS=1 views "$T/without.txt"
t_check "summaries have content" grep -q '"by_domain"' "$T/with.txt"
if cmp -s "$T/with.txt" "$T/without.txt"; then
	t_pass "summaries: the same with and without roll-ups"
else
	t_fail "summaries: the same with and without roll-ups" "$(diff "$T/without.txt" "$T/with.txt" | head -8)"
fi

# alert writes its state: each reads its own copy of the store
for at in 2026-02-11 2026-02-13 2026-02-16; do
	for w in with without; do
		cp "$DB" "$T/alert-$w.db"
		rm -f "$T/alert-$w.db-wal" "$T/alert-$w.db-shm"
	done
	"$TLSWATCH" --db "$T/alert-with.db" alert --at "$at" --format json > "$T/a-with" 2>&1
	TLSWATCH_NO_ROLLUPS=1 "$TLSWATCH" --db "$T/alert-without.db" alert --at "$at" \
		--format json > "$T/a-without" 2>&1
	if cmp -s "$T/a-with" "$T/a-without"; then
		t_pass "alert --at $at: the same with and without roll-ups"
	else
		t_fail "alert --at $at: the same with and without roll-ups" \
			"$(diff "$T/a-without" "$T/a-with" | head -6)"
	fi
done
t_check "an alert fired" grep -q 'example.com' "$T/a-with" "$T/a-without"

# the dashboard and its API
pages="/?since=2026-02-01&until=2026-02-20 /?all=1 /failures?all=1&group_by=mx
/failures?since=2026-02-05&until=2026-02-15&group_by=result_type
/failures?all=1&group_by=organization /api/v1/summary?all=1
/api/v1/summary?since=2026-02-01&until=2026-02-20&domain=example.com
/api/v1/timeseries?all=1 /api/v1/timeseries?all=1&series=domain
/api/v1/failures?all=1&group_by=mx /api/v1/failures?all=1&group_by=domain
/api/v1/failures?since=2026-02-01&until=2026-02-20&group_by=result_type"
web_same_without_rollups "$DB" "dashboard and API" 'example.com' "$pages"
web_sanitizer_clean
