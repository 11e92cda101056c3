#!/bin/sh
# text_output.sh - what a terminal or a cron mail gets: summary text fits
# 80 columns (a longer line is one unbreakable word), and strings from a
# hostile report (an escape sequence and a bidi override in organization-name, CR/LF in
# failure-reason-code, a C1 CSI in result-type, HTML in a name) come out
# escaped in every format: text, CSV, HTML, the report list, show, alerts.
. "$TOP/tests/lib.sh"

# --- 80 columns, on a generated corpus with long tails of reporters
"$GEN" --out "$T/r" --seed 5 --start 2026-05-01 --days 40 --domains 8 --format mbox \
	--spike example-7.test,mx1.example-7.test,certificate-not-trusted,2026-06-01,60 \
	> /dev/null || t_fail "generator" "exit $?"
"$TLSWATCH" --db "$T/gen.db" ingest "$T/r/reports.mbox" || t_fail "ingest" "exit $?"

# wide FILE: the lines over 80 columns that are more than one word
wide() {
	LC_ALL=C awk 'length($0) > 80 && $0 !~ /^ *[^ ]+$/ { print NR ": " $0 }' "$1"
}
for args in "--since 2026-05-25 --until 2026-06-08" "--since 2026-06-01 --until 2026-06-02" \
	"--all" "--since 2026-05-01 --until 2026-06-10 --domain example.com --org Google\ Inc."; do
	eval "set -- $args"
	"$TLSWATCH" --db "$T/gen.db" summary "$@" > "$T/s.txt" || t_fail "summary $args" "exit $?"
	t_eq "summary $args: 80 columns" "$(wide "$T/s.txt")" ""
	t_check "summary $args: has its tables" grep -q '^BY RESULT TYPE' "$T/s.txt"
done
t_check "summary: the longest line is within 80" \
	test "$(LC_ALL=C awk '{ if (length($0) > m) m = length($0) } END { print m }' "$T/s.txt")" -le 80
"$TLSWATCH" --db "$T/gen.db" summary --since 2026-06-01 --until 2026-06-02 > "$T/day.txt"
t_check "summary: the spike is the top failure, with its hint" sh -c \
	"grep -A3 '^TOP FAILURES' '$T/day.txt' | grep -q 'certificate-not-trusted at mx1.example-7.test'"
t_check "summary: hint under the result type" sh -c \
	"grep -A1 '^  certificate-not-trusted ' '$T/day.txt' | grep -q 'chain is not trusted'"
"$TLSWATCH" --db "$T/gen.db" reports --since 2026-06-01 --until 2026-06-02 --limit 200 > "$T/l.txt"
t_eq "reports list: 80 columns" "$(wide "$T/l.txt")" ""

# --- a hostile report
cat > "$T/hostile.json" <<'EOF'
{"organization-name": "\u001b[2JEvil\u0007 Corp\u202e", "date-range": {"start-datetime": "2026-03-10T00:00:00Z", "end-datetime": "2026-03-10T23:59:59Z"}, "contact-info": "x@example", "report-id": "hostile-1\u001b]0;owned\u0007", "policies": [{"policy": {"policy-type": "sts", "policy-string": ["version: STSv1"], "policy-domain": "evil.example"}, "summary": {"total-successful-session-count": 5, "total-failure-session-count": 30}, "failure-details": [{"result-type": "certificate-expired\u009b2J", "receiving-mx-hostname": "mx.evil.example", "receiving-mx-helo": "mx\r\n.evil\u200b.example", "failure-reason-code": "line1\r\nFAKE: injected", "failed-session-count": 30}]}]}
EOF
cat > "$T/html.json" <<'EOF'
{"organization-name": "<script>alert(1)</script>x\"><img src=x>.example", "date-range": {"start-datetime": "2026-03-10T00:00:00Z", "end-datetime": "2026-03-10T23:59:59Z"}, "contact-info": null, "report-id": "html-1", "policies": [{"policy": {"policy-type": "sts", "policy-domain": "html.example"}, "summary": {"total-successful-session-count": 1, "total-failure-session-count": 0}}]}
EOF
cat > "$T/csv.json" <<'EOF'
{"organization-name": "Acme;=cmd|' /C calc'!A0", "date-range": {"start-datetime": "2026-03-10T00:00:00Z", "end-datetime": "2026-03-10T23:59:59Z"}, "report-id": "csv-1", "policies": [{"policy": {"policy-type": "sts", "policy-domain": "csv.example"}, "summary": {"total-successful-session-count": 1, "total-failure-session-count": 0}}]}
EOF
H=$T/hostile.db
"$TLSWATCH" --db "$H" ingest "$T/hostile.json" "$T/html.json" "$T/csv.json" ||
	t_fail "ingest hostile" "exit $?"
