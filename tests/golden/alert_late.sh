#!/bin/sh
# alert_late.sh - alerts that never miss late reports (docs/alerts.md,
# "Late reports"). A generated month is fed day by day as mail would bring
# it, with 'tlswatch alert' run twice a day (before and after the day's
# reports come in, as an hourly cron job would); the reports of one spike
# day come in only after the run of the day after (D+1), those of another
# after the runs of D+1 and D+2. Each spike is alerted exactly once, says
# its day and that its reports came late; nothing else is ever alerted; a
# second reporter's late report that doubles a day's count raises one
# "grown" follow-up, and only one.
. "$TOP/tests/lib.sh"

# seed 1's July is calm (tests/golden/alert.sh): only the spikes alert
"$GEN" --out "$T/g" --seed 1 --start 2026-06-01 --days 60 --domains 5 --format json \
	--spike example.com,mx1.example.com,certificate-expired,2026-07-15,400 \
	--spike example.net,mx2.example.net,certificate-expired,2026-07-19,300 \
	> /dev/null || t_fail "generator" "exit $?"
# a list of files per report day: the name's begin time (RFC 8460
# section 5.3), as a UTC day number
mkdir "$T/day"
(cd "$T/g" && ls) | awk -F'!' -v dir="$T/day" '{ print > (dir "/" int($3 / 86400)) }'
daynum() { echo $(($(date -u -d "$1" +%s) / 86400)); }
ingest_day() {
	(cd "$T/g" && tr '\n' '\0' < "$T/day/$(daynum "$1")" |
		xargs -0 "$TLSWATCH" --db "$T/db" ingest) || t_fail "ingest $1" "exit $?"
}
d=2026-06-01
while [ "$d" != 2026-07-09 ]; do
	ingest_day "$d"
	d=$(date -u -d "$d + 1 day" +%F)
done

: > "$T/all"
run() {
	"$TLSWATCH" --db "$T/db" alert --at "$1" > "$T/out" 2> "$T/err"
	rc=$?
	[ "$rc" -le 1 ] || t_fail "alert --at $1" "exit $rc: $(cat "$T/err")"
	sed "s/^/$1 $2: /" "$T/out" >> "$T/all"
}
for x in 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
	prev=$(date -u -d "2026-07-$x - 1 day" +%F)
	run "2026-07-$x" morning
	case "$prev" in
	2026-07-15 | 2026-07-19) ;; # held back: they come late
	*) ingest_day "$prev" ;;
	esac
	[ "$x" = 17 ] && ingest_day 2026-07-15 # after the run of D+1
	[ "$x" = 22 ] && ingest_day 2026-07-19 # after the runs of D+1 and D+2
	run "2026-07-$x" evening
done

t_eq "two alerts in 32 runs" "$(wc -l < "$T/all")" 2
t_check "late spike (after the run of D+1): alerted once, its day, came late" grep -q \
	'^2026-07-17 evening: failure spike: example.com, MX mx1.example.com, certificate-expired: 4[0-9][0-9] of [0-9,]* sessions failed on 2026-07-15; .* (its reports came late)$' \
	"$T/all"
t_check "late spike (after the run of D+2): alerted once, its day, came late" grep -q \
	'^2026-07-22 evening: .*example.net, MX mx2.example.net, certificate-expired: 3[0-9][0-9] of [0-9,]* sessions failed on 2026-07-19; .* (its reports came late)$' \
	"$T/all"
t_eq "each recorded once, for its day" \
	"$(t_sql "$T/db" "SELECT policy_domain, date(day * 86400, 'unixepoch'), times FROM alert_sent_day ORDER BY day")" \
	"example.com|2026-07-15|1
example.net|2026-07-19|1"

# a second reporter's report of 2026-07-15 comes in days later: the count
# doubles, one "grown" follow-up
f=$(grep "^google.com!example.com!" "$T/day/$(daynum 2026-07-15)")
f=$T/g/$f
jq -c '."organization-name" = "Late Reporter Inc." | ."report-id" = "late-1" |
	(.policies[0]."failure-details"[] | select(."result-type" == "certificate-expired")
	 | ."failure-reason-code") = "X509_V_ERR_CERT_HAS_EXPIRED"' "$f" > "$T/late.json"
"$TLSWATCH" --db "$T/db" ingest "$T/late.json" || t_fail "ingest late.json" "exit $?"
"$TLSWATCH" --db "$T/db" alert --at 2026-07-21 --format json > "$T/json" 2> "$T/err"
rc=$?
t_eq "grown: exit 1" "$rc" 1
t_eq "grown: one alert, its day, late, the figure first sent" \
	"$(jq -c '[.alerts[] | [.policy_domain, .day, .late, (.grown_from >= 400), (.window_failed_sessions >= 2 * .grown_from)]]' "$T/json")" \
	'[["example.com","2026-07-15",true,true,true]]'
t_eq "grown: both reporters, the most common reason code" \
	"$(jq -c '.alerts[0] | [.reporters, .failure_reason_code]' "$T/json")" \
	'["Google Inc., Late Reporter Inc.","X509_V_ERR_CERT_HAS_EXPIRED"]'
t_check "grown: the text says so" sh -c \
	"jq -r '.alerts[0].message' '$T/json' | grep -q 'on 2026-07-15; .* (grown from 4[0-9][0-9] when first sent; more reports came late)$'"
"$TLSWATCH" --db "$T/db" alert --at 2026-07-21 > "$T/out" 2> "$T/err"
t_eq "grown: not again" "$? $(wc -c < "$T/out")" "0 0"
