#!/bin/sh
# imap_cut.sh - the server dies in the middle of a FETCH response (a relay
# in front of Dovecot cuts the connection after a fixed number of bytes, so
# the point is known without timing): the run exits 2 naming the server
# and the step, stores nothing of the unfinished batch, moves nothing; a
# re-run finishes the job with each report stored exactly once.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"
PROXY="$TOP/build/tools/cutproxy"

dc_setup || { t_fail "test certificates made"; exit 0; }
dc_start || { t_fail "dovecot starts"; exit 0; }
MAILS=$(dc_sample_mails)
# shellcheck disable=SC2086
set -- $MAILS
N=$#
dc_deliver INBOX "$@"
"$TLSWATCH" --db "$T/ref.db" ingest "$@" > /dev/null 2>&1
WANT=$(t_sql "$T/ref.db" "SELECT count(*) FROM report")
DB=$T/t.db

# The relay itself works: a dry run through it, uncut. The cut then comes
# after half the mailbox's bytes: past the greeting, TLS handshake, login
# and SELECT (a few KiB), inside the one batch's body FETCH.
"$PROXY" "$T/port0" "$DC_SPORT" 100000000 &
proxy0=$!
i=0
while [ ! -s "$T/port0" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
dc_conf "$T/c0.conf" "port=$(cat "$T/port0")" batch_size=100
"$TLSWATCH" --config "$T/c0.conf" --db "$T/dry.db" collect --dry-run > /dev/null 2>&1
t_eq "through the relay, uncut: dry run exit 0 or 1" "$(($? <= 1))" 1
wait $proxy0
total=$(cat "$DC/mail/$DC_USER/cur/"* "$DC/mail/$DC_USER/new/"* 2>/dev/null | wc -c)
cut=$((total / 2))

"$PROXY" "$T/port" "$DC_SPORT" "$cut" &
proxy=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
dc_conf "$T/c.conf" "port=$(cat "$T/port")" batch_size=100 timeout=20
"$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/run1.out" 2>&1
rc=$?
wait $proxy
t_eq "cut mid-fetch: exit 2" "$rc" 2
t_eq "cut mid-fetch: one line" "$(wc -l < "$T/run1.out")" 1
t_check "cut mid-fetch: the error names the server and the fetch" \
	grep -Eq "imap localhost:[0-9]+: .*fetch" "$T/run1.out"
t_eq "cut mid-fetch: nothing of the batch stored" \
	"$(t_sql "$DB" "SELECT count(*) FROM report" 2>/dev/null || echo 0)" 0
t_eq "cut mid-fetch: nothing moved" "$(dc_count INBOX)" "$N"

dc_conf "$T/c.conf" batch_size=100
"$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/run2.out" 2>&1
rc=$?
t_check "re-run: exit 0 or 1" test "$rc" -le 1
t_eq "re-run: every report stored exactly once" "$(t_sql "$DB" "SELECT count(*) FROM report")" "$WANT"
t_eq "re-run: INBOX emptied" "$(dc_count INBOX)" 0
t_eq "re-run: every message moved" \
	"$(($(dc_count Processed) + $(dc_count Invalid) + $(dc_count Other)))" "$N"
dc_stop