# host names that are not host names are refused, naming the field
sed 's/"evil.example"/"evil\\u001b[31m.example"/' "$T/hostile.json" > "$T/badname.json"
"$TLSWATCH" --db "$T/bad.db" ingest "$T/badname.json" > /dev/null 2> "$T/bad.err"
t_eq "escape sequence in policy-domain: refused" "$?" 1
t_check "escape sequence in policy-domain: says where" \
	grep -qF 'policies[0].policy.policy-domain: byte 0x1b at 4 is not allowed' "$T/bad.err"
P="--since 2026-03-10 --until 2026-03-11"

# raw FILE: control characters left in the output (C0 but newline, DEL, C1)
raw() {
	LC_ALL=C grep -c -P '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"
}
# shellcheck disable=SC2086
"$TLSWATCH" --db "$H" summary $P > "$T/h.txt"
t_eq "summary text: no control characters" "$(raw "$T/h.txt")" 0
t_check "summary text: ESC[2J shown escaped" grep -qF '\x1b[2JEvil\x07 Corp' "$T/h.txt"
t_check "summary text: bidi override shown" grep -qF 'Corp\u202e' "$T/h.txt"
t_check "summary text: C1 CSI shown escaped" grep -qF 'certificate-expired\u009b2J' "$T/h.txt"
t_eq "summary text: 80 columns" "$(wide "$T/h.txt")" ""
# shellcheck disable=SC2086
"$TLSWATCH" --db "$H" summary $P --format csv > "$T/h.csv"
t_eq "csv: no control characters but CRLF line ends" \
	"$(tr -d '\r' < "$T/h.csv" > "$T/h.csv.lf"; raw "$T/h.csv.lf")" 0
t_check "csv: escaped organization" grep -qF '\x1b[2JEvil\x07 Corp\u202e' "$T/h.csv"
t_check "csv: a ';' cell quoted whole" grep -qF ',"Acme;=cmd|' "$T/h.csv"
# shellcheck disable=SC2086
"$TLSWATCH" --db "$H" summary $P --format html > "$T/h.html"
t_eq "html: no control characters" "$(raw "$T/h.html")" 0
t_check "html: no script element from a report" sh -c "! grep -q '<script>' '$T/h.html'"
t_check "html: the name as text" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/h.html"
t_check "html: no attribute break-out" grep -qF 'x&quot;&gt;&lt;img src=x&gt;.example' "$T/h.html"
bidi=$(printf '\342\200\256')
t_check "html: bidi override shown, not applied" sh -c \
	"grep -qF 'Corp\\u202e' '$T/h.html' && ! grep -qF '$bidi' '$T/h.html'"
# shellcheck disable=SC2086
"$TLSWATCH" --db "$H" summary $P --format json > "$T/h.json"
t_eq "json: no raw control characters" "$(raw "$T/h.json")" 0
t_eq "json: strings intact once decoded" \
	"$(jq '[.by_organization[].organization] | index("\u001b[2JEvil\u0007 Corp\u202e") != null' "$T/h.json")" true
# shellcheck disable=SC2086
"$TLSWATCH" --db "$H" reports $P > "$T/h.list"
t_eq "reports list: no control characters" "$(raw "$T/h.list")" 0
id=$("$TLSWATCH" --db "$H" reports $P --format json | jq '.reports[] | select(.report_id | startswith("hostile")) | .id')
"$TLSWATCH" --db "$H" show "$id" > "$T/h.show"
t_eq "show: no control characters" "$(raw "$T/h.show")" 0
t_check "show: CR LF in failure-reason-code escaped" grep -qF 'line1\x0d\x0aFAKE: injected' "$T/h.show"
t_check "show: no line starts with the injected text" sh -c "! grep -q '^FAKE' '$T/h.show'"
t_check "show: OSC title sequence in report-id escaped" grep -qF 'hostile-1\x1b]0;owned\x07' "$T/h.show"
"$TLSWATCH" --db "$H" show "$id" --raw > "$T/h.raw"
t_check "show --raw: the bytes as received" cmp -s "$T/h.raw" "$T/hostile.json"
"$TLSWATCH" --db "$H" alert --at 2026-03-11 > "$T/h.alert"
t_eq "alert: exit 1" "$?" 1
t_eq "alert: no control characters" "$(raw "$T/h.alert")" 0
t_check "alert: escaped names" grep -qF 'evil.example, MX mx.evil.example, certificate-expired\u009b2J' "$T/h.alert"
"$TLSWATCH" --db "$H" alert --at 2026-03-11 --repeat-after 0 --format json > "$T/h.alert.json"
t_check "alert json: Slack text has no raw < or > from a report" sh -c \
	"jq -r .text '$T/h.alert.json' | grep -v '^tlswatch' | grep -qv '[<>]'"
