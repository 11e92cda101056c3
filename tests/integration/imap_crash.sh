#!/bin/sh
# imap_crash.sh - the server killed in the middle of a run loses nothing:
# the run exits 2 naming the server and the step, and a re-run finishes
# the job with every report stored exactly once and every message moved.
#
# The kill lands at a known point without any timing: the destination
# folders are locked (Dovecot's own dovecot-uidlist.lock dotlock), so the
# first batch is committed to the database but its MOVE cannot complete;
# once the database shows the commit, Dovecot is killed with SIGKILL.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

dc_setup || { t_fail "test certificates made"; exit 0; }
dc_start || { t_fail "dovecot starts"; exit 0; }
MAILS=$(dc_sample_mails)
if [ -z "$MAILS" ]; then
	t_fail "sample report mails found" "none in tests/data/mail"
	exit 0
fi
# shellcheck disable=SC2086
set -- $MAILS
N=$#
dc_deliver INBOX "$@"
"$TLSWATCH" --db "$T/ref.db" ingest "$@" > /dev/null 2>&1
WANT_REPORTS=$(t_sql "$T/ref.db" "SELECT count(*) FROM report")
figures="SELECT organization, report_id, successful_sessions, failed_sessions FROM report
	ORDER BY organization, report_id"
t_sql "$T/ref.db" "$figures" > "$T/ref.figures"

for f in Processed Invalid Other; do
	doveadm -c "$DC/dovecot.conf" mailbox create -u "$DC_USER" "$f"
	touch "$DC/mail/$DC_USER/.$f/dovecot-uidlist.lock"
done
DB=$T/t.db
dc_conf "$T/c.conf" batch_size=3 timeout=120
"$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/run1.out" 2>&1 &
pid=$!
# wait for the first batch's commit (bounded; the assertions below do not
# depend on how long it took)
i=0
while [ $i -lt 600 ]; do
	n=$(t_sql "$DB" "SELECT count(*) FROM source" 2>/dev/null)
	[ "${n:-0}" -gt 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
t_check "first batch committed before the move" test "${n:-0}" -gt 0
dc_kill
wait $pid
rc=$?
t_eq "server killed: exit 2" "$rc" 2
t_check "server killed: the error names the server and the step" \
	grep -q "imap localhost:$DC_SPORT: move to Processed: connection lost" "$T/run1.out"
t_eq "server killed: one line" "$(wc -l < "$T/run1.out")" 1
t_eq "server killed: the last UID is not advanced" \
	"$(t_sql "$DB" "SELECT count(*) FROM imap_state")" 0
committed=$(t_sql "$DB" "SELECT count(*) FROM report")
t_check "server killed: the first batch's reports are stored" test "$committed" -gt 0

# --- the re-run finishes the job
for f in Processed Invalid Other; do rm -f "$DC/mail/$DC_USER/.$f/dovecot-uidlist.lock"; done
dc_start || { t_fail "dovecot restarts"; exit 0; }
t_eq "server killed: nothing was moved" "$(dc_count INBOX)" "$N"
dc_conf "$T/c.conf" batch_size=3
"$TLSWATCH" --config "$T/c.conf" --db "$DB" -v collect > "$T/run2.out" 2>&1
rc=$?
t_check "re-run: exit 0 or 1" test "$rc" -le 1
t_eq "re-run: every message read again from the first one" \
	"$(grep -c 'INBOX/[0-9]*/[0-9]*: ' "$T/run2.out")" "$N"
t_eq "re-run: the first batch counts as duplicates" \
	"$(grep -m 3 'INBOX/[0-9]*/[0-9]*: ' "$T/run2.out" | grep -c 'duplicate\|not-a-report\|quarantined')" 3
t_eq "re-run: every report stored exactly once" \
	"$(t_sql "$DB" "SELECT count(*) FROM report")" "$WANT_REPORTS"
t_sql "$DB" "$figures" > "$T/t.figures"
t_check "re-run: the same figures as ingesting the files" cmp -s "$T/ref.figures" "$T/t.figures"
t_eq "re-run: INBOX emptied" "$(dc_count INBOX)" 0
t_eq "re-run: every message moved" \
	"$(($(dc_count Processed) + $(dc_count Invalid) + $(dc_count Other)))" "$N"
t_eq "re-run: the last UID is the last message" \
	"$(t_sql "$DB" "SELECT last_uid FROM imap_state")" "$N"
"$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/run3.out" 2>&1
t_eq "third run: exit 0, silent" "$? $(cat "$T/run3.out")" "0 "

# --- the database fails (here: another writer holds it past the busy
# timeout, as a full disk would fail the commit): exit 2, nothing moved
t_lock_db "$DB"
dc_deliver INBOX "$1"
"$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/run4.out" 2>&1
t_eq "database locked: exit 2" "$?" 2
t_check "database locked: says so and that nothing was moved" \
	grep -q 'database .*locked.*nothing of this batch was stored or moved' "$T/run4.out"
t_eq "database locked: the message stays" "$(dc_count INBOX)" 1
t_unlock_db
"$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/run5.out" 2>&1
t_eq "database back: exit 0" "$?" 0
t_eq "database back: the message moved" "$(dc_count INBOX)" 0
t_eq "database back: still each report once" \
	"$(t_sql "$DB" "SELECT count(*) FROM report")" "$WANT_REPORTS"
dc_stop
