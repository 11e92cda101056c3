#!/bin/sh
# web_alerts_shown.sh - the overview reads who saw an alert (and its most
# common reason) only for the alerts it shows: the first LIMIT_WEB_PAGE_ROWS
# (50) matching the page's filter (issue 18). 55 domains each fail for the
# first time three days ago, so 55 alerts: / shows 50, each with its
# reporters and reason, and "and 5 more"; a domain's page shows that
# domain's alert with them too, also one past the first 50; every shown
# line is the line 'tlswatch alert' writes for the same alert.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"

# d01.test .. d55.test, each failing for Google three days ago
web_alerting_domains 55

# tlswatch alert's lines (text), the alerts the overview shows
# (a day judged for the first time three days after it: "came late",
# which the overview, judging every day of the lookback, does not say)
"$TLSWATCH" --db "$T/db" alert | sed 's/ (its reports came late)$//' > "$T/alert.txt"
t_eq "tlswatch alert: 55 alerts" "$(grep -c '^new failure: d[0-9]*\.test' "$T/alert.txt")" 55

if ! web_start --db "$T/db" web --listen 127.0.0.1:0; then
	t_fail "dashboard starts" "$(cat "$T/web.err")"
	exit 0
fi
curl -s -o "$T/page" "$WEB_URL/" || t_fail "GET /" "curl exit $?"
# the domain whose alert comes last on /: past the first 50
sed -n '/id="alerts"/,/<\/ul>/p' "$T/page" | grep '^<li>new failure' |
	sed 's/^<li>//; s/<\/li>$//' > "$T/shown"
last=$(grep '^new failure: ' "$T/alert.txt" | sed 's/^new failure: \([^,]*\),.*/\1/' |
	grep -v -x -F -f "$(sed 's/^new failure: \([^,]*\),.*/\1/' "$T/shown" > "$T/shown-domains"; echo "$T/shown-domains")" | tail -1)
curl -s -o "$T/page-last" "$WEB_URL/?domain=$last" || t_fail "GET /?domain=" "curl exit $?"
web_stop
t_check "sanitizer clean" web_sanitizer_clean
t_eq "/: 50 alerts shown" "$(wc -l < "$T/shown")" 50
t_check "/: the other 5 counted" grep -q -F "<li>and 5 more (tlswatch alert lists them all)</li>" "$T/page"
t_eq "/: each shown alert names its reporter and reason" \
	"$(grep -c 'seen by Google Inc\.; most common reason: X509_V_ERR_CERT_HAS_EXPIRED;' "$T/shown")" 50
# each shown line is tlswatch alert's line for it (the page escapes
# nothing in these: the names hold no HTML character)
grep -v -x -F -f "$T/alert.txt" "$T/shown" > "$T/differ"
t_eq "/: the lines tlswatch alert writes" "$(head -3 "$T/differ")" ""
t_check "a domain past the first 50 ($last)" test -n "$last"
sed -n '/id="alerts"/,/<\/ul>/p' "$T/page-last" | grep '^<li>new failure' |
	sed 's/^<li>//; s/<\/li>$//' > "$T/shown-last"
t_eq "/?domain=$last: its alert, with reporter and reason, as tlswatch alert writes it" \
	"$(cat "$T/shown-last")" "$(grep -F "new failure: $last," "$T/alert.txt")"
t_check "/?domain=$last: with its reporter" grep -q 'seen by Google Inc\.; most common reason' "$T/shown-last"
