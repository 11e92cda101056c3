#!/bin/sh
# alert.sh - 'tlswatch alert' on generated corpora: a spike alerts (exit 1,
# one line naming the domain, MX and result type), a flat corpus stays
# silent day after day, a sent alert is not sent again until
# --repeat-after has passed, a brand-new failure type alerts, --format
# json, --exec and --webhook deliver the JSON, the config's [alert]
# section sets defaults, errors exit 2.
. "$TOP/tests/lib.sh"
t_dkim_off

# seed 1: its one generated incident (example.org, 2026-06-09) lies before
# the days evaluated below, so July is calm but for what --spike adds
CORPUS="--seed 1 --start 2026-06-01 --days 60 --domains 5 --format mbox"
"$GEN" --out "$T/flat" $CORPUS > /dev/null || t_fail "generator (flat)" "exit $?"
"$GEN" --out "$T/spike" $CORPUS \
	--spike example.com,mx1.example.com,certificate-expired,2026-07-15,200 \
	--spike example.net,mx2.example.net,dane-required,2026-07-20,25 \
	--spike example.com,mx2.example.com,x-unregistered-error,2026-07-25,12 \
	> /dev/null || t_fail "generator (spike)" "exit $?"
"$TLSWATCH" --db "$T/flat.db" ingest "$T/flat/reports.mbox" || t_fail "ingest flat" "exit $?"
"$TLSWATCH" --db "$T/spike.db" ingest "$T/spike/reports.mbox" || t_fail "ingest spike" "exit $?"

# alert DB [options]: output in $T/out, stderr in $T/err, exit status in $rc
alert() {
	db=$1
	shift
	"$TLSWATCH" --db "$T/$db.db" alert "$@" > "$T/out" 2> "$T/err"
	rc=$?
}

# --- a flat corpus is silent, every day of a month
loud=""
for d in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 \
	29 30 31; do
	alert flat --at "2026-07-$d" --repeat-after 0
	if [ "$rc" -ne 0 ] || [ -s "$T/out" ]; then
		loud="$loud 2026-07-$d(exit $rc: $(head -1 "$T/out"))"
	fi
done
t_eq "flat corpus: silent (exit 0, no output) on each day of July" "$loud" ""
t_eq "flat corpus: nothing recorded as sent" "$(t_sql "$T/flat.db" 'SELECT count(*) FROM alert_sent_day')" 0
t_eq "flat corpus: every day with reports judged" \
	"$(t_sql "$T/flat.db" "SELECT count(*), date(min(day) * 86400, 'unixepoch'), date(max(day) * 86400, 'unixepoch') FROM alert_judged")" \
	"37|2026-06-24|2026-07-30"

# --- the spike: one line naming the domain, MX and result type
alert spike --at 2026-07-15
t_eq "the day before the spike is reported: silent" "$rc $(wc -c < "$T/out")" "0 0"
alert spike --at 2026-07-16
t_eq "spike: exit 1" "$rc" 1
t_eq "spike: one line" "$(wc -l < "$T/out")" 1
t_check "spike: names domain, MX, result type, count, usual count, reporters" grep -q -E \
	'^failure spike: example.com, MX mx1.example.com, certificate-expired: 2[0-9][0-9] of [0-9,]+ sessions failed on 2026-07-15; ([0-9]+ in the 28 days before|usually about [0-9.]+ a day \(28 days before\)); seen by Google Inc\.; what to check: the MX presented an expired certificate; renew it; rests only on unverified reports$' \
	"$T/out"
t_eq "spike: recorded as sent for the day it happened" \
	"$(t_sql "$T/spike.db" "SELECT scope, policy_domain, mx_host, result_type, date(day * 86400, 'unixepoch') FROM alert_sent_day")" \
	"failure|example.com|mx1.example.com|certificate-expired|2026-07-15"

# --- [web] base_url: a link to the dashboard view behind the alert
printf '[web]\nbase_url = https://tlswatch.example.net/\n' > "$T/url.conf"
"$TLSWATCH" --config "$T/url.conf" --db "$T/spike.db" alert --at 2026-07-16 --repeat-after 0 \
	--format json > "$T/json" 2> "$T/err"
t_eq "link: the failures page of the alert's key and day" "$(jq -r '.alerts[0].link' "$T/json")" \
	'https://tlswatch.example.net/failures?since=2026-07-15&until=2026-07-16&domain=example.com&mx=mx1.example.com&result_type=certificate-expired'
t_check "link: at the end of the line" sh -c "jq -r '.alerts[0].message' '$T/json' |
	grep -q '; details: https://tlswatch.example.net/failures?since=2026-07-15&'"
t_eq "json: since, reporters" "$(jq -c '.alerts[0] | [.since, .reporters]' "$T/json")" \
	'["2026-07-15","Google Inc."]'

