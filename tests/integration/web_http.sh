#!/bin/sh
# 'tlswatch web' over real HTTP with curl: status codes, security headers,
# Basic auth against an 'openssl passwd -6' file, the API against the CLI
# ('summary --format json', byte for byte), /metrics, and the RFC 8460
# intake (gzip and JSON stored and committed before 201; oversize, wrong
# type, wrong method, gzip bomb, invalid report), TLS, and a clean stop.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
cd "$T"
DB="$T/web.db"
P="since=2026-03-01&until=2026-03-15"

web_corpus "$DB"
t_eq "corpus stored" "$?" 0

# code URL [CURL-ARGS...]: the status code of one request
code() {
	u=$1
	shift
	curl -s -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "$u"
}
# header NAME: its value in the last response ($T/headers), CR stripped
header() { sed -n "s/^$1: //Ip" "$T/headers" | tr -d '\r'; }
# headers_ok NAME: the security headers are on the last response
headers_ok() {
	csp=$(header Content-Security-Policy)
	case "$csp" in
	*"default-src 'none'"*"style-src 'self'"*"img-src 'self' data:"*) ;;
	*) t_fail "$1: Content-Security-Policy" "got '$csp'"; return ;;
	esac
	case "$csp" in
	*unsafe-inline* | *script-src*) t_fail "$1: CSP allows script or inline" "got '$csp'"; return ;;
	esac
	if [ "$(header X-Content-Type-Options)" != nosniff ] ||
		[ "$(header Referrer-Policy)" != no-referrer ] ||
		[ "$(header X-Frame-Options)" != DENY ]; then
		t_fail "$1: security headers" "$(cat "$T/headers")"
		return
	fi
	t_pass "$1: security headers"
}

# --- refused settings: exit 2 with one line naming the cause
"$TLSWATCH" --db "$DB" web --listen 0.0.0.0:0 > out 2> err
t_eq "non-loopback without auth: exit 2" "$?" 2
grep -q 'without --auth-file' err
t_eq "non-loopback without auth: says why" "$?" 0
"$TLSWATCH" --db "$T/missing.db" web --listen 127.0.0.1:0 > out 2> err
t_eq "missing database: exit 2" "$?" 2
"$TLSWATCH" --db "$DB" web --intake --intake-path /api/v1/x --listen 127.0.0.1:0 > out 2> err
t_eq "intake path on a dashboard path: exit 2" "$?" 2
"$TLSWATCH" web --help | grep -q '^usage: tlswatch web'
t_eq "web --help" "$?" 0

# --- the dashboard, read-only: browsing must not change the database
before=$(sha256sum < "$DB")
if ! web_start --db "$DB" web --listen 127.0.0.1:0; then
	t_fail "dashboard starts" "$(cat "$T/web.err")"
	exit 0
fi
t_pass "dashboard starts"
case "$WEB_URL" in http://127.0.0.1:[0-9]*) t_pass "prints its URL" ;;
*) t_fail "prints its URL" "got '$WEB_URL'" ;; esac
xss_id=$(t_sql "$DB" "select id from report where report_id = 'xss-1'")
for path in "/?$P" "/failures?$P" "/failures?$P&group_by=sending_ip" \
	"/failures?$P&group_by=sending_ip&ip=198.51.100.7" "/reports?$P" "/reports/$xss_id" \
	/quarantine "/api/v1/summary?$P" "/api/v1/timeseries?$P" "/api/v1/failures?$P" \
	"/api/v1/reports?$P" "/api/v1/reports/$xss_id" /metrics /healthz /static/style.css; do
	t_eq "GET $path" "$(code "$WEB_URL$path")" 200
done
headers_ok "200 page"
t_eq "GET /nope" "$(code "$WEB_URL/nope")" 404
headers_ok "404"
t_eq "GET /reports/99999" "$(code "$WEB_URL/reports/99999")" 404
t_eq "GET /api/v1/reports/x" "$(code "$WEB_URL/api/v1/reports/x")" 404
t_eq "bad since: 400" "$(code "$WEB_URL/?since=yesterday")" 400
grep -q "yesterday" body && ! grep -q "<script" body
t_eq "400 names the value, escaped" "$?" 0
headers_ok "400"
t_eq "bad %-escape: 400" "$(code "$WEB_URL/reports?org=%zz")" 400
t_eq "bad group_by: 400" "$(code "$WEB_URL/api/v1/failures?group_by=x")" 400
t_eq "DELETE /: 405" "$(code "$WEB_URL/" -X DELETE)" 405
t_eq "405 says Allow" "$(header Allow)" "GET, HEAD"
headers_ok "405"
t_eq "POST to a page without --intake: 405" "$(code "$WEB_URL/tlsrpt" -X POST -H 'Content-Type: application/tlsrpt+json' --data-binary @"$T/xss.json")" 405
t_eq "HEAD /" "$(code "$WEB_URL/?$P" -I)" 200
big=$(head -c 70000 /dev/zero | tr '\0' a)
t_eq "70 KB header refused" "$(code "$WEB_URL/healthz" -H "X-Big: $big")" 431
t_eq "style sheet is text/css" "$(code "$WEB_URL/static/style.css" && header Content-Type)" \
	"200text/css; charset=utf-8"

