#!/bin/sh
# Golden test: DANE results that arrive under an MX host's own name (sys4
# reporter, docs/quirks.md K6; docs/counting.md rule 5) are shown under
# each domain the host serves, "DANE results at your MX hosts", and never
# added into a domain's totals: the whole store still counts every session
# once. The MX -> domain mapping comes from other reports' sts mx-host
# lists (exact and "*." patterns) and from the MX set 'tlswatch check'
# stored (check_result). Data: tests/data/postfix/mx (make_data.py there);
# every figure below is counted by hand from those files:
#   sys4-mx.apex.example.json    tlsa mx.apex.example     7 ok, 2 failed
#                                (tlsa-invalid 1, certificate-host-mismatch 1)
#   sys4-mx1.relay.example.json  tlsa mx1.relay.example   4 ok, 1 failed (tlsa-invalid)
#   sys4-mx.hosted.example.json  tlsa mx.hosted.example   5 ok
#   reporter-apex-other.json     sts apex.example 20 / 0, mx-host mx.apex.example;
#                                sts other.example 10 / 1, mx-host mx.apex.example
#                                and *.relay.example
# third.example has no report at all: only a stored check names its MX,
# mx.hosted.example.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
t_dkim_off # not a trust test: unsigned files (docs/trust.md)
cd "$T"
D="$DATA/postfix/mx"
DB="$T/mx.db"
P="--since 2026-11-30 --until 2026-12-01"

