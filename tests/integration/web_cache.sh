#!/bin/sh
# The dashboard's response cache (web/cache.c) over real HTTP: a page asked
# twice is the same bytes; once another process commits to the database
# ('tlswatch ingest', 'tlswatch db prune'), the next request shows the new
# data, equal to what the CLI prints then; pages and the API agree with
# each other after every change; keep-alive (a second request reuses the
# connection) and a request body sent to a page still get their answers.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
cd "$T"
DB="$T/web.db"
P="since=2026-03-01&until=2026-03-15"
CLI="--since 2026-03-01 --until 2026-03-15"

web_corpus "$DB"
t_eq "corpus stored" "$?" 0
if ! web_start --db "$DB" web --listen 127.0.0.1:0; then
	t_fail "dashboard starts" "$(cat "$T/web.err")"
	exit 0
fi

get() { curl -s -o "$2" -w '%{http_code}' "$WEB_URL$1"; }
# cli_same NAME: the API document equals 'summary --format json' now
cli_same() {
	# shellcheck disable=SC2086
	"$TLSWATCH" --db "$DB" summary --format json $CLI > cli.json
	get "/api/v1/summary?$P" api.json > /dev/null
	if cmp -s cli.json api.json; then
		t_pass "$1"
	else
		t_fail "$1" "$(diff cli.json api.json | head -5)"
	fi
}

t_eq "first request" "$(get "/api/v1/summary?$P" a1.json)" 200
t_eq "second request" "$(get "/api/v1/summary?$P" a2.json)" 200
t_check "the same bytes twice" cmp a1.json a2.json
cli_same "API equals the CLI"
reports1=$(jq .totals.reports a1.json)
get "/?$P" o1.html > /dev/null
ORG="org=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
get "/reports?$P&$ORG" r1.html > /dev/null

# another process commits one more report in the period
sed 's/"xss-1"/"cache-1"/' "$T/xss.json" > new.json
"$TLSWATCH" --db "$DB" ingest new.json > /dev/null
t_eq "new report stored" "$?" 0
get "/api/v1/summary?$P" a3.json > /dev/null
t_eq "the API shows the new report" "$(jq .totals.reports a3.json)" "$((reports1 + 1))"
cli_same "API equals the CLI after an ingest"
get "/?$P" o2.html > /dev/null
if cmp -s o1.html o2.html; then
	t_fail "the overview changes after an ingest" "same bytes as before"
else
	t_pass "the overview changes after an ingest"
fi
get "/reports?$P&$ORG" r2.html > /dev/null
t_eq "the report list shows the new report" \
	"$(grep -c 'cache-1' r1.html) $(grep -c 'cache-1' r2.html)" "0 1"
id=$(t_sql "$DB" "select id from report where report_id = 'cache-1'")
t_eq "the new report's page" "$(get "/reports/$id" rep.html)" 200

# a request for every page of a second handle's worth, then a change:
# whichever pooled handle serves the next request sees it
pids=
for i in 1 2 3 4 5 6; do
	get "/api/v1/summary?$P" /dev/null > /dev/null &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
"$TLSWATCH" --db "$DB" db prune --before 2026-03-12 > /dev/null
t_eq "prune" "$?" 0
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" summary --format json $CLI > cli.json
for i in 1 2 3 4 5 6; do
	get "/api/v1/summary?$P" "p$i.json" > /dev/null
	cmp -s cli.json "p$i.json" || break
done
t_eq "after a prune, every request equals the CLI" "$i" 6

# keep-alive: curl's second transfer reuses the first one's connection
t_eq "keep-alive" "$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' \
	"$WEB_URL/healthz" "$WEB_URL/?$P")" "1 0 "
t_eq "HEAD" "$(curl -s -o /dev/null -w '%{http_code}' -I "$WEB_URL/?$P")" 200
t_eq "a body sent to a page: 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
	--data-binary @new.json "$WEB_URL/")" 405
t_eq "a GET with a body still answered" "$(curl -s -o /dev/null -w '%{http_code}' -X GET \
	--data-binary @new.json "$WEB_URL/healthz")" 200

web_stop
t_eq "server: exit 0" "$WEB_RC" 0
web_sanitizer_clean
t_eq "server: no sanitizer report" "$?" 0

# the intake writes in the same process, through its own connection: the
# next page shows what it stored
if ! web_start --db "$DB" web --listen 127.0.0.1:0 --intake; then
	t_fail "intake server starts" "$(cat "$T/web.err")"
	exit 0
fi
get "/api/v1/summary?$P" i1.json > /dev/null
sed 's/"xss-1"/"cache-intake"/' "$T/xss.json" > intake.json
t_eq "intake POST" "$(curl -s -o /dev/null -w '%{http_code}' \
	-H 'Content-Type: application/tlsrpt+json' --data-binary @intake.json "$WEB_INTAKE_URL")" 201
get "/api/v1/summary?$P" i2.json > /dev/null
t_eq "the API shows the intake's report" "$(jq .totals.reports i2.json)" \
	"$(($(jq .totals.reports i1.json) + 1))"
cli_same "API equals the CLI after an intake POST"
web_stop
t_eq "intake server: exit 0" "$WEB_RC" 0
web_sanitizer_clean
t_eq "intake server: no sanitizer report" "$?" 0
