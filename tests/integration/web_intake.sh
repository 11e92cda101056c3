#!/bin/sh
# web_intake.sh - the intake under abuse (issue 13): the hostile POST shapes
# (9,000 MX names; 4,096 policy domains of 2,000 bytes) are refused naming
# the field, the largest accepted shapes are stored, and then every page and
# API answer is 200 and under 1 MiB; a large refused POST keeps its first
# 64 KiB and the SHA-256 of all of it; per-client rate and day budgets
# answer 429 with Retry-After; a full quarantine keeps records without
# bytes; 'quarantine delete' and 'prune'; slow clients (headers or body one
# byte at a time) are cut at the request deadline, and one address cannot
# starve the intake listener for another.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
cd "$T"
DB="$T/intake.db"
DAY=$(date -u +%F)

# post FILE [CURL-ARGS...]: the status of a gzip'd POST to the intake
post() {
	f=$1
	shift
	gzip -c "$f" > "$f.gz"
	curl -s -o body -D headers -w '%{http_code}' -H 'Content-Type: application/tlsrpt+gzip' \
		--data-binary @"$f.gz" "$@" "$WEB_INTAKE_URL"
}
# post_json FILE [CURL-ARGS...]: the same, uncompressed
post_json() {
	f=$1
	shift
	curl -s -o body -D headers -w '%{http_code}' -H 'Content-Type: application/tlsrpt+json' \
		--data-binary @"$f" "$@" "$WEB_INTAKE_URL"
}
header() { sed -n "s/^$1: //Ip" headers | tr -d '\r'; }

node "$TOP/tests/browser/hostile.mjs" "$T" "$DAY" || t_fail "hostile shapes" "node failed"
"$TLSWATCH" --db "$DB" ingest /dev/null > /dev/null 2>&1 # creates the database
cat > conf <<CONF
[web]
request_timeout = 3
intake_rate = 8
CONF
if ! web_start --db "$DB" --config conf web --listen 127.0.0.1:0 --intake; then
	t_fail "intake starts" "$(cat "$T/web.err")"
	exit 0
fi
trap 'web_cleanup' EXIT

# --- hostile shapes: refused with the field named, kept in quarantine
t_eq "9,000 MX names: 400" "$(post mx9000.json)" 400
t_check "9,000 MX names: says why" grep -q '9000 distinct receiving-mx-hostname values, more than 2000' body
t_eq "4,096 long domains: 400" "$(post dom4096.json)" 400
t_check "4,096 long domains: names the field" grep -q 'policies\[0\]\.policy\.policy-domain: host name longer than 253 bytes' body
t_eq "2,000 MX of 253 bytes: stored" "$(post mxmax.json)" 201
t_eq "1,000 domains of 253 bytes: stored" "$(post dommax.json)" 201
t_eq "both refusals in quarantine" "$(t_sql "$DB" "select count(*) from quarantine where kind = 'https'")" 2

# --- then every page is 200 and bounded (all=1: every report there is)
mx=$(t_sql "$DB" "select id from report where report_id = 'mxmax'")
dom=$(t_sql "$DB" "select id from report where report_id = 'dommax'")
for path in "/?all=1" "/failures?all=1" "/failures?all=1&group_by=mx" \
	"/failures?all=1&group_by=domain" "/failures?all=1&group_by=organization" \
	"/failures?all=1&group_by=sending_ip" "/reports?all=1" "/reports/$mx" "/reports/$dom" \
	"/reports/$dom?page=20" /quarantine /metrics "/api/v1/summary?all=1" \
	"/api/v1/timeseries?all=1" "/api/v1/failures?all=1&group_by=mx" \
	"/api/v1/failures?all=1&group_by=domain" "/api/v1/reports?all=1" "/api/v1/reports/$mx" \
	"/api/v1/reports/$dom"; do
	got=$(curl -s -o page -w '%{http_code} %{size_download}' "$WEB_URL$path")
	# /metrics: its series are cut at LIMIT_WEB_METRICS_BYTES (2 MiB)
	max=1048576
	[ "$path" = /metrics ] && max=$((2097152 + 65536))
	case "$got" in
	"200 "*) if [ "${got#200 }" -lt "$max" ]; then t_pass "GET $path: 200, ${got#200 } bytes"
		else t_fail "GET $path: bounded" "got ${got#200 } bytes, want < $max"; fi ;;
	*) t_fail "GET $path: 200" "got '$got'" ;;
	esac
