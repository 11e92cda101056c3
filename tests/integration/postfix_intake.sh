#!/bin/sh
# What the sys4 TLSRPT reporter (Postfix 3.10+) POSTs with its defaults
# (RFC 8460 section 5.4; organization-name and contact-info "", a detail
# without result-type, a 2,838-byte multi-line HELO, a no-policy-found
# policy without policy-domain) reaches a real 'tlswatch web --intake':
# answered 201 (reportd's curl without --fail would count a 400 as
# delivered, so a refusal would go unseen), stored under the HTTPS client's
# address, marked, with the domain its report-id names; and the same report
# by mail ('ingest -', the MTA pipe) is named after TLS-Report-Submitter.
. "$TOP/tests/lib.sh"
t_dkim_off # not a trust test: the mail here is unsigned (docs/trust.md)
. "$TOP/tests/browser/web_lib.sh"
cd "$T"
DB="$T/intake.db"
APEX=$(ls "$DATA"/postfix/*apex.example*.json)

if ! web_start --db "$DB" web --listen 127.0.0.1:0 --intake; then
	t_fail "intake starts" "$(cat "$T/web.err")"
	exit 0
fi
gzip -c < "$APEX" > apex.gz
code=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: application/tlsrpt+gzip' \
	--data-binary @apex.gz "$WEB_INTAKE_URL")
t_eq "sys4 defaults by HTTPS: 201" "$code" 201
t_eq "named after the HTTPS client" \
	"$(t_sql "$DB" "select organization from report where report_id like '%_idx1_apex.example'")" \
	127.0.0.1
t_eq "marked" "$(t_sql "$DB" "select quirks from report where report_id like '%_idx1_apex.example'")" \
	"organization-name empty: named from HTTPS client; 2 failure details without result-type: stored as unknown; 1 over-long free-text field shortened; policy-domain of no-policy-found inferred from report-id"
t_eq "every session once: 17 ok, 6 failed" \
	"$(t_sql "$DB" "select successful_sessions || '/' || failed_sessions from agg_domain where policy_domain = 'apex.example'")" \
	"17/6"
t_eq "nothing under (none)" "$(t_sql "$DB" "select count(*) from agg_domain where policy_domain = ''")" 0
t_eq "raw report kept whole (HELO included)" \
	"$(t_sql "$DB" "select json_size from raw_report r join report p on p.raw_id = r.id where p.report_id like '%_idx1_apex.example'")" \
	"$(wc -c < "$APEX" | tr -d ' ')"
web_stop
t_eq "server stopped cleanly" "$WEB_RC" 0

"$TLSWATCH" --db "$DB" ingest - < "$DATA/postfix/sys4-shop.eml" > out 2> err
t_eq "sys4 mail through the MTA pipe: stored" "$?" 0
t_eq "named after TLS-Report-Submitter" \
	"$(t_sql "$DB" "select organization from report where report_id like '%_idx1_shop.example'")" \
	mta.example.net
