#!/bin/sh
# alert_arrival.sh - days not in yet (docs/alerts.md). Two daily reporters
# for two domains; on the bad day only Google's reports are in at first:
# 4 of small.test's 5 sessions it saw failed (Microsoft's 900 clean ones
# still to come), and 400 at big.test's mx1. The count alert goes out at
# once, saying Microsoft is not in yet; the failure-rate alert waits for
# Microsoft: when its report comes the day is judged again and, 4 of 905
# failing, stays silent; when it never comes, the day is judged after
# ARRIVAL_WAIT_DAYS with the note, once. 'summary' lists yesterday as not
# in yet while a usual reporter is missing.
. "$TOP/tests/lib.sh"

daynum() { echo $(($(date -u -d "$1" +%s) / 86400)); }
first=$(daynum 2026-06-01)
bad=$(daynum 2026-07-15)
mkdir "$T/r"
awk -v dir="$T/r" -v first="$first" -v days=50 -v bad="$bad" \
	-f "$TOP/tests/golden/arrival_month.awk" || t_fail "arrival_month.awk" "exit $?"
# ingest DB FROM UNTIL [ORG]: the reports of days [FROM, UNTIL) (one org)
ingest() {
	ls "$T/r" | awk -F. -v a="$(daynum "$2")" -v b="$(daynum "$3")" -v o="${4:-}" \
		'$1 >= a && $1 < b && (o == "" || $2 == o) { print }' > "$T/list"
	(cd "$T/r" && xargs "$TLSWATCH" --db "$1" ingest < "$T/list") > /dev/null ||
		t_fail "ingest $2 $3 $4" "exit $?"
}

# A: Microsoft's report of the bad day comes after the first run
db="$T/a.db"
ingest "$db" 2026-06-01 2026-07-15
ingest "$db" 2026-07-15 2026-07-16 g
"$TLSWATCH" --db "$db" alert --at 2026-07-16 > "$T/out" 2> "$T/err"
t_eq "Google in, Microsoft not: exit 1" "$?" 1
t_eq "one alert: the count one, not the 4 of 5" "$(wc -l < "$T/out")" 1
t_check "the count alert says Microsoft is not in yet" grep -q \
	'^new failure: big.test, MX mx1.big.test, certificate-expired: 400 of 1,400 sessions failed on 2026-07-15; none in the 28 days before; seen by Google Inc.; most common reason: X509_V_ERR_CERT_HAS_EXPIRED; what to check: the MX presented an expired certificate; renew it; 1 of 2 usual reporters in so far (Microsoft Corporation not in yet)$' \
	"$T/out"
"$TLSWATCH" --db "$db" -v alert --at 2026-07-16 > "$T/v" 2>&1
t_check "the 4 of 5 waits, and -v says so" grep -q -x '1 alert waits for usual reporters not in yet' "$T/v"
t_eq "the day is not recorded as judged while it waits" \
	"$(t_sql "$db" "SELECT count(*) FROM alert_judged WHERE day = $bad")" 0
ingest "$db" 2026-07-15 2026-07-16 m
"$TLSWATCH" --db "$db" alert --at 2026-07-16 > "$T/out" 2> "$T/err"
t_eq "Microsoft in: 4 of 905 is no alert, and nothing is sent twice" "$? $(cat "$T/out")" "0 "
t_eq "then the day is judged" \
	"$(t_sql "$db" "SELECT reports FROM alert_judged WHERE day = $bad")" 4
"$TLSWATCH" --db "$db" alert --at 2026-07-16 --repeat-after 0 --format json > "$T/json"
t_eq "json: complete day, no note" \
	"$(jq -c '[.alerts[] | [.policy_domain, .usual_reporters, .missing_reporters]]' "$T/json")" \
	'[["big.test",null,null]]'

# B: Microsoft's report of the bad day never comes; the days after do
db="$T/b.db"
ingest "$db" 2026-06-01 2026-07-15
ingest "$db" 2026-07-15 2026-07-16 g
: > "$T/all"
for x in 16 17 18 19 20; do
	"$TLSWATCH" --db "$db" alert --at "2026-07-$x" > "$T/out" 2> "$T/err"
	sed "s/^/2026-07-$x: /" "$T/out" >> "$T/all"
	ingest "$db" "2026-07-$x" "$(date -u -d "2026-07-$x + 1 day" +%F)"
done
t_eq "two alerts in five runs" "$(wc -l < "$T/all")" 2
t_check "the 4 of 5 judged after the wait, with the note, not as late" grep -q \
	'^2026-07-19: new failure: small.test, MX mx1.small.test, certificate-expired: 4 of 5 sessions failed on 2026-07-15; none in the 28 days before; seen by Google Inc.; most common reason: X509_V_ERR_CERT_HAS_EXPIRED; what to check: the MX presented an expired certificate; renew it; 1 of 2 usual reporters in so far (Microsoft Corporation not in yet)$' \
	"$T/all"

# summary: yesterday, with Google in and Microsoft not, is not in yet
today=$(daynum "$(date -u +%F)")
mkdir "$T/r2"
awk -v dir="$T/r2" -v first=$((today - 30)) -v days=30 -v bad=0 \
	-f "$TOP/tests/golden/arrival_month.awk" || t_fail "arrival_month.awk" "exit $?"
rm "$T/r2/$((today - 1)).m.small.test.json"
(cd "$T/r2" && ls | xargs "$TLSWATCH" --db "$T/c.db" ingest) > /dev/null || t_fail "ingest c" "exit $?"
yesterday=$(date -u -d yesterday +%F)
"$TLSWATCH" --db "$T/c.db" summary > "$T/sum" || t_fail "summary" "exit $?"
t_eq "summary: yesterday not in yet for small.test" \
	"$(sed -n '/^NOT IN YET/,/^$/p' "$T/sum" | tr -s ' \n' '  ')" \
	"NOT IN YET (reports of these days still coming in) $yesterday small.test: 1 of 2 usual reporters in so far; Microsoft Corporation not in yet "
"$TLSWATCH" --db "$T/c.db" summary --format json > "$T/sum.json" || t_fail "summary json" "exit $?"
t_eq "summary json: not_in_yet" "$(jq -c '.not_in_yet' "$T/sum.json")" \
	"[{\"day\":\"$yesterday\",\"policy_domain\":\"small.test\",\"usual_reporters\":2,\"reporters_in\":1,\"missing_reporters\":\"Microsoft Corporation\"}]"
# a period ending before yesterday: the days not in yet are built to
# today (summary_arrival_period), and only the period's are listed
"$TLSWATCH" --db "$T/c.db" summary --since 10d --until "$yesterday" --format json > "$T/sum.json" ||
	t_fail "summary to yesterday" "exit $?"
t_eq "summary of a period ending before yesterday: nothing not in yet" \
	"$(jq -c '.not_in_yet' "$T/sum.json")" "[]"
"$TLSWATCH" --db "$T/c.db" summary --since 10d --until "$(date -u +%F)" --format json > "$T/sum.json" ||
	t_fail "summary to today" "exit $?"
t_eq "summary of a period to today: yesterday not in yet" \
	"$(jq -c '[.not_in_yet[] | .day]' "$T/sum.json")" "[\"$yesterday\"]"
"$TLSWATCH" --db "$T/c.db" summary --domain big.test > "$T/sum" || t_fail "summary big" "exit $?"
t_eq "summary of a complete domain: nothing not in yet" "$(grep -c 'NOT IN YET' "$T/sum")" 0
