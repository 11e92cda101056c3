#!/bin/sh
# summary.sh - 'tlswatch summary --format json' against figures computed
# independently: the generator's --expect document (tools/gen/ counts
# what it writes, without tlswatch's code), compared exactly with jq on the
# contract's keys; then hand-checked cases from real samples, and the
# extra keys, other formats and option errors.
. "$TOP/tests/lib.sh"

DB=$T/gen.db
KEYS='{period, totals, by_domain, by_organization, by_mx, by_result_type, by_day, top_failures}'
CORPUS="--seed 11 --start 2026-03-01 --days 45 --domains 6
	--spike example.net,mx1.example.net,certificate-expired,2026-03-20,400"

# The corpus, once, as one .json.gz file per report
# shellcheck disable=SC2086
"$GEN" --out "$T/r" $CORPUS --format gz > /dev/null || t_fail "generator" "exit $?"

# gen_expect NAME SINCE UNTIL [gen options]: the expected summary of the
# same corpus for that period and filter (the reports are written again as
# one mbox file and thrown away: the figures do not depend on the format)
gen_expect() {
	name=$1 since=$2 until=$3
	shift 3
	rm -rf "$T/x"
	# shellcheck disable=SC2086
	"$GEN" --out "$T/x" $CORPUS --format mbox --expect "$T/$name.want" --since "$since" \
		--until "$until" "$@" > /dev/null || t_fail "$name: generator" "exit $?"
}

# check NAME SINCE UNTIL [summary options]: exact equality on the contract
check() {
	name=$1 since=$2 until=$3
	shift 3
	if ! "$TLSWATCH" --db "$DB" summary --since "$since" --until "$until" --format json "$@" \
		> "$T/$name.got" 2> "$T/$name.err"; then
		t_fail "$name" "summary failed: $(cat "$T/$name.err")"
		return
	fi
	jq -S "$KEYS" "$T/$name.want" > "$T/$name.want.s"
	jq -S "$KEYS" "$T/$name.got" > "$T/$name.got.s"
	if cmp -s "$T/$name.want.s" "$T/$name.got.s"; then
		t_pass "$name"
	else
		t_fail "$name" "differs from the generator's figures: $(diff "$T/$name.want.s" \
			"$T/$name.got.s" | head -20 | tr '\n' ' ')"
	fi
}

