#!/bin/sh
# tests/integration/check.sh - `tlswatch check` against real servers on
# loopback (check_servers.lib: NSD with a DNSSEC-signed zone, nginx, Postfix):
# the clean domain passes, and each planted mistake is reported with its fix.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/check_servers.lib"

if ! ck_setup; then
	t_fail "test servers started" "$(tail -3 "$CK/nsd.log" "$CK/nginx.start" \
		"$CK/postfix/maillog" 2> /dev/null | tr '\n' ' ')"
	exit 0
fi
t_pass "test servers started (NSD, nginx, Postfix)"
# each run's result is kept (docs/check.md, History) in this database
export TLSWATCH_DB="$T/db"

# ck DOMAIN [OPTIONS]: runs check, output in $T/out, exit status in $rc
ck() {
	d=$1
	shift
	"$TLSWATCH" check --resolver "127.0.0.1:$CK_DNS" --trust-anchor "$CK/ta.key" \
		--ca-file "$CK_CA" --smtp-port "$CK_SMTP" --https-port "$CK_HTTPS" --timeout 5 \
		"$@" "$d" > "$T/out" 2> "$T/err"
	rc=$?
}
# has NAME STATUS CHECK TEXT: a line "DOMAIN: STATUS CHECK ...TEXT..." exists
has() {
	if grep -E "^[^ ]+: $2 +$3 " "$T/out" | grep -qF -- "$4"; then
		t_pass "$1"
	else
		t_fail "$1" "no '$2 $3 ... $4' in: $(tr '\n' '|' < "$T/out") $(cat "$T/err")"
	fi
}

# --- the clean domain: every finding ok, exit 0, nothing under -q
ck example.test
t_eq "clean domain: exit 0" "$rc" 0
t_eq "clean domain: no finding other than ok" "$(grep -vc '^example.test: ok ' "$T/out")" 0
has "clean: MX set" ok mx "mx1.example.test (10)"
has "clean: TLSRPT" ok tlsrpt "mailto:tlsrpt@example.test"
has "clean: MTA-STS id" ok sts-record "id 20261201"
has "clean: policy" ok sts-policy "mode enforce, max_age 604800, 1 mx pattern"
has "clean: MX covered" ok sts-mx "mx1.example.test: matches mx: mx1.example.test"
has "clean: STARTTLS" ok smtp "STARTTLS with TLS1."
has "clean: WebPKI" ok cert "chain is valid for the host name"
has "clean: expiry" ok cert "valid until"
has "clean: DANE, with a rollover record" ok dane "1 of 2 usable TLSA records match"
"$TLSWATCH" -q check --resolver "127.0.0.1:$CK_DNS" --trust-anchor "$CK/ta.key" \
	--ca-file "$CK_CA" --smtp-port "$CK_SMTP" --https-port "$CK_HTTPS" example.test > "$T/q"
t_eq "clean domain: -q prints nothing" "$(wc -c < "$T/q" | tr -d ' ')" 0

# --- JSON for machines
ck example.test --format json
t_eq "json: exit 0" "$rc" 0
t_eq "json: domain status" "$(jq -r '.domains[0].status' "$T/out")" ok
t_eq "json: policy id and mode" "$(jq -r '.domains[0].mta_sts | "\(.id) \(.mode) \(.max_age)"' \
	"$T/out")" "20261201 enforce 604800"
t_eq "json: findings carry check and status" \
	"$(jq -r '[.domains[0].findings[] | select(.check == "dane")][0].status' "$T/out")" ok

# --- history: each run stored, read back as changes
"$TLSWATCH" check --history example.test > "$T/h"
t_eq "history: exit 0" "$?" 0
t_check "history: the first run with what was published" \
	grep -q "^example.test: .* first checked: ok; MTA-STS id 20261201, mode enforce, max_age 604800; MX 10 mx1.example.test" "$T/h"
t_eq "history: identical runs add no line" "$(wc -l < "$T/h" | tr -d ' ')" 1
cp "$CK/www/good.txt" "$CK/www/good.saved"
printf 'version: STSv1\nmode: testing\nmx: mx1.example.test\nmx: mx9.example.test\nmax_age: 86400\n' \
	> "$CK/www/good.txt"