# 20 connections at once from one address: 16 are served, 4 refused
t_eq "per-address connection limit" "$(node "$TOP/tests/browser/connlimit.mjs" "${WEB_URL##*:}" 20 16)" \
	"closed=4 served=16 again=200"

# the report text is escaped wherever it is shown
code "$WEB_URL/reports/$xss_id" > /dev/null
if grep -q '<script>alert' body || grep -q '<img src=x' body || grep -q '<svg onload' body; then
	t_fail "report page escapes report text" "$(grep -n 'alert' body | head -3)"
else
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' body
	t_eq "report page escapes report text" "$?" 0
fi
code "$WEB_URL/?$P" > /dev/null
if grep -q '<script>alert' body || grep -q '<svg onload' body; then
	t_fail "overview escapes report text" "$(grep -n 'alert' body | head -3)"
else
	t_pass "overview escapes report text"
fi

# the API is the CLI's document, byte for byte, for the same filters
for q in "" "$P" "$P&domain=example.net" "$P&domain=example.com&domain=example.net" \
	"$P&org=Google+Inc." "all=1" "since=2026-03-10&until=2026-03-13&org=%3Cscript%3Ealert(1)%3C%2Fscript%3E"; do
	set -- --format json
	case "$q" in
	"") ;;
	all=1) set -- "$@" --all ;;
	*)
		for kv in $(echo "$q" | tr '&' ' '); do
			v=$(printf '%s' "${kv#*=}" | sed 's/+/ /g; s/%3C/</g; s/%3E/>/g; s/%2F/\//g')
			case "$kv" in
			since=*) set -- "$@" --since "$v" ;;
			until=*) set -- "$@" --until "$v" ;;
			domain=*) set -- "$@" --domain "$v" ;;
			org=*) set -- "$@" --org "$v" ;;
			esac
		done
		;;
	esac
	"$TLSWATCH" --db "$DB" summary "$@" > cli.json
	curl -s "$WEB_URL/api/v1/summary?$q" > api.json
	if cmp -s cli.json api.json && [ -s api.json ]; then
		t_pass "summary API = CLI ($q)"
	elif [ "$(jq -S . cli.json)" = "$(jq -S . api.json)" ]; then
		t_fail "summary API = CLI ($q)" "same JSON, different bytes"
	else
		t_fail "summary API = CLI ($q)" "$(diff cli.json api.json | head -5)"
	fi
done
t_eq "summary API is application/json" "$(code "$WEB_URL/api/v1/summary?$P" && header Content-Type)" \
	"200application/json"

# the other API documents against the database (sqlite3, not our code)
curl -s "$WEB_URL/api/v1/reports?$P&page_size=7" > r.json
t_eq "reports API: total" "$(jq .total r.json)" \
	"$(t_sql "$DB" "select count(*) from report where day >= 20513 and day < 20527")"
t_eq "reports API: page size" "$(jq '.reports | length' r.json)" 7
newest=$(t_sql "$DB" "select id from report where day >= 20513 and day < 20527 order by day desc, id desc limit 1")
t_eq "reports API: newest first" "$(jq '.reports[0].id' r.json)" "$newest"
# one writer of a report-list entry (analyzer/reports.c): the API's page
# holds the CLI's entries, the same JSON
"$TLSWATCH" --db "$DB" reports --since 2026-03-01 --until 2026-03-15 --limit 7 --format json \
	> r_cli.json
t_eq "reports API entries = 'reports --format json' entries" "$(jq -c .reports r.json)" \
	"$(jq -c .reports r_cli.json)"
