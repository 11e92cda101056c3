#!/bin/sh
# What ingest stores does not change when ingest gets faster (issue 18
# item 4): a generated corpus (report files, a Maildir with duplicates, an
# mbox) and the bundled samples (quirks, refusals, conflicts) are ingested
# and every stored table is compared, row for row, with what the binary
# before the speed work stored (tests/data/ingest_store/expected: a row
# count and a SHA-256 of the rows per table; the times of arrival left
# out), with 'summary --all --format json' and with 'db check'.
# UPDATE=1 rewrites the expected file (only for an intended change).
. "$TOP/tests/lib.sh"
t_dkim_off
cd "$T"
"$GEN" --out "$T/gz" --seed 21 --start 2026-04-01 --days 3 --domains 6 --format gz > /dev/null
"$GEN" --out "$T/md" --seed 22 --start 2026-04-02 --days 3 --domains 6 --duplicates 30 \
	--format maildir > /dev/null
"$GEN" --out "$T/mb" --seed 23 --start 2026-04-03 --days 2 --domains 6 --format mbox > /dev/null
DB=$T/s.db
"$TLSWATCH" -q --db "$DB" ingest "$T/gz" "$T/md" "$T"/mb/*.mbox > /dev/null 2>&1
t_check "the corpus stored (the generator's refusals quarantined)" test "$?" -le 1
"$TLSWATCH" -q --db "$DB" ingest "$DATA"/samples/* > /dev/null 2>&1
t_check "samples ingested (some quarantined)" test "$?" -le 1
"$TLSWATCH" -q --db "$DB" ingest "$T/md" > /dev/null 2>&1
t_check "the Maildir again" test "$?" -le 1

# rows TABLE COLUMNS: "TABLE COUNT SHA256" of the columns' rows, in order
rows() {
	n=$(t_sql "$DB" "SELECT count(*) FROM $1")
	h=$(t_sql "$DB" "SELECT $2 FROM $1 ORDER BY 1" | sha256sum | cut -c1-64)
	echo "$1 $n $h"
}
{
	rows raw_report "id, hex(sha256), json_size, hex(gz)"
	rows source "id, kind, replace(replace(name, '$T/', ''), '$DATA/', ''), message_id, mail_from, mail_date, subject, tls_report_domain,
		tls_report_submitter, auth_headers, dkim, dkim_domain, dkim_ar"
	rows report "id, organization, report_id, contact_info, start_time, end_time, day,
		successful_sessions, failed_sessions, raw_id, source_id, hex(content_sha256),
		provenance, quirks"
	rows policy "*"
	rows failure "*"
	rows quarantine "id, kind, replace(replace(name, '$T/', ''), '$DATA/', ''), replace(replace(reason, '$T/', ''), '$DATA/', ''), hex(sha256), size, hex(data), truncated,
		released, released_report, conflict_report, provenance"
	for t in agg_domain agg_failure agg_mx agg_policy_type roll_domain roll_org roll_failure \
		roll_mx roll_type roll_report_day life_domain life_failure life_mx; do
		rows "$t" "*"
	done
	echo "summary $("$TLSWATCH" --db "$DB" summary --all --format json | sha256sum | cut -c1-64)"
	"$TLSWATCH" --db "$DB" db check 2>&1
	echo "db check: $?"
} > "$T/got"
EXP=$TOP/tests/data/ingest_store/expected
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$T/got" "$EXP"
fi
if diff "$EXP" "$T/got" > "$T/diff"; then
	t_pass "every table, the summary and db check as before"
else
	t_fail "every table, the summary and db check as before" "$(head -20 "$T/diff" | tr '\n' ' ')"
fi
t_check "db check passes" grep -q '^db check: 0$' "$T/got"
t_check "a non-trivial store" awk '$1 == "report" && $2 > 1000 { ok = 1 } END { exit !ok }' "$T/got"
