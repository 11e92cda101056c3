#!/bin/sh
# imap_copy.sh - a server without MOVE: messages leave the folder by UID
# COPY + STORE +FLAGS.SILENT (\Deleted) + UID EXPUNGE (UIDPLUS), never by a
# plain EXPUNGE; without UIDPLUS either, they stay where they are (with a
# warning) and the last UID keeps them from being read twice. Dovecot is
# told to announce fewer capabilities (imap_capability); its mail_log
# plugin shows what happened on the server side.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

dc_setup || { t_fail "test certificates made"; exit 0; }
MAILLOG='mail_plugins = $mail_plugins notify mail_log
plugin {
  mail_log_events = delete expunge copy flag_change save
  mail_log_fields = uid box msgid flags
}'
dc_start "$MAILLOG
imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ NAMESPACE CHILDREN UNSELECT UIDPLUS" \
	|| { t_fail "dovecot starts"; exit 0; }
MAILS=$(dc_sample_mails)
# shellcheck disable=SC2086
set -- $MAILS
[ $# -ge 3 ] || { t_fail "sample report mails found"; exit 0; }
dc_deliver INBOX "$1" "$2" "$3"
DB=$T/t.db
dc_conf "$T/c.conf"
"$TLSWATCH" --config "$T/c.conf" --db "$DB" -v -v collect > "$T/out" 2>&1
t_check "no MOVE: exit 0 or 1" test "$?" -le 1
t_check "no MOVE: UID COPY used" grep -q 'imap C: [0-9]* UID COPY ' "$T/out"
t_check "no MOVE: \\Deleted set silently" grep -q 'imap C: [0-9]* UID STORE .*+FLAGS.SILENT (\\\\Deleted)' "$T/out"
t_check "no MOVE: UID EXPUNGE used" grep -q 'imap C: [0-9]* UID EXPUNGE ' "$T/out"
t_eq "no MOVE: never UID MOVE" "$(grep -c 'imap C: [0-9]* UID MOVE' "$T/out")" 0
t_eq "no MOVE: never a plain EXPUNGE" "$(grep -c 'imap C: [0-9]* EXPUNGE' "$T/out")" 0
t_eq "no MOVE: INBOX emptied" "$(dc_count INBOX)" 0
t_eq "no MOVE: all three moved" "$(($(dc_count Processed) + $(dc_count Invalid) + $(dc_count Other)))" 3
t_check "no MOVE: server logged \\Deleted set on INBOX messages" grep -q 'delete: box=INBOX.*Deleted' "$DC/dovecot.log"
t_check "no MOVE: server logged the copies" grep -q 'copy from INBOX' "$DC/dovecot.log"
dc_stop

# --- neither MOVE nor UIDPLUS: nothing is expunged
dc_start "$MAILLOG
imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ NAMESPACE" \
	|| { t_fail "dovecot restarts"; exit 0; }
dc_deliver INBOX "$1" "$2"
dc_conf "$T/c.conf"
"$TLSWATCH" --config "$T/c.conf" --db "$DB" -v -v collect > "$T/out" 2>&1
t_check "no UIDPLUS: exit 0 or 1" test "$?" -le 1
t_check "no UIDPLUS: warns that messages stay" grep -q 'neither MOVE nor UIDPLUS' "$T/out"
t_eq "no UIDPLUS: nothing copied, flagged or expunged" \
	"$(grep -c 'imap C: [0-9]* \(UID COPY\|UID STORE\|UID EXPUNGE\|EXPUNGE\|UID MOVE\)' "$T/out")" 0
t_eq "no UIDPLUS: messages stay in INBOX" "$(dc_count INBOX)" 2
t_eq "no UIDPLUS: both read" "$(grep -c 'INBOX/[0-9]*/[0-9]*: ' "$T/out")" 2
"$TLSWATCH" --config "$T/c.conf" --db "$DB" -v collect > "$T/out" 2>&1
t_eq "no UIDPLUS: a second run reads nothing" "$(grep -c 'INBOX/[0-9]*/[0-9]*: ' "$T/out")" 0
dc_stop