curl -s "$WEB_URL/api/v1/reports/$xss_id" > one.json
t_eq "report API: organisation as stored" "$(jq -r .organization one.json)" "<script>alert(1)</script>"
t_eq "report API: failure detail" "$(jq -r '.policies[0].failure_details[0].sending_mta_ip' one.json)" "198.51.100.7"
t_eq "report API: raw JSON as received" "$(jq -r .raw_json one.json | jq -r '."report-id"')" "xss-1"
curl -s "$WEB_URL/api/v1/summary?$P" > s.json
curl -s "$WEB_URL/api/v1/failures?$P&group_by=mx" > f.json
t_eq "failures API: spike MX first" "$(jq -r '.groups[0].mx_host' f.json)" "mx1.example.com"
t_eq "failures API: the summary's by_mx" "$(jq -c '[.groups[] | [.mx_host, .failed_sessions]]' f.json)" \
	"$(jq -c '[.by_mx[] | [.mx_host, .failed_sessions]]' s.json)"
curl -s "$WEB_URL/api/v1/failures?$P&group_by=organization&page_size=1000" > o.json
t_eq "failures by organisation add up" "$(jq '[.groups[].failed_sessions] | add' o.json)" \
	"$(jq '[.by_mx[].failed_sessions] | add' s.json)"
curl -s "$WEB_URL/api/v1/failures?$P&group_by=sending_ip&page_size=1000" > ip.json
t_eq "failures by sending IP: total as by MX" "$(jq '[.groups[].failed_sessions] | add' ip.json)" \
	"$(jq '[.by_mx[].failed_sessions] | add' s.json)"
curl -s "$WEB_URL/api/v1/timeseries?$P" > ts.json
t_eq "timeseries: 14 days" "$(jq '.series[0].days | length' ts.json)" 14
t_eq "timeseries: failed sessions add up" "$(jq '[.series[0].days[].failed_sessions] | add' ts.json)" \
	"$(jq .totals.failed_sessions s.json)"
t_eq "timeseries: a period without reports still has its days" \
	"$(curl -s "$WEB_URL/api/v1/timeseries?since=2020-01-01&until=2020-01-03" | jq -c '[.series[0].days[] | [.day, .failed_sessions]]')" \
	'[["2020-01-01",0],["2020-01-02",0]]'
t_eq "timeseries: spike day" "$(jq -r '.series[0].days | max_by(.failed_sessions) | .day' ts.json)" 2026-03-13

# /metrics: the exposition format, counters from the database
curl -s "$WEB_URL/metrics" > metrics.txt
t_eq "metrics content type" "$(code "$WEB_URL/metrics" && header Content-Type)" \
	"200text/plain; version=0.0.4; charset=utf-8"
grep -q '^# TYPE tlswatch_failed_sessions_total counter$' metrics.txt
t_eq "metrics: TYPE line" "$?" 0
want=$(t_sql "$DB" "select sum(failed_sessions) from agg_failure where policy_domain = 'example.com' and mx_host = 'mx1.example.com' and result_type = 'certificate-expired' and organization = 'Google Inc.'")
got=$(grep '^tlswatch_failed_sessions_total{policy_domain="example.com",organization="Google Inc.",mx_host="mx1.example.com",result_type="certificate-expired"} ' metrics.txt | sed 's/.*} //')
t_eq "metrics: failure counter" "$got" "$want"
grep -q '^tlswatch_reports_total{policy_domain="example.net",organization="Evil \\"Org\\" \\\\ x"} 1$' metrics.txt
t_eq "metrics: label values escaped" "$?" 0
families=$(grep -v '^#' metrics.txt | sed 's/[{ ].*//' | uniq | sort | uniq -d)
t_eq "metrics: each family in one group" "$families" ""
want=$(t_sql "$DB" "select sum(successful_sessions) from report where organization = 'Microsoft Corporation'")
got=$(grep '^tlswatch_sessions_total{.*organization="Microsoft Corporation",result="successful"}' metrics.txt | awk '{ s += $NF } END { print s }')
t_eq "metrics: successful sessions of one reporter" "$got" "$want"

web_stop
t_eq "SIGTERM: exit 0" "$WEB_RC" 0
web_sanitizer_clean
t_eq "no sanitizer report" "$?" 0
t_eq "dashboard never wrote the database" "$(sha256sum < "$DB")" "$before"

# --- authentication: an 'openssl passwd -6' file
printf '# dashboard users\nalice:%s\n' "$(openssl passwd -6 'correct horse')" > users
chmod 644 users
chmod g+w users
"$TLSWATCH" --db "$DB" web --listen 127.0.0.1:0 --auth-file users > out 2> err
t_eq "group-writable auth file: exit 2" "$?" 2
grep -q 'writable by group or others' err
t_eq "group-writable auth file: says why" "$?" 0
chmod 604 users
"$TLSWATCH" --db "$DB" web --listen 127.0.0.1:0 --auth-file users > out 2> err
t_eq "world-readable auth file: exit 2" "$?" 2
t_check "world-readable auth file: says why" grep -q 'readable by others: refused' err
chmod 640 users
if [ "$(id -u)" = 0 ]; then
	chown 4242 users
	"$TLSWATCH" --db "$DB" web --listen 127.0.0.1:0 --auth-file users > out 2> err
	t_eq "auth file of another user: exit 2" "$?" 2
	t_check "auth file of another user: says why" grep -q 'owned by uid 4242, neither root nor' err
	chown 0 users
