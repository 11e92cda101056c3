#!/bin/sh
# web_overview_beside.sh - the overview reads the current alerts' series on
# a second handle of the pool, beside its summary (issue 18,
# web_app_beside_start), and only when one is free right now; the API's
# summary its days not in yet. The pages
# are the same byte for byte as a server with one handle serves them (it
# reads everything in turn); with the default pool the first / opens a
# second handle (so the series were read beside); with two handles and
# eight overviews at once, each answers (a request waiting for a second
# handle while holding one would wait for ever) with the page a lone
# request gets.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"

# d01.test .. d12.test, each failing for Google three days ago: 12 alerts
web_alerting_domains 12 late

PAGES="/ /?since=30d /?all=1 /?domain=d03.test /?domain=d03.test&domain=d07.test
/api/v1/summary /api/v1/summary?since=30d /api/v1/summary?domain=d03.test"
MANY="01 02 03 04 05 06 07 08"

# fetch FILE PAGES: web_fetch_pages, each request bounded (a deadlock
# fails the test instead of hanging it)
fetch() {
	for p in $2; do
		echo "== $p"
		curl -s -m 60 "$WEB_URL$p"
	done > "$1"
}

# stop: web_stop, bounded: a server whose threads wait for ever does not
# end on SIGTERM, so it is killed after 30 s and the test fails
stop() {
	(sleep 30 && kill -KILL "$WEB_PID" 2> /dev/null) &
	watchdog=$!
	web_stop
	kill "$watchdog" 2> /dev/null
	wait "$watchdog" 2> /dev/null
	t_eq "$1: the server ended on SIGTERM" "$WEB_RC" 0
}

# db_handles: the server's open descriptors of the database file itself
db_handles() {
	for f in /proc/"$WEB_PID"/fd/*; do
		[ "$(readlink "$f")" = "$T/db" ] && echo "$f"
	done | wc -l
}

# one handle: everything read in turn on the request's own
if TLSWATCH_WEB_READERS=1 web_start --db "$T/db" web --listen 127.0.0.1:0; then
	fetch "$T/one.txt" "$PAGES"
	for d in $MANY; do
		curl -s -m 60 -o "$T/one-$d" "$WEB_URL/?domain=d$d.test&since=14d"
	done
	t_eq "one handle: one opened" "$(db_handles)" 1
else
	t_fail "dashboard starts with one handle" "$(cat "$T/web.err")"
fi
stop "one handle"
t_check "one handle: sanitizer clean" web_sanitizer_clean
t_check "the overview lists the alerts" grep -q '^<li>new failure: d03\.test' "$T/one.txt"
t_eq "every page answered" "$(grep -c '^<h1>Overview</h1>' "$T/one.txt")" 5
t_check "the API's summary names the day not in yet" grep -q '"missing_reporters": "Microsoft Corporation"' "$T/one.txt"

# the default pool: the series read beside
if web_start --db "$T/db" web --listen 127.0.0.1:0; then
	curl -s -m 60 -o /dev/null "$WEB_URL/healthz"
	before=$(db_handles)
	fetch "$T/pool.txt" "$PAGES"
	t_eq "default pool: one handle before the overview" "$before" 1
	t_eq "default pool: a second one opened for the alerts' series" "$(db_handles)" 2
else
	t_fail "dashboard starts" "$(cat "$T/web.err")"
fi
stop "default pool"
t_check "default pool: sanitizer clean" web_sanitizer_clean
t_same "the same pages read beside as in turn" "$T/one.txt" "$T/pool.txt"

# two handles, eight overviews at once (none cached: each its own URL)
if TLSWATCH_WEB_READERS=2 web_start --db "$T/db" web --listen 127.0.0.1:0; then
	pids=
	for d in $MANY; do
		curl -s -m 60 -o "$T/two-$d" -w '%{http_code}\n' \
			"$WEB_URL/?domain=d$d.test&since=14d" > "$T/code-$d" &
		pids="$pids $!"
	done
	# the curls alone: the server runs in the background too
	wait $pids
	for d in $MANY; do
		t_eq "two handles, eight at once: d$d.test answered" "$(cat "$T/code-$d")" 200
		t_same "two handles, eight at once: d$d.test as alone" "$T/one-$d" "$T/two-$d"
	done
	t_eq "two handles: no more opened" "$(db_handles)" 2
else
	t_fail "dashboard starts with two handles" "$(cat "$T/web.err")"
fi
stop "two handles"
t_check "two handles: sanitizer clean" web_sanitizer_clean
