#!/bin/sh
# published.sh - published vs reported (docs/check.md) on generated reports
# whose policy strings change over the month: the generator moves
# example.com from testing to enforce on 2026-10-16 (--policy-change; each
# sender catches up after its own delay, Comcast only after max_age), and
# two stored 'tlswatch check' results say what was published when. The
# summary, the alert kinds and 'check --history' must tell the story.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"

DB=$T/pub.db
"$GEN" --out "$T/r" --seed 3 --start 2026-10-02 --days 30 --domains 3 --format gz \
	--policy-change example.com,2026-10-16 > /dev/null || t_fail "generator" "exit $?"
"$TLSWATCH" --db "$DB" ingest "$T"/r/* > /dev/null 2>&1
t_eq "corpus stored" "$?" 0
"$GEN" --out "$T/x" --policy-change example.org,2026-10-16 --domains 1 > "$T/gerr" 2>&1
t_eq "generator: --policy-change of a domain not generated is refused" "$?" 2

# two checks: testing on 2026-10-02, enforce (a new id) on 2026-10-16;
# what 'tlswatch check' stores (schema/011), written directly
body() { printf "'version: STSv1' || char(10) || 'mode: %s' || char(10) || 'mx: mx1.example.com' || char(10) || 'mx: mx2.example.com' || char(10) || 'max_age: 604800' || char(10)" "$1"; }
mx="'10 mx1.example.com' || char(10) || '20 mx2.example.com' || char(10)"
t_sql "$DB" "INSERT INTO check_result (domain, checked_at, status, sts_id, sts_mode,
	sts_max_age, sts_body, mx, certs, tlsa) VALUES
	('example.com', strftime('%s', '2026-10-02 12:00:00'), 'ok', '20261002', 'testing', 604800,
	 $(body testing), $mx, '', ''),
	('example.com', strftime('%s', '2026-10-16 12:00:00'), 'ok', '20261016', 'enforce', 604800,
	 $(body enforce), $mx, '', '')"

"$TLSWATCH" --db "$DB" check --history example.com > "$T/h"
t_eq "history: two lines" "$(wc -l < "$T/h" | tr -d ' ')" 2
t_check "history: the change, with its day" grep -q \
	"^example.com: 2026-10-16T12:00:00Z MTA-STS id changed from 20261002 to 20261016; mode testing -> enforce$" "$T/h"
# the same as JSON: one object per domain with its changes
"$TLSWATCH" --db "$DB" check --history --format json example.com example.net > "$T/hj"
t_eq "history json: exit 1, example.net never checked" "$?" 1
t_eq "history json: each domain, its runs and changes" \
	"$(jq -c '[.domains[] | [.domain, .runs, [.changes[] | [.checked_at, .sts_id, .sts_mode, .sts_max_age]]]]' "$T/hj")" \
	'[["example.com",2,[["2026-10-02T12:00:00Z","20261002","testing",604800],["2026-10-16T12:00:00Z","20261016","enforce",604800]]],["example.net",0,[]]]'
t_eq "history json: the change, as the text says it" "$(jq -r '.domains[0].changes[1].changes' "$T/hj")" \
	"MTA-STS id changed from 20261002 to 20261016; mode testing -> enforce"

# as of the end of the period: mid-change, most senders still hold the
# testing policy, within max_age
"$TLSWATCH" --db "$DB" summary --since 2026-10-02 --until 2026-10-19 > "$T/sum"
t_check "summary: the section, for the checked domain only" sh -c \
	"grep -q '^  example.com: MTA-STS enforce id 20261016' '$T/sum' && ! grep -q '^  example.net:' '$T/sum'"
t_check "summary: reporters within max_age, one line" grep -q \
	"drift  *17 reporters still apply a policy no longer published (Comcast, mx.isp-13.test, mx.isp-16.test and more): expected while their caches last, until 2026-10-23 at most" \
	"$T/sum"
t_check "summary: no stale policy yet" sh -c "! grep -q stale-policy '$T/sum'"
# on 2026-10-27 Comcast still applies it, past max_age
"$TLSWATCH" --db "$DB" summary --since 2026-10-02 --until 2026-10-28 > "$T/sum"
t_check "summary: Comcast applied the testing policy past its max_age" grep -q \
	"stale-policy  *Comcast still applied mode testing (published: enforce) on 2026-10-27: changed 2026-10-16, its cache should have expired by 2026-10-23 (max_age 604800)" \
	"$T/sum"
t_check "summary: the others caught up: no drift line" sh -c "! grep -q '^    drift' '$T/sum'"
# by November everyone applies the new policy
"$TLSWATCH" --db "$DB" summary --since 2026-10-02 --until 2026-11-01 > "$T/sum"
t_check "summary: all caught up by the month's end" grep -q "^    nothing to note" "$T/sum"
# the JSON summary carries the same section, key "published"
"$TLSWATCH" --db "$DB" summary --since 2026-10-02 --until 2026-11-01 --format json > "$T/j"
t_check "summary --format json: still one JSON document" jq -e .totals "$T/j"
t_eq "summary json: the checked domain only, nothing to note by November" \
	"$(jq -c '[.published[] | [.domain, .sts_mode, .sts_id, .checked_at, (.notes | length)]]' "$T/j")" \
	'[["example.com","enforce","20261016","2026-10-16T12:00:00Z",0]]'
"$TLSWATCH" --db "$DB" summary --since 2026-10-02 --until 2026-10-28 --format json > "$T/j"
t_eq "summary json: Comcast's stale policy, an alert, with its organisation and day" \
	"$(jq -c '[.published[0].notes[] | select(.kind == "stale-policy") | [.alert, .organization, .day]]' "$T/j")" \
	'[[true,"Comcast","2026-10-27"]]'
"$TLSWATCH" --db "$DB" summary --since 2026-10-02 --until 2026-10-28 --format html > "$T/s.html"
t_check "summary html: the section, Comcast's stale policy in it" sh -c \
	"grep -q '<h2>Published vs reported</h2>' '$T/s.html' && grep -q '<li><b>stale-policy</b> Comcast still applied mode testing' '$T/s.html'"
"$TLSWATCH" --db "$DB" summary --since 2026-10-02 --until 2026-10-19 --format json > "$T/j"
t_check "summary json: the drift note, as the text says it" jq -e \
	'.published[0].notes | map(select(.kind == "drift" and .alert == false and (.text | startswith("17 reporters still apply a policy no longer published")))) | length == 1' \
	"$T/j"

"$TLSWATCH" --db "$DB" alert --at 2026-10-27 > "$T/al"
t_eq "alert: exit 1" "$?" 1
t_check "alert: stale-policy for Comcast" grep -q \
	"stale-policy: example.com: Comcast still applied mode testing (published: enforce) on 2026-10-27" "$T/al"
"$TLSWATCH" --db "$DB" alert --at 2026-10-20 > "$T/al"
t_check "alert: not before max_age has passed" sh -c "! grep -q 'stale-policy' '$T/al'"

# /api/v1/summary writes the same document, section included
"$TLSWATCH" --db "$DB" summary --since 2026-10-02 --until 2026-10-28 --format json > "$T/cli.json"
if web_start --db "$DB" web --listen 127.0.0.1:0; then
	curl -s -o "$T/api.json" "$WEB_URL/api/v1/summary?since=2026-10-02&until=2026-10-28"
	t_check "api summary: the published section, as the CLI's" sh -c \
		"jq -e '.published[0].notes | length > 0' '$T/api.json' > /dev/null && cmp -s '$T/cli.json' '$T/api.json'"
	web_stop
	t_check "api summary: no sanitizer report" web_sanitizer_clean
else
	t_fail "dashboard starts" "$(cat "$T/web.err")"
fi
