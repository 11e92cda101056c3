#!/bin/sh
# reasons.sh - one problem, one row; failure-reason-codes grouped where senders differ only in
# case, spacing, numbers or a host name (docs/alerts.md, "Reason codes"):
# 'summary' text and JSON, the failures page (group_by=reason) and its API
# show one row per reason, labelled by its most failed form, with the
# forms counted and the failed sessions summed (sts and tlsa of one
# report counted once).
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"

# report N ORG DAY CODE FAILED [TLSA-CODE [INFO]]: one report, an sts policy
# (and a tlsa one listing the same sessions) with one failure detail each;
# INFO: the sts detail's additional-information
report() {
	tlsa=""
	info=""
	[ -n "${7:-}" ] && info=",\"additional-information\":\"$7\""
	[ -n "${6:-}" ] && tlsa=",{\"policy\":{\"policy-type\":\"tlsa\",\"policy-domain\":\"example.com\"},\"summary\":{\"total-successful-session-count\":100,\"total-failure-session-count\":$5},\"failure-details\":[{\"result-type\":\"tlsa-invalid\",\"receiving-mx-hostname\":\"mx1.example.com\",\"failure-reason-code\":\"$6\",\"failed-session-count\":$5}]}"
	cat > "$T/r$1.json" <<JSON
{"organization-name":"$2","date-range":{"start-datetime":"$3T00:00:00Z","end-datetime":"$3T23:59:59Z"},"contact-info":"x@example","report-id":"r$1","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1"],"policy-domain":"example.com"},"summary":{"total-successful-session-count":100,"total-failure-session-count":$5},"failure-details":[{"result-type":"certificate-expired","receiving-mx-hostname":"mx1.example.com","failure-reason-code":"$4","failed-session-count":$5$info}]}$tlsa]}
JSON
}
report 1 "Google Inc." 2026-07-01 "X509_V_ERR_CERT_HAS_EXPIRED" 30 "" \
	"Certificate expired on MX1.example.com"
report 2 "Other" 2026-07-02 "x509_v_err_cert_has_expired " 5 "" \
	"certificate  expired on 192.0.2.7"
report 3 "Microsoft Corporation" 2026-07-01 "TLS handshake failed with mx1.example.com" 7 "" \
	"Handshake timeout"
report 4 "Microsoft Corporation" 2026-07-02 "tls handshake  failed with 192.0.2.7." 4
# sts and tlsa list the same 6 sessions: counted once
report 5 "Microsoft Corporation" 2026-07-03 "TLS handshake failed with mx2.example.com" 6 \
	"TLS handshake failed with mx2.example.com"
(cd "$T" && "$TLSWATCH" --db "$T/db" ingest r1.json r2.json r3.json r4.json r5.json) > /dev/null ||
	t_fail "ingest" "exit $?"
P="--since 2026-07-01 --until 2026-07-08"

"$TLSWATCH" --db "$T/db" summary $P --format json > "$T/json" || t_fail "summary json" "exit $?"
t_eq "summary json: two reasons, forms and sessions" \
	"$(jq -c '[.by_reason[] | [.failure_reason_code, .forms, .failed_sessions, .result_types]]' "$T/json")" \
	'[["X509_V_ERR_CERT_HAS_EXPIRED",2,35,"certificate-expired"],["TLS handshake failed with mx1.example.com",3,17,"certificate-expired, tlsa-invalid"]]'
t_eq "summary json: additional-information grouped the same way" \
	"$(jq -c '[.by_additional_information[] | [.additional_information, .normalised, .forms, .failed_sessions]]' "$T/json")" \
	'[["Certificate expired on MX1.example.com","certificate expired on <host>",2,35],["Handshake timeout","handshake timeout",1,7]]'
"$TLSWATCH" --db "$T/db" summary $P > "$T/text" || t_fail "summary" "exit $?"
t_eq "summary text: the additional-information section" \
	"$(sed -n '/^BY ADDITIONAL INFORMATION/,/^$/p' "$T/text" | sed 's/  */ /g')" \
	"BY ADDITIONAL INFORMATION (grouped) failed
 Certificate expired on MX1.example.com 35
 certificate-expired; 2 forms as sent
 Handshake timeout 7
 certificate-expired"
