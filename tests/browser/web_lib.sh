# tests/browser/web_lib.sh - sourced by tests/integration/web_*.sh (after
# tests/lib.sh): a small deterministic corpus, and starting and stopping a
# real 'tlswatch web' on a free loopback port (port 0: the server picks one
# and prints its URL). Processes are stopped by their own pid.

WEB_PID=
WEB_URL=
WEB_INTAKE_URL=

# web_alerting_domains N: domains d01.test .. dN.test over the last 40
# days, each failing for Google three days ago (so N alerts; "many" of
# tests/golden/arrival_month.awk), ingested into $T/db. With "late" as
# the second argument, Microsoft's report of yesterday for d02.test is left
# out: a day not in yet.
web_alerting_domains() {
	today=$(($(date -u +%s) / 86400))
	mkdir "$T/r"
	awk -v dir="$T/r" -v first=$((today - 40)) -v days=40 -v bad=$((today - 3)) -v many="$1" \
		-f "$TOP/tests/golden/arrival_month.awk" || t_fail "reports written" "awk exit $?"
	# yesterday's report of Microsoft for d02.test not in yet
	[ "${2:-}" = late ] && rm "$T/r/$((today - 1)).m.d02.test.json"
	(cd "$T/r" && ls | xargs "$TLSWATCH" --db "$T/db" ingest) > /dev/null ||
		t_fail "ingest" "exit $?"
}

# web_corpus DB: 14 generated days (2026-03-01 .. 2026-03-14, two domains, a
# certificate-expired spike on mx1.example.com on 03-13), plus two reports
# whose strings are hostile: an organisation that is a script element, and
# one that needs escaping in Prometheus labels.
web_corpus() {
	"$GEN" --out "$T/gen" --seed 7 --start 2026-03-01 --days 14 --domains 2 \
		--spike "example.com,mx1.example.com,certificate-expired,2026-03-13,300" \
		--format gz > /dev/null || return 1
	"$TLSWATCH" --db "$1" ingest "$T"/gen/* > /dev/null || return 1
	cat > "$T/xss.json" <<'JSON'
{"organization-name":"<script>alert(1)</script>","date-range":{"start-datetime":"2026-03-12T00:00:00Z","end-datetime":"2026-03-12T23:59:59Z"},"contact-info":"<img src=x onerror=alert(2)>","report-id":"xss-1","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce","mx: <b>mx</b>.example.com"],"policy-domain":"example.com","mx-host":["mx1.example.com"]},"summary":{"total-successful-session-count":5,"total-failure-session-count":2},"failure-details":[{"result-type":"certificate-expired","sending-mta-ip":"198.51.100.7","receiving-mx-hostname":"mx1.example.com","failure-reason-code":"\"><svg onload=alert(3)>","failed-session-count":2}]}]}
JSON
	cat > "$T/quote.json" <<'JSON'
{"organization-name":"Evil \"Org\" \\ x","date-range":{"start-datetime":"2026-03-11T00:00:00Z","end-datetime":"2026-03-11T23:59:59Z"},"contact-info":"a@example.org","report-id":"quote-1","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.net"},"summary":{"total-successful-session-count":1,"total-failure-session-count":1},"failure-details":[{"result-type":"starttls-not-supported","receiving-mx-hostname":"mx9.example.net","failed-session-count":1}]}]}
JSON
	"$TLSWATCH" --db "$1" ingest "$T/xss.json" "$T/quote.json" > /dev/null
}

# web_start ARGS...: runs '$TLSWATCH ARGS' in the background and waits
# (bounded) until it prints its URL. 0 when it is serving.
web_start() {
	: > "$T/web.out"
	: > "$T/web.err"
	"$TLSWATCH" "$@" > "$T/web.out" 2> "$T/web.err" &
	WEB_PID=$!
	i=0
	while [ $i -lt 300 ]; do
		if grep -q 'dashboard on' "$T/web.out"; then
			WEB_URL=$(sed -n 's|^tlswatch web: dashboard on \(.*\)/$|\1|p' "$T/web.out")
			WEB_INTAKE_URL=$(sed -n 's|^tlswatch web: report intake on \(.*\)$|\1|p' "$T/web.out")
			return 0
		fi
		kill -0 "$WEB_PID" 2> /dev/null || { WEB_PID=; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# web_stop: SIGTERM, then the server's exit status in WEB_RC; stderr must
# hold no sanitizer report.
web_stop() {
	WEB_RC=none
	[ -n "$WEB_PID" ] || return
	kill -TERM "$WEB_PID" 2> /dev/null
	wait "$WEB_PID"
	WEB_RC=$?
	WEB_PID=
}

web_sanitizer_clean() {
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' "$T/web.err"; then
		# the report, for the test log
		grep -E -A30 'AddressSanitizer|LeakSanitizer|runtime error' "$T/web.err" | head -60 >&2
		return 1
	fi
	return 0
}

# web_fetch_pages FILE PAGES: each page of the space-separated list PAGES
# from the running server, each under a "== PAGE" line, into FILE.
web_fetch_pages() {
	for p in $2; do
		echo "== $p"
		curl -s "$WEB_URL$p"
	done > "$1"
}

# web_same_without_rollups DB WHAT EXPECT PAGES: PAGES answered by a server
# on DB (EXPECT found in them) and byte for byte the same from one that
# reads no roll-up (TLSWATCH_NO_ROLLUPS=1): WHAT names the check.
web_same_without_rollups() {
	web_start --db "$1" web --listen 127.0.0.1:0 && web_fetch_pages "$T/web-with.txt" "$4"
	web_stop
	TLSWATCH_NO_ROLLUPS=1 web_start --db "$1" web --listen 127.0.0.1:0 &&
		web_fetch_pages "$T/web-without.txt" "$4"
	web_stop
	t_check "dashboard answered" grep -q "$3" "$T/web-with.txt"
	if cmp -s "$T/web-with.txt" "$T/web-without.txt"; then
		t_pass "$2: the same with and without roll-ups"
	else
		t_fail "$2: the same with and without roll-ups" \
			"$(diff "$T/web-without.txt" "$T/web-with.txt" | head -8)"
	fi
}

# Stops a server left running when the test ends early.
web_cleanup() {
	if [ -n "$WEB_PID" ]; then
		kill -TERM "$WEB_PID" 2> /dev/null
		wait "$WEB_PID" 2> /dev/null
	fi
	rm -rf "$T"
}
trap web_cleanup EXIT