# --- not sent again until --repeat-after has passed
alert spike --at 2026-07-16
t_eq "same day again: silent" "$rc $(wc -c < "$T/out")" "0 0"
alert spike --at 2026-07-17 --window 2 --repeat-after 3
t_eq "still in the window a day later, --repeat-after 3: silent" "$rc $(wc -c < "$T/out")" "0 0"
alert spike --at 2026-07-18 --window 3 --repeat-after 3
t_eq "two days later: silent" "$rc $(wc -c < "$T/out")" "0 0"
alert spike --at 2026-07-19 --window 4 --repeat-after 3
t_eq "three days later: sent again" "$rc $(grep -c 'mx1.example.com, certificate-expired' "$T/out")" "1 1"
t_eq "sent twice" "$(t_sql "$T/spike.db" "SELECT count(*) FROM alert_sent_day WHERE scope = 'failure'")" 2
alert spike --at 2026-07-19 --window 4 --repeat-after 0 -v
t_eq "--repeat-after 0: every run" "$rc" 1

# --- a brand-new failure type (the generated mails are not DKIM-checked
# here: unverified-mail, which the line says; docs/trust.md)
alert spike --at 2026-07-21
t_eq "new failure: exit 1" "$rc" 1
t_check "new failure: named, with no baseline" grep -q \
	'^new failure: example.net, MX mx2.example.net, dane-required: 25 of [0-9,]* sessions failed on 2026-07-20; none in the 28 days before; seen by Google Inc\.; what to check: DANE was required but no usable TLSA record was found; publish signed TLSA records for each MX; rests only on unverified reports$' \
	"$T/out"
alert spike --at 2026-07-26 --format json
t_eq "unregistered type: exit 1" "$rc" 1
t_eq "--format json parses, names the new type" \
	"$(jq -c '[.alerts[] | [.kind, .policy_domain, .mx_host, .result_type, .window_failed_sessions]]' "$T/out")" \
	'[["new-failure","example.com","mx2.example.com","x-unregistered-error",12]]'
t_eq "json: window and baseline" "$(jq -c '[.at, .window.since, .parameters.window_days, .parameters.baseline_days]' "$T/out")" \
	'["2026-07-26","2026-07-25",1,28]'
t_check "json: a Slack-compatible text field" sh -c \
	"jq -r .text '$T/out' | grep -q '^- new failure: example.com, MX mx2.example.com, x-unregistered-error'"
t_check "json: the generic hint for an unregistered type" sh -c \
	"jq -r '.alerts[0].hint' '$T/out' | grep -q 'not a result type RFC 8460 registers'"

# --- --exec gets the JSON on stdin; its failure is exit 2 and nothing is recorded
alert spike --at 2026-07-16 --repeat-after 0 --exec "cat > '$T/exec.json'"
t_eq "--exec: exit 1 (alerts)" "$rc" 1
t_eq "--exec: the alert document on stdin" \
	"$(jq -c '[.alerts[0].kind, .alerts[0].mx_host, .alerts[0].result_type]' "$T/exec.json")" \
	'["failure-spike","mx1.example.com","certificate-expired"]'
before=$(t_sql "$T/spike.db" "SELECT sum(times) FROM alert_sent_day WHERE scope = 'failure' AND result_type = 'certificate-expired'")
alert spike --at 2026-07-16 --repeat-after 0 --exec "cat > /dev/null; exit 3"
t_eq "--exec failing: exit 2" "$rc" 2
t_check "--exec failing: says so" grep -q 'exited with status 3' "$T/err"
t_eq "--exec failing: not recorded as sent" \
	"$(t_sql "$T/spike.db" "SELECT sum(times) FROM alert_sent_day WHERE scope = 'failure' AND result_type = 'certificate-expired'")" \
	"$before"
alert spike --at 2026-07-16 --repeat-after 0 --exec "exec 0<&-; sleep 0"
t_eq "--exec not reading stdin: still exit 1" "$rc" 1