t_eq "summary text: the section" \
	"$(sed -n '/^BY FAILURE REASON/,/^$/p' "$T/text" | sed 's/  */ /g')" \
	"BY FAILURE REASON (failure-reason-code, grouped) failed
 X509_V_ERR_CERT_HAS_EXPIRED 35
 certificate-expired; 2 forms as sent
 TLS handshake failed with mx1.example.com 17
 certificate-expired, tlsa-invalid; 3 forms as sent"

if ! web_start --db "$T/db" web --listen 127.0.0.1:0; then
	t_fail "dashboard starts" "$(cat "$T/web.err")"
	exit 0
fi
curl -s -o "$T/page" "$WEB_URL/failures?since=2026-07-01&until=2026-07-08&group_by=reason"
curl -s -o "$T/overview" "$WEB_URL/?since=2026-07-01&until=2026-07-08"
curl -s -o "$T/api" "$WEB_URL/api/v1/failures?since=2026-07-01&until=2026-07-08&group_by=reason"
curl -s -o "$T/info" "$WEB_URL/failures?since=2026-07-01&until=2026-07-08&group_by=additional_information"
curl -s -o "$T/apiinfo" "$WEB_URL/api/v1/failures?since=2026-07-01&until=2026-07-08&group_by=additional_information"
curl -s -o "$T/bad" -w '%{http_code}' "$WEB_URL/api/v1/failures?group_by=nope" > "$T/code"
web_stop
t_check "sanitizer clean" web_sanitizer_clean
t_eq "failures page: one row per reason" \
	"$(sed -n '/id="failure-groups"/,/<\/table>/p' "$T/page" | grep -o '<tr><td>[^<]*</td><td class="num fail">[0-9]*' | sed 's/<[^>]*>/|/g')" \
	"||X509_V_ERR_CERT_HAS_EXPIRED||35
||TLS handshake failed with mx1.example.com||17"
t_eq "overview: one row per problem, reporters named, per-reporter rows a click away" \
	"$(sed -n '/id="top-failures"/,/<\/table>/p' "$T/overview" | grep -c '<tr><td data-label')|$(grep -o 'Google Inc., Microsoft Corporation, Other (<a href="/failures?[^"]*group_by=organization[^"]*result_type=certificate-expired' "$T/overview" | wc -l)" \
	"2|1"
t_eq "api: group_by=reason" \
	"$(jq -c '[.group_by, [.groups[] | [.failure_reason_code, .failed_sessions, .forms]]]' "$T/api")" \
	'["reason",[["X509_V_ERR_CERT_HAS_EXPIRED",35,2],["TLS handshake failed with mx1.example.com",17,3]]]'
t_eq "api: a wrong group_by names reason" "$(cat "$T/code") $(jq -r .error "$T/bad" | grep -c 'sending_ip, reason or additional_information')" "400 1"
t_eq "failures page: one row per additional-information" \
	"$(sed -n '/id="failure-groups"/,/<\/table>/p' "$T/info" | grep -o '<tr><td>[^<]*</td><td class="num fail">[0-9]*' | sed 's/<[^>]*>/|/g')" \
	"||Certificate expired on MX1.example.com||35
||Handshake timeout||7"
t_eq "api: group_by=additional_information" \
	"$(jq -c '[.group_by, [.groups[] | [.additional_information, .failed_sessions, .forms, .result_types]]]' "$T/apiinfo")" \
	'["additional_information",[["Certificate expired on MX1.example.com",35,2,"certificate-expired"],["Handshake timeout",7,1,"certificate-expired"]]]'


# one problem, one row: the same expired certificate seen by three
# reporters is one top failure naming them (summary text, JSON; overview)
t_eq "summary json: problems" \
	"$(jq -c '[.problems[] | [.mx_host, .result_type, .failed_sessions, .reporter_count, .reporters]]' "$T/json")" \
	'[["mx1.example.com","certificate-expired",52,3,"Google Inc., Microsoft Corporation, Other"],["mx1.example.com","tlsa-invalid",6,1,"Microsoft Corporation"]]'