done
curl -s "$WEB_URL/api/v1/failures?all=1&group_by=mx&page=2" > f.json
t_eq "failure groups are paged" "$(jq -c '[.total, .page, .page_size, (.groups | length)]' f.json)" \
	"[3000,2,50,50]"
curl -s "$WEB_URL/api/v1/reports?all=1" > r.json
t_eq "a report's domains listed 20, the rest counted" \
	"$(jq -c ".reports[] | select(.report_id == \"dommax\") | [(.policy_domains | length), .policy_domains_more]" r.json)" \
	"[20,980]"
curl -s "$WEB_URL/api/v1/reports/$dom?page=2" > d.json
t_eq "a large report's API document is cut, saying what was left out" \
	"$(jq -c '[(.policies | length), .raw_json, .truncated.policies_total, .truncated.page]' d.json)" \
	"[50,null,1000,2]"
curl -s "$WEB_URL/reports/$dom" > p.html
t_check "a report's page pages its policies" grep -q '1&ndash;50 of 1,000' p.html
curl -s "$WEB_URL/metrics" > m.txt
# 3,000 series of failures, each over 500 bytes: the family stops at its
# part of the 2 MiB, says so in a comment Prometheus ignores, and counts
# the rest; written + dropped = all
n=$(grep -c '^tlswatch_failed_sessions_total{' m.txt)
dropped=$(sed -n 's/^tlswatch_metrics_series_dropped{family="tlswatch_failed_sessions_total"} //p' m.txt)
t_check "metrics: failures cut by bytes ($n written, ${dropped:-none} dropped)" \
	test "$n" -gt 500 -a "$((n + ${dropped:-0}))" -eq 3000
t_check "metrics: the cut is marked by a comment" \
	grep -q "^# tlswatch: truncated: $dropped series of tlswatch_failed_sessions_total left out past [0-9]* bytes" m.txt
t_eq "metrics: no family past the budget without its marker" \
	"$(grep -c '^tlswatch_metrics_series_dropped{' m.txt)" "$(grep -c '^# tlswatch: truncated:' m.txt)"
"$TLSWATCH" --db "$DB" summary --format html > s.html
t_eq "summary --format html: exit 0" "$?" 0

# --- a large refused POST keeps its first 64 KiB and the SHA-256 of the whole
{ printf '{"x":"'; head -c 2000000 /dev/zero | tr '\0' a; printf '"}'; } > big.json
t_eq "2 MB refused POST: 400" "$(post_json big.json)" 400
q=$(t_sql "$DB" "select id from quarantine where size = 2000008")
t_eq "kept: 65536 of 2000008 bytes, truncated" \
	"$(t_sql "$DB" "select length(data) || ' ' || size || ' ' || truncated from quarantine where id = $q")" \
	"65536 2000008 1"
t_eq "its SHA-256 is of the whole body" \
	"$("$TLSWATCH" --db "$DB" quarantine show "$q" | sed -n 's/^sha256: *//p')" \
	"$(sha256sum < big.json | cut -d' ' -f1)"

# --- rate: 8 a minute from one client, then 429 with Retry-After
sed 's/"report-id":"mxmax"/"report-id":"R"/' mxmax.json > small.json
n=0
while [ $n -lt 8 ]; do
	c=$(post small.json)
	[ "$c" = 429 ] && break
	n=$((n + 1))
done
t_eq "rate: a minute's worth, then 429" "$c" 429
t_check "429 says when to retry" test -n "$(header Retry-After)"
t_check "429 says why" grep -q 'more than 8 reports a minute from this client' body
t_eq "another address is still served" "$(post small.json --interface 127.0.0.2)" 200

# --- slow clients: cut at the 3 s request deadline, headers or body
out=$(node "$TOP/tests/browser/slowclient.mjs" "${WEB_URL##*:}" 4 headers)
case "$out" in "closed=4 of 4, refused=0, longest="[2-6]) t_pass "slow headers cut at the deadline ($out)" ;;
*) t_fail "slow headers cut at the deadline" "got '$out'" ;; esac
out=$(node "$TOP/tests/browser/slowclient.mjs" "${WEB_URL##*:}" 4 body 127.0.0.5)
case "$out" in "closed=4 of 4, refused=0, longest="[2-6]) t_pass "slow body cut at the deadline ($out)" ;;
*) t_fail "slow body cut at the deadline" "got '$out'" ;; esac
web_stop
t_eq "server: exit 0" "$WEB_RC" 0
t_check "server: no sanitizer report" web_sanitizer_clean