# --- the generated corpus, ingested once
gen_expect whole 2026-03-08 2026-04-05
n_files=$(ls "$T/r" | wc -l)
if "$TLSWATCH" --db "$DB" ingest "$T"/r/* 2> "$T/ingest.err"; then
	t_pass "ingest $n_files generated files"
else
	t_fail "ingest generated files" "$(head -3 "$T/ingest.err")"
fi

check whole 2026-03-08 2026-04-05
# the spike's day alone, and a week
gen_expect spike-day 2026-03-20 2026-03-21
check spike-day 2026-03-20 2026-03-21
gen_expect week 2026-04-01 2026-04-08
check week 2026-04-01 2026-04-08
# a period reaching before the first report: by_day lists zero days
gen_expect early 2026-02-20 2026-03-05
check early 2026-02-20 2026-03-05
# filters: one domain, two domains and a reporter, a reporter alone
# (Microsoft: sts and tlsa views of example.com's sessions, counted once)
gen_expect one-domain 2026-03-08 2026-04-05 --expect-domain example.net
check one-domain 2026-03-08 2026-04-05 --domain example.net
gen_expect two-domains-google 2026-03-01 2026-04-15 --expect-domain example.com \
	--expect-domain example-5.test --expect-org "Google Inc."
check two-domains-google 2026-03-01 2026-04-15 --domain example.com \
	--domain example-5.test --org "Google Inc."
gen_expect microsoft 2026-03-01 2026-04-15 --expect-org "Microsoft Corporation"
check microsoft 2026-03-01 2026-04-15 --org "Microsoft Corporation"
gen_expect no-policy-domain-org 2026-03-08 2026-03-15 --expect-domain example.org
check no-policy-domain-org 2026-03-08 2026-03-15 --domain example.org

# sanity: the comparison is not vacuous
t_eq "whole: reports counted" "$(jq '.totals.reports > 1000' "$T/whole.got")" true
t_eq "spike-day: the spike is the top failure" \
	"$(jq -c '.top_failures[0] | [.policy_domain, .mx_host, .result_type, .failed_sessions >= 400]' \
		"$T/spike-day.got")" '["example.net","mx1.example.net","certificate-expired",true]'
t_eq "early: every day listed" "$(jq '.by_day | length' "$T/early.got")" 13
t_eq "early: days before the corpus are zero" \
	"$(jq -c '.by_day[0]' "$T/early.got")" \
	'{"day":"2026-02-20","successful_sessions":0,"failed_sessions":0}'
t_eq "top_failures capped at 20" "$(jq '.top_failures | length' "$T/whole.got")" 20

# --- extra keys (docs/summary-json.md): previous period of the same length
t_eq "previous period" "$(jq -c '.previous.period' "$T/week.got")" \
	'{"since":"2026-03-25","until":"2026-04-01"}'
gen_expect prev-of-week 2026-03-25 2026-04-01
t_eq "previous totals are that period's totals" "$(jq -c '.previous.totals' "$T/week.got")" \
	"$(jq -c '.totals' "$T/prev-of-week.want")"
t_eq "previous top_failures keep the current order" \
	"$(jq -c '[.previous.top_failures[] | [.organization, .policy_domain, .mx_host, .result_type]]' "$T/week.got")" \
	"$(jq -c '[.top_failures[] | [.organization, .policy_domain, .mx_host, .result_type]]' "$T/week.got")"
t_eq "new_failures: MX hosts failing now and not in the previous period" \
	"$(jq -c '.new_failures.mx_hosts' "$T/week.got")" \
	"$(jq -c '[.by_mx[].mx_host] - [.previous.by_mx[].mx_host]' "$T/week.got")"
t_eq "silent_reporters: reporters of the previous day only" \
	"$(jq -c '[.silent_reporters[].organization] | sort' "$T/spike-day.got")" \
	"$(jq -c '[.previous.by_organization[].organization] - [.by_organization[].organization] | sort' "$T/spike-day.got")"
t_eq "silent_reporters: some on the spike day" \
	"$(jq '.silent_reporters | length > 0' "$T/spike-day.got")" true
t_eq "hints for every result type" \
	"$(jq '[.by_result_type[].result_type] - (.hints | keys) | length' "$T/whole.got")" 0
t_eq "--all spans the stored days" \
	"$("$TLSWATCH" --db "$DB" summary --all --format json | jq -c .period)" \
	'{"since":"2026-03-01","until":"2026-04-15"}'

# --- real samples, checked by hand against the JSON
S=$DATA/samples
SDB=$T/samples.db
"$TLSWATCH" --db "$SDB" ingest \
	"$S/cry-inc__dmarc-report-viewer__testdata__smtp-tls-reports__microsoft.json" \
	"$S/domainaware__parsedmarc__samples__smtp_tls__mail.ru.json" \
	"$S/domainaware__parsedmarc__samples__smtp_tls__rfc8460.json" \
	|| t_fail "ingest samples" "exit $?"
# Microsoft: an sts and a tlsa policy for random.net, each counting the
# same 2 sessions: 2 successful, not 4
"$TLSWATCH" --db "$SDB" summary --since 2025-05-23 --until 2025-05-24 --format json > "$T/ms.json"
t_eq "microsoft: 2 successful sessions, not 4" "$(jq -c .totals "$T/ms.json")" \
	'{"reports":1,"successful_sessions":2,"failed_sessions":0}'
t_eq "microsoft: by_domain" "$(jq -c .by_domain "$T/ms.json")" \
	'[{"policy_domain":"random.net","reports":1,"successful_sessions":2,"failed_sessions":0}]'
t_eq "microsoft: both policy types kept apart" \
	"$(jq -c '[.by_policy_type[] | [.policy_type, .successful_sessions]] | sort' "$T/ms.json")" \
	'[["sts",2],["tlsa",2]]'
# Mail.ru: the summary says 1 failed session, its two failure details 1 each
"$TLSWATCH" --db "$SDB" summary --since 2024-02-22 --until 2024-02-23 --format json > "$T/ru.json"
t_eq "mail.ru: totals from the summary" "$(jq -c .totals "$T/ru.json")" \
	'{"reports":1,"successful_sessions":0,"failed_sessions":1}'
t_eq "mail.ru: by_result_type from the details" "$(jq -c .by_result_type "$T/ru.json")" \
	'[{"result_type":"sts-policy-fetch-error","failed_sessions":2}]'
t_eq "mail.ru: no receiving-mx-hostname is null" "$(jq -c .by_mx "$T/ru.json")" \
	'[{"mx_host":null,"failed_sessions":2}]'
t_eq "mail.ru: new against an empty day before" "$(jq -c .new_failures "$T/ru.json")" \
	'{"result_types":["sts-policy-fetch-error"],"mx_hosts":[null]}'
# RFC 8460 section 4.8 example: 5326 successful, 303 failed; details 200+100+3
"$TLSWATCH" --db "$SDB" summary --since 2016-04-01 --until 2016-04-02 --format json > "$T/rfc.json"
t_eq "rfc example: totals" "$(jq -c .totals "$T/rfc.json")" \
	'{"reports":1,"successful_sessions":5326,"failed_sessions":303}'
t_eq "rfc example: by_mx order" "$(jq -c '[.by_mx[] | [.mx_host, .failed_sessions]]' "$T/rfc.json")" \
	'[["mx2.mail.company-y.example",200],["mx1.mail.company-y.example",100],["mx-backup.mail.company-y.example",3]]'

# --- other formats of the same model
"$TLSWATCH" --db "$DB" summary --since 2026-03-08 --until 2026-04-05 --format csv > "$T/s.csv"
t_eq "csv: totals row" "$(grep '^totals,' "$T/s.csv" | cut -d, -f9-11)" \
	"$(jq -r '[.totals.reports, .totals.successful_sessions, .totals.failed_sessions] | join(",")' "$T/whole.got")"
t_eq "csv: a row per domain" "$(grep -c '^domain,' "$T/s.csv")" "$(jq '.by_domain | length' "$T/whole.got")"
t_eq "csv: CRLF line ends" "$(head -1 "$T/s.csv" | od -c | grep -c '\\r  \\n')" 1
"$TLSWATCH" --db "$DB" summary --since 2026-03-08 --until 2026-04-05 --format html > "$T/s.html"
t_check "html: a standalone page with a CSP" grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$T/s.html"
t_check "html: no script" sh -c "! grep -qi '<script' '$T/s.html'"
t_check "html: ends" grep -q '</html>' "$T/s.html"

# --- errors: exit 2 with a reason
for args in "--since 2026-03-10 --until 2026-03-10" "--since tomorrow" "--format xml" \
	"--all --since 7d" "--bogus" "--since 0d"; do
	# shellcheck disable=SC2086
	"$TLSWATCH" --db "$DB" summary $args > /dev/null 2> "$T/err"
	rc=$?
	t_eq "summary $args: exit 2" "$rc" 2
	t_check "summary $args: a reason" test -s "$T/err"
done
"$TLSWATCH" --db "$T/missing.db" summary > /dev/null 2> "$T/err"
t_eq "missing database: exit 2" "$?" 2
t_check "missing database: not created" test ! -e "$T/missing.db"
t_check "summary --help" sh -c "'$TLSWATCH' summary --help | grep -q -- '--since DATE|Nd'"
