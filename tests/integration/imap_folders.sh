#!/bin/sh
# imap_folders.sh - a newcomer's configuration against a stock Dovecot
# (default Maildir++ layout, whose hierarchy separator is '.'): folder
# names written with '/' as in the guide (TLSRPT/processed) are translated
# to the server's separator, a dry run checks the folders and says which a
# real run would create, and the first real run succeeds.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

dc_setup || { t_fail "test certificates made"; exit 0; }
dc_start || { t_fail "dovecot starts"; exit 0; }
# shellcheck disable=SC2046
set -- $(dc_sample_mails | head -4)
N=$#
printf 'From: someone@example.net\r\nSubject: hello\r\n\r\nNot a report.\r\n' > "$T/plain.eml"
dc_deliver INBOX "$@" "$T/plain.eml" || t_fail "messages delivered"
dc_conf "$T/c.conf" processed_folder=TLSRPT/processed invalid_folder=TLSRPT/invalid \
	other_folder=TLSRPT/other
DB=$T/t.db
run() { "$TLSWATCH" --config "$T/c.conf" --db "$DB" "$@"; }

run -v collect --dry-run > "$T/dry.out" 2>&1
rc=$?
sed 's/^/  /' "$T/dry.out" | grep -v 'INBOX/' | cut -c1-200
t_check "dry run: exit 0 or 1" test "$rc" -le 1
t_check "dry run: says how the server names the folder" \
	grep -q "folder TLSRPT/processed is TLSRPT.processed on this server" "$T/dry.out"
t_check "dry run: says a real run creates it" \
	grep -q "folder TLSRPT.processed does not exist; a real run creates it" "$T/dry.out"
t_eq "dry run: nothing created" "$(dc_count TLSRPT.processed)" none

run collect > "$T/run.out" 2>&1
rc=$?
sed 's/^/  /' "$T/run.out" | cut -c1-200
t_check "first real run: exit 0 or 1 (a sample may be quarantined)" test "$rc" -le 1
t_eq "first real run: INBOX emptied" "$(dc_count INBOX)" 0
t_eq "first real run: reports in TLSRPT.processed, the rest elsewhere" \
	"$(($(dc_count TLSRPT.processed) + $(dc_count TLSRPT.invalid)))" "$N"
t_eq "first real run: the plain message in TLSRPT.other" "$(dc_count TLSRPT.other)" 1
t_check "no folder with a '/' in its name" test ! -e "$DC/mail/$DC_USER/.TLSRPT/processed"

# A server without hierarchy would refuse the name: say exactly what to
# write. A name that is already the server's (TLSRPT.processed) is kept.
dc_conf "$T/c2.conf" processed_folder=TLSRPT.processed invalid_folder= other_folder=
"$TLSWATCH" --config "$T/c2.conf" --db "$DB" collect > "$T/run2.out" 2>&1
t_eq "a name written with the server's separator works too" "$?" 0
dc_stop
