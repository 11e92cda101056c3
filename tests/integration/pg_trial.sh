#!/bin/sh
# pg_trial.sh - issue 16's "Done when", tried as a new user would: the role
# and database made by the commands of docs/postgresql.md (its marked
# blocks), each host's configuration as the doc shows it, the tables made on
# first use by two dashboards starting at once; then, in three rounds, two
# collectors on two "hosts" (two configurations, two directories), each on
# its own mailbox of a real Dovecot, with the same report mail delivered to
# both, forged copies of a report in the other mailbox or against a POST,
# and the HTTPS intake of both hosts behind nginx (the doc's upstream block)
# taking POSTs from curl in parallel, all at once into one PostgreSQL store;
# a third collector on host A's mailbox exits 0 with its note while A holds
# it. The figures are checked against tools/oracle_tlsrpt.py, written from
# docs/counting.md, docs/trust.md and RFC 8460 (not from the C code), which
# reads the same mails and POST bodies: the summary (all time and per day),
# the API, the two dashboards, the Grafana views read as the doc's
# read-only role, and one SQLite ingest of the same inputs. Every mail left
# its folder for the processed, invalid or other folder; none was lost,
# also when host B's collector is killed (SIGKILL) in the middle of a run.
# TRIAL_KEEP=DIR copies the scratch directory (inputs, manifest, the
# oracle's answer, every output) to DIR at the end, for a look.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"
cd "$T" || exit 1
DOC=$TOP/docs/postgresql.md
ORACLE="python3 $TOP/tools/oracle_tlsrpt.py"
WEB_A=
WEB_B=
trial_cleanup() {
	[ -s "$T/ngx/nginx.pid" ] && kill "$(cat "$T/ngx/nginx.pid")" 2> /dev/null
	for p in $WEB_A $WEB_B; do
		kill -TERM "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	dc_cleanup
	pg_cleanup
	[ -n "${TRIAL_KEEP:-}" ] && cp -a "$T" "$TRIAL_KEEP"
	rm -rf "$T"
}
trap trial_cleanup EXIT

