#!/bin/sh
# imap_auth.sh - authentication: a wrong password is a clear error (exit 2)
# naming the server and the step; password_file must be 0600 and the
# user's own; password_command's first output line is the secret and its
# failure is an error; the secret shows up nowhere (errors, -v -v protocol
# log); XOAUTH2 against Dovecot's oauth2 passdb with a locally validated
# HS256 token, and a refused token.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

dc_setup || { t_fail "test certificates made"; exit 0; }
dc_start || { t_fail "dovecot starts"; exit 0; }
printf 'From: someone@example.net\r\nSubject: hello\r\n\r\nNot a report.\r\n' > "$T/plain.eml"
DB=$T/t.db
run() { conf=$1; shift; "$TLSWATCH" --config "$conf" --db "$DB" "$@" > "$T/out" 2>&1; }
no_secret() {
	if grep -qF "$2" "$T/out"; then t_fail "$1" "the secret appears in the output"; else t_pass "$1"; fi
}

# --- wrong password
printf 'not-the-password\n' > "$T/wrong"
chmod 600 "$T/wrong"
dc_conf "$T/c.conf" password_file="$T/wrong"
run "$T/c.conf" collect
t_eq "wrong password: exit 2" "$?" 2
t_check "wrong password: the error names server, step and user" \
	grep -q "imap localhost:$DC_SPORT: login: server said: .*(user $DC_USER)" "$T/out"
t_eq "wrong password: one line" "$(wc -l < "$T/out")" 1
no_secret "wrong password: the secret is not in the error" not-the-password

# --- password_file must be private and ours
dc_conf "$T/c.conf"
chmod 644 "$T/password"
run "$T/c.conf" collect
t_eq "password_file 0644: exit 2" "$?" 2
t_check "password_file 0644: refused, saying why" grep -q "mode 644 lets others read it" "$T/out"
chmod 600 "$T/password"
chown dovecot "$T/password"
run "$T/c.conf" collect
t_eq "password_file of another user: exit 2" "$?" 2
t_check "password_file of another user: refused" grep -q "owned by uid $DC_UID" "$T/out"
chown 0 "$T/password"

# --- password_command: first line of stdout; -v -v logs no secret
dc_deliver INBOX "$T/plain.eml"
printf '#!/bin/sh\nprintf "%%s\\\\nsecond line\\\\n" "%s"\n' "$DC_PASS" > "$T/pw.sh"
chmod 700 "$T/pw.sh"
dc_conf "$T/c.conf" password_file= password_command="$T/pw.sh"
run "$T/c.conf" -v -v collect
t_eq "password_command: exit 0" "$?" 0
t_eq "password_command: message collected" "$(dc_count Other)" 1
t_check "password_command: -v -v shows the IMAP exchange" grep -q 'imap C: .*SELECT INBOX' "$T/out"
no_secret "password_command: the secret is not in the -v -v log" "$DC_PASS"
t_check "password_command: the login line is withheld" grep -q 'withheld' "$T/out"
dc_conf "$T/c.conf" password_file= password_command="echo $DC_PASS; exit 3"
run "$T/c.conf" collect
t_eq "failing password_command: exit 2" "$?" 2
t_check "failing password_command: says so" grep -q 'password_command exited with status 3' "$T/out"
no_secret "failing password_command: the secret is not in the error" "$DC_PASS"
dc_conf "$T/c.conf" password_file= password_command="$T/pw.sh" password_file="$T/password"
run "$T/c.conf" collect
t_eq "password_file and password_command both set: exit 2" "$?" 2

# --- XOAUTH2: a token Dovecot validates locally (HS256, key by kid)
dc_deliver INBOX "$T/plain.eml"
token=$(dc_jwt "$DC_USER" "$(($(date +%s) + 3600))")
printf '#!/bin/sh\necho "%s"\n' "$token" > "$T/token.sh"
chmod 700 "$T/token.sh"
dc_conf "$T/x.conf" auth=xoauth2 password_file= password_command="$T/token.sh"
log_at=$(wc -l < "$DC/dovecot.log")
run "$T/x.conf" -v -v collect
t_eq "xoauth2: exit 0" "$?" 0
t_eq "xoauth2: message collected" "$(dc_count Other)" 2
t_check "xoauth2: the server logged an XOAUTH2 login" sh -c \
	"tail -n +$((log_at + 1)) '$DC/dovecot.log' | grep -q 'Login: user=<$DC_USER>.*method=XOAUTH2'"
no_secret "xoauth2: the token is not in the -v -v log" "$token"
no_secret "xoauth2: no part of the token either" "$(echo "$token" | cut -d. -f3)"

expired=$(dc_jwt "$DC_USER" "$(($(date +%s) - 3600))")
printf '#!/bin/sh\necho "%s"\n' "$expired" > "$T/token.sh"
run "$T/x.conf" collect
t_eq "xoauth2, expired token: exit 2" "$?" 2
t_check "xoauth2, expired token: a login error" grep -q "login (xoauth2)" "$T/out"
no_secret "xoauth2, expired token: not in the error" "$expired"

dc_stop