"$TLSWATCH" --db "$DB" ingest "$D"/*.json > /dev/null 2> err
t_eq "four reports stored" "$?:$(t_sql "$DB" "select count(*) from report")" "0:4"
# what 'tlswatch check third.example' stores (no DNS in tests): its MX set
t_sql "$DB" "insert into check_result (domain, checked_at, status, mx)
	values ('third.example', 1796169600, 'ok', '10 mx.hosted.example')"

# counted once: the whole store, and each MX host under its own name
# (7+4+5 DANE + 20+10 sts = 46 ok; 2+1+1 = 4 failed)
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary $P --format json > all.json
t_eq "all domains: every session once" \
	"$(jq -c '[.totals.successful_sessions, .totals.failed_sessions]' all.json)" "[46,4]"
t_eq "all domains: the section needs a domain filter" "$(jq -c 'has("dane_at_mx")' all.json)" false
t_eq "all domains: DANE results under the MX's own name" \
	"$(jq -c '[.by_domain[] | select(.policy_domain | startswith("mx")) |
		[.policy_domain, .successful_sessions, .failed_sessions]] | sort' all.json)" \
	'[["mx.apex.example",7,2],["mx.hosted.example",5,0],["mx1.relay.example",4,1]]'

# two domains served by one MX host: shown under each, once each, not in
# the domains' totals (20+10 / 0+1)
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary $P --domain apex.example --domain other.example \
	--format json > two.json
t_eq "two domains: totals keep only their own sessions" \
	"$(jq -c '[.totals.reports, .totals.successful_sessions, .totals.failed_sessions]' two.json)" \
	"[1,30,1]"
t_eq "two domains: DANE results at their MX hosts" \
	"$(jq -c '[.dane_at_mx[] | [.policy_domain, .mx_host, .reports, .successful_sessions,
		.failed_sessions, .domains_shown, .in_domain_totals, .counted_under, .known_from]]' two.json)" \
	'[["apex.example","mx.apex.example",1,7,2,2,false,"mx.apex.example",["reports"]],["other.example","mx.apex.example",1,7,2,2,false,"mx.apex.example",["reports"]],["other.example","mx1.relay.example",1,4,1,1,false,"mx1.relay.example",["reports"]]]'
t_eq "two domains: result types at the MX" \
	"$(jq -c '[.dane_at_mx[] | [.mx_host, [.by_result_type[] | .result_type, .failed_sessions]]]' two.json)" \
	'[["mx.apex.example",["certificate-host-mismatch",1,"tlsa-invalid",1]],["mx.apex.example",["certificate-host-mismatch",1,"tlsa-invalid",1]],["mx1.relay.example",["tlsa-invalid",1]]]'
t_eq "nothing left out" "$(jq -c '[.dane_at_mx_more, .dane_at_mx_domains_more]' two.json)" "[0,0]"
# each filtered domain costs a read of a week of reports: past 16 they are
# counted, not read (LIMIT_MXDANE_DOMAINS); the first 16 still are
many=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do many="$many --domain d$i.example"; done
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary $P --domain apex.example $many --format json > many.json
t_eq "17 domains: the first 16 read, one counted" \
	"$(jq -c '[[.dane_at_mx[] | .mx_host], .dane_at_mx_domains_more]' many.json)" \
	'[["mx.apex.example"],2]'

# one domain at a time: the same figures, the host shown once
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary $P --domain APEX.example. --format json > apex.json
t_eq "apex.example alone (as a domain: case, root dot)" \
	"$(jq -c '[.totals.successful_sessions, .totals.failed_sessions, [.dane_at_mx[] |
		.mx_host, .successful_sessions, .failed_sessions, .domains_shown]]' apex.json)" \
	'[20,0,["mx.apex.example",7,2,1]]'

# resolved only from the stored check: third.example has no report
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary $P --domain third.example --format json > third.json
t_eq "third.example: known from DNS only, its totals stay empty" \
	"$(jq -c '[.totals.reports, .totals.successful_sessions, [.dane_at_mx[] | .mx_host,
		.known_from, .reports, .successful_sessions, .failed_sessions]]' third.json)" \
	'[0,0,["mx.hosted.example",["dns"],1,5,0]]'

# the MX host's own page has no such section: it is no domain it serves
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary $P --domain mx.apex.example --format json > mx.json
t_eq "the MX host's own figures" \
	"$(jq -c '[.totals.successful_sessions, .totals.failed_sessions, .dane_at_mx]' mx.json)" \
	"[7,2,[]]"

# text, as cron mails it
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary $P --domain apex.example --domain other.example > two.txt
t_check "text: the section" grep -q "^DANE RESULTS AT YOUR MX HOSTS" two.txt
t_check "text: not in the totals, said so" grep -q "NOT in the domain's totals above" two.txt
t_check "text: mx.apex.example under other.example" \
	sh -c "sed -n '/^DANE/,/^\$/p' two.txt | sed -n '/^  other.example/,\$p' |
		grep -q '^    mx.apex.example  *1  *7  *2  *77.78%'"
t_check "text: shown under both, counted once" grep -q "shown under 2 domains" two.txt
t_check "text: result types" grep -q "failed: certificate-host-mismatch 1, tlsa-invalid 1" two.txt

# HTML summary
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary $P --domain third.example --format html > third.html
t_check "html: the section" grep -q "<h2>DANE results at your MX hosts</h2>" third.html
t_check "html: the host's row" grep -q "<td>third.example</td><td>mx.hosted.example</td>" third.html

# the dashboard's domain page and its API
if web_start --db "$DB" web --listen 127.0.0.1:0; then
	curl -s "$WEB_URL/?since=2026-11-30&until=2026-12-01&domain=other.example" > page.html
	curl -s "$WEB_URL/api/v1/summary?since=2026-11-30&until=2026-12-01&domain=other.example" \
		> api.json
	curl -s "$WEB_URL/?since=2026-11-30&until=2026-12-01" > all.html
	web_stop
	t_check "dashboard: the domain page shows the MX hosts" \
		grep -q '<table id="dane-at-mx"' page.html
	t_check "dashboard: linked to the MX host's own page" \
		grep -q 'href="/?[^"]*domain=mx1.relay.example' page.html
	t_check "dashboard: the note says where it counts" \
		grep -q 'counted under mx1.relay.example; MX known from reports; failed: tlsa-invalid 1' \
		page.html
	t_check "dashboard: not on the all-domain page" sh -c '! grep -q dane-at-mx all.html'
	t_eq "API: as the CLI's JSON" \
		"$(jq -c '[.dane_at_mx[] | [.mx_host, .successful_sessions, .failed_sessions]]' api.json)" \
		'[["mx.apex.example",7,2],["mx1.relay.example",4,1]]'
else
	t_fail "dashboard started" "$(head -3 "$T/web.err")"
fi
t_check "db check: aggregates agree" "$TLSWATCH" --db "$DB" db check
