#!/bin/sh
# The alert series on PostgreSQL read for the failure groups that can
# alert only (query_alert_need: a group with min_failed failed sessions
# on a day of the judged windows; store/pg_query_series.c): 'alert' is
# byte for byte SQLite's, which reads every group, with new failures on
# the edges of the judged days (the first judged window's day, the day
# before it, the last), a group that reaches --min-failures only over a
# two-day window, and several windows and floors. The pruned statement is
# the one the server ran.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin need

today=$(($(date -u +%s) / 86400))
day() { date -u -d "@$((($today - $1) * 86400))" +%F; }
at=$(day 0)

# lookback 5 judges the windows ending today-4 .. today: one day each,
# the days today-5 .. today-1
"$GEN" --out "$T/gen" --seed 41 --start "$(day 40)" --days 40 --domains 6 \
	--spike "example.com,edge.example.com,certificate-expired,$(day 5),12" \
	--spike "example.net,before.example.net,starttls-not-supported,$(day 6),12" \
	--spike "example.com,last.example.com,validation-failure,$(day 1),12" \
	--spike "example.net,pair.example.net,certificate-expired,$(day 3),2" \
	--spike "example.net,pair.example.net,certificate-expired,$(day 2),1" \
	--spike "example.com,old.example.com,certificate-expired,$(day 20),40" \
	--format gz > /dev/null || t_fail "gen" "exit $?"
"$TLSWATCH" -q --db "$SQ" ingest "$T/gen" > /dev/null 2>&1
"$TLSWATCH" --db "$SQ" db copy --to "$PGA" 2> "$T/copy.err"
t_eq "db copy to PostgreSQL" "$?" 0

# run NAME ARGS...: 'alert ARGS' on fresh copies of both stores (a run
# records what it judged), the outputs byte for byte; the JSON in $T/run.json
n=0
run() {
	name=$1
	shift
	n=$((n + 1))
	pg_sql "$(pg_uri postgres)" "CREATE DATABASE run$n TEMPLATE need" > /dev/null
	cp "$SQ" "$T/run.db"
	rm -f "$T/run.db-wal" "$T/run.db-shm"
	"$TLSWATCH" --db "$T/run.db" alert --at "$at" --format json "$@" > "$T/s.json" 2> "$T/s.err"
	rs=$?
	PGOPTIONS='-c log_min_duration_statement=0' \
		"$TLSWATCH" --db "$(pg_uri "run$n")" alert --at "$at" --format json "$@" \
		> "$T/run.json" 2> "$T/p.err"
	rp=$?
	if [ "$rs" != "$rp" ]; then
		t_fail "$name" "exit $rp on PostgreSQL, $rs on SQLite: $(head -3 "$T/p.err")"
	elif ! cmp -s "$T/s.json" "$T/run.json"; then
		t_fail "$name" "outputs differ: $(diff "$T/s.json" "$T/run.json" | head -5)"
	else
		t_pass "$name"
	fi
}
# has WHAT KIND MX DAY: the run's JSON holds that alert
has() {
	t_check "$1" jq -e --arg k "$2" --arg m "$3" --arg d "$4" \
		'[.alerts[] | select(.kind == $k and .mx_host == $m and .day == $d)] | length == 1' \
		"$T/run.json"
}
# hasnt WHAT MX: no alert of that MX in the run's JSON
hasnt() {
	t_check "$1" jq -e --arg m "$2" '[.alerts[] | select(.mx_host == $m)] | length == 0' \
		"$T/run.json"
}

mark=$(wc -c < "$PG/data/server.log")
run "lookback 5 days: PostgreSQL's alerts are SQLite's" --lookback 5d
has "the first judged window's day alerts" new-failure edge.example.com "$(day 5)"
has "the last judged day alerts" new-failure last.example.com "$(day 1)"
hasnt "the day before the judged windows is not judged" before.example.net
tail -c +$((mark + 1)) "$PG/data/server.log" > "$T/stmts.log"
t_check "the series read the needed failure groups only" \
	grep -q 'failed_sessions >= \$5' "$T/stmts.log"

run "window 2 days: the day before is in the first window" --lookback 5d --window 2d
# an alert's day is its window's last
has "a two-day window holds the day before" new-failure before.example.net "$(day 5)"

# 2 failures, then 1: three in a window of two days, a day of two
run "window 2 days, --min-failures 3" --lookback 5d --window 2d --min-failures 3
has "three failures over two days alert" new-failure pair.example.net "$(day 2)"
run "window 1 day, --min-failures 3: two a day is too few" --lookback 5d --min-failures 3
hasnt "two failures in a day do not" pair.example.net
run "--min-failures 1: every group" --lookback 5d --min-failures 1
run "window 3 days, --min-failures 5" --lookback 7d --window 3d --min-failures 5
run "the default lookback and window"
