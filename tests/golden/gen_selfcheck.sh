#!/bin/sh
# Golden test of the report generator itself (tools/gen/, docs/generator.md):
# the same seed gives byte-identical output in every format and a different
# seed does not; it writes the files it promises; every .json.gz inflates to a
# report jq parses, with consistent counts and unique (organization, report-id);
# --expect is laid out as the contract says and agrees with the files; spikes
# show in the files and in the expected figures; and tlswatch stores every
# report it writes (gz, eml, mbox, Maildir), finds re-sends to be duplicates,
# and stores the totals and days the expectation names.
. "$TOP/tests/lib.sh"

SMALL="--start 2026-10-02 --days 3 --domains 3"
count() { ls "$1" | grep -c -- "${2:-.}"; }

# --- bad usage: exit 2 and one line on stderr
usage_case() {
	name=$1
	shift
	"$GEN" "$@" > "$T/usage.out" 2> "$T/usage.err"
	rc=$?
	lines=$(wc -l < "$T/usage.err")
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$T/usage.out" ]; then
		t_pass "usage: $name"
	else
		t_fail "usage: $name" "got exit $rc and $lines stderr lines, want exit 2 and 1 line"
	fi
}
usage_case "no --out"
usage_case "unknown option" --out "$T/u" --colour
usage_case "bad format" --out "$T/u" --format xml
usage_case "bad date" --out "$T/u" --start 2026-02-30
usage_case "year out of range" --out "$T/u" --start 1999-12-31
usage_case "days not a number" --out "$T/u" --days 3x
usage_case "spike with 4 fields" --out "$T/u" --spike example.com,mx1.example.com,certificate-expired,2026-10-03
usage_case "spike count 0" --out "$T/u" --spike example.com,mx1.example.com,certificate-expired,2026-10-03,0
usage_case "spike domain with a slash" --out "$T/u" --spike ex/ample.com,mx,certificate-expired,2026-10-03,5
usage_case "several reports in a .json.gz" --out "$T/u" --reports-per-file 2
usage_case "--since without --expect" --out "$T/u" --since 2026-10-01
usage_case "--expect without --until" --out "$T/u" --expect "$T/u.exp" --since 2026-10-01
usage_case "--since after --until" --out "$T/u" --expect "$T/u.exp" --since 2026-10-05 --until 2026-10-01
t_eq "usage: nothing written" "$(ls "$T/u" 2>/dev/null | wc -l)" 0
"$GEN" --help > "$T/help" 2>&1
t_eq "--help: exit 0" "$?" 0

# --- determinism: the same seed, the same bytes; another seed, other bytes
for fmt in gz json eml mbox maildir; do
	"$GEN" --out "$T/a-$fmt" --format "$fmt" --seed 7 $SMALL --duplicates 3 \
		--expect "$T/a-$fmt.exp" --since 2026-10-02 --until 2026-10-05
	"$GEN" --out "$T/b-$fmt" --format "$fmt" --seed 7 $SMALL --duplicates 3 \
		--expect "$T/b-$fmt.exp" --since 2026-10-02 --until 2026-10-05
	t_check "seed 7 twice, $fmt: identical output" diff -r "$T/a-$fmt" "$T/b-$fmt"
	t_check "seed 7 twice, $fmt: identical expectation" cmp "$T/a-$fmt.exp" "$T/b-$fmt.exp"
done
"$GEN" --out "$T/c-gz" --seed 8 $SMALL --duplicates 3
if diff -r "$T/a-gz" "$T/c-gz" > /dev/null 2>&1; then
	t_fail "seed 8: different output" "seed 7 and seed 8 wrote the same files"
else
	t_pass "seed 8: different output"