# --- --webhook: a local HTTP sink (build/tools/webhook_sink)
SINK=$TOP/build/tools/webhook_sink
if [ -x "$SINK" ]; then
	"$SINK" --port-file "$T/port" --out "$T/hook.body" --status 200 --requests 1 &
	sink=$!
	i=0; while [ ! -s "$T/port" ] && [ "$i" -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
	alert spike --at 2026-07-16 --repeat-after 0 --webhook "http://127.0.0.1:$(cat "$T/port")/hooks/T0K3N"
	wait "$sink"
	t_eq "--webhook: exit 1 (alerts)" "$rc" 1
	t_check "--webhook: POST, JSON" grep -q '^POST /hooks/T0K3N HTTP/1.1' "$T/hook.body.head"
	t_check "--webhook: content type" grep -qi '^content-type: application/json' "$T/hook.body.head"
	t_check "--webhook: the text field, one alert a line" sh -c "jq -r .text '$T/hook.body' |
		grep -q '^- failure spike: example.com, MX mx1.example.com, certificate-expired: '"
	: > "$T/port"
	"$SINK" --port-file "$T/port" --out "$T/hook2.body" --status 500 --requests 1 &
	sink=$!
	i=0; while [ ! -s "$T/port" ] && [ "$i" -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
	alert spike --at 2026-07-16 --repeat-after 0 --webhook "http://127.0.0.1:$(cat "$T/port")/hooks/T0K3N"
	wait "$sink"
	t_eq "--webhook HTTP 500: exit 2" "$rc" 2
	t_check "--webhook HTTP 500: the reason" grep -q 'HTTP status 500' "$T/err"
	t_check "--webhook: the token is not printed" sh -c "! grep -q T0K3N '$T/err'"
	# --webhook-format: each body as its target reads it; report text
	# (a crafted result type) cannot format or mention
	for fmt in slack teams matrix discord; do
		: > "$T/port"
		"$SINK" --port-file "$T/port" --out "$T/$fmt.body" --status 200 --requests 1 &
		sink=$!
		i=0; while [ ! -s "$T/port" ] && [ "$i" -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
		alert spike --at 2026-07-16 --repeat-after 0 --webhook-format "$fmt" \
			--webhook "http://127.0.0.1:$(cat "$T/port")/hook"
		wait "$sink"
		t_eq "--webhook-format $fmt: exit 1" "$rc" 1
	done
	t_check "slack: text with the alert line" sh -c "jq -r .text '$T/slack.body' |
		grep -q '^- failure spike: example.com, MX mx1.example.com, certificate-expired: '"
	t_eq "slack: only the text field" "$(jq -c 'keys' "$T/slack.body")" '["text"]'
	t_eq "teams: a message with one Adaptive Card" \
		"$(jq -c '[.type, .attachments[0].contentType, .attachments[0].content.type, .attachments[0].content.body[0].type, .attachments[0].content.body[0].wrap]' "$T/teams.body")" \
		'["message","application/vnd.microsoft.card.adaptive","AdaptiveCard","TextBlock",true]'
	t_check "teams: Markdown characters escaped" sh -c "jq -r '.attachments[0].content.body[0].text' '$T/teams.body' |
		grep -qF 'failure spike: example\.com, MX mx1\.example\.com, certificate\-expired'"
	t_eq "matrix: m.room.message content" "$(jq -c '[.msgtype, (.body | test("^tlswatch: 1 alert"))]' "$T/matrix.body")" \
		'["m.text",true]'
	t_check "matrix: plain text, unescaped" sh -c "jq -r .body '$T/matrix.body' |
		grep -q '^- failure spike: example.com, MX mx1.example.com, certificate-expired: '"
	t_eq "discord: content, no mentions" "$(jq -c '[(.content | length <= 2000), .allowed_mentions.parse]' "$T/discord.body")" \
		'[true,[]]'
else
	t_fail "--webhook" "build/tools/webhook_sink missing (make build/tools/webhook_sink)"
fi
alert spike --at 2026-07-16 --repeat-after 0 --webhook "http://127.0.0.1:1/closed"
t_eq "--webhook refused: exit 2" "$rc" 2
t_check "--webhook refused: one line" test "$(wc -l < "$T/err")" -eq 1

# --- the configuration's [alert] section, and options over it
printf '[alert]\nmin_failures = 500\nrepeat_after = 0\n' > "$T/tlswatch.conf"
"$TLSWATCH" --config "$T/tlswatch.conf" --db "$T/spike.db" alert --at 2026-07-16 > "$T/out" 2>&1
t_eq "config min_failures = 500: silent" "$? $(wc -c < "$T/out")" "0 0"
"$TLSWATCH" --config "$T/tlswatch.conf" --db "$T/spike.db" alert --at 2026-07-16 \
	--min-failures 10 > "$T/out" 2>&1
t_eq "--min-failures over the config: alerts" "$?" 1
printf '[alert]\nwindow = 0\n' > "$T/bad.conf"
"$TLSWATCH" --config "$T/bad.conf" --db "$T/spike.db" alert > /dev/null 2> "$T/err"
t_eq "config window = 0: exit 2" "$?" 2
t_check "config error names the key" grep -q 'window' "$T/err"
# a count of sessions is not a count of days: no "d" (issue 15)
printf '[alert]\nmin_failures = 10d\n' > "$T/bad.conf"
"$TLSWATCH" --config "$T/bad.conf" --db "$T/spike.db" alert > /dev/null 2> "$T/err"
t_eq "config min_failures = 10d: exit 2" "$?" 2
t_check "config min_failures = 10d: says why" grep -q "min_failures: '10d' is not a decimal integer" "$T/err"

# --- errors
for args in "--window 0" "--window 1w" "--baseline x" "--factor abc" "--factor 0" \
	"--min-failures 0" "--min-failures 10d" "--min-failures +10" "--at 2026-02-30" \
	"--format xml" "--bogus" "--webhook-format xml"; do
	# shellcheck disable=SC2086
	alert spike $args
	t_eq "alert $args: exit 2" "$rc" 2
done
"$TLSWATCH" --db "$T/none.db" alert > /dev/null 2> "$T/err"
t_eq "missing database: exit 2" "$?" 2
t_check "missing database: not created" test ! -e "$T/none.db"
t_check "alert --help" sh -c "'$TLSWATCH' alert --help | grep -q -- '--repeat-after Nd'"