ck example.test --no-store
"$TLSWATCH" check --history example.test > "$T/h"
t_eq "--no-store: nothing kept" "$(wc -l < "$T/h" | tr -d ' ')" 1
ck example.test
"$TLSWATCH" check --history example.test > "$T/h"
t_check "history: mode and max_age changes" grep -q "mode enforce -> testing; max_age 604800 -> 86400" "$T/h"
t_check "history: an mx line added" grep -q "policy mx: added mx9.example.test" "$T/h"
t_check "history: a policy changed without a new id is called out" \
	grep -q "WARNING: the policy changed but the id stayed 20261201: senders that cached it keep the old one (until $(date -u -d '+7 days' +%F) at most); raise the id" "$T/h"
cp "$CK/www/good.saved" "$CK/www/good.txt"
"$TLSWATCH" check --history nothere.example.test > "$T/h"
t_eq "history of a domain never checked: exit 1" "$?" 1
t_check "history: says so" grep -q "nothere.example.test: never checked" "$T/h"

# --- MTA-STS policy mistakes
ck uncovered.example.test
t_eq "uncovered MX: exit 1" "$rc" 1
has "uncovered MX named, with its consequence" fail sts-mx \
	"mx2.uncovered.example.test: in your MX set but matches no mx: line"
has "the covered MX still ok" ok sts-mx "mx1.uncovered.example.test: matches"
has "a pattern matching no MX" warn sts-mx "mx: *.old.example.test matches none of your MX hosts"
has "uncovered MX: the fix" fail sts-mx "fix: add an mx: line for it to the policy and raise the id"

ck redirect.example.test
has "redirecting policy URL" fail sts-policy "the policy URL redirects (HTTP 301"
ck big.example.test
has "policy over the size cap" fail sts-policy "the policy is over 65536 bytes"
ck ctype.example.test
has "policy with the wrong content type" fail sts-policy "served as \"text/html\", not text/plain"

# --- TLSRPT record mistakes
ck tworpt.example.test
has "two TLSRPT records" fail tlsrpt "2 v=TLSRPTv1 records"
ck nomailto.example.test
has "rua without mailto:" fail tlsrpt "is neither mailto: nor https:"
ck tworua.example.test
has "several rua: Microsoft uses the first" warn tlsrpt "Microsoft sends reports only to the first"
has "no MTA-STS: a warning, not silence" warn sts-record "no MTA-STS record"

# --- MX hosts
ck expired.example.test
t_eq "expired certificate: exit 1" "$rc" 1
has "expired certificate" fail cert "the certificate expired on 2025-02-01"
ck mismatch.example.test
has "certificate for another name" warn cert "mx1.mismatch.example.test"
grep -E ' cert ' "$T/out" | grep -q 'other.example\|not trusted\|does not match' &&
	t_pass "name mismatch explained" || t_fail "name mismatch explained" "$(cat "$T/out")"
ck notls.example.test
has "no STARTTLS" fail smtp "STARTTLS is not offered"
ck soon.example.test --expiry-warn-days 14
has "certificate expiring soon" warn cert "the certificate expires on"
ck soon.example.test --expiry-warn-days 3
has "--expiry-warn-days moves the threshold" ok cert "valid until"

# --- DANE
ck dane.example.test
has "no TLSA record matches" fail dane "no usable TLSA record matches the certificate served"
ck daneone.example.test
has "a single TLSA record: rollover warning" warn dane "only one TLSA record"
has "the single record matches" ok dane "1 of 1 usable TLSA records match"

# --- DNSSEC and DNS failures
ck bogus.example.test
has "bogus DNSSEC signature" fail dns "fails DNSSEC validation"
ck_silent_dns
start=$(date +%s)
"$TLSWATCH" check --resolver "127.0.0.1:$CK_SILENT" --trust-anchor "$CK/ta.key" --timeout 1 \
	example.test > "$T/out" 2> "$T/err"
