#!/bin/sh
# imap_collect.sh - 'tlswatch collect' against a real Dovecot: every sample
# report mail ends up stored exactly as ingesting the same files stores it,
# each message is moved by what happened to it, a second run changes
# nothing, a dry run changes nothing, the incremental state survives a
# UIDVALIDITY change, and a second collector is turned away.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

dc_setup || { t_fail "test certificates made"; exit 0; }
dc_start || { t_fail "dovecot starts"; exit 0; }

MAILS=$(dc_sample_mails)
if [ -z "$MAILS" ]; then
	t_fail "sample report mails found" "none in tests/data/mail"
	exit 0
fi

# one mail without a report, one whose report is broken
printf 'From: someone@example.net\r\nTo: tlsrpt@example.org\r\nSubject: hello\r\nMessage-ID: <plain@example.net>\r\n\r\nNot a report.\r\n' > "$T/plain.eml"
cat > "$T/broken.eml" <<'EOM'
From: reporter@example.net
To: tlsrpt@example.org
Subject: Report Domain: example.org Submitter: example.net Report-ID: <broken@example.net>
Message-ID: <broken@example.net>
Date: Mon, 02 Sep 2024 00:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type="tlsrpt"; boundary="b1"

--b1
Content-Type: text/plain

A broken report is attached.
--b1
Content-Type: application/tlsrpt+json
Content-Disposition: attachment; filename="example.net!example.org!1725148800!1725235199.json"

{"organization-name": "broken", "report-id":
--b1--
EOM
# shellcheck disable=SC2086
set -- $MAILS "$T/plain.eml" "$T/broken.eml"
N=$#
dc_deliver INBOX "$@" || t_fail "messages delivered"
t_eq "all messages delivered" "$(dc_count INBOX)" "$N"

# the reference: the same files through 'tlswatch ingest', in the same order
"$TLSWATCH" --db "$T/ref.db" -v ingest "$@" > "$T/ref.out" 2>&1
WANT_PROCESSED=$(grep -c ': stored\|: duplicate' "$T/ref.out")
WANT_INVALID=$(grep -c ': quarantined' "$T/ref.out")
WANT_OTHER=$(grep -c ': not-a-report' "$T/ref.out")
WANT_REPORTS=$(t_sql "$T/ref.db" "SELECT count(*) FROM report")
t_eq "reference outcomes cover every message" \
	"$((WANT_PROCESSED + WANT_INVALID + WANT_OTHER))" "$N"
t_check "the reference stored reports" test "$WANT_REPORTS" -gt 0
figures="SELECT organization, report_id, start_time, end_time, successful_sessions,
	failed_sessions, (SELECT count(*) FROM policy WHERE report = report.id)
	FROM report ORDER BY organization, report_id"
t_sql "$T/ref.db" "$figures" > "$T/ref.figures"
echo "messages $N: reports $WANT_REPORTS, to Processed $WANT_PROCESSED, Invalid $WANT_INVALID, Other $WANT_OTHER"

dc_conf "$T/c.conf" batch_size=4
DB=$T/t.db
run() { "$TLSWATCH" --config "$T/c.conf" --db "$DB" "$@"; }

# --- a dry run fetches and validates, and changes nothing
run -v collect --dry-run > "$T/dry.out" 2>&1
rc=$?
t_eq "dry run: exit 1 (one message would be quarantined)" "$rc" 1
t_check "dry run: no database written" test ! -e "$DB"
t_eq "dry run: messages left in INBOX" "$(dc_count INBOX)" "$N"
t_eq "dry run: no folder created" "$(dc_count Processed)" none
t_eq "dry run: one line per message" "$(grep -c 'INBOX/[0-9]*/[0-9]*: ' "$T/dry.out")" "$N"
t_check "dry run: says nothing was written" grep -q 'dry run: nothing written or moved' "$T/dry.out"

# --- the real run
run -v collect > "$T/run1.out" 2>&1
rc=$?
t_eq "first run: exit 1 (the broken report is quarantined)" "$rc" 1
t_eq "first run: one line per message" "$(grep -c 'INBOX/[0-9]*/[0-9]*: ' "$T/run1.out")" "$N"
t_eq "first run: reports stored" "$(t_sql "$DB" "SELECT count(*) FROM report")" "$WANT_REPORTS"
t_sql "$DB" "$figures" > "$T/t.figures"
if cmp -s "$T/ref.figures" "$T/t.figures"; then
	t_pass "first run: report figures equal those of ingesting the files"
else
	t_fail "first run: report figures equal those of ingesting the files" \
		"$(diff "$T/ref.figures" "$T/t.figures" | head -5 | tr '\n' ' ')"
fi
t_eq "first run: quarantined" "$(t_sql "$DB" "SELECT count(*) FROM quarantine")" "$WANT_INVALID"
t_eq "first run: quarantine names the message" \
	"$(t_sql "$DB" "SELECT count(*) FROM quarantine WHERE kind = 'imap' AND name GLOB 'INBOX/[0-9]*/[0-9]*'")" \
	"$WANT_INVALID"
t_eq "first run: each report's source is its IMAP message" \
	"$(t_sql "$DB" "SELECT count(*) FROM report JOIN source ON source.id = report.source_id WHERE source.kind = 'imap' AND source.name GLOB 'INBOX/[0-9]*/[0-9]*'")" \
	"$WANT_REPORTS"
t_eq "first run: INBOX emptied" "$(dc_count INBOX)" 0
t_eq "first run: reports moved to Processed" "$(dc_count Processed)" "$WANT_PROCESSED"
t_eq "first run: quarantined moved to Invalid" "$(dc_count Invalid)" "$WANT_INVALID"
t_eq "first run: not-a-report moved to Other" "$(dc_count Other)" "$WANT_OTHER"
t_eq "first run: last UID remembered" \
	"$(t_sql "$DB" "SELECT last_uid FROM imap_state WHERE mailbox = 'INBOX' AND user = '$DC_USER'")" "$N"
t_check "first run: LOGIN used TLS (server log)" grep -q "Login: user=<$DC_USER>.*TLS" "$DC/dovecot.log"

# --- a second run changes nothing and says nothing
before=$(t_sql "$DB" "SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM source), (SELECT count(*) FROM quarantine)")
run collect > "$T/run2.out" 2>&1
rc=$?
t_eq "second run: exit 0" "$rc" 0
t_eq "second run: silent" "$(cat "$T/run2.out")" ""
t_eq "second run: database unchanged" \
	"$(t_sql "$DB" "SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM source), (SELECT count(*) FROM quarantine)")" \
	"$before"