# doc_block MARKER: the fenced block after the HTML comment of
# docs/postgresql.md that names this test and MARKER
doc_block() {
	awk -v m="$1" 'f == 2 && /^```/ { exit } f == 2 { print }
		f == 1 && /^```/ { f = 2 } /^<!-- tests\/integration\/pg_trial.sh / && index($0, m) { f = 1 }' "$DOC"
}

# 1. the role and the database, by the doc's commands ------------------
PG_SUPER=postgres
if ! pg_start; then
	t_fail "PostgreSQL test server starts"
	exit 0
fi
doc_block "runs this block" > "$T/role.sh"
t_eq "docs/postgresql.md: the block making the role and database" \
	"$(grep -c '^sudo -u postgres create' "$T/role.sh")" 2
PW=db-Pa55-$$
printf '%s\n%s\n' "$PW" "$PW" > "$T/pw.twice"
# 'sudo -u postgres' is the server's superuser here (the test server runs as
# nobody, its superuser is the role postgres); no terminal (setsid): the
# password prompt of createuser reads the answers from stdin
ok=0
while IFS= read -r line; do
	line=$(printf '%s' "$line" | sed -e 's/  *#.*//' -e 's/^sudo -u postgres //')
	[ -n "$line" ] || continue
	if PGHOST=$PG/sock PGPORT=$PG_PORT PGUSER=postgres setsid -w sh -c "$line" \
		< "$T/pw.twice" >> "$T/role.out" 2>&1; then
		ok=$((ok + 1))
	fi
done < "$T/role.sh"
t_eq "the doc's commands run" "$ok" 2
# the server as Debian's, password logins for tlswatch by the doc's line
hba=$(grep '^local  *tlswatch  *tlswatch  *scram-sha-256$' "$DOC")
t_check "docs/postgresql.md: the pg_hba.conf line for the local socket" test -n "$hba"
{
	echo "local all postgres trust"
	echo "$hba"
	echo "local tlswatch grafana scram-sha-256"
} > "$PG/data/pg_hba.conf"
runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG/data" reload > /dev/null 2>&1
URI="postgresql://tlswatch@/tlswatch?host=$PG/sock&port=$PG_PORT"
SUPER_URI="postgresql://postgres@/tlswatch?host=$PG/sock&port=$PG_PORT"
# the reload is asynchronous: wait (bounded) until a wrong password is refused
i=0
while PGPASSWORD=wrong psql -X -At "$URI" -c 'SELECT 1' > /dev/null 2>&1 && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_check "the server asks tlswatch for its password" test $i -lt 100
t_eq "... and takes the one createuser was given" \
	"$(PGPASSWORD=$PW psql -X -At "$URI" -c 'SELECT current_user')" tlswatch

# 2. the inputs -------------------------------------------------------------
SPIKE="example.com,mx1.example.com,certificate-expired,2026-05-02,60"
"$GEN" --out "$T/eml" --seed 16 --start 2026-05-01 --days 3 --domains 2 --format eml \
	--spike "$SPIKE" > /dev/null
"$GEN" --out "$T/gz" --seed 16 --start 2026-05-01 --days 3 --domains 2 --format gz \
	--spike "$SPIKE" > /dev/null
ls "$T"/eml/* > "$T/eml.all"
ls "$T"/gz/* > "$T/gz.all"
t_check "generated mails" test "$(wc -l < "$T/eml.all")" -gt 150
mkdir -p "$T/hand"
# hand NAME REPORT-ID ORG CONTACT DAY POLICIES-JSON: a report of our own
hand() {
	printf '{"organization-name":"%s","date-range":{"start-datetime":"%sT00:00:00Z","end-datetime":"%sT23:59:59Z"},"contact-info":"%s","report-id":"%s","policies":%s}' \
		"$3" "$5" "$5" "$4" "$2" "$6" | gzip -n > "$T/hand/$1.json.gz"
}
# pol TYPE DOMAIN OK FAILED [RESULT-TYPE MX]: one policy
pol() {
	d=
	[ -n "${5:-}" ] && d=$(printf ',"failure-details":[{"result-type":"%s","receiving-mx-hostname":"%s","failed-session-count":%s}]' "$5" "$6" "$4")
	printf '{"policy":{"policy-type":"%s","policy-domain":"%s","mx-host":["mx1.%s"]},"summary":{"total-successful-session-count":%s,"total-failure-session-count":%s}%s}' \
		"$1" "$2" "$2" "$3" "$4" "$d"
}
C=trial@sender.example
S="Trial Sender"
# sts and tlsa: identical (the same sessions, once), different (they add),
# the sys4 reporter (they add, even equal), Microsoft (the larger)
hand same trial-same "$S" $C 2026-05-02 "[$(pol sts example.com 10 2 starttls-not-supported mx1.example.com),$(pol tlsa example.com 10 2 starttls-not-supported mx1.example.com)]"
hand diff trial-diff "$S" $C 2026-05-02 "[$(pol sts example.net 10 2 certificate-expired mx1.example.net),$(pol tlsa example.net 7 1 tlsa-invalid mx1.example.net)]"
hand sys4 2026-05-02T00:00:00Z_idx1_example.com sonne.example $C 2026-05-02 "[$(pol sts example.com 5 2 validation-failure mx2.example.com),$(pol tlsa example.com 5 2 validation-failure mx2.example.com)]"
hand ms trial-ms "Microsoft Corporation" $C 2026-05-03 "[$(pol sts example.net 8 3 certificate-expired mx1.example.net),$(pol tlsa example.net 8 3 tlsa-invalid mx1.example.net)]"
# conflicts. Ties (two mails): the forged copy differs in its contact only,
# so whichever commits first the figures are the same. Provenance (a POST
# against a mail): the forged mail hides the failures; the POST (https)
# beats an unverified mail whatever the order (docs/trust.md)
for i in 1 2; do
	p=$(pol sts example.com 20 4 certificate-host-mismatch mx2.example.com)
	hand tie$i trial-tie-$i "$S" $C 2026-05-0$i "[$p]"
	hand tie$i-forged trial-tie-$i "$S" forged@attacker.example 2026-05-0$i "[$p]"
	hand prov$i trial-prov-$i "$S" $C 2026-05-0$((i + 1)) \
		"[$(pol sts example.net 30 40 certificate-expired mx2.example.net)]"
	hand prov$i-forged trial-prov-$i "$S" $C 2026-05-0$((i + 1)) "[$(pol sts example.net 70 0)]"
done
# mkmail NAME: the hand-made report NAME as a reporter mails it (RFC 8460 5.3)
mkmail() {
	printf 'From: tlsrpt@sender.example\nTo: tlsrpt@example.com\nSubject: Report Domain: example.com Submitter: sender.example Report-ID: <%s>\n' "$1"
	printf 'Message-ID: <%s.%s@sender.example>\nDate: Sat, 02 May 2026 03:00:00 +0000\nMIME-Version: 1.0\n' "$1" "$$"
	printf 'Content-Type: multipart/report; report-type=tlsrpt; boundary="b0"\n\n--b0\n'
	printf 'Content-Type: text/plain\n\nA TLS report.\n\n--b0\nContent-Type: application/tlsrpt+gzip\n'
	printf 'Content-Disposition: attachment; filename="%s.json.gz"\nContent-Transfer-Encoding: base64\n\n' "$1"
	base64 < "$T/hand/$1.json.gz"
	printf '\n--b0--\n'
}
for n in same diff sys4 ms tie1 tie1-forged tie2 tie2-forged prov1 prov1-forged prov2-forged; do
	mkmail $n > "$T/hand/$n.eml"
done
printf 'From: someone@example.org\nTo: tlsrpt@example.com\nSubject: hello\n\nnot a report\n' \
	> "$T/hand/other.eml"
# a report that is not JSON: refused, held in quarantine, its mail to invalid
printf '{"organization-name":"Broken"' | gzip -n > "$T/hand/broken.json.gz"
mkmail broken > "$T/hand/broken.eml"
# the oracle on the conflicts alone: which copy counts, or that timing decides
# oracle_on LINE...: its answer for a manifest of these lines
oracle_on() {
	printf '%s\n' "$@" > "$T/m.oracle"
	$ORACLE "$T/m.oracle" | jq -c '[(.order_dependent | length), .totals.failed_sessions, .conflicts]'
}
H=$T/hand
t_eq "oracle: a POST beats a forged mail, in either order" \
	"$(oracle_on "mail $H/prov1-forged.eml" "https $H/prov1.json.gz") $(oracle_on "https $H/prov1.json.gz" "mail $H/prov1-forged.eml")" \
	"[0,40,1] [0,40,1]"
t_eq "oracle: two mails of the same figures, either may stay" \
	"$(oracle_on "mail $H/tie1-forged.eml" "mail $H/tie1.eml")" "[0,4,1]"
t_eq "oracle: two mails of other figures, timing decides" \
	"$(oracle_on "mail $H/prov1-forged.eml" "mail $H/prov1.eml")" "[1,0,1]"
t_eq "oracle: a POST against a copy both mailed and POSTed, timing decides" \
	"$(oracle_on "mail $H/prov1-forged.eml" "https $H/prov1-forged.json.gz" "https $H/prov1.json.gz")" "[1,40,1]"
t_eq "oracle: sts and tlsa once (identical, Microsoft), added (different, sys4)" \
	"$(oracle_on "https $H/same.json.gz" "https $H/ms.json.gz" "https $H/diff.json.gz" "https $H/sys4.json.gz" |
		cut -d, -f2)" "$((2 + 3 + 3 + 4))"

# 3. the mailboxes: two users of a real Dovecot ------------------------------
dc_setup || { t_fail "test certificates made"; exit 0; }
USER_B=tlsrpt-b
PASS_B=other-Pa55word
printf '%s:{PLAIN}%s::::::\n' "$USER_B" "$PASS_B" >> "$DC/passwd"
dc_start || { t_fail "dovecot starts"; exit 0; }
# mb_count USER FOLDER / mb_deliver USER FILE...: dc_count and an MDA's
# delivery (a file in the INBOX's new/) for either user
mb_count() {
	save=$DC_USER
	DC_USER=$1
	dc_count "$2"
	DC_USER=$save
}
mb_deliver() {
	u=$1
	shift
	[ "$(mb_count "$u" INBOX)" != none ] || return 1
	for f in "$@"; do
		DELIVERED=$((DELIVERED + 1))
		cp "$f" "$DC/mail/$u/new/$(date +%s).M$DELIVERED.trial" || return 1
		echo "mail $f" >> "$T/manifest"
	done
	chown -R dovecot:dovecot "$DC/mail/$u"
}
DELIVERED=0
: > "$T/manifest"

# 4. the hosts: the doc's configuration, its names and paths replaced --------
doc_block "runs this configuration" > "$T/host.conf"
t_check "docs/postgresql.md: the host configuration" grep -q '^database = postgresql://' "$T/host.conf"
# sed_quote S: S as a sed replacement
sed_quote() { printf '%s' "$1" | sed 's/[&|\\]/\\&/g'; }
# mkhost NAME IMAP-USER IMAP-PASSWORD: $T/NAME/tlswatch.conf and its files
mkhost() {
	h=$T/$1
	mkdir -p "$h"
	printf '%s\n' "$PW" > "$h/db-password"
	printf '%s\n' "$3" > "$h/imap-password"
	chmod 600 "$h/db-password" "$h/imap-password"
	sed -e "s|^database = postgresql://[^ ]*|database = $(sed_quote "$URI")|" \
		-e "s|/etc/tlswatch/|$h/|g" \
		-e "s|^host = imap.example.net|host = localhost\nport = $DC_SPORT\ntls = imaps\nca_file = $DC/ca.crt|" \
		-e "s|^user = tlsrpt-a@example.net|user = $2|" \
		-e "s|^listen = 127.0.0.1:8080|listen = 127.0.0.1:0|" \
		-e "s|^intake_listen = 10.0.0.1:8081|intake_listen = 127.0.0.1:0|" "$T/host.conf" > "$h/tlswatch.conf"
	# the generated mail carries no signature an offline test can check
	# (trust_dkim.sh is about DKIM)
	printf '\n[trust]\ndkim = off\n' >> "$h/tlswatch.conf"
}
mkhost a "$DC_USER" "$DC_PASS"
mkhost b "$USER_B" "$PASS_B"
mkhost c "$DC_USER" "$DC_PASS" # a third collector of host A's mailbox
t_eq "the configuration names the store and the password file" \
	"$(grep -c "^database = $URI\$\|^password_file = $T/a/db-password" "$T/a/tlswatch.conf")" 2
tw() { h=$1; shift; "$TLSWATCH" --config "$T/$h/tlswatch.conf" "$@"; }

# host_web NAME: 'tlswatch web' of host NAME (its configuration: the
# dashboard and the intake), in the background; sets WEB_NAME and URLs
host_web() {
	"$TLSWATCH" --config "$T/$1/tlswatch.conf" web > "$T/web-$1.out" 2> "$T/web-$1.err" &
	eval "WEB_$(echo "$1" | tr a-z A-Z)=\$!"
}
host_web_wait() {
	i=0
	while [ $i -lt 300 ]; do
		grep -q 'report intake on' "$T/web-$1.out" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# the first commands on the empty store: both dashboards at once, each
# making the tables (migrations under an advisory lock)
host_web a
host_web b
if host_web_wait a && host_web_wait b; then
	t_pass "two dashboards with the intake start at once on an empty store"
else
	t_fail "two dashboards with the intake start at once on an empty store" \
		"$(cat "$T/web-a.err" "$T/web-b.err" | head -5)"
	exit 0
fi
last=$(ls "$TOP"/schema/pg/[0-9]*.sql | sed 's|.*/||' | sort | tail -1 | sed 's/_.*//; s/^0*//')
t_eq "the store migrated once to the newest version" \
	"$(pg_sql "$SUPER_URI" "SELECT count(*) || ' ' || max(version) FROM schema_version")" "1 $last"
url() { sed -n "s|^tlswatch web: $2 on \\(.*\\)\$|\\1|p" "$T/web-$1.out"; }
DASH_A=$(url a dashboard | sed 's|/$||')
DASH_B=$(url b dashboard | sed 's|/$||')
INTAKE_A=$(url a 'report intake')
INTAKE_B=$(url b 'report intake')

# nginx in front of both intakes, by the doc's block
doc_block "runs this nginx configuration" > "$T/nginx.block"
t_check "docs/postgresql.md: the nginx configuration" grep -q 'proxy_pass http://tlswatch_intake' "$T/nginx.block"
t_check "... limits each sender's rate" grep -q 'limit_req zone=tlsrpt' "$T/nginx.block"
hp() { echo "$1" | sed 's|^http://||; s|/.*||'; }
mkdir -p "$T/ngx/tmp"
chmod 777 "$T/ngx/tmp"
tries=0
NGX=
while [ $tries -lt 5 ] && [ -z "$NGX" ]; do
	port=$(dc_random_port)
	{
		echo "daemon on; pid $T/ngx/nginx.pid; error_log $T/ngx/error.log;"
		echo "events { worker_connections 64; }"
		echo "http { log_format up '\$upstream_addr'; access_log $T/ngx/access.log up;"
		echo "client_body_temp_path $T/ngx/tmp; proxy_temp_path $T/ngx/tmp;"
		echo "fastcgi_temp_path $T/ngx/tmp; uwsgi_temp_path $T/ngx/tmp; scgi_temp_path $T/ngx/tmp;"
		sed -e "s|server 10.0.0.1:8081;|server $(hp "$INTAKE_A");|" \
			-e "s|server 10.0.0.2:8081;|server $(hp "$INTAKE_B");|" \
			-e "s|listen 443 ssl;|listen 127.0.0.1:$port ssl;|" \
			-e "s|rate=5r/s;|rate=1000r/s;|" \
			-e "s|server_name tlsrpt.example.com;|server_name localhost;|" \
			-e "s|ssl_certificate .*|ssl_certificate $DC/server.crt;|" \
			-e "s|ssl_certificate_key .*|ssl_certificate_key $DC/server.key;|" "$T/nginx.block"
		echo "}"
	} > "$T/ngx/nginx.conf"
	if nginx -c "$T/ngx/nginx.conf" -p "$T/ngx" 2> "$T/ngx/start.err"; then
		NGX=https://localhost:$port/tlsrpt
	fi
	tries=$((tries + 1))
done
if [ -z "$NGX" ]; then
	t_fail "nginx starts with the doc's configuration" "$(cat "$T/ngx/start.err")"
	exit 0
fi
t_pass "nginx starts with the doc's configuration"

# 5. three rounds, everything at once ----------------------------------------
# post_all LIST: each file of LIST POSTed through nginx, four at a time
post_all() {
	sed 's/^/https /' "$1" >> "$T/manifest"
	xargs -P 4 -I{} curl -s --cacert "$DC/ca.crt" -o /dev/null -w '%{http_code} {}\n' \
		-H 'Content-Type: application/tlsrpt+gzip' --data-binary @{} "$NGX" < "$1" >> "$T/post.codes"
}
# folders USER: INBOX, processed, invalid and other ("none" counts 0)
folders() {
	for f in INBOX TLSRPT.processed TLSRPT.invalid TLSRPT.other; do
		n=$(mb_count "$1" "$f")
		[ "$n" = none ] && n=0
		printf '%s ' "$n"
	done
}
sum4() { echo "$1" | awk '{ print $1 + $2 + $3 + $4 }'; }
# collect_ok NAME RC ERRFILE: exit 0, or 1 with only conflicts and refused
# reports named (docs/trust.md), or the note that another collector has the
# mailbox; nothing else said
collect_ok() {
	extra=$(grep -v 'quarantined: \|another collector is collecting .*; nothing to do$' "$3")
	case "$2" in
	0 | 1) if [ -z "$extra" ]; then t_pass "$1"; else t_fail "$1" "$extra"; fi ;;
	*) t_fail "$1" "exit $2: $(head -3 "$3")" ;;
	esac
}
sed "s|^password_file = $T/a/imap-password|password_command = sh $T/a/slow-pass.sh|" \
	"$T/a/tlswatch.conf" > "$T/a/slow.conf"
cat > "$T/a/slow-pass.sh" << EOS
touch $T/a.locked
i=0
while [ ! -e $T/a.go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
cat $T/a/imap-password
EOS
t_check "host A's slow twin asks a command for the password" grep -q '^password_command' "$T/a/slow.conf"
sed 's/^\[imap\]$/[imap]\nbatch_size = 10/' "$T/b/tlswatch.conf" > "$T/b/small.conf"
t_check "host B's twin takes batches of 10" grep -q '^batch_size = 10$' "$T/b/small.conf"
: > "$T/post.codes"
for r in 1 2 3; do
	awk -v r=$r 'NR % 3 == r - 1' "$T/eml.all" > "$T/r$r.eml"
	awk 'NR % 3 != 0' "$T/r$r.eml" > "$T/r$r.a"
	awk 'NR % 3 != 1' "$T/r$r.eml" > "$T/r$r.b"
	awk -v r=$r 'NR % 3 == r - 1 && NR % 4 == 0' "$T/gz.all" > "$T/r$r.post"
	case $r in
	1) printf '%s\n' $H/tie1.eml $H/same.eml $H/other.eml >> "$T/r$r.a"
		printf '%s\n' $H/tie1-forged.eml $H/broken.eml $H/other.eml >> "$T/r$r.b"
		printf '%s\n' $H/sys4.json.gz >> "$T/r$r.post" ;;
	2) printf '%s\n' $H/tie2.eml $H/prov1-forged.eml $H/diff.eml >> "$T/r$r.a"
		printf '%s\n' $H/tie2-forged.eml >> "$T/r$r.b"
		printf '%s\n' $H/prov1.json.gz $H/ms.json.gz >> "$T/r$r.post" ;;
	3) printf '%s\n' $H/prov2-forged.eml >> "$T/r$r.a"
		printf '%s\n' $H/ms.eml >> "$T/r$r.b"
		printf '%s\n' $H/prov2.json.gz $H/same.json.gz >> "$T/r$r.post" ;;
	esac
	fa=$(folders "$DC_USER")
	fb=$(folders "$USER_B")
	# shellcheck disable=SC2046
	mb_deliver "$DC_USER" $(cat "$T/r$r.a") || t_fail "round $r: delivered to A"
	mb_deliver "$USER_B" $(cat "$T/r$r.b") || t_fail "round $r: delivered to B"
	t_eq "round $r: A's INBOX holds its mail" "$(mb_count "$DC_USER" INBOX)" \
		"$(($(echo "$fa" | cut -d' ' -f1) + $(wc -l < "$T/r$r.a")))"
	conf_a=tlswatch.conf
	[ $r = 1 ] && conf_a=slow.conf
	"$TLSWATCH" --config "$T/a/$conf_a" collect > "$T/ca$r.out" 2> "$T/ca$r.err" &
	pa=$!
	conf_b=tlswatch.conf
	[ $r = 3 ] && conf_b=small.conf
	"$TLSWATCH" --config "$T/b/$conf_b" collect > "$T/cb$r.out" 2> "$T/cb$r.err" &
	pb=$!
	if [ $r = 3 ]; then
		# host B dies in the middle of its run (SIGKILL: no cleanup) once
		# its first batch of 10 is stored and moved, then runs again once
		# the server has let go of its session and lock
		i=0
		while [ "$(mb_count "$USER_B" TLSRPT.processed)" = "$(echo "$fb" | cut -d' ' -f2)" ] &&
			[ $i -lt 200 ] && kill -0 $pb 2> /dev/null; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -KILL $pb 2> /dev/null
		wait $pb
		# where it stopped, for the log
		echo "round 3: B killed at folders $(folders "$USER_B")" >&2
		i=0
		while [ $i -lt 50 ]; do
			"$TLSWATCH" --config "$T/b/tlswatch.conf" collect > "$T/cb$r.out" 2> "$T/cb$r.err"
			rb=$?
			grep -q 'another collector is collecting' "$T/cb$r.err" || break
			sleep 0.2
			i=$((i + 1))
		done
		(exit $rb) &
		pb=$!
	fi
	post_all "$T/r$r.post" &
	pp=$!
	if [ $r = 1 ]; then
		# A holds its mailbox (it waits for its IMAP password): C must not
		i=0
		while [ ! -e "$T/a.locked" ] && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		t_check "round 1: A took its mailbox" test -e "$T/a.locked"
		tw c collect > "$T/cc$r.out" 2> "$T/cc$r.err"
		t_eq "a third collector on A's mailbox: exit 0" "$?" 0
		t_check "... with its note" grep -q 'another collector is collecting localhost' "$T/cc$r.err"
		t_eq "... and took nothing" "$(mb_count "$DC_USER" INBOX)" \
			"$(($(echo "$fa" | cut -d' ' -f1) + $(wc -l < "$T/r$r.a")))"
		touch "$T/a.go"
	else
		# unforced: C and A race; either collects, the other notes it or
		# finds nothing left
		tw c collect > "$T/cc$r.out" 2> "$T/cc$r.err"
		collect_ok "round $r: a third collector on A's mailbox" "$?" "$T/cc$r.err"
	fi
	wait $pa
	collect_ok "round $r: collector A" "$?" "$T/ca$r.err"
	wait $pb
	collect_ok "round $r: collector B" "$?" "$T/cb$r.err"
	wait $pp
	# the dashboards and the API read now, so that their caches hold the
	# first round's figures when the next rounds commit (docs/web.md)
	if [ $r = 1 ]; then
		curl -s "$DASH_A/?all=1" "$DASH_B/?all=1" "$DASH_B/api/v1/summary?all=1" \
			"$DASH_A/failures?all=1" "$DASH_B/failures?all=1&group_by=mx" > /dev/null
	fi
	# every mail left the INBOX, each to one folder: none lost
	for u in "$DC_USER" "$USER_B"; do
		if [ "$u" = "$DC_USER" ]; then before=$fa list=$T/r$r.a; else before=$fb list=$T/r$r.b; fi
		after=$(folders "$u")
		t_eq "round $r, mailbox $u: INBOX emptied" "$(echo "$after" | cut -d' ' -f1)" 0
		t_eq "round $r, mailbox $u: every mail in one folder" "$(sum4 "$after")" \
			"$(($(sum4 "$before") + $(wc -l < "$list")))"
	done
done
odd=$(grep -v '^20[01] \|^409 ' "$T/post.codes")
if [ -z "$odd" ]; then
	t_pass "every POST answered 201, 200 or 409"
else
	t_fail "every POST answered 201, 200 or 409" "$(echo "$odd" | head -3)"
	# what the intake said, for the record
	for f in "$T"/web-a.err "$T"/web-b.err "$T"/ngx/error.log; do
		[ -s "$f" ] && tail -5 "$f" >&2
	done
fi
t_check "POSTs were stored" grep -q '^201 ' "$T/post.codes"
t_eq "nginx shared the POSTs between both hosts' intakes" "$(sort -u "$T/ngx/access.log" | wc -l)" 2
t_eq "mail A: the non-report in other" "$(mb_count "$DC_USER" TLSRPT.other)" 1
t_eq "mail B: the non-report in other" "$(mb_count "$USER_B" TLSRPT.other)" 1

# 6. the figures against the oracle ------------------------------------------
$ORACLE "$T/manifest" > "$T/want.json" 2> "$T/oracle.err"
t_eq "the oracle reads every input" "$?" 0
t_eq "the oracle's answer depends on no timing" "$(jq -c .order_dependent "$T/want.json")" "[]"
t_check "the inputs overlap (duplicates)" test "$(jq .duplicates "$T/want.json")" -gt 20
t_eq "the oracle sees the four conflicts, the refused report and the two others" \
	"$(jq -c '[.conflicts, .invalid, .not_report]' "$T/want.json")" "[4,1,2]"
SQ_PG="$SUPER_URI"
t_eq "each report stored exactly once" \
	"$(pg_sql "$SQ_PG" "SELECT count(*) || ' ' || count(DISTINCT (organization, report_id)) FROM report")" \
	"$(jq -r '"\(.reports) \(.reports)"' "$T/want.json")"
# each conflict: one copy counts, the other is held, naming it
for k in trial-tie-1 trial-tie-2 trial-prov-1 trial-prov-2; do
	t_eq "$k: one copy stored, the other held as its conflict" \
		"$(pg_sql "$SQ_PG" "SELECT count(*) FROM report WHERE report_id = '$k'") $(pg_sql "$SQ_PG" \
			"SELECT count(*) FROM quarantine q JOIN report r ON r.id = q.conflict_report
			 WHERE r.report_id = '$k' AND q.released IS NULL")" "1 1"
done
t_eq "quarantine: the held copies and the refused report, nothing else" \
	"$(pg_sql "$SQ_PG" "SELECT count(*) FROM quarantine WHERE released IS NULL")" \
	"$(jq '.conflicts + .invalid' "$T/want.json")"
t_check "the refused report's reason names the JSON error" \
	test "$(pg_sql "$SQ_PG" "SELECT count(*) FROM quarantine WHERE reason LIKE '%broken.json.gz): invalid JSON%'")" = 1
t_eq "the POSTed copy beats the forged mail (provenance), whichever came first" \
	"$(pg_sql "$SQ_PG" "SELECT string_agg(provenance || ' ' || failed_sessions, ',' ORDER BY report_id)
		FROM report WHERE report_id LIKE 'trial-prov-%'")" "https 40,https 40"

# jfig FILE: the contract's figures of a summary document, sorted
jfig() {
	jq -S '{totals, by_domain: (.by_domain | sort_by(.policy_domain)),
		by_day: [.by_day[] | select(.successful_sessions + .failed_sessions > 0)],
		by_mx: (.by_mx | sort_by(.mx_host // "")), by_result_type: (.by_result_type | sort_by(.result_type))}' "$1"
}
jfig "$T/want.json" > "$T/want.fig"
tw a summary --all --format json > "$T/sum.pg"
jfig "$T/sum.pg" > "$T/got.fig"
# same NAME GOT WANT: files equal (and WANT not empty)
same() {
	if [ ! -s "$3" ]; then
		t_fail "$1" "nothing to compare"
	elif cmp -s "$2" "$3"; then
		t_pass "$1"
	else
		t_fail "$1" "$(diff "$3" "$2" | head -8)"
	fi
}
same "summary --all on PostgreSQL: the oracle's figures" "$T/got.fig" "$T/want.fig"
t_eq "summary: the conflicts held" "$(jq .conflicts "$T/sum.pg")" 4
# per domain and day
jq -c '.by_domain_day[]' "$T/want.json" > "$T/want.dd"
for day in $(jq -r '.by_day[].day' "$T/want.json"); do
	next=$(date -u -d "$day + 1 day" +%F)
	tw a summary --since "$day" --until "$next" --format json |
		jq -c --arg d "$day" '.by_domain[] | {day: $d, failed_sessions, policy_domain, reports, successful_sessions}'
done | jq -S -c . | sort > "$T/got.dd"
jq -S -c . "$T/want.dd" | sort > "$T/want.dd.s"
same "per domain and day: the oracle's reports and sessions" "$T/got.dd" "$T/want.dd.s"
# the API of host B: the same document as the summary
curl -s "$DASH_B/api/v1/summary?all=1" > "$T/api.json"
tw b summary --all --format json > "$T/sum.b"
same "/api/v1/summary?all=1 (host B) is the summary's document" "$T/api.json" "$T/sum.b"
jfig "$T/api.json" > "$T/got.api"
same "/api/v1/summary: the oracle's figures" "$T/got.api" "$T/want.fig"

# one SQLite ingest of the same inputs, in order (the POSTed bodies as files)
SQ=$T/one.db
cut -d' ' -f2- "$T/manifest" > "$T/inputs"
"$TLSWATCH" --db "$SQ" ingest --from "$T/inputs" > /dev/null 2> "$T/sq.err"
t_eq "SQLite ingest of the same inputs: exit 1 (conflicts, a refused report)" "$?" 1
"$TLSWATCH" --db "$SQ" summary --all --format json > "$T/sum.sq"
pg_norm "$T/sum.sq"
cp "$T/sum.pg" "$T/sum.pgn"
pg_norm "$T/sum.pgn"
same "summary --all: PostgreSQL's document is one SQLite ingest's" "$T/sum.pgn" "$T/sum.sq"

# 7. the dashboards of both hosts: the oracle's figures ------------------------
# the tables of an HTML page, as JSON rows of cell texts (digits without ",")
cat > "$T/tables.py" << 'EOP'
import html.parser, json, sys
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__()
        s.tables, s.row, s.cell = [], None, None
    def handle_starttag(s, t, a):
        if t == "table":
            s.tables.append([])
        elif t == "tr" and s.tables:
            s.row = []
        elif t in ("td", "th") and s.row is not None:
            s.cell = ""
    def handle_endtag(s, t):
        if t in ("td", "th") and s.cell is not None:
            c = " ".join(s.cell.split())
            s.row.append(c.replace(",", "") if c.replace(",", "").isdigit() else c)
            s.cell = None
        elif t == "tr" and s.row is not None:
            s.tables[-1].append(s.row)
            s.row = None
    def handle_data(s, d):
        if s.cell is not None:
            s.cell += d
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
head = sys.argv[2]
for t in p.tables:
    if t and t[0] and t[0][0] == head:
        for row in t[1:]:
            print(json.dumps(row))
        break
EOP
# table URL HEADING: the rows of the page's table whose first heading is HEADING
table() {
	curl -s "$1" > "$T/page.html"
	python3 "$T/tables.py" "$T/page.html" "$2"
}
jq -r '.by_domain[] | "\(.policy_domain) \(.reports) \(.successful_sessions) \(.failed_sessions)"' \
	"$T/want.json" | sort > "$T/want.dom"
jq -r '.by_result_type[] | "\(.result_type) \(.failed_sessions)"' "$T/want.json" | sort > "$T/want.rt"
jq -r '.by_mx[] | "\(.mx_host // "(not in the reports)") \(.failed_sessions)"' "$T/want.json" |
	sort > "$T/want.mx"
# the overview's headline: reports, sessions and the conflicts held
cat > "$T/headline.py" << 'EOP'
import html, re, sys
t = open(sys.argv[1], encoding="utf-8").read()
t = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", t, flags=re.S)
t = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", t)).split())
out = []
for name in ("Reports", "Successful sessions", "Failed sessions", "Conflicting reports"):
    m = re.search(re.escape(name) + r" ([0-9,]+)", t)
    out.append(m.group(1).replace(",", "") if m else "-")
print(" ".join(out))
EOP
want_head=$(jq -r '"\(.totals.reports) \(.totals.successful_sessions) \(.totals.failed_sessions) \(.conflicts)"' \
	"$T/want.json")
for h in A B; do
	eval "d=\$DASH_$h"
	curl -s "$d/?all=1" > "$T/over.html"
	t_eq "dashboard $h, overview: reports, sessions and conflicts" \
		"$(python3 "$T/headline.py" "$T/over.html")" "$want_head"
	table "$d/?all=1" "Policy domain" | jq -r '"\(.[0]) \(.[1]) \(.[2]) \(.[3])"' | sort > "$T/got.dom"
	same "dashboard $h, overview: reports and sessions per domain" "$T/got.dom" "$T/want.dom"
	table "$d/failures?all=1" "Result type" | jq -r '"\(.[0]) \(.[1])"' | sort > "$T/got.rt"
	same "dashboard $h, failures by result type" "$T/got.rt" "$T/want.rt"
	table "$d/failures?all=1&group_by=mx" "MX host" | jq -r '"\(.[0]) \(.[1])"' | sort > "$T/got.mx"
	same "dashboard $h, failures by MX host" "$T/got.mx" "$T/want.mx"
done

# 8. Grafana: the doc's read-only role reads the same figures -----------------
sed -n '/^-- the read-only role for Grafana$/,/^```$/p' "$DOC" | sed '$d' > "$T/grafana.sql"
psql -X -q -v ON_ERROR_STOP=1 "$SUPER_URI" -f "$T/grafana.sql" > "$T/grafana.out" 2>&1
t_eq "the doc's read-only role is created" "$?" 0
GRA="postgresql://grafana@/tlswatch?host=$PG/sock&port=$PG_PORT"
gsql() { PGPASSWORD=change-me psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 "$GRA" -c "$1"; }
gsql "SELECT to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD'), policy_domain, sum(reports),
	sum(successful_sessions), sum(failed_sessions) FROM tlswatch_daily GROUP BY 1, 2" | sort > "$T/got.gdd"
jq -r '.by_domain_day[] | "\(.day) \(.policy_domain) \(.reports) \(.successful_sessions) \(.failed_sessions)"' \
	"$T/want.json" | sort > "$T/want.gdd"
same "Grafana, tlswatch_daily: per domain and day" "$T/got.gdd" "$T/want.gdd"
gsql "SELECT policy_domain, coalesce(mx_host, '-'), result_type, sum(failed_sessions)
	FROM tlswatch_failures GROUP BY 1, 2, 3 HAVING sum(failed_sessions) > 0" | sort > "$T/got.gf"
jq -r '.by_failure[] | "\(.policy_domain) \(.mx_host // "-") \(.result_type) \(.failed_sessions)"' \
	"$T/want.json" | sort > "$T/want.gf"
same "Grafana, tlswatch_failures: per domain, MX host and result type" "$T/got.gf" "$T/want.gf"
gsql "SELECT policy_domain, coalesce(mx_host, '-'), sum(failed_sessions)
	FROM tlswatch_mx_failures GROUP BY 1, 2 HAVING sum(failed_sessions) > 0" | sort > "$T/got.gm"
jq -r '.by_domain_mx[] | "\(.policy_domain) \(.mx_host // "-") \(.failed_sessions)"' \
	"$T/want.json" | sort > "$T/want.gm"
same "Grafana, tlswatch_mx_failures: once per MX" "$T/got.gm" "$T/want.gm"
# the roll-up views of migration 024 (what the dashboard reads with "All"
# reporters): the same figures from the oracle
gsql "SELECT to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD'), policy_domain, reports,
	successful_sessions, failed_sessions FROM tlswatch_daily_by_domain" | sort > "$T/got.gdd2"
same "Grafana, tlswatch_daily_by_domain: per domain and day" "$T/got.gdd2" "$T/want.gdd"
gsql "SELECT policy_domain, coalesce(mx_host, '-'), result_type, sum(failed_sessions)
	FROM tlswatch_failures_by_domain GROUP BY 1, 2, 3 HAVING sum(failed_sessions) > 0" \
	| sort > "$T/got.gf2"
same "Grafana, tlswatch_failures_by_domain" "$T/got.gf2" "$T/want.gf"
gsql "SELECT policy_domain, coalesce(mx_host, '-'), sum(failed_sessions)
	FROM tlswatch_mx_failures_by_domain GROUP BY 1, 2 HAVING sum(failed_sessions) > 0" \
	| sort > "$T/got.gm2"
same "Grafana, tlswatch_mx_failures_by_domain: once per MX" "$T/got.gm2" "$T/want.gm"
t_eq "Grafana, tlswatch_reports: every stored report" "$(gsql "SELECT count(*) FROM tlswatch_reports")" \
	"$(jq .reports "$T/want.json")"
if gsql "SELECT count(*) FROM report" > /dev/null 2>&1; then
	t_fail "Grafana's role cannot read the tables"
else
	t_pass "Grafana's role cannot read the tables"
fi

# 9. the store is sound; nothing crashed ---------------------------------------
tw a db check > "$T/check.out" 2>&1
t_eq "db check on the store" "$?" 0
for h in a b; do
	eval "p=\$WEB_$(echo $h | tr a-z A-Z)"
	kill -TERM "$p" 2> /dev/null
	wait "$p"
	t_eq "dashboard $h stops cleanly" "$?" 0
done
WEB_A=
WEB_B=
if grep -lE 'AddressSanitizer|LeakSanitizer|runtime error' "$T"/*.err > "$T/san" 2> /dev/null; then
	t_fail "no sanitizer report" "$(cat "$T/san")"
else
	t_pass "no sanitizer report"
fi
pg_stop