fi
printf 'bob:plaintext\n' > weak
chmod 600 weak
"$TLSWATCH" --db "$DB" web --listen 127.0.0.1:0 --auth-file weak > out 2> err
t_eq "non-crypt hash refused" "$?" 2
if web_start --db "$DB" web --listen 127.0.0.1:0 --auth-file users --intake; then
	t_eq "no credentials: 401" "$(code "$WEB_URL/?$P")" 401
	t_eq "401 asks for Basic" "$(header WWW-Authenticate)" 'Basic realm="tlswatch"'
	headers_ok "401"
	t_eq "wrong password: 401" "$(code "$WEB_URL/?$P" -u 'alice:wrong')" 401
	t_eq "unknown user: 401" "$(code "$WEB_URL/?$P" -u 'mallory:correct horse')" 401
	t_eq "right password: 200" "$(code "$WEB_URL/?$P" -u 'alice:correct horse')" 200
	t_eq "API needs auth too" "$(code "$WEB_URL/api/v1/summary")" 401
	t_eq "metrics need auth too" "$(code "$WEB_URL/metrics")" 401
	t_eq "healthz needs none" "$(code "$WEB_URL/healthz")" 200
	t_eq "intake needs none" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/tlsrpt+json' --data-binary @"$T/xss.json")" 200
	web_stop
	t_eq "auth server: exit 0" "$WEB_RC" 0
else
	t_fail "server with auth starts" "$(cat "$T/web.err")"
fi

# --- the intake: RFC 8460 section 5.4 POSTs, through the ingest path
if ! web_start --db "$DB" web --listen 127.0.0.1:0 --intake; then
	t_fail "intake starts" "$(cat "$T/web.err")"
	exit 0
fi
case "$WEB_INTAKE_URL" in "$WEB_URL/tlsrpt") t_pass "intake URL printed" ;;
*) t_fail "intake URL printed" "got '$WEB_INTAKE_URL'" ;; esac
sed 's/"xss-1"/"intake-json"/' "$T/xss.json" > j.json
t_eq "JSON report: 201" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/tlsrpt+json' --data-binary @j.json)" 201
headers_ok "201"
t_eq "stored before the answer" "$(t_sql "$DB" "select count(*) from report r join source s on s.id = r.source_id where r.report_id = 'intake-json' and s.kind = 'https' and s.name = '127.0.0.1'")" 1
id=$(t_sql "$DB" "select id from report where report_id = 'intake-json'")
grep -q "stored as report $id" body
t_eq "201 names the report" "$?" 0
sed 's/"xss-1"/"intake-gzip"/' "$T/xss.json" | gzip -c > g.gz
t_eq "gzip report, type in capitals with a parameter: 201" \
	"$(code "$WEB_INTAKE_URL" -H 'Content-Type: Application/TLSRPT+GZIP; charset=binary' --data-binary @g.gz)" 201
t_eq "gzip report stored" "$(t_sql "$DB" "select count(*) from report where report_id = 'intake-gzip'")" 1
t_eq "the same report again: 200 duplicate" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/tlsrpt+gzip' --data-binary @g.gz)" 200
t_eq "wrong type: 415" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/json' --data-binary @j.json)" 415
t_eq "no type: 415" "$(code "$WEB_INTAKE_URL" -H 'Content-Type:' --data-binary @j.json)" 415
t_eq "GET on the intake: 405" "$(code "$WEB_INTAKE_URL")" 405
t_eq "405 allows POST" "$(header Allow)" POST
q0=$(t_sql "$DB" "select count(*) from quarantine")
head -c 10485761 /dev/zero > big.bin
t_eq "over 10 MiB by Content-Length: 413" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/tlsrpt+gzip' --data-binary @big.bin)" 413
t_eq "over 10 MiB streamed (chunked): 413" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/tlsrpt+gzip' -H 'Transfer-Encoding: chunked' --data-binary @big.bin)" 413
t_eq "413 keeps nothing" "$(t_sql "$DB" "select count(*) from quarantine")" "$q0"
head -c 104857600 /dev/zero | gzip -9 > bomb.gz
t_eq "gzip bomb (100 MiB of zeros): 400" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/tlsrpt+gzip' --data-binary @bomb.gz)" 400
t_eq "gzip bomb quarantined" "$(t_sql "$DB" "select count(*) from quarantine where kind = 'https' and reason like '%inflated size exceeds%'")" 1
sed 's/"total-failure-session-count":2/"total-failure-session-count":-2/; s/"xss-1"/"bad-1"/' "$T/xss.json" > bad.json
t_eq "invalid report: 400" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/tlsrpt+json' --data-binary @bad.json)" 400
grep -q 'total-failure-session-count: negative number' body
t_eq "400 gives the reason" "$?" 0
qid=$(t_sql "$DB" "select id from quarantine where kind = 'https' and name = '127.0.0.1' and reason like '%negative number%'")
t_eq "invalid report kept in quarantine, byte-exact" \
	"$("$TLSWATCH" --db "$DB" quarantine show "$qid" --raw | sha256sum)" "$(sha256sum < bad.json)"
