#!/bin/sh
# web_alerts.sh - the overview's "Current alerts" judge what 'tlswatch
# alert' judges: every day of the lookback, not only yesterday. A spike
# three days ago (yesterday clean) is listed; so is a day not in yet
# (yesterday, Microsoft's small.test report missing), in "Not in yet".
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"

today=$(($(date -u +%s) / 86400))
mkdir "$T/r"
awk -v dir="$T/r" -v first=$((today - 40)) -v days=40 -v bad=$((today - 3)) \
	-f "$TOP/tests/golden/arrival_month.awk" || t_fail "arrival_month.awk" "exit $?"
rm "$T/r/$((today - 1)).m.small.test.json"
(cd "$T/r" && ls | xargs "$TLSWATCH" --db "$T/db" ingest) > /dev/null || t_fail "ingest" "exit $?"
spike=$(date -u -d "@$(((today - 3) * 86400))" +%F)
yesterday=$(date -u -d "@$(((today - 1) * 86400))" +%F)

if ! web_start --db "$T/db" web --listen 127.0.0.1:0; then
	t_fail "dashboard starts" "$(cat "$T/web.err")"
	exit 0
fi
curl -s -o "$T/page" "$WEB_URL/" || t_fail "GET /" "curl exit $?"
web_stop
t_check "sanitizer clean" web_sanitizer_clean
t_check "current alerts: the spike three days ago, not only yesterday" grep -q -F \
	"<li>new failure: big.test, MX mx1.big.test, certificate-expired: 400 of 3,400 sessions failed on $spike; none in the 28 days before; seen by Google Inc.; most common reason: X509_V_ERR_CERT_HAS_EXPIRED; what to check: the MX presented an expired certificate; renew it</li>" \
	"$T/page"
t_eq "current alerts: that one only" "$(sed -n '/id="alerts"/,/<\/ul>/p' "$T/page" | grep -c '<li>')" 1
t_check "not in yet: yesterday's small.test, Microsoft missing" grep -q -F \
	"<li>$yesterday small.test: 1 of 2 usual reporters in so far; Microsoft Corporation not in yet</li>" \
	"$T/page"
# the cron job finds the same alert
"$TLSWATCH" --db "$T/db" alert --format json > "$T/json"
t_eq "tlswatch alert: the same alert" "$(jq -r '[.alerts[] | .kind + " " + .policy_domain + " " + .day] | join(",")' "$T/json")" \
	"new-failure big.test $spike"