rc=$?
t_eq "DNS timeout: exit 2 (could not check)" "$rc" 2
has "DNS timeout named" fail dns "DNS timeout after 1000 ms looking up example.test MX"
# bounded wait: each look-up gives up at its deadline (not a timing assert:
# 60 s is an order of magnitude above the 4 look-ups x 1 s it may take)
t_check "DNS timeout: gives up" test "$(($(date +%s) - start))" -lt 60

# --- usage
"$TLSWATCH" check > "$T/out" 2>&1
t_eq "no domain: exit 2" "$?" 2
t_check "no domain: says what to do" grep -q "name a DOMAIN, or set \[check\] domains" "$T/out"
"$TLSWATCH" check --smtp-port 70000 example.test > "$T/out" 2>&1
t_eq "bad port: exit 2" "$?" 2
t_check "bad port: names the option" grep -q -- "--smtp-port" "$T/out"
printf '[check]\ndomains = example.test, tworua.example.test\nresolver = 127.0.0.1:%s\ntrust_anchor = %s\nca_file = %s\nsmtp_port = %s\nhttps_port = %s\n' \
	"$CK_DNS" "$CK/ta.key" "$CK_CA" "$CK_SMTP" "$CK_HTTPS" > "$T/conf"
"$TLSWATCH" --config "$T/conf" check > "$T/out" 2>&1
t_eq "[check] domains from the config: exit 1 (tworua warns)" "$?" 1
t_eq "[check] domains: both checked" "$(cut -d: -f1 "$T/out" | sort -u | tr '\n' ' ')" \
	"example.test tworua.example.test "