printf 'From: a@example.org\nSubject: report\n\nhello\n' > mail.txt
t_eq "a mail message is not a report here: 400" "$(code "$WEB_INTAKE_URL" -H 'Content-Type: application/tlsrpt+json' --data-binary @mail.txt)" 400
t_eq "the dashboard shows the intake's report" "$(curl -s "$WEB_URL/api/v1/reports/$id" | jq -r .source.kind)" https
web_stop
t_eq "intake server: exit 0" "$WEB_RC" 0
web_sanitizer_clean
t_eq "intake server: no sanitizer report" "$?" 0

# --- the same settings from the configuration's [web] section
printf 'database = %s\n[web]\nlisten = 127.0.0.1:0\nintake = yes\nintake_path = /rua\n' "$DB" > web.conf
if web_start --config web.conf web; then
	t_eq "config: intake path from [web]" "${WEB_INTAKE_URL##*/}" rua
	t_eq "config: dashboard serves" "$(code "$WEB_URL/healthz")" 200
	web_stop
	t_eq "config server: exit 0" "$WEB_RC" 0
else
	t_fail "server from the config starts" "$(cat "$T/web.err")"
fi
printf 'database = %s\n[web]\nintake = maybe\n' "$DB" > bad.conf
"$TLSWATCH" --config bad.conf web > out 2> err
t_eq "config: a bad yes/no: exit 2" "$?" 2
grep -q "intake: 'maybe' is neither yes nor no" err
t_eq "config: a bad yes/no: named" "$?" 0
printf 'database = %s\n[web]\nlisten = 192.0.2.1:80\n' "$DB" > open.conf
"$TLSWATCH" --config open.conf web > out 2> err
t_eq "config: non-loopback listen without auth: exit 2" "$?" 2
"$TLSWATCH" --config open.conf web --listen 127.0.0.1:0 --help > out
t_eq "help needs no valid setting" "$?" 0

# --- the intake on its own listener, over TLS
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem \
	-out cert.pem -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost \
	> /dev/null 2>&1
if web_start --db "$DB" web --listen 127.0.0.1:0 --intake --intake-listen 127.0.0.1:0 \
	--intake-path /rua --tls-cert cert.pem --tls-key key.pem; then
	dport=${WEB_URL##*:}
	iport=$(printf '%s' "$WEB_INTAKE_URL" | sed 's|.*:\([0-9]*\)/rua$|\1|')
	t_eq "TLS dashboard, verified" "$(code "https://localhost:$dport/healthz" --cacert cert.pem)" 200
	t_eq "plain HTTP to the TLS port fails" "$(code "http://127.0.0.1:$dport/healthz")" 000
	sed 's/"xss-1"/"intake-tls"/' "$T/xss.json" > tls.json
	t_eq "TLS intake on its own port: 201" "$(code "https://localhost:$iport/rua" --cacert cert.pem -H 'Content-Type: application/tlsrpt+json' --data-binary @tls.json)" 201
	t_eq "the intake port serves no dashboard" "$(code "https://localhost:$iport/" --cacert cert.pem)" 404
	t_eq "the dashboard port takes no reports" "$(code "https://localhost:$dport/rua" --cacert cert.pem -H 'Content-Type: application/tlsrpt+json' --data-binary @tls.json)" 405
	t_eq "TLS 1.1 refused" "$(code "https://localhost:$dport/healthz" --cacert cert.pem --tls-max 1.1)" 000
	web_stop
	t_eq "TLS server: exit 0" "$WEB_RC" 0
	web_sanitizer_clean
	t_eq "TLS server: no sanitizer report" "$?" 0
else
	t_fail "TLS server starts" "$(cat "$T/web.err")"
fi