t_eq "second run: folders unchanged" \
	"$(dc_count INBOX) $(dc_count Processed) $(dc_count Invalid) $(dc_count Other)" \
	"0 $WANT_PROCESSED $WANT_INVALID $WANT_OTHER"

# --- no destination folders: messages stay, the last UID keeps them from
# being read twice; a new message is the only one read next time
set -- $MAILS
dc_deliver Keep "$1" "$2"
dc_conf "$T/keep.conf" processed_folder= invalid_folder= other_folder=
runk() { "$TLSWATCH" --config "$T/keep.conf" --db "$DB" "$@"; }
runk -v collect --folder Keep > "$T/keep1.out" 2>&1
t_eq "leave in place: both messages read" "$(grep -c '^Keep/' "$T/keep1.out")" 2
t_eq "leave in place: messages stay" "$(dc_count Keep)" 2
runk -v collect --folder Keep > "$T/keep2.out" 2>&1
t_eq "leave in place: a second run reads nothing" "$(grep -c '^Keep/' "$T/keep2.out")" 0
dc_deliver Keep "$3"
runk -v collect --folder Keep > "$T/keep3.out" 2>&1
t_eq "leave in place: only the new message is read" "$(grep -c '^Keep/' "$T/keep3.out")" 1

# --- UIDVALIDITY changes (the folder is recreated): a rescan, all duplicates
doveadm -c "$DC/dovecot.conf" mailbox delete -u "$DC_USER" Keep
dc_deliver Keep "$1" "$2" "$3"
reports=$(t_sql "$DB" "SELECT count(*) FROM report")
runk -v collect --folder Keep > "$T/keep4.out" 2>&1
t_check "new UIDVALIDITY: the rescan is announced" grep -q 'UIDVALIDITY changed' "$T/keep4.out"
t_eq "new UIDVALIDITY: every message read again" "$(grep -c '^Keep/' "$T/keep4.out")" 3
t_eq "new UIDVALIDITY: no report stored twice" "$(t_sql "$DB" "SELECT count(*) FROM report")" "$reports"

# --- one collector per database
flock "$DB.collect.lock" "$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/lock.out" 2>&1
rc=$?
t_eq "second collector: exit 2" "$rc" 2
t_check "second collector: says another one is running" grep -q 'another collector is running' "$T/lock.out"

dc_stop
