#!/bin/sh
# imap_oversize.sh - a message over the input limit (16 MiB) is never
# fetched whole: its announced RFC822.SIZE sends it to a batch of its own,
# only its first 16 MiB are fetched (BODY.PEEK[]<0.16777216>), and it is
# quarantined as truncated with its full size recorded, then moved to
# invalid_folder; the messages around it are collected as usual.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

LIMIT=16777216
dc_setup || { t_fail "test certificates made"; exit 0; }
dc_start || { t_fail "dovecot starts"; exit 0; }
printf 'From: someone@example.net\r\nSubject: small\r\n\r\nNot a report.\r\n' > "$T/small.eml"
{
	printf 'From: someone@example.net\r\nSubject: huge\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
	head -c 13000000 /dev/zero | base64 -w 76 | sed 's/$/\r/'
} > "$T/huge.eml"
SIZE=$(wc -c < "$T/huge.eml")
t_check "the big message is over the limit" test "$SIZE" -gt "$LIMIT"
dc_deliver INBOX "$T/small.eml" "$T/huge.eml" "$T/small.eml"
DB=$T/t.db
dc_conf "$T/c.conf"
"$TLSWATCH" --config "$T/c.conf" --db "$DB" -v -v collect > "$T/out" 2>&1
rc=$?
grep -v 'imap [CS]:' "$T/out" | cut -c1-200
t_eq "oversized: exit 1 (quarantined)" "$rc" 1
t_check "oversized: only its first part is fetched" \
	grep -q "imap C: [0-9]* UID FETCH 2 (BODY.PEEK\[\]<0.$LIMIT> UID)" "$T/out"
t_check "oversized: the others are fetched whole, in their own batches" \
	grep -q 'imap C: [0-9]* UID FETCH 3 (BODY.PEEK\[\] UID)' "$T/out"
t_eq "oversized: quarantined as truncated, full size kept" \
	"$(t_sql "$DB" "SELECT truncated, size, length(data) FROM quarantine WHERE name GLOB 'INBOX/*/2'")" \
	"1|$SIZE|$LIMIT"
t_check "oversized: the reason says why" grep -q "INBOX/[0-9]*/2: quarantined: input larger than $LIMIT bytes" "$T/out"
t_eq "oversized: moved to Invalid" "$(dc_count Invalid)" 1
t_eq "oversized: the small ones to Other" "$(dc_count Other)" 2
t_eq "oversized: INBOX emptied" "$(dc_count INBOX)" 0
dc_stop
