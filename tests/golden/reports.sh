#!/bin/sh
# reports.sh - 'tlswatch reports' and 'tlswatch show': the list agrees with
# the summary's counts and the generator's, filters narrow it to the
# reports behind a number, pages cover every report once, and show gives
# a report back with its policies, failure details, source and raw bytes.
. "$TOP/tests/lib.sh"

DB=$T/db
CORPUS="--seed 21 --start 2026-04-01 --days 20 --domains 4"
"$GEN" --out "$T/r" $CORPUS --format gz --expect "$T/want.json" --since 2026-04-10 \
	--until 2026-04-12 > /dev/null || t_fail "generator" "exit $?"
"$TLSWATCH" --db "$DB" ingest "$T"/r/* || t_fail "ingest" "exit $?"
P="--since 2026-04-10 --until 2026-04-12"

# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" reports $P --limit 1000 --format json > "$T/all.json"
t_eq "total: the generator's report count" "$(jq .total "$T/all.json")" \
	"$(jq .totals.reports "$T/want.json")"
t_eq "one page holds them all" "$(jq '.reports | length' "$T/all.json")" "$(jq .total "$T/all.json")"
t_eq "newest first" "$(jq '[.reports[].day] | . == (sort | reverse)' "$T/all.json")" true
t_eq "sessions add up to the summary's" \
	"$(jq '[.reports[].failed_sessions] | add' "$T/all.json")" "$(jq .totals.failed_sessions "$T/want.json")"

# pages of 37 cover every report exactly once
: > "$T/ids"
off=0
while [ "$off" -lt "$(jq .total "$T/all.json")" ]; do
	# shellcheck disable=SC2086
	"$TLSWATCH" --db "$DB" reports $P --limit 37 --offset "$off" --format json |
		jq '.reports[].id' >> "$T/ids"
	off=$((off + 37))
done
t_eq "pages: every report once" "$(sort -n "$T/ids" | uniq | wc -l) $(wc -l < "$T/ids")" \
	"$(jq .total "$T/all.json") $(jq .total "$T/all.json")"
t_eq "pages: the same reports" "$(sort -n "$T/ids" | tr '\n' ' ')" \
	"$(jq '.reports[].id' "$T/all.json" | sort -n | tr '\n' ' ')"

# filters: a domain and a reporter as in the summary
# shellcheck disable=SC2086
n=$("$TLSWATCH" --db "$DB" reports $P --domain example.net --format json | jq .total)
t_eq "--domain: the summary's by_domain reports" "$n" \
	"$(jq '.by_domain[] | select(.policy_domain == "example.net") | .reports' "$T/want.json")"
# a domain names the domain, whatever its case or a root dot, on the
# command line and in the report (docs/counting.md: stored as sent)
# shellcheck disable=SC2086
t_eq "--domain Example.NET. finds the same reports" \
	"$("$TLSWATCH" --db "$DB" reports $P --domain Example.NET. --format json | jq .total)" "$n"
# shellcheck disable=SC2086
t_eq "summary --domain Example.NET. counts the same" \
	"$("$TLSWATCH" --db "$DB" summary $P --domain Example.NET. --format json |
		jq '.totals.reports')" "$n"
jq '."report-id" = "case-1" | .policies[].policy."policy-domain" = "Apex.EXAMPLE."' \
	"$DATA/postfix/microsoft-apex.json" > "$T/case.json"
"$TLSWATCH" --db "$T/case.db" ingest "$T/case.json" || t_fail "ingest case.json" "exit $?"
t_eq "a report's Apex.EXAMPLE. is found by --domain apex.example" \
	"$("$TLSWATCH" --db "$T/case.db" reports --all --domain apex.example --format json |
		jq -c '[.total, .reports[0].policy_domains]')" '[1,["Apex.EXAMPLE."]]'
t_eq "not by a prefix" \
	"$("$TLSWATCH" --db "$T/case.db" reports --all --domain apex.exampl --format json |
		jq .total)" 0
# shellcheck disable=SC2086
n=$("$TLSWATCH" --db "$DB" reports $P --org "Google Inc." --format json | jq .total)
t_eq "--org: the summary's by_organization reports" "$n" \
	"$(jq '.by_organization[] | select(.organization == "Google Inc.") | .reports' "$T/want.json")"

# the reports behind the top failure: each has a matching failure detail
top=$(jq -c '.top_failures[0]' "$T/want.json")
org=$(echo "$top" | jq -r .organization)
dom=$(echo "$top" | jq -r .policy_domain)
mx=$(echo "$top" | jq -r .mx_host)
rt=$(echo "$top" | jq -r .result_type)
# shellcheck disable=SC2086
"$TLSWATCH" --db "$DB" reports $P --org "$org" --domain "$dom" --mx "$mx" --result-type "$rt" \
	--format json > "$T/behind.json"
t_check "top failure: some reports behind it" test "$(jq .total "$T/behind.json")" -ge 1
sum=0
for id in $(jq '.reports[].id' "$T/behind.json"); do
	"$TLSWATCH" --db "$DB" show "$id" --format json > "$T/one.json"
	f=$(jq --arg d "$dom" --arg m "$mx" --arg r "$rt" \
		'[.policies[] | select(.policy_domain == $d) | .failure_details[] |
		  select(.receiving_mx_hostname == $m and .result_type == $r) | .failed_sessions] | max // 0' "$T/one.json")
	[ "$f" -gt 0 ] || t_fail "top failure: report $id has no such detail"
	sum=$((sum + f))
done
t_eq "top failure: its details add up to its count (one view per report)" "$sum" \
	"$(echo "$top" | jq .failed_sessions)"
# shellcheck disable=SC2086
t_eq "--policy-type no-policy-found: only example.org" \
	"$("$TLSWATCH" --db "$DB" reports $P --policy-type no-policy-found --limit 1000 --format json |
		jq -c '[.reports[].policy_domains[]] | unique')" '["example.org"]'

# show: one real sample back, whole
S=$DATA/samples/cry-inc__dmarc-report-viewer__testdata__smtp-tls-reports__microsoft.json
"$TLSWATCH" --db "$T/s.db" ingest "$S" || t_fail "ingest sample" "exit $?"
"$TLSWATCH" --db "$T/s.db" show 1 --format json > "$T/ms.json"
t_eq "show: organisation and counts once" \
	"$(jq -c '[.organization, .successful_sessions, .failed_sessions]' "$T/ms.json")" \
	'["Microsoft Corporation",2,0]'
t_eq "show: both policies" "$(jq -c '[.policies[] | [.policy_type, .policy_domain, .successful_sessions]]' "$T/ms.json")" \
	'[["sts","random.net",2],["tlsa","random.net",2]]'
t_eq "show: the policy strings" "$(jq -c '.policies[0].policy_strings' "$T/ms.json")" \
	'["version: STSv1","mode: enforce","mx: *.random.net","max_age: 2592000"]'
t_eq "show: the source" "$(jq -r '.source.kind' "$T/ms.json") $(jq -r '.source.name' "$T/ms.json")" "file $S"
t_eq "show: the raw JSON" "$(jq -j .raw_json "$T/ms.json" | sha256sum | cut -c1-64)" \
	"$(jq -r .raw_sha256 "$T/ms.json")"
"$TLSWATCH" --db "$T/s.db" show 1 --raw > "$T/raw"
t_check "show --raw: byte-exact" cmp -s "$T/raw" "$S"
"$TLSWATCH" --db "$T/s.db" show 1 > "$T/ms.txt"
t_check "show text: the date range" grep -q 'date-range: *2025-05-23T00:00:00Z to 2025-05-23T23:59:59Z' "$T/ms.txt"
t_check "show text: the raw JSON, line by line" grep -q '^    "organization-name": "Microsoft Corporation",$' "$T/ms.txt"

# errors
"$TLSWATCH" --db "$T/s.db" show 99 > /dev/null 2> "$T/err"
t_eq "show 99: exit 2" "$?" 2
t_check "show 99: no report 99" grep -q 'no report 99' "$T/err"
for args in "show" "show x" "show 1 2" "reports --limit 0" "reports --limit 1001" \
	"reports --offset -1" "reports --limit 10x" "show +1" \
	"reports --format csv" "reports --since 2026-04-12 --until 2026-04-10"; do
	# shellcheck disable=SC2086
	"$TLSWATCH" --db "$DB" $args > /dev/null 2>&1
	t_eq "$args: exit 2" "$?" 2
done
# the filter options are read by one helper (cli/filter_opts.c) for both
# commands: the same refusals, the same words
for cmd in summary reports; do
	"$TLSWATCH" --db "$DB" $cmd --domain '' > /dev/null 2> "$T/err"
	t_eq "$cmd --domain '': exit 2" "$?" 2
	t_check "$cmd --domain '': says so" grep -q "tlswatch $cmd: --domain needs a domain" "$T/err"
	"$TLSWATCH" --db "$DB" $cmd --all --since 7d > /dev/null 2> "$T/err"
	t_check "$cmd --all --since: refused" grep -q -- "--all excludes --since and --until" "$T/err"
done
