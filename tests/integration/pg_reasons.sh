#!/bin/sh
# Reason codes and additional-information grouped alike on PostgreSQL and
# SQLite (docs/alerts.md, "Reason codes"; the grouping is the analyzer's,
# over rows each backend reads): the RFC example's two spellings of one
# additional-information (quirks E8) are one group on both, and a
# generated month's reason codes (Go errors naming each domain, HTTP
# status codes) give byte-identical by_reason and
# by_additional_information in summary JSON and the same groups from
# /api/v1/failures.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
cd "$T" || exit 1
t_dkim_off

if ! pg_start; then
	t_fail "PostgreSQL test server starts"
	exit 0
fi
PGA=$(pg_newdb reasons)
SQ=$T/s.db
S=$DATA/samples
# the compact spelling twice (two reports), the spaced one once
jq '.["report-id"] = "rfc-compact-1"' \
	"$S/cry-inc__dmarc-report-viewer__testdata__smtp-tls-reports__rfc-example.json" > c1.json
jq '.["report-id"] = "rfc-compact-2" | .["date-range"] = {"start-datetime":
	"2016-04-02T00:00:00Z", "end-datetime": "2016-04-02T23:59:59Z"}' \
	"$S/cry-inc__dmarc-report-viewer__testdata__smtp-tls-reports__rfc-example.json" > c2.json
cp "$S/phi-ag__mta-sts-exporter__examples__rfc.json" spaced.json
"$GEN" --out "$T/month" --seed 3 --start 2016-04-01 --days 28 --domains 3 --format gz
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest c1.json c2.json spaced.json "$T"/month/* > /dev/null 2>> ingest.err ||
		t_fail "ingest into $db" "$(tail -2 ingest.err)"
done

RFC_URL="https://reports.company-x.example/report_info?id=5065427c-23d3#StarttlsNotSupported"
for db in "$SQ" "$PGA"; do
	case $db in postgresql:*) name=PostgreSQL ;; *) name=SQLite ;; esac
	"$TLSWATCH" --db "$db" summary --all --format json > "sum.$name" ||
		t_fail "summary on $name" "exit $?"
	jq -c '[.by_reason, .by_additional_information]' "sum.$name" > "groups.$name"
	t_eq "$name: the RFC example's two spellings are one group" \
		"$(jq -c '[.by_additional_information[] | select(.normalised | startswith("https://<host>/report_info")) | [.additional_information, .forms, .failed_sessions]]' "sum.$name")" \
		"[[\"$RFC_URL\",2,600]]"
	if ! web_start --db "$db" web --listen 127.0.0.1:0; then
		t_fail "dashboard starts on $name" "$(cat "$T/web.err")"
		continue
	fi
	for g in reason additional_information; do
		curl -s -o "api.$g.$name" \
			"$WEB_URL/api/v1/failures?since=2016-04-01&until=2016-05-01&group_by=$g&page_size=500"
	done
	web_stop
done
t_check "summary json: some generated reason codes grouped" \
	test "$(jq '[.by_reason[] | select(.forms > 1)] | length' sum.SQLite)" -gt 0
if [ -s groups.SQLite ] && cmp -s groups.SQLite groups.PostgreSQL; then
	t_pass "summary json: the same reason groups on both"
else
	t_fail "summary json: the same reason groups on both" "$(diff groups.SQLite groups.PostgreSQL | head -5)"
fi
t_eq "api: the RFC example's group on PostgreSQL" \
	"$(jq -c "[.groups[] | select(.additional_information == \"$RFC_URL\") | [.failed_sessions, .forms]]" api.additional_information.PostgreSQL)" \
	'[[600,2]]'
for g in reason additional_information; do
	if [ "$(jq '.groups | length' "api.$g.SQLite")" -gt 0 ] &&
		cmp -s "api.$g.SQLite" "api.$g.PostgreSQL"; then
		t_pass "api: the same groups by $g on both"
	else
		t_fail "api: the same groups by $g on both" \
			"$(diff "api.$g.SQLite" "api.$g.PostgreSQL" | head -5)"
	fi
done
