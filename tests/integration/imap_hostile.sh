#!/bin/sh
# imap_hostile.sh - collect against an IMAP server that misbehaves on
# purpose (tests/integration/hostile_imap.py): each scenario ends with one
# line naming what the server did (or a clean result), nothing is skipped
# or stored past, and peak RSS stays under 64 MB.
#
# RSS is measured on the release binary ($TOP/tlswatch, what users run):
# ASan's redzones, shadow memory and quarantine of freed blocks (256 MB by
# default) would measure the sanitizer, not tlswatch. The ASan binary runs
# the crash-prone scenarios too, for memory errors (it exits 99 on one).
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

RSS_MAX=65536 # KiB: 64 MB
REL=$TOP/tlswatch
SRV_PID=

[ -x "$REL" ] || t_fail "the release binary is built" "no $REL (make tlswatch)"
dc_setup || { t_fail "test certificates made"; exit 0; }
mkdir -p "$T/mail"
i=0
for f in $(dc_sample_mails | head -3); do
	i=$((i + 1))
	cp "$f" "$T/mail/$i.eml"
done
printf 'pw\n' > "$T/pw"
chmod 600 "$T/pw"

srv_stop() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	SRV_PID=
}
trap 'srv_stop; dc_cleanup; rm -rf "$T"' EXIT

