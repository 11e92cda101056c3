#!/bin/sh
# imap_tls.sh - TLS is mandatory and verified before LOGIN: a self-signed
# certificate, a certificate for another name and an unknown CA are
# refused, and Dovecot's own log shows that no login was attempted;
# STARTTLS works and is verified the same way; tls_verify = no is the only
# way around, with a warning on every run; a server without STARTTLS gets
# no plaintext login.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

dc_setup || { t_fail "test certificates made"; exit 0; }
printf 'From: someone@example.net\r\nSubject: hello\r\n\r\nNot a report.\r\n' > "$T/plain.eml"
DB=$T/t.db

# log_mark; ...; log_new: the Dovecot log lines written in between
log_mark() { LOG_AT=$(wc -l < "$DC/dovecot.log"); }
log_new() { tail -n +"$((LOG_AT + 1))" "$DC/dovecot.log"; }

# refused NAME CONF WANT_ERR: collect fails before LOGIN
refused() {
	inbox=$(dc_count INBOX)
	log_mark
	"$TLSWATCH" --config "$2" --db "$DB" collect > "$T/out" 2>&1
	rc=$?
	echo "$1: $(cat "$T/out")"
	t_eq "$1: exit 2" "$rc" 2
	if grep -q "$3" "$T/out"; then
		t_pass "$1: the error says why"
	else
		t_fail "$1: the error says why" "got '$(cat "$T/out")', want /$3/"
	fi
	t_check "$1: the error names the server" grep -q "imap localhost:" "$T/out"
	# the server saw a connection that never authenticated
	i=0
	while [ $i -lt 50 ] && ! log_new | grep -q 'Disconnected'; do
		sleep 0.1
		i=$((i + 1))
	done
	t_check "$1: server log shows no auth attempt" sh -c \
		"tail -n +$((LOG_AT + 1)) '$DC/dovecot.log' | grep -q 'no auth attempts'"
	t_eq "$1: server log shows no login" "$(log_new | grep -c 'Login:')" 0
	t_eq "$1: INBOX untouched" "$(dc_count INBOX)" "$inbox"
}

# --- a self-signed certificate for the right name
DC_CERT=selfsigned
dc_start || { t_fail "dovecot starts"; exit 0; }
dc_deliver INBOX "$T/plain.eml"
dc_conf "$T/c.conf"
refused "self-signed certificate" "$T/c.conf" "certificate.*not trusted.*not logging in"
dc_conf "$T/s.conf" tls=starttls port="$DC_PORT"
refused "self-signed certificate over STARTTLS" "$T/s.conf" "certificate.*not trusted"

# --- tls_verify = no: the operator's explicit choice, warned about
dc_conf "$T/nv.conf" tls_verify=no
"$TLSWATCH" --config "$T/nv.conf" --db "$DB" collect --dry-run > "$T/out" 2>&1
rc=$?
t_eq "tls_verify = no: connects (exit 0)" "$rc" 0
t_check "tls_verify = no: warns" grep -q 'tls_verify = no.*NOT checked' "$T/out"
dc_stop

# --- a certificate from the trusted CA, for another name
DC_CERT=wrongname
dc_start || { t_fail "dovecot starts (wrong name)"; exit 0; }
dc_conf "$T/c.conf"
refused "certificate for another name" "$T/c.conf" "not trusted for localhost.*name"
dc_stop

# --- the right certificate, but its CA is not trusted (system store)
DC_CERT=server
dc_start || { t_fail "dovecot starts (good certificate)"; exit 0; }
dc_conf "$T/sys.conf" ca_file=
refused "CA not in the system trust store" "$T/sys.conf" "not trusted"

# --- and everything right: imaps, then STARTTLS
dc_conf "$T/c.conf"
log_mark
"$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/out" 2>&1
t_eq "trusted certificate: exit 0" "$?" 0
t_check "trusted certificate: logged in over TLS" sh -c \
	"tail -n +$((LOG_AT + 1)) '$DC/dovecot.log' | grep -q 'Login: user=<$DC_USER>.*TLS'"
t_eq "trusted certificate: message moved" "$(dc_count Other)" 1
dc_deliver INBOX "$T/plain.eml"
dc_conf "$T/s.conf" tls=starttls port="$DC_PORT"
log_mark
"$TLSWATCH" --config "$T/s.conf" --db "$DB" collect > "$T/out" 2>&1
t_eq "STARTTLS: exit 0" "$?" 0
t_eq "STARTTLS: silent" "$(cat "$T/out")" ""
t_check "STARTTLS: the login was inside TLS" sh -c \
	"tail -n +$((LOG_AT + 1)) '$DC/dovecot.log' | grep -q 'Login: user=<$DC_USER>.*TLS'"
t_eq "STARTTLS: message moved" "$(dc_count Other)" 2

dc_stop

# --- a server that offers no STARTTLS: no plaintext fallback
DC_SSL=no
dc_start || { t_fail "dovecot starts (no TLS)"; exit 0; }
dc_conf "$T/s.conf" tls=starttls port="$DC_PORT"
refused "no STARTTLS offered" "$T/s.conf" "starttls: server said"
DC_SSL=yes
dc_stop
dc_start || { t_fail "dovecot starts again"; exit 0; }

# --- a missing CA file is a clear error, not a fallback to system trust
dc_conf "$T/ca.conf" ca_file="$T/missing.pem"
"$TLSWATCH" --config "$T/ca.conf" --db "$DB" collect > "$T/out" 2>&1
t_eq "missing ca_file: exit 2" "$?" 2
t_check "missing ca_file: named in the error" grep -q "ca_file $T/missing.pem" "$T/out"

dc_stop