fi
# a cut run is a prefix: every report it writes is the full run's, byte for byte
"$GEN" --out "$T/cut" --seed 7 $SMALL --max-reports 40
t_eq "--max-reports 40: 40 files" "$(count "$T/cut")" 40
same=0
for f in "$T/cut"/*; do cmp -s "$f" "$T/a-gz/$(basename "$f")" && same=$((same + 1)); done
t_eq "--max-reports 40: each equal to the full run's file" "$same" 40

# --- a month in .json.gz: counts, gzip, JSON, names, consistency
D="$T/month"
"$GEN" --out "$D" --seed 3 --start 2026-10-02 --days 30 --domains 3 --max-reports 300 \
	--duplicates 9 --expect "$T/month.exp" --since 2026-10-02 --until 2026-11-01
t_eq "month: exit 0" "$?" 0
t_eq "month: 309 files" "$(count "$D")" 309
t_eq "month: 9 re-sends" "$(count "$D" '!resend[0-9]*\.json\.gz$')" 9
t_eq "month: every file is .json.gz" "$(count "$D" '\.json\.gz$')" 309
t_check "month: gzip -t passes on every file" gzip -t "$D"/*
t_eq "month: expected reports = distinct files" "$(jq .totals.reports "$T/month.exp")" 300
mkdir "$T/j"
for f in "$D"/*; do
	case "$f" in *'!resend'*) continue ;; esac
	gzip -dc "$f" > "$T/j/$(basename "$f" .gz)"
done
jq -e -n '[inputs | objects] | length == 300' "$T/j"/*.json > /dev/null
t_eq "month: 300 reports, one JSON object each (jq)" "$?" 0
# file name = sender!domain!begin!end[!id]: begin and end are the date-range
bad=$(jq -r 'def t: sub("Z?$"; "Z") | fromdateiso8601;
	(input_filename | sub(".*/"; "") | split("!")) as $n
	| select(($n[2] | tonumber) != (.["date-range"]["start-datetime"] | t)
		or ($n[3] | tonumber) != (.["date-range"]["end-datetime"] | t))
	| input_filename' "$T/j"/*.json | wc -l)