# --- one address cannot starve the intake listener: 20 slow connections
# from 127.0.0.1 (16 held, 4 refused), a report from 127.0.0.2 is stored
cat > conf2 <<CONF
[web]
request_timeout = 8
intake_client_bytes = 3000000
[quarantine]
max_bytes = 1
CONF
if web_start --db "$DB" --config conf2 web --listen 127.0.0.1:0 --intake --intake-listen 127.0.0.1:0; then
	port=${WEB_INTAKE_URL##*:}
	node "$TOP/tests/browser/slowclient.mjs" "${port%%/*}" 20 body > slow.out 2>&1 &
	slow=$!
	sleep 2
	sed 's/"report-id":"mxmax"/"report-id":"other"/' mxmax.json > other.json
	t_eq "a sender from another address: stored" "$(post other.json --interface 127.0.0.2)" 201
	wait $slow
	case "$(cat slow.out)" in "closed=20 of 20, refused=4, longest="[7-9]|"closed=20 of 20, refused=4, longest=1"[0-2]) t_pass "slow clients: 16 held to the deadline, 4 refused" ;;
	*) t_fail "slow clients: 16 held, 4 refused" "got '$(cat slow.out)'" ;; esac
	# the day budget of one client: 3,000,000 bytes
	t_eq "day budget: the first report fits" "$(post other.json --interface 127.0.0.3)" 200
	head -c 3200000 /dev/urandom > noise.bin
	t_eq "day budget: past it, 429" "$(curl -s -o body -D headers -w '%{http_code}' -H 'Content-Type: application/tlsrpt+gzip' --data-binary @noise.bin --interface 127.0.0.3 "$WEB_INTAKE_URL")" 429
	t_check "day budget: says why" grep -q "this client's reports today would pass 3000000 bytes" body
	t_check "day budget: says when" test "$(header Retry-After)" -le 86400
	# what a body inflates to counts: 0.1 MB of gzip holding 6 MB of JSON
	t_eq "day budget: counted inflated" "$(post inflate.json --interface 127.0.0.6)" 429
	t_check "day budget: inflated, says why" grep -q "this client's reports today would pass 3000000 bytes" body
	t_eq "day budget: nothing stored" "$(t_sql "$DB" "select count(*) from report where report_id = 'inflate'")" 0
	# the quarantine is over max_bytes: a refused POST keeps its record only
	sed 's/^{"x"/{"y"/' big.json > big2.json
	t_eq "full quarantine: refused" "$(post_json big2.json --interface 127.0.0.4)" 400
	t_eq "full quarantine: record without bytes" \
		"$(t_sql "$DB" "select length(data) || ' ' || size from quarantine where id = (select max(id) from quarantine)")" \
		"0 2000008"
	web_stop
	t_eq "intake listener: exit 0" "$WEB_RC" 0
	t_check "intake listener: no sanitizer report" web_sanitizer_clean
else
	t_fail "server with an intake listener starts" "$(cat "$T/web.err")"
fi

# --- explicit deletions: delete ID, delete --older-than, prune
n=$(t_sql "$DB" "select count(*) from quarantine")
"$TLSWATCH" --db "$DB" quarantine delete "$q" > out
t_eq "delete ID: exit 0" "$?" 0
t_eq "delete ID: one fewer" "$(t_sql "$DB" "select count(*) from quarantine")" $((n - 1))
"$TLSWATCH" --db "$DB" quarantine delete "$q" > out 2> err
t_eq "delete a missing ID: exit 2" "$?" 2
t_check "delete a missing ID: says so" grep -q "no quarantine record $q" err
t_sql "$DB" "update quarantine set received = received - 40 * 86400 where id = (select min(id) from quarantine)"
"$TLSWATCH" --db "$DB" quarantine delete --older-than 30 > out
t_check "delete --older-than 30: the old one" grep -q '^deleted 1 quarantine record received more than 30 days ago$' out
"$TLSWATCH" --db "$DB" quarantine prune --max-bytes 0 --keep-days 0 > out
t_check "prune with both off deletes nothing" grep -q '^pruned 0 quarantine records' out
"$TLSWATCH" --db "$DB" quarantine prune --max-bytes 1 > out
t_eq "prune --max-bytes 1: data held after" "$(t_sql "$DB" "select coalesce(sum(length(data)), 0) > 1 from quarantine")" 0