# --- published vs reported (docs/check.md): ready for enforce, drift and
# the alert kinds, from stored check results and reports
. "$TOP/tests/browser/web_lib.sh"
# web_lib.sh sets its own exit trap: stop the dashboard, then the servers
# (ck_stop reads their pid files before it removes $T)
trap 'web_stop; ck_stop' EXIT
export TLSWATCH_DB="$T/pub.db"
printf 'version: STSv1\nmode: testing\nmx: mx1.example.test\nmax_age: 604800\n' > "$CK/www/good.txt"
ck example.test
t_eq "testing policy checked and stored" "$rc" 0
mkdir -p "$T/rep"
# rep ID ORG DAY MX-LINE [RESULT-TYPE MX FAILED]: one report for example.test
rep() {
	fail=
	nfail=0
	if [ $# -gt 4 ]; then
		fail="{\"result-type\":\"$5\",\"receiving-mx-hostname\":\"$6\",\"failed-session-count\":$7}"
		nfail=$7
	fi
	printf '{"organization-name":"%s","date-range":{"start-datetime":"%sT00:00:00Z","end-datetime":"%sT23:59:59Z"},"contact-info":"x@example","report-id":"%s","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: %s","max_age: 604800"],"policy-domain":"example.test","mx-host":["%s"]},"summary":{"total-successful-session-count":100,"total-failure-session-count":%s},"failure-details":[%s]}]}' \
		"$2" "$3" "$3" "$1" "$4" "$4" "$nfail" "$fail" > "$T/rep/$1.json"
}
i=1
while [ $i -le 20 ]; do
	d=$(date -u -d "-$i days" +%F)
	rep "g$i" "Google Inc." "$d" mx1.example.test
	rep "m$i" "Microsoft Corporation" "$d" mx1.example.test
	i=$((i + 1))
done
"$TLSWATCH" ingest "$T"/rep/*.json > /dev/null 2>&1
t_eq "reports stored" "$?" 0
"$TLSWATCH" summary > "$T/sum" 2> "$T/err"
t_check "summary: a published vs reported section" grep -q "^Published vs reported" "$T/sum"
t_check "summary: the domain with its published policy" \
	grep -q "^  example.test: MTA-STS testing id 20261201, checked" "$T/sum"
t_check "summary: ready for enforce, with its reasons" grep -q \
	"ready  *ready for enforce: 20 days of reports since $(date -u -d '-20 days' +%F), Google Inc. and Microsoft Corporation reporting, 0 failures that enforce would turn into bounces; every MX covered" \
	"$T/sum"
# a failure at an MX the policy does not cover; a reporter applying an mx
# list no longer published, today
today=$(date -u +%F)
rep f1 "Google Inc." "$today" mx1.example.test certificate-host-mismatch mx7.example.test 4
rep old1 "Old Corp" "$today" mx0.example.test
"$TLSWATCH" ingest "$T/rep/f1.json" "$T/rep/old1.json" > /dev/null 2>&1
"$TLSWATCH" summary > "$T/sum" 2> "$T/err"
t_check "summary: not ready, failures named" grep -q \
	"not-ready  *not ready for enforce: 4 failed sessions of MTA-STS kinds enforce would turn into bounces" "$T/sum"
t_check "summary: not ready, the uncovered MX named" grep -q \
	"MX not covered by the policy's mx lines: mx7.example.test (add them, raise the id)" "$T/sum"
t_check "summary: MX in reports but not in DNS" grep -q \
	"mx-not-in-dns  *mx7.example.test is named in failure reports of the last 30 days but is not in the MX set" "$T/sum"
t_check "summary: a reporter applying an old mx list, with its cache expiry" grep -q \
	"drift  *1 reporter still applies a policy no longer published (Old Corp): expected while their caches last, until $(date -u -d '+7 days' +%F) at most" \
	"$T/sum"
"$TLSWATCH" summary --domain other.example.test > "$T/sum2" 2> "$T/err"
t_check "summary --domain: only that domain's section" sh -c "! grep -q 'example.test: MTA-STS' '$T/sum2'"

# the alert kinds: a policy senders cannot fetch, certificates expiring
ck redirect.example.test
ck soon.example.test
ck expired.example.test
"$TLSWATCH" alert > "$T/al" 2> "$T/err"
t_eq "alert: exit 1 with alerts" "$?" 1
t_check "alert: policy-unreachable" grep -q \
	"policy-unreachable: redirect.example.test: senders cannot fetch the policy: the policy URL redirects (HTTP 301" "$T/al"
t_check "alert: certificate-expiring within expiry_warn_days" grep -q \
	"certificate-expiring: soon.example.test: the certificate of mx1.soon.example.test expires on" "$T/al"
t_check "alert: an expired certificate" grep -q \
	"certificate-expiring: expired.example.test: the certificate of mx1.expired.example.test expired on 2025-02-01" "$T/al"
"$TLSWATCH" alert > "$T/al2" 2> "$T/err"
t_check "alert: not sent twice the same day" sh -c "! grep -q 'policy-unreachable' '$T/al2'"
printf '[check]\nexpiry_warn_days = 0\n' > "$T/conf0"
"$TLSWATCH" --config "$T/conf0" alert --repeat-after 0 > "$T/al3" 2> "$T/err"
t_check "alert: [check] expiry_warn_days 0 keeps only the expired one" \
	sh -c "grep -q 'mx1.expired.example.test expired' '$T/al3' && ! grep -q 'mx1.soon.example.test' '$T/al3'"

# the dashboard's panel
if web_start --db "$T/pub.db" web --listen 127.0.0.1:0; then
	curl -s "$WEB_URL/" > "$T/page"
	t_check "dashboard: a published vs reported panel" grep -q '<div id="published">' "$T/page"
	t_check "dashboard: the verdict per domain" grep -q \
		'data-kind="not-ready">not ready for enforce: 4 failed sessions' "$T/page"
	t_check "dashboard: the drift" grep -q \
		'data-kind="drift">1 reporter still applies a policy no longer published (Old Corp)' "$T/page"
	t_check "dashboard: the check kinds among the current alerts" sh -c \
		"sed -n '/<ul class=\"alerts\"/,/<\\/ul>/p' '$T/page' | grep -q 'certificate-expiring: expired.example.test'"
	t_check "dashboard: the domain filter applies" sh -c \
		"curl -s '$WEB_URL/?domain=soon.example.test' | grep -q 'mx1.soon.example.test' && ! curl -s '$WEB_URL/?domain=soon.example.test' | grep -q 'Old Corp'"
	web_stop
else
	t_fail "dashboard starts" "$(cat "$T/web.err")"
fi