# srv_start SCENARIO [imaps|starttls] [MAILDIR]
srv_start() {
	srv_stop
	rm -f "$T/port"
	HOSTILE_TLS=${2:-imaps} python3 "$TOP/tests/integration/hostile_imap.py" "$1" \
		"$DC/server.crt" "$DC/server.key" "$T/port" ${3:+"$3"} 2> "$T/srv.err" &
	SRV_PID=$!
	n=0
	while [ ! -s "$T/port" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	{
		echo "[imap]"
		echo "host=localhost"
		echo "port=$(cat "$T/port" 2>/dev/null)"
		echo "tls=${2:-imaps}"
		echo "ca_file=$DC/ca.crt"
		echo "user=u"
		echo "password_file=$T/pw"
		echo "processed_folder=Processed"
		echo "timeout=20"
	} > "$T/c.conf"
}

# collect BIN: runs collect once; $rc, $T/err, $rss (KiB)
collect() {
	/usr/bin/time -f %M -o "$T/rss" timeout 120 "$1" --config "$T/c.conf" --db "$T/db" \
		collect --once > "$T/out" 2> "$T/err"
	rc=$?
	rss=$(tail -1 "$T/rss")
	sed 's/^/  /' "$T/err" | cut -c1-240
}

# scenario NAME TLS WANT_RC PATTERN: one run of the release binary
scenario() {
	rm -f "$T/db"*
	srv_start "$1" "$2"
	collect "$REL"
	echo "$1 ($2): exit $rc, peak RSS $rss KiB"
	t_eq "$1: exit status" "$rc" "$3"
	if [ "$3" = 0 ]; then
		t_eq "$1: quiet" "$(cat "$T/err")" ""
	else
		t_check "$1: says what the server did" grep -q "$4" "$T/err"
		t_eq "$1: one line" "$(wc -l < "$T/err")" 1
	fi
	t_check "$1: peak RSS $rss KiB < 64 MB" test "${rss:-999999}" -lt "$RSS_MAX"
}

scenario honest imaps 0
t_eq "honest: position after the last message" \
	"$(t_sql "$T/db" "SELECT last_uid FROM imap_state")" 10
scenario literal imaps 2 'fetch: the server announced a literal larger than'
scenario liar imaps 2 'fetch: the server announced a literal larger than [0-9]* bytes'
scenario unasked imaps 2 'fetch: the server announced a literal larger than'
scenario unasked-small imaps 2 'fetch: the server sent the body of UID 100, which was not asked for'
scenario deep imaps 2 'the server sent a BODYSTRUCTURE, which was never asked for'
scenario deep-early starttls 2 'the server sent a BODYSTRUCTURE, which was never asked for'
scenario parens imaps 2 'select INBOX: the server nested parentheses deeper than 8'
scenario longline imaps 2 'the server sent a response line longer than 65536 bytes'
scenario flood imaps 2 'fetch sizes: the server sent more than [0-9]* [a-z]* in answer to one command'
scenario flood-body imaps 2 'fetch: the server sent more than [0-9]* responses in answer to one command'
scenario literal-early starttls 2 'the server announced a literal larger than 65536 bytes'
# trickle: the timeout restarts with every byte; the deadline does not
# (timeout=1: the answer to one command may take 10 s)
rm -f "$T/db"*
srv_start trickle imaps
sed -i 's/^timeout=.*/timeout=1/' "$T/c.conf"
collect "$REL"
t_eq "trickle: exit 2" "$rc" 2
t_check "trickle: says what the server did" \
	grep -q 'greeting: the server took more than 10 seconds to answer one command' "$T/err"
scenario zerouid imaps 2 'fetch sizes: the server answered UID FETCH without a UID'
scenario inject starttls 2 'TLS: the server sent .* after its STARTTLS answer'
scenario baduid imaps 0
t_eq "baduid: an impossible UID never becomes the position" \
	"$(t_sql "$T/db" "SELECT last_uid FROM imap_state")" 10
t_eq "nothing stored from a refused session" \
	"$(t_sql "$T/db" "SELECT count(*) FROM report")" 0

# Connection errors name the step: DNS, TCP (host and port).
srv_start honest imaps
sed -i 's/^host=.*/host=no-such-host.invalid/' "$T/c.conf"
collect "$REL"
t_eq "DNS failure: exit 2" "$rc" 2
t_check "DNS failure: names the step and the host" \
	grep -q 'imap no-such-host.invalid:[0-9]*: DNS: cannot resolve no-such-host.invalid' "$T/err"
PORT=$(cat "$T/port")
srv_stop
srv_start honest imaps
sed -i "s/^port=.*/port=$PORT/" "$T/c.conf"
srv_stop
collect "$REL"
t_eq "TCP failure: exit 2" "$rc" 2
t_check "TCP failure: names the step, the host and the port" \
	grep -q "imap localhost:$PORT: TCP: cannot connect to localhost (.*) port $PORT: Connection refused" "$T/err"

# The ASan binary against the scenarios that crashed or grew before.
for s in literal deep parens unasked-small; do
	rm -f "$T/db"*
	srv_start "$s" imaps
	collect "$TLSWATCH"
	t_eq "$s under ASan: a clean refusal" "$rc" 2
done
rm -f "$T/db"*
srv_start deep-early starttls
collect "$TLSWATCH"
t_eq "deep-early under ASan: a clean refusal" "$rc" 2

# A message left out of FETCH: never skipped. The server leaves UID 2 out
# every time: reported (exit 1) with its name, the position stays before
# it, the others are stored; the next run asks for it again.
rm -f "$T/db"*
srv_start skip imaps "$T/mail"
collect "$REL"
t_eq "skip: exit 1" "$rc" 1
t_check "skip: names the message" grep -q 'INBOX/7/2: still in the folder, but left out of two FETCH' "$T/err"
t_eq "skip: position stays before it" "$(t_sql "$T/db" "SELECT last_uid FROM imap_state")" 1
STORED=$(t_sql "$T/db" "SELECT count(*) FROM source WHERE kind = 'imap'")
t_eq "skip: the others are stored" "$STORED" 2
collect "$REL"
t_eq "skip, next run: reported again" "$rc" 1
t_eq "skip, next run: position still before it" \
	"$(t_sql "$T/db" "SELECT last_uid FROM imap_state")" 1
# Left out once only: fetched again at once, stored, position past it.
rm -f "$T/db"*
srv_start skip-once imaps "$T/mail"
collect "$REL"
t_eq "skip-once: exit 0" "$rc" 0
t_eq "skip-once: all three stored" "$(t_sql "$T/db" "SELECT count(*) FROM source WHERE kind = 'imap'")" 3
t_eq "skip-once: position past all" "$(t_sql "$T/db" "SELECT last_uid FROM imap_state")" 3
srv_stop
