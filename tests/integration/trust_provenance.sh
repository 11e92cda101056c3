#!/bin/sh
# tests/integration/trust_provenance.sh - issue 11: 'summary --provenance P'
# and the dashboard's summaries with ?provenance=P count only the reports
# of that provenance. The aggregate tables carry no provenance, so the
# figures are counted again from those reports: every figure must equal a
# store that only ever held them, with and without a domain filter.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
trap 'web_stop; rm -rf "$T"' EXIT

D=$DATA/trust
CFG=$T/record.conf
printf '[trust]\ndkim = record\n' > "$CFG"
tw() { "$TLSWATCH" --config "$CFG" "$@"; }
P="--since 2026-10-15 --until 2026-11-15"
# a summary as JSON, without what is not about reports (quarantine, conflicts)
sum() { db=$1; shift; tw --db "$db" summary $P --format json "$@" | jq -S "del(.quarantined, .conflicts)"; }
wrap() {
	printf 'From: noreply-smtp-tls-reporting@google.com\nMessage-ID: <%s@example.org>\n' "$2"
	printf 'Subject: Report Domain: example.com\nContent-Type: application/tlsrpt+json\n\n'
	cat "$1"
}
wrap "$D/genuine.json" g > "$T/genuine.eml"

# mixed: files, and mail not DKIM-verified (dkim = record)
tw --db "$T/mixed.db" ingest "$D/mixed-domains.json" "$D/reporter-first.json" \
	"$D/context-empty-org.eml" "$T/genuine.eml" > /dev/null 2>&1
t_eq "mixed: two provenances stored" \
	"$(t_sql "$T/mixed.db" "select provenance || ' ' || count(*) from report group by provenance order by 1")" \
	"file 2
unverified-mail 2"
tw --db "$T/file.db" ingest "$D/mixed-domains.json" "$D/reporter-first.json" > /dev/null 2>&1
tw --db "$T/mail.db" ingest "$D/context-empty-org.eml" "$T/genuine.eml" > /dev/null 2>&1

sum "$T/mixed.db" --provenance file > "$T/mixed-file.json"
sum "$T/file.db" > "$T/file.json"
t_check "--provenance file: every figure equals a store of the files only" \
	cmp "$T/mixed-file.json" "$T/file.json"
t_eq "--provenance file: reports counted" "$(jq .totals.reports "$T/mixed-file.json")" 2
sum "$T/mixed.db" --provenance unverified-mail > "$T/mixed-mail.json"
sum "$T/mail.db" > "$T/mail.json"
t_check "--provenance unverified-mail: every figure equals a store of the mail only" \
	cmp "$T/mixed-mail.json" "$T/mail.json"
t_check "--provenance unverified-mail: the genuine failures are there" \
	grep -q 3988 "$T/mixed-mail.json"
sum "$T/mixed.db" --provenance unverified-mail --domain example.com > "$T/a.json"
sum "$T/mail.db" --domain example.com > "$T/b.json"
t_check "--provenance with --domain: equal to the mail-only store's" cmp "$T/a.json" "$T/b.json"
sum "$T/mixed.db" --provenance https > "$T/none.json"
t_eq "--provenance https: no report" "$(jq .totals.reports "$T/none.json")" 0
sum "$T/mixed.db" > "$T/all.json"
t_eq "no --provenance: every report" "$(jq .totals.reports "$T/all.json")" 4

tw --db "$T/mixed.db" summary $P --provenance file > "$T/text"
t_check "text: says which provenance it counts" \
	grep -q "^Provenance: file (only reports of it are counted)$" "$T/text"
tw --db "$T/mixed.db" summary $P --provenance forged > /dev/null 2> "$T/err"
t_eq "unknown provenance: exit 2" "$?" 2
t_check "unknown provenance: the error lists the grades" \
	grep -q "provenance: want dkim-verified, file, https or unverified-mail" "$T/err"

if web_start --config "$CFG" --db "$T/mixed.db" web --listen 127.0.0.1:0; then
	Q="since=2026-10-15&until=2026-11-15"
	curl -s "$WEB_URL/api/v1/summary?$Q&provenance=unverified-mail" |
		jq -S "del(.quarantined, .conflicts)" > "$T/api.json"
	t_check "/api/v1/summary?provenance=: equal to the mail-only store's" \
		cmp "$T/api.json" "$T/mail.json"
	code=$(curl -s -o /dev/null -w '%{http_code}' "$WEB_URL/api/v1/summary?$Q&provenance=x")
	t_eq "/api/v1/summary with an unknown provenance: 400" "$code" 400
	for g in result_type sending_ip; do
		curl -s "$WEB_URL/api/v1/failures?$Q&group_by=$g&provenance=file" > "$T/f-$g.json"
		curl -s "$WEB_URL/api/v1/failures?$Q&group_by=$g" > "$T/fall-$g.json"
	done
	t_eq "/api/v1/failures?provenance=file: the files' result types only" \
		"$(jq -r '[.groups[] | "\(.result_type) \(.failed_sessions)"] | join(",")' "$T/f-result_type.json")" \
		"starttls-not-supported 500,certificate-expired 2"
	t_check "/api/v1/failures without it: the mail's too" \
		grep -q certificate-host-mismatch "$T/fall-result_type.json"
	t_eq "/api/v1/failures?group_by=sending_ip&provenance=file: the files' details only" \
		"$(jq -r '[.groups[] | "\(.sending_ip) \(.failed_sessions)"] | join(",")' "$T/f-sending_ip.json")" \
		"null 502"
	t_check "/api/v1/failures?group_by=sending_ip without it: the mail's address too" \
		grep -q 209.85.1.1 "$T/fall-sending_ip.json"
	curl -s "$WEB_URL/?$Q&provenance=file" > "$T/overview.html"
	t_check "overview: the filter form keeps the provenance" \
		grep -q 'name="provenance"[^>]*value="file"' "$T/overview.html"
	t_check "overview: the mail's failures are not counted" \
		sh -c "! grep -q 3,988 '$T/overview.html'"
	curl -s "$WEB_URL/?$Q" > "$T/overview-all.html"
	t_check "overview without the filter: they are" grep -q '3,988' "$T/overview-all.html"
	web_stop
else
	t_fail "dashboard starts" "$(cat "$T/web.err")"
fi

# generated reports (sts and tlsa, many MX hosts and result types), all
# files: counted again, every figure equals the aggregate tables'
"$GEN" --out "$T/gen" --days 5 --domains 4 --format json
"$TLSWATCH" --config "$CFG" --db "$T/gen.db" ingest "$T/gen" > /dev/null 2>&1
# gsum NAME ARGS...: the summary with and without --provenance file, equal
gsum() {
	name=$1
	shift
	"$TLSWATCH" --db "$T/gen.db" summary --all --format json "$@" > "$T/g1.json"
	"$TLSWATCH" --db "$T/gen.db" summary --all --format json --provenance file "$@" > "$T/g2.json"
	t_check "generated days, $name: counted again equals the aggregates" cmp "$T/g1.json" "$T/g2.json"
	t_check "generated days, $name: reports seen" \
		sh -c "[ \$(jq .totals.reports '$T/g1.json') -gt 0 ]"
}
gsum "every report"
gsum "one domain" --domain example.net
gsum "Microsoft (sts and tlsa the same sessions)" --org "Microsoft Corporation"