t_eq "summary json: top_failures keeps its rows per reporter" "$(jq '.top_failures | length' "$T/json")" 4
t_eq "summary text: one row for the certificate" \
	"$(sed -n '/^TOP FAILURES/,/^$/p' "$T/text" | grep -c 'certificate-expired at mx1.example.com')" 1
t_check "summary text: it names its reporters" grep -q \
	'^    domain example.com, reported by Google Inc., Microsoft Corporation, Other$' "$T/text"
"$TLSWATCH" --db "$T/db" summary $P --format html > "$T/html" || t_fail "summary html" "exit $?"
t_eq "summary html: one row per problem, its reporters named" \
	"$(sed -n '/id="top-failures"/,/<\/table>/p' "$T/html" | grep '^<tr><td>' | grep -v 'class="hint"' | sed 's/<[^>]*>/|/g; s/||*/|/g')" \
	"|certificate-expired|mx1.example.com|example.com|Google Inc., Microsoft Corporation, Other|52|new|
|tlsa-invalid|mx1.example.com|example.com|Microsoft Corporation|6|new|"

# the RFC example's additional-information in its two real spellings
# (quirks E8): "report_info?id=5065427c-23d3#StarttlsNotSupported" and
# "report_info ? id = 5065427 c - 23 d3# StarttlsNotSupported ". One
# group, labelled by its most failed spelling as sent (the compact one
# here: two reports of it, one of the other); its failure-reason-code
# stays apart
S=$DATA/samples
jq '.["report-id"] = "rfc-compact-1"' \
	"$S/cry-inc__dmarc-report-viewer__testdata__smtp-tls-reports__rfc-example.json" > "$T/c1.json"
jq '.["report-id"] = "rfc-compact-2" | .["date-range"] = {"start-datetime":
	"2016-04-02T00:00:00Z", "end-datetime": "2016-04-02T23:59:59Z"}' \
	"$S/cry-inc__dmarc-report-viewer__testdata__smtp-tls-reports__rfc-example.json" > "$T/c2.json"
cp "$S/phi-ag__mta-sts-exporter__examples__rfc.json" "$T/spaced.json"
(cd "$T" && "$TLSWATCH" --db "$T/rfc.db" ingest c1.json c2.json spaced.json) > /dev/null ||
	t_fail "ingest the RFC example's spellings" "exit $?"
R="--since 2016-04-01 --until 2016-04-08"
RFC_URL="https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
"$TLSWATCH" --db "$T/rfc.db" summary $R --format json > "$T/rfc.json" ||
	t_fail "summary json of the RFC example" "exit $?"
t_eq "summary json: the RFC example's two spellings are one group" \
	"$(jq -c '[.by_additional_information[] | [.additional_information, .normalised, .forms, .failed_sessions, .result_types]]' "$T/rfc.json")" \
	"[[\"$RFC_URL\",\"https://<host>/report_info?id=5065427c-23d3#starttlsnotsupported\",2,600,\"starttls-not-supported\"]]"
t_eq "summary json: its reason code apart" \
	"$(jq -c '[.by_reason[] | [.failure_reason_code, .forms, .failed_sessions]]' "$T/rfc.json")" \
	'[["X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED",1,9]]'
if ! web_start --db "$T/rfc.db" web --listen 127.0.0.1:0; then
	t_fail "dashboard starts on the RFC example" "$(cat "$T/web.err")"
	exit 0
fi
curl -s -o "$T/rfcpage" "$WEB_URL/failures?since=2016-04-01&until=2016-04-08&group_by=additional_information"
curl -s -o "$T/rfcapi" "$WEB_URL/api/v1/failures?since=2016-04-01&until=2016-04-08&group_by=additional_information"
web_stop
t_eq "failures page: the RFC example's two spellings in one row" \
	"$(sed -n '/id="failure-groups"/,/<\/table>/p' "$T/rfcpage" | grep -o '<tr><td>[^<]*</td><td class="num fail">[0-9]*' | sed 's/<[^>]*>/|/g')" \
	"||$RFC_URL||600"
t_eq "api: the RFC example's two spellings in one group" \
	"$(jq -c '[.groups[] | [.additional_information, .failed_sessions, .forms]]' "$T/rfcapi")" \
	"[[\"$RFC_URL\",600,2]]"
