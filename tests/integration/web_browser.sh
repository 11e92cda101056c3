#!/bin/sh
# The dashboard in real headless Chromium (Debian's chromium, driven by
# playwright-core from npm: tests/browser/): the overview shows the totals
# sqlite3 finds in the database, the chart is drawn, a filter narrows the
# numbers, clicks reach the reports behind a number, a hostile organisation
# name renders as text with no dialog, the console shows no error or CSP
# violation, pages fit a phone. Screenshots: tests/out/screenshots/.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
cd "$T"
DB="$T/web.db"
B="$TOP/tests/browser"

# playwright-core as locked in package-lock.json (npm ci when it is not)
want=$(jq -r '.packages["node_modules/playwright-core"].version' "$B/package-lock.json")
have=$(jq -r .version "$B/node_modules/playwright-core/package.json" 2> /dev/null)
if [ "$have" != "$want" ]; then
	(cd "$B" && npm ci --no-audit --no-fund > "$T/npm.log" 2>&1) ||
		{ t_fail "npm ci" "$(tail -5 "$T/npm.log")"; exit 0; }
fi

web_corpus "$DB"
t_eq "corpus stored" "$?" 0
# one refused input, to be listed on the quarantine page
printf '{"organization-name": "Broken"}\r\n{\r\n  "x": 1\r\n}\r\n' > broken.json
# a report for a 60-byte policy domain (the list once cut names at 13)
export LONG_DOMAIN=a-rather-long-policy-domain-name.mail-department.example.org
sed "s/\"xss-1\"/\"long-1\"/; s/\"example.com\"/\"$LONG_DOMAIN\"/; s/<script>alert(1)<.script>/Long Org/" "$T/xss.json" > long.json
"$TLSWATCH" --db "$DB" ingest long.json > /dev/null
"$TLSWATCH" --db "$DB" ingest broken.json 2> /dev/null
printf 'alice:%s\n' "$(openssl passwd -6 'browser pass')" > users
chmod 600 users

# what the pages must show, from the database itself
in_period="day >= 20513 and day < 20527" # 2026-03-01 .. 2026-03-14
export EXP_REPORTS=$(t_sql "$DB" "select count(*) from report where $in_period")
export EXP_SUCCESSFUL=$(t_sql "$DB" "select sum(successful_sessions) from report where $in_period")
export EXP_FAILED=$(t_sql "$DB" "select sum(failed_sessions) from report where $in_period")
export EXP_NET_REPORTS=$(t_sql "$DB" "select count(distinct r.id) from report r join policy p on p.report = r.id where r.$in_period and p.policy_domain = 'example.net'")
export EXP_DAYS=14 SINCE=2026-03-01 UNTIL=2026-03-15 SPIKE_DAY=2026-03-13
export XSS_ID=$(t_sql "$DB" "select id from report where report_id = 'xss-1'")
export QUARANTINE_REASON=$(t_sql "$DB" "select reason from quarantine limit 1")
export QUARANTINE_ID=$(t_sql "$DB" "select id from quarantine limit 1")
export WEB_USER=alice WEB_PASS='browser pass'
export SHOTS="${TESTS_OUT:-$TOP/tests/out}/screenshots"

if ! web_start --db "$DB" web --listen 127.0.0.1:0 --auth-file users; then
	t_fail "dashboard starts" "$(cat "$T/web.err")"
	exit 0
fi
export BASE="$WEB_URL"
node "$B/dashboard.mjs" > browser.out 2> browser.err
rc=$?
t_eq "browser run exit 0" "$rc" 0
[ -s browser.out ] || t_fail "browser checks ran" "$(tail -20 browser.err)"
while IFS= read -r line; do
	case "$line" in
	"pass "*) t_pass "${line#pass }" ;;
	"FAIL "*) name=${line#FAIL }; t_fail "${name%%: *}" "${name#*: }" ;;
	*) [ -n "$line" ] && t_fail "browser output" "$line" ;;
	esac
done < browser.out
web_stop
t_eq "server stops cleanly" "$WEB_RC" 0
web_sanitizer_clean
t_eq "server: no sanitizer report" "$?" 0
