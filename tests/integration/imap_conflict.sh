#!/bin/sh
# imap_conflict.sh - issue 11 through the IMAP path: two report mails with
# the same (organization, report-id) and different content, collected from
# a real Dovecot in both orders. The first stays (same provenance), the
# second is held as a conflict and its message moved to the invalid
# folder; collect exits 1 and says so in one line; the figures equal a
# store that only ever saw the first. DKIM is off here (dc_conf):
# trust_dkim.sh covers it.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

dc_setup || { t_fail "test certificates made"; exit 0; }
dc_start || { t_fail "dovecot starts"; exit 0; }
D=$DATA/trust

mail() { # mail ID JSONFILE
	printf 'From: noreply-smtp-tls-reporting@google.com\nTo: tlsrpt@example.com\n'
	printf 'Subject: Report Domain: example.com\nMessage-ID: <%s@google.com>\n' "$1"
	printf 'Date: Mon, 02 Nov 2026 03:00:00 +0000\nMIME-Version: 1.0\n'
	printf 'Content-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\n'
	gzip -nc "$2" | base64
}
mail genuine "$D/genuine.json" > "$T/genuine.eml"
mail forged "$D/forged.json" > "$T/forged.eml"
figures() {
	for t in agg_domain agg_failure agg_policy_type; do
		t_sql "$1" "select '$t', * from $t order by 1, 2, 3, 4, 5"
	done
	t_sql "$1" "select organization, report_id, successful_sessions, failed_sessions from report"
}

for order in forged-first genuine-first; do
	if [ $order = forged-first ]; then first=forged second=genuine; else first=genuine second=forged; fi
	folder=IN-$order
	dc_deliver "$folder" "$T/$first.eml" "$T/$second.eml" || t_fail "$order: delivered"
	dc_conf "$T/$order.conf" "folder=$folder" processed_folder=Done-$order \
		invalid_folder=Held-$order other_folder=Other-$order
	"$TLSWATCH" --db "$T/only-$first.db" ingest "$D/$first.json"
	figures "$T/only-$first.db" > "$T/want.fig"
	DB=$T/$order.db
	"$TLSWATCH" --config "$T/$order.conf" --db "$DB" collect > "$T/out" 2>&1
	t_eq "$order: collect exits 1" "$?" 1
	t_eq "$order: one line" "$(wc -l < "$T/out")" 1
	t_check "$order: the line names the conflict" \
		grep -q 'quarantined: conflicts with report 1 (same organization and report-id, different content)' "$T/out"
	t_eq "$order: the second message is held as a conflict" \
		"$(t_sql "$DB" "select kind || ' ' || conflict_report from quarantine where released is null")" "imap 1"
	t_eq "$order: first to Processed, second to Invalid" \
		"$(dc_count "Done-$order") $(dc_count "Held-$order") $(dc_count "$folder")" "1 1 0"
	figures "$DB" > "$T/got.fig"
	t_check "$order: figures equal a store that saw only the first" cmp "$T/got.fig" "$T/want.fig"
done