t_eq "month: names carry the date-range" "$bad" 0
dups=$(jq -r '[.["organization-name"], .["report-id"]] | @tsv' "$T/j"/*.json | sort | uniq -d | wc -l)
t_eq "month: (organization, report-id) unique" "$dups" 0
bad=$(jq -c '.policies[] | select(.summary["total-failure-session-count"]
	!= ([.["failure-details"][]?["failed-session-count"]] | add // 0))' "$T/j"/*.json | wc -l)
t_eq "month: summary failures = sum of failure details" "$bad" 0
nsenders=$(jq -r '.["organization-name"]' "$T/j"/*.json | sort -u | wc -l)
t_check "month: more than 10 senders" test "$nsenders" -gt 10
for org in "Google Inc." "Microsoft Corporation" "Mail.ru" "Yahoo Inc." "Comcast" \
	"mx.example-isp.test" "smtp.example-university.test"; do
	n=$(jq -r --arg o "$org" 'select(.["organization-name"] == $o) | 1' "$T/j"/*.json | wc -l)
	t_check "month: reports from $org" test "$n" -gt 0
done
# sender quirks (docs/quirks.md) are present
some() { jq -e -n "[inputs | $1] | length > 0" "$T/j"/*.json > /dev/null; }
t_check "month: Microsoft lists sts and tlsa for one domain" \
	some 'select([.policies[].policy["policy-type"]] | index("tlsa"))'
t_check "month: Microsoft date-range without Z" \
	some 'select(.["date-range"]["start-datetime"] | endswith("Z") | not)'
t_check "month: contact-info null" some 'select(has("contact-info") and .["contact-info"] == null)'
t_check "month: no-policy-found without policy-domain" \
	some '.policies[] | select(.policy | has("policy-domain") | not)'
t_check "month: failure details without an MX" \
	some '.policies[]["failure-details"][]? | select(has("receiving-mx-hostname") | not)'
gz_os() { od -An -tx1 -j9 -N1 "$D/$(ls "$D" | grep -- "^$1" | head -1)" | tr -d ' '; }
t_eq "month: Google gzip header OS 0" "$(gz_os 'google.com!')" 00
t_eq "month: Mail.ru gzip header OS 255" "$(gz_os 'mail.ru!')" ff

# --- the expectation: layout, order, and agreement with the files
t_check "expect: laid out as jq prints it" sh -c "jq . '$T/month.exp' | cmp -s - '$T/month.exp'"
t_eq "expect: keys in contract order" "$(jq -c keys_unsorted "$T/month.exp")" \
	'["period","totals","by_domain","by_organization","by_mx","by_result_type","by_day","top_failures"]'
t_eq "expect: every day of the period" "$(jq '.by_day | length' "$T/month.exp")" 30
t_check "expect: top_failures at most 20" jq -e '.top_failures | length <= 20' "$T/month.exp"
t_check "expect: by_domain by failed desc" \
	jq -e '[.by_domain[].failed_sessions] | . == (sort | reverse)' "$T/month.exp"
t_check "expect: by_result_type by failed desc" \
	jq -e '[.by_result_type[].failed_sessions] | . == (sort | reverse)' "$T/month.exp"
t_check "expect: no zero rows in by_mx" jq -e '[.by_mx[] | select(.failed_sessions == 0)] == []' \
	"$T/month.exp"
n=$(jq -r 'select(any(.policies[]; .policy["policy-domain"] == "example.com")) | 1' \
	"$T/j"/*.json | wc -l)
t_eq "expect: example.com reports = files naming it" \
	"$(jq '.by_domain[] | select(.policy_domain == "example.com") | .reports' "$T/month.exp")" "$n"
"$GEN" --out "$T/month2" --seed 3 --start 2026-10-02 --days 30 --domains 3 --max-reports 300 \
	--expect "$T/month-com.exp" --since 2026-10-02 --until 2026-11-01 --expect-domain example.com
t_eq "expect: --expect-domain example.com counts those files" \
	"$(jq .totals.reports "$T/month-com.exp")" "$n"
"$GEN" --out "$T/month2" --seed 3 --start 2026-10-02 --days 30 --domains 3 --max-reports 300 \
	--expect "$T/month-ms.exp" --since 2026-10-02 --until 2026-11-01 \
	--expect-org "Microsoft Corporation" --expect-domain example.com
n=$(jq -r 'select(.["organization-name"] == "Microsoft Corporation"
	and any(.policies[]; .policy["policy-domain"] == "example.com")) | 1' "$T/j"/*.json | wc -l)
t_eq "expect: --expect-org Microsoft --expect-domain example.com" \
	"$(jq .totals.reports "$T/month-ms.exp")" "$n"
t_eq "expect: one organisation listed" "$(jq '.by_organization | length' "$T/month-ms.exp")" 1

# --- spikes: in the reports and in the figures
SP="--seed 3 --start 2026-10-02 --days 5 --domains 3"
"$GEN" --out "$T/nospike" $SP --expect "$T/nospike.exp" --since 2026-09-01 --until 2026-11-01
"$GEN" --out "$T/spike" $SP --expect "$T/spike.exp" --since 2026-09-01 --until 2026-11-01 \
	--spike example.com,mx1.example.com,certificate-expired,2026-10-04,5000 \
	--spike new-domain.test,mx.new-domain.test,tlsa-invalid,2026-10-03,300 \
	--spike example.net,mx2.example.net,dane-required,2026-09-20,40
g="google.com!example.com!1791072000!1791158399!001.json.gz"
t_check "spike: Google already reports example.com that day (precondition)" test -f "$T/nospike/$g"
got=$(gzip -dc "$T/spike/$g" | jq '[.policies[]["failure-details"][]? | select(.["result-type"]
	== "certificate-expired" and .["receiving-mx-hostname"] == "mx1.example.com")
	| .["failed-session-count"]] | max')
t_check "spike: in Google's report, at mx1.example.com" test "$got" -ge 5000
a=$(gzip -dc "$T/nospike/$g" | jq '[.policies[].summary["total-failure-session-count"]] | add')
b=$(gzip -dc "$T/spike/$g" | jq '[.policies[].summary["total-failure-session-count"]] | add')
t_eq "spike: the report's failures grow by 5000" "$((b - a))" 5000
rt() { jq --arg r "$2" '[.by_result_type[] | select(.result_type == $r) | .failed_sessions] | add // 0' "$1"; }
# the other spikes bring whole new reports (with their own failures): look at example.com alone
for x in nospike spike; do
	"$GEN" --out "$T/$x-com" $SP --expect "$T/$x-com.exp" --since 2026-09-01 --until 2026-11-01 \
		--expect-domain example.com \
		$([ $x = spike ] && echo --spike example.com,mx1.example.com,certificate-expired,2026-10-04,5000)
done
t_eq "spike: certificate-expired +5000 in example.com's by_result_type" \
	"$(($(rt "$T/spike-com.exp" certificate-expired) - $(rt "$T/nospike-com.exp" certificate-expired)))" 5000
t_eq "spike: example.com failed_sessions +5000" \
	"$(($(jq .totals.failed_sessions "$T/spike-com.exp") - $(jq .totals.failed_sessions "$T/nospike-com.exp")))" 5000
t_eq "spike: tlsa-invalid +300 (a new domain's report)" \
	"$(($(rt "$T/spike.exp" tlsa-invalid) - $(rt "$T/nospike.exp" tlsa-invalid)))" 300
t_eq "spike: dane-required +40 (a day before --start)" \
	"$(($(rt "$T/spike.exp" dane-required) - $(rt "$T/nospike.exp" dane-required)))" 40
t_eq "spike: top failure" "$(jq -c '.top_failures[0] | [.organization, .policy_domain, .mx_host, .result_type]' "$T/spike.exp")" \
	'["Google Inc.","example.com","mx1.example.com","certificate-expired"]'
t_check "spike: report for the new domain written" test -f \
	"$T/spike/google.com!new-domain.test!1790985600!1791071999!001.json.gz"
t_check "spike: report for the day before --start written" test -f \
	"$T/spike/google.com!example.net!1789862400!1789948799!001.json.gz"
t_eq "spike: two more reports, two more files" \
	"$(($(jq .totals.reports "$T/spike.exp") - $(jq .totals.reports "$T/nospike.exp")))/$(($(count "$T/spike") - $(count "$T/nospike")))" 2/2

# --- tlswatch stores what the generator writes
"$TLSWATCH" --db "$T/db" -v ingest "$D"/* > "$T/ingest.out" 2> "$T/ingest.err"
t_eq "tlswatch ingest month: exit 0" "$?" 0
t_eq "tlswatch: every report stored" "$(t_sql "$T/db" "select count(*) from report")" 300
t_eq "tlswatch: re-sends are duplicates" "$(grep -c ': duplicate$' "$T/ingest.out")" 9
t_eq "tlswatch: nothing quarantined" "$(t_sql "$T/db" "select count(*) from quarantine")" 0
t_eq "tlswatch: stored totals = expected totals" \
	"$(t_sql "$T/db" "select count(*) || ' ' || sum(successful_sessions) || ' ' || sum(failed_sessions) from report")" \
	"$(jq -r '.totals | "\(.reports) \(.successful_sessions) \(.failed_sessions)"' "$T/month.exp")"
t_sql "$T/db" "select date(day * 86400, 'unixepoch') || ' ' || sum(successful_sessions) || ' '
	|| sum(failed_sessions) from report group by day order by day" > "$T/days.db"
jq -r '.by_day[] | select(.successful_sessions + .failed_sessions > 0)
	| "\(.day) \(.successful_sessions) \(.failed_sessions)"' "$T/month.exp" > "$T/days.exp"
t_check "tlswatch: stored days = expected by_day" cmp "$T/days.db" "$T/days.exp"
for fmt in eml mbox maildir; do
	case $fmt in
	eml) in=$(echo "$T/a-eml"/*) ;;
	mbox) in="$T/a-mbox/reports.mbox" ;;
	maildir) in="$T/a-maildir" ;;
	esac
	# shellcheck disable=SC2086 # one path per .eml file
	"$TLSWATCH" --db "$T/$fmt.db" ingest $in > /dev/null 2> "$T/$fmt.err"
	t_eq "tlswatch ingest $fmt: exit 0" "$?" 0
	t_eq "tlswatch ingest $fmt: every report stored" \
		"$(t_sql "$T/$fmt.db" "select count(*) from report")" \
		"$(jq .totals.reports "$T/a-$fmt.exp")"
done
"$GEN" --out "$T/multi" --format maildir --seed 7 $SMALL --reports-per-file 5 -v 2> "$T/multi.v"
n=$(jq .totals.reports "$T/a-gz.exp")
t_eq "maildir, 5 reports a message: messages" "$(($(count "$T/multi/new") + $(count "$T/multi/cur")))" \
	"$(((n + 4) / 5))"
t_eq "maildir: tmp/ left empty" "$(count "$T/multi/tmp")" 0
"$TLSWATCH" --db "$T/multi.db" ingest "$T/multi" > /dev/null 2>&1
t_eq "tlswatch ingest maildir, 5 a message: every report stored" \
	"$(t_sql "$T/multi.db" "select count(*) from report")" "$n"
t_check "mbox: a body line 'From ' is quoted" grep -q '^>From ' "$T/a-mbox/reports.mbox"
