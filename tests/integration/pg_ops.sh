#!/bin/sh
# The PostgreSQL store at schema version 12 (schema/pg/010..012) against
# the SQLite store, on a real PostgreSQL 15 (pg_lib.sh): a new store and
# one migrated from version 7 report version 12; summary, alert and the
# published section read the roll-ups and give byte-identical JSON, with
# the roll-ups on and off; alert runs with --repeat-after in turn send and
# hold back the same alerts; three sessions adding to the same roll-up row
# at once lose no update; 'db check' finds a tampered roll-up row on both
# backends alike and '--repair' mends it; 'db recount' (and a recount a
# migration asks for) gives SQLite's figures; check results stored on
# PostgreSQL read back as on SQLite; 'db copy' SQLite -> PostgreSQL ->
# SQLite gives back every row (check results, alert state, roll-ups);
# conflicts' aggregates made again from the reports as stored.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin tw
"$GEN" --out "$T/month" --seed 7 --start 2026-03-01 --days 10 --domains 2 --duplicates 10 \
	--spike "example.com,mx1.example.com,certificate-expired,2026-03-08,300" --format gz
SAMPLES=$(ls "$DATA"/samples/*.json "$DATA"/trust/*.json)
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest $SAMPLES "$T"/month/* > /dev/null 2>> "$T/ingest.err"
done
N_NEW=$(pg_sql "$PGA" "SELECT count(*) FROM report")
# the newest migration's number: the same on both backends
NEWEST=$(ls "$TOP/schema/pg" | sed -n 's/^0*\([0-9][0-9]*\)_.*/\1/p' | sort -n | tail -1)
t_eq "a new PostgreSQL store is at the newest version" \
	"$(pg_sql "$PGA" "SELECT max(version) FROM schema_version")" "$NEWEST"

# figures DB: what summary prints for a few filters, to one file
figures() {
	for a in "summary --all --format json" \
		"summary --since 2026-03-02 --until 2026-03-09 --format json" \
		"summary --since 2026-03-02 --until 2026-03-09 --domain example.com --format json" \
		"summary --since 2026-03-02 --until 2026-03-09 --org Comcast --format json"; do
		echo "== $a"
		# shellcheck disable=SC2086
		"$TLSWATCH" --db "$1" $a 2>&1
	done
}

pg_same "summary --all (roll-ups)" summary --all --format json
pg_same "summary of a week (roll-ups)" summary --since 2026-03-02 --until 2026-03-09 --format json
pg_same "summary of one organisation" summary --all --org "Google Inc." --format json
pg_same "alert series (roll-ups)" alert --at 2026-03-09 --repeat-after 0 --format json
figures "$PGA" > "$T/fig.on"
TLSWATCH_NO_ROLLUPS=1 figures "$PGA" > "$T/fig.off"
t_same "PostgreSQL: the same figures with the roll-ups off" "$T/fig.on" "$T/fig.off"
a="alert --at 2026-03-09 --repeat-after 0 --format json"
# shellcheck disable=SC2086
"$TLSWATCH" --db "$PGA" $a > "$T/alert.on" 2>&1
# shellcheck disable=SC2086
TLSWATCH_NO_ROLLUPS=1 "$TLSWATCH" --db "$PGA" $a > "$T/alert.off" 2>&1
t_same "PostgreSQL: the same alert series with the roll-ups off" "$T/alert.on" "$T/alert.off"
t_eq "PostgreSQL: no problem in a new store" "$("$TLSWATCH" --db "$PGA" db check 2>&1; echo $?)" 0

# --- the sent state, read for all of a run's alerts at once on PostgreSQL
# (query_alert_sent_many), key by key on SQLite: the same runs the same,
# in turn, as tests/golden/alert.sh's (the spike of 03-08, sent by the
# alert runs above)
t_eq "repeat: the spike's alert recorded as sent" "$(pg_sql "$PGA" \
	"SELECT count(*) > 0 FROM alert_sent_day WHERE day = 20520 AND scope = 'failure'")" t
EMPTY_OK=1 pg_same "repeat: the same day again" alert --at 2026-03-09
t_eq "repeat: the same day again: silent" "$rp $(wc -c < "$T/out.p")" "0 0"
EMPTY_OK=1 pg_same "repeat: a day later" alert --at 2026-03-10 --window 2 --repeat-after 3
t_eq "repeat: a day later, --repeat-after 3: silent" "$rp $(wc -c < "$T/out.p")" "0 0"
EMPTY_OK=1 pg_same "repeat: two days later" alert --at 2026-03-11 --window 3 --repeat-after 3
pg_same "repeat: three days later" alert --at 2026-03-12 --window 4 --repeat-after 3
t_eq "repeat: three days later: sent again" "$rp $rs" "1 1"

# --- the provenance filter: the figures of one provenance's reports,
# counted again from them, as on SQLite (mail not DKIM-verified beside
# the files)
{
	printf 'From: noreply-smtp-tls-reporting@google.com\nMessage-ID: <g@example.org>\n'
	printf 'Subject: Report Domain: example.com\nContent-Type: application/tlsrpt+json\n\n'
	cat "$DATA/trust/genuine.json"
} > "$T/genuine.eml"
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" ingest "$DATA/trust/context-empty-org.eml" "$T/genuine.eml" \
		> /dev/null 2>&1
done
t_eq "two provenances stored" "$(pg_sql "$PGA" "SELECT string_agg(DISTINCT provenance, ' '
	ORDER BY provenance) FROM report")" "file unverified-mail"
pg_same "summary --provenance unverified-mail" summary --all --provenance unverified-mail \
	--format json
pg_same "summary --provenance file" summary --all --provenance file --format json
pg_same "summary --provenance file, one domain" summary --all --provenance file \
	--domain example.com --format json
pg_same "summary --provenance, a week, one organisation" summary --since 2026-03-02 \
	--until 2026-03-09 --provenance file --org "Google Inc." --format json

# --- migration from version 7: a store rewound to the baseline (what
# 010..014, 017, 020, 025 and 026 made dropped) migrates again, its
# roll-ups filled from its rows
PGM=$(pg_newdb mig)
"$TLSWATCH" --db "$PGM" ingest $SAMPLES "$T"/month/* > /dev/null 2> "$T/mig.err"
n=$(pg_sql "$PGM" "SELECT count(*) FROM report")
if [ "$n" = "$N_NEW" ]; then
	t_pass "store to migrate: the reports of the new one"
else
	t_fail "store to migrate: the reports of the new one" \
		"$n, want $N_NEW: $(grep -v quarantined "$T/mig.err" | head -3)"
fi
pg_sql "$PGM" "SET client_min_messages = warning;
	DROP TABLE recount_pending, check_result, roll_domain, roll_org, roll_failure,
	roll_mx, roll_type, roll_report_day, life_domain, life_failure, life_mx,
	roll_presence, roll_trust, roll_reason CASCADE;
	DROP TABLE roll_day, roll_domain_month, roll_org_month, roll_failure_month,
	agg_failure_month, roll_mx_month, roll_type_month CASCADE;
	DROP FUNCTION tlswatch_month_agg_domain, tlswatch_month_agg_failure,
	tlswatch_month_agg_mx, tlswatch_month_agg_policy_type, tlswatch_month_of CASCADE;
	DROP FUNCTION IF EXISTS tlswatch_json_lines, tlswatch_roll_agg_domain,
	tlswatch_roll_agg_failure, tlswatch_roll_agg_mx, tlswatch_roll_agg_policy_type,
	tlswatch_roll_agg_domain_pruned, tlswatch_roll_agg_failure_pruned,
	tlswatch_roll_agg_mx_pruned, tlswatch_roll_report, tlswatch_life_domain,
	tlswatch_life_failure, tlswatch_life_mx, tlswatch_stmt_agg_domain,
	tlswatch_stmt_agg_failure, tlswatch_stmt_agg_mx, tlswatch_stmt_agg_policy_type,
	tlswatch_stmt_agg_domain_pruned, tlswatch_stmt_agg_failure_pruned,
	tlswatch_stmt_agg_mx_pruned, tlswatch_stmt_report, tlswatch_roll_presence,
	tlswatch_stmt_presence, tlswatch_stmt_policy_trust CASCADE;
	UPDATE schema_version SET version = 7" > /dev/null
t_eq "rewound to 7" "$(pg_sql "$PGM" "SELECT version FROM schema_version")" 7
"$TLSWATCH" --db "$PGM" ingest "$DATA/samples/google.json" > /dev/null 2>&1
t_eq "migrated from 7 to the newest version" \
	"$(pg_sql "$PGM" "SELECT version FROM schema_version")" "$NEWEST"
t_eq "migrated store: db check finds nothing" \
	"$("$TLSWATCH" --db "$PGM" db check 2>&1; echo $?)" 0
figures "$PGM" > "$T/fig.mig"
t_same "migrated store: the same figures as the new one" "$T/fig.on" "$T/fig.mig"

# --- three sessions adding to the same roll-up row at once, each row
# change its own transaction: no update lost
for s in 1 2 3; do
	up="INSERT INTO agg_domain AS a VALUES (20000, 'race.example', 'org$s', 1, 2, 3)"
	up="$up ON CONFLICT (day, policy_domain, organization) DO UPDATE SET"
	up="$up reports = a.reports + 1, successful_sessions = a.successful_sessions + 2,"
	up="$up failed_sessions = a.failed_sessions + 3;"
	i=0
	while [ $i -lt 200 ]; do
		echo "$up"
		i=$((i + 1))
	done > "$T/race$s.sql"
done
for s in 1 2 3; do
	psql -X -q -v ON_ERROR_STOP=1 "$PGM" -f "$T/race$s.sql" > /dev/null 2>> "$T/race.err" &
done
wait
t_eq "concurrent upserts: the roll-up holds every one" \
	"$(pg_sql "$PGM" "SELECT n_rows || ' ' || reports || ' ' || successful_sessions || ' ' ||
		failed_sessions FROM roll_domain WHERE day = 20000")" "3 600 1200 1800"
t_eq "concurrent upserts: lifetime totals too" \
	"$(pg_sql "$PGM" "SELECT sum(reports) FROM life_domain WHERE policy_domain = 'race.example'")" \
	600
t_eq "concurrent upserts: no session failed" "$(cat "$T/race.err")" ""

# --- three ingests of the same reports at once: every roll-up row is the
# sum of its aggregate rows, and the figures are one ingest's
PGW=$(pg_newdb writers)
for w in 1 2 3; do
	"$TLSWATCH" --db "$PGW" ingest $SAMPLES "$T"/month/* > /dev/null 2>&1 &
done
wait
t_eq "three writers: db check finds nothing" \
	"$("$TLSWATCH" --db "$PGW" db check 2>&1; echo $?)" 0
figures "$PGW" > "$T/fig.writers"
t_same "three writers: the figures of one ingest" "$T/fig.on" "$T/fig.writers"

# --- db check and --repair after tampering a roll-up row, alike on both
pg_sql "$PGA" "UPDATE roll_domain SET failed_sessions = failed_sessions + 5 WHERE (day,
	policy_domain) = (SELECT day, policy_domain FROM roll_domain ORDER BY 1, 2 LIMIT 1)"
t_sql "$SQ" "UPDATE roll_domain SET failed_sessions = failed_sessions + 5 WHERE (day,
	policy_domain) = (SELECT day, policy_domain FROM roll_domain ORDER BY 1, 2 LIMIT 1)"
pg_same "db check finds the tampered roll-up row" db check
t_check "db check names the table" grep -q "roll_domain: 2 rows differ" "$T/out.p"
EMPTY_OK=1 pg_same "db check --repair" db check --repair
"$TLSWATCH" --db "$PGA" db check > /dev/null 2>&1
t_eq "repaired: db check exits 0" "$?" 0
pg_same "repaired: summary" summary --all --format json

# --- db recount: SQLite's figures, twice the same; a recount a migration
# asks for runs when a writer opens the store
pg_sql "$PGA" "DELETE FROM agg_mx; UPDATE report SET failed_sessions = 0"
"$TLSWATCH" --db "$PGA" db recount 2> "$T/recount.err"
t_eq "db recount exits 0" "$?" 0
"$TLSWATCH" --db "$SQ" db recount 2> /dev/null
pg_same "recounted: summary" summary --all --format json
pg_same "recounted: alert" alert --at 2026-03-09 --repeat-after 0 --format json
pg_sql "$PGA" "SELECT * FROM report ORDER BY id" > "$T/rep1"
"$TLSWATCH" --db "$PGA" db recount 2> /dev/null
pg_sql "$PGA" "SELECT * FROM report ORDER BY id" > "$T/rep2"
t_same "recounting twice changes nothing" "$T/rep1" "$T/rep2"
pg_sql "$PGA" "DELETE FROM agg_failure; INSERT INTO recount_pending VALUES ('test', 0)"
"$TLSWATCH" --db "$PGA" ingest "$DATA/samples/google.json" > /dev/null 2>&1
t_eq "a pending recount ran and was cleared" \
	"$(pg_sql "$PGA" "SELECT count(*) FROM recount_pending")" 0
pg_same "after the pending recount: summary" summary --all --format json

# --- check results: stored by 'check' on PostgreSQL as on SQLite (a
# resolver on loopback that answers every question NXDOMAIN: each run
# stores a failed result), and read back alike
cat > "$T/nxdns.py" << 'EOP'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(60)
print(s.getsockname()[1], flush=True)
while True:
    q, a = s.recvfrom(4096)
    end = 12
    while end < len(q) and q[end] != 0:
        end += q[end] + 1
    # the query's id and question; response, NXDOMAIN, no records
    s.sendto(q[:2] + bytes([0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0]) + q[12:end + 5], a)
EOP
python3 "$T/nxdns.py" > "$T/nxdns.port" &
dns_pid=$!
i=0
while [ ! -s "$T/nxdns.port" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
for db in "$SQ" "$PGA"; do
	"$TLSWATCH" --db "$db" check --resolver "127.0.0.1:$(cat "$T/nxdns.port")" --timeout 2 \
		example.com > /dev/null 2>&1
done
kill "$dns_pid"
t_eq "check stored its result on PostgreSQL" \
	"$(pg_sql "$PGA" "SELECT domain || ' ' || status FROM check_result")" "example.com fail"
t_eq "the same result as on SQLite" \
	"$(pg_sql "$PGA" "SELECT domain, status, sts_id, sts_mode, sts_max_age, sts_body,
		policy_error, mx, certs, tlsa, tlsrpt FROM check_result" | md5sum)" \
	"$(t_sql "$SQ" "SELECT domain, status, sts_id, sts_mode, sts_max_age, sts_body,
		policy_error, mx, certs, tlsa, tlsrpt FROM check_result" | md5sum)"
# the same history on both (times made equal)
pg_sql "$PGA" "UPDATE check_result SET checked_at = 1772755200"
t_sql "$SQ" "UPDATE check_result SET checked_at = 1772755200"
for db in "$SQ"; do
	t_sql "$db" "INSERT INTO check_result (domain, checked_at, status, sts_id, sts_mode,
		sts_max_age, sts_body, mx, certs, tlsa, tlsrpt) VALUES ('example.com', 1772841600,
		'ok', '20260301', 'enforce', 604800, 'version: STSv1', '10 mx1.example.com',
		'mx1.example.com 1790000000', '', 'mailto:tls@example.com')"
done
pg_sql "$PGA" "INSERT INTO check_result (domain, checked_at, status, sts_id, sts_mode,
	sts_max_age, sts_body, mx, certs, tlsa, tlsrpt) VALUES ('example.com', 1772841600,
	'ok', '20260301', 'enforce', 604800, 'version: STSv1', '10 mx1.example.com',
	'mx1.example.com 1790000000', '', 'mailto:tls@example.com')"
pg_same "check --history" check --history --format json example.com
pg_same "summary with the published section" summary --since 2026-03-01 --until 2026-03-12 \
	--domain example.com --format json

# --- db copy: SQLite -> PostgreSQL -> SQLite, every row back
"$TLSWATCH" --db "$SQ" alert --at 2026-03-09 --format json > /dev/null 2>&1
PGC=$(pg_newdb copied)
"$TLSWATCH" --db "$SQ" db copy --to "$PGC" 2> "$T/copy1.err"
t_eq "db copy to PostgreSQL" "$?" 0
"$TLSWATCH" --db "$PGC" db copy --to "$T/back.db" 2> "$T/copy2.err"
t_eq "db copy from PostgreSQL to a new SQLite file" "$?" 0
"$TLSWATCH" --db "$PGC" db copy --to "$T/back.db" 2> /dev/null
t_eq "db copy refuses an existing file" "$?" 2
bad=
for t in raw_report source report policy failure agg_domain agg_failure agg_policy_type agg_mx \
	agg_domain_pruned agg_failure_pruned agg_mx_pruned quarantine imap_state alert_judged \
	alert_sent_day recount_pending check_result roll_domain roll_org roll_failure roll_mx \
	roll_type roll_report_day life_domain life_failure life_mx roll_presence roll_reason roll_trust \
	roll_day roll_domain_month roll_org_month roll_failure_month agg_failure_month roll_mx_month \
	roll_type_month; do
	a=$(sqlite3 -batch "$SQ" ".mode quote" "SELECT * FROM $t" | sort | md5sum)
	b=$(sqlite3 -batch "$T/back.db" ".mode quote" "SELECT * FROM $t" | sort | md5sum)
	[ "$a" = "$b" ] || bad="$bad $t"
done
t_eq "round trip: every table equal" "$bad" ""
t_check "round trip: alert state came back" test "$(t_sql "$T/back.db" \
	"SELECT count(*) FROM alert_sent_day")" -gt 0
t_eq "round trip: check results came back" "$(t_sql "$T/back.db" \
	"SELECT count(*) FROM check_result")" 2
SQ=$T/back.db PGA=$PGC pg_same "copied store: summary" summary --all --format json

# conflicts won by later reports: the day's aggregates of the organization
# are made again from the stored reports, as stored (the policy domains
# that ingest filled in from the mail, for one), not from the raw bytes
# alone (which once counted those policies under an empty domain)
t_dkim_off
"$GEN" --out "$T/cm" --seed 7 --start 2026-01-24 --days 2 --domains 5 --format mbox > /dev/null
"$GEN" --out "$T/cg" --seed 8 --start 2026-01-24 --days 2 --domains 3 --format gz > /dev/null
PGX=$(pg_newdb conflicts)
for db in "$T/conflicts.db" "$PGX"; do
	"$TLSWATCH" -q --db "$db" ingest "$T/cm" "$T/cg" > /dev/null 2>&1
done
t_check "conflicts stored" test "$(pg_sql "$PGX" "SELECT count(*) FROM quarantine")" -gt 0
t_eq "conflicts: no aggregate under an empty domain" \
	"$(pg_sql "$PGX" "SELECT count(*) FROM agg_domain WHERE policy_domain = ''")" 0
SQ=$T/conflicts.db PGA=$PGX pg_same "conflicts: summary" summary --all --format json
pg_stop
