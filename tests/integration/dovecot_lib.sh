# tests/integration/dovecot_lib.sh - a private Dovecot for the IMAP tests.
# Sourced after tests/lib.sh by tests/integration/imap_*.sh (not a test
# itself: run.sh only runs imap_*.sh and other names without this one).
#
#   dc_setup            certificates (test CA, "localhost", wrong name, self-
#                       signed), passwd-file user, oauth2 key, config in $DC
#   dc_start [EXTRA]    start Dovecot (EXTRA: config lines appended), wait
#                       for a real "* OK" greeting on both ports (DC_SSL=no:
#                       a server without TLS, plain port only)
#   dc_stop             stop it (SIGTERM, wait)
#   dc_kill             SIGKILL the whole Dovecot process group
#   dc_deliver FOLDER FILE...   deliver messages with doveadm save (the
#                       folder is created when missing)
#   dc_count FOLDER     messages in FOLDER ("none" when it does not exist)
#   dc_conf FILE [KEY=VALUE...] write a tlswatch config for this server
#   dc_jwt SUB EXP      an HS256 token Dovecot's oauth2 passdb accepts
#
# Never touches /etc/dovecot: everything lives under $T/dc. Dovecot is
# killed on exit whatever happens. Run directly (tests/run.sh does, as it
# runs every tests/integration/*.sh), it checks that the test server itself
# works: it starts, greets over TLS and STARTTLS, takes mail and stops.

if [ "$(basename "$0")" = dovecot_lib.sh ]; then
	. "$TOP/tests/lib.sh"
	DC_SELF_TEST=1
fi

DC=$T/dc
DC_USER=tester
DC_PASS=s3cret-Pa55word
DC_KID=testkey
DC_PGID=
DC_UID=$(id -u dovecot)
DC_GID=$(id -g dovecot)

dc_cleanup() {
	if [ -n "$DC_PGID" ]; then
		kill -9 "-$DC_PGID" 2>/dev/null
		DC_PGID=
	fi
}
trap 'dc_cleanup; rm -rf "$T"' EXIT
# the IMAP tests are not about DKIM (trust_dkim.sh is): see t_dkim_off
t_dkim_off

dc_random_port() {
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	echo $((20000 + n % 40000))
}

# dc_cert NAME CN SAN [self]: a key and certificate, signed by the test CA
# unless "self".
dc_cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$DC/$1.key" -subj "/CN=$2" -out "$DC/$1.csr" 2>/dev/null || return 1
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
		"$3" > "$DC/$1.ext"
	if [ "${4:-}" = self ]; then
		openssl x509 -req -in "$DC/$1.csr" -signkey "$DC/$1.key" -days 2 \
			-extfile "$DC/$1.ext" -out "$DC/$1.crt" 2>/dev/null
	else
		openssl x509 -req -in "$DC/$1.csr" -CA "$DC/ca.crt" -CAkey "$DC/ca.key" \
			-CAcreateserial -days 2 -extfile "$DC/$1.ext" -out "$DC/$1.crt" 2>/dev/null
	fi
}

dc_setup() {
	mkdir -p "$DC/run" "$DC/state" "$DC/mail" "$DC/keys/default/HS256"
	chmod 755 "$DC" "$DC/keys" "$DC/keys/default" "$DC/keys/default/HS256"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$DC/ca.key" -subj "/CN=tlswatch test CA" -days 2 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
		-out "$DC/ca.crt" 2>/dev/null || return 1
	dc_cert server localhost DNS:localhost || return 1
	dc_cert wrongname wrong.example DNS:wrong.example || return 1
	dc_cert selfsigned localhost DNS:localhost self || return 1
	printf '%s:{PLAIN}%s::::::\n' "$DC_USER" "$DC_PASS" > "$DC/passwd"
	# the HS256 key, standard base64, readable by the dovecot user
	head -c 32 /dev/urandom > "$DC/jwt.key"
	base64 -w0 "$DC/jwt.key" > "$DC/keys/default/HS256/$DC_KID"
	chmod 644 "$DC/keys/default/HS256/$DC_KID"
	cat > "$DC/oauth2.conf" <<EOC
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$DC/keys/
username_attribute = sub
EOC
	chown -R dovecot:dovecot "$DC/mail"
	DC_CERT=server
}

# dc_write_conf EXTRA: the configuration for the current ports and cert.
dc_write_conf() {
	cat > "$DC/dovecot.conf" <<EOC
base_dir = $DC/run
state_dir = $DC/state
log_path = $DC/dovecot.log
instance_name = tlswatch-test-$$
protocols = imap
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = $DC_UID
last_valid_uid = $DC_UID
first_valid_gid = $DC_GID
last_valid_gid = $DC_GID
mail_uid = dovecot
mail_gid = dovecot
mail_location = maildir:$DC/mail/%u
ssl = ${DC_SSL:-yes}
ssl_cert = <$DC/$DC_CERT.crt
ssl_key = <$DC/$DC_CERT.key
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
auth_verbose = yes
login_log_format_elements = user=<%u> method=%m rip=%r lip=%l %c
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DC/passwd
  mechanisms = plain login
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $DC/oauth2.conf
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$DC/mail/%u allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DC_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DC_SPORT
    ssl = ${DC_SSL:-yes}
  }
}
$1
EOC
}

# dc_greeting PORT [starttls|plain]: 0 once Dovecot answers with "* OK".
dc_greeting() {
	if [ "${2:-}" = plain ]; then
		timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; head -c 4 <&3" 2>/dev/null |
			grep -q '^\* OK'
		return
	fi
	if [ "${2:-}" = starttls ]; then set -- "$1" -starttls imap; else set -- "$1"; fi
	port=$1
	shift
	printf 'a LOGOUT\r\n' | timeout 10 openssl s_client -connect "127.0.0.1:$port" "$@" \
		-quiet -ign_eof 2>/dev/null | grep -q '^\* \(OK\|BYE\)'
}

dc_start() {
	tries=0
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		if [ -z "${DC_PORT:-}" ] || [ "${DC_FRESH_PORTS:-1}" = 1 ]; then
			DC_PORT=$(dc_random_port)
			DC_SPORT=$(dc_random_port)
		fi
		dc_write_conf "${1:-}"
		: >> "$DC/dovecot.log"
		setsid dovecot -F -c "$DC/dovecot.conf" >> "$DC/dovecot.out" 2>&1 &
		i=0
		while [ $i -lt 100 ] && [ ! -s "$DC/run/master.pid" ]; do
			sleep 0.1
			i=$((i + 1))
		done
		pid=$(cat "$DC/run/master.pid" 2>/dev/null)
		if [ -n "$pid" ]; then
			DC_PGID=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f3)
			i=0
			while [ $i -lt 50 ]; do
				if [ "${DC_SSL:-yes}" = no ] && dc_greeting "$DC_PORT" plain; then
					DC_FRESH_PORTS=1
					return 0
				fi
				if [ "${DC_SSL:-yes}" != no ] && dc_greeting "$DC_SPORT" &&
					dc_greeting "$DC_PORT" starttls; then
					DC_FRESH_PORTS=1
					return 0
				fi
				sleep 0.1
				i=$((i + 1))
			done
		fi
		# a port in use, most likely: try others
		dc_cleanup
		rm -f "$DC/run/master.pid"
		DC_FRESH_PORTS=1
	done
	echo "dovecot did not start; its log:" >&2
	tail -20 "$DC/dovecot.log" "$DC/dovecot.out" >&2
	return 1
}

dc_stop() {
	pid=$(cat "$DC/run/master.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	i=0
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	dc_cleanup
	rm -f "$DC/run/master.pid"
}

dc_kill() {
	dc_cleanup
	rm -f "$DC/run/master.pid"
}

dc_deliver() {
	folder=$1
	shift
	[ "$(dc_count "$folder")" != none ] ||
		doveadm -c "$DC/dovecot.conf" mailbox create -u "$DC_USER" "$folder" || return 1
	for f in "$@"; do
		doveadm -c "$DC/dovecot.conf" save -u "$DC_USER" -m "$folder" < "$f" || return 1
	done
}

dc_count() {
	out=$(doveadm -c "$DC/dovecot.conf" mailbox status -u "$DC_USER" messages "$1" 2>/dev/null) \
		|| { echo none; return 0; }
	echo "$out" | sed -n 's/.*messages=//p'
}

# dc_conf FILE [KEY=VALUE...]: a tlswatch configuration for this server
# (imaps, the test CA, password_file); each KEY=VALUE replaces or adds an
# [imap] key (an empty VALUE removes the key).
dc_conf() {
	file=$1
	shift
	printf '%s\n' "$DC_PASS" > "$T/password"
	chmod 600 "$T/password"
	{
		echo "host=localhost"
		echo "port=$DC_SPORT"
		echo "tls=imaps"
		echo "ca_file=$DC/ca.crt"
		echo "user=$DC_USER"
		echo "password_file=$T/password"
		echo "processed_folder=Processed"
		echo "invalid_folder=Invalid"
		echo "other_folder=Other"
	} > "$file.keys"
	for kv in "$@"; do
		k=${kv%%=*}
		grep -v "^$k=" "$file.keys" > "$file.tmp"
		mv "$file.tmp" "$file.keys"
		[ -n "${kv#*=}" ] && echo "$kv" >> "$file.keys"
	done
	# not about DKIM (trust_dkim.sh is): the sample mails carry real
	# signatures whose keys no offline test can fetch: not checked
	{ echo "[imap]"; cat "$file.keys"; printf '[trust]\ndkim = off\n'; } > "$file"
	rm -f "$file.keys"
}

dc_b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# dc_jwt SUB EXP: header.claims.signature with the test key (HS256).
dc_jwt() {
	h=$(printf '{"alg":"HS256","typ":"JWT","kid":"%s"}' "$DC_KID" | dc_b64url)
	c=$(printf '{"sub":"%s","exp":%s,"iat":%s}' "$1" "$2" "$(($(date +%s) - 60))" | dc_b64url)
	s=$(printf '%s.%s' "$h" "$c" | openssl dgst -sha256 -mac HMAC \
		-macopt "hexkey:$(od -An -v -tx1 "$DC/jwt.key" | tr -d ' \n')" -binary | dc_b64url)
	printf '%s.%s.%s' "$h" "$c" "$s"
}

# The sample report mails: tests/data/mail/ (a folder per source).
dc_sample_mails() {
	ls "$DATA"/mail/*/*.eml "$DATA"/mail/*/*.elm 2>/dev/null
}

if [ "${DC_SELF_TEST:-0}" = 1 ]; then
	t_check "test CA and certificates made" dc_setup
	if dc_start; then
		t_pass "dovecot greets over imaps and STARTTLS"
		printf 'From: a@example.org\r\nSubject: hello\r\n\r\nhi\r\n' > "$T/m.eml"
		dc_deliver INBOX "$T/m.eml" "$T/m.eml"
		t_eq "doveadm delivers and counts" "$(dc_count INBOX)" 2
		t_eq "a missing folder counts as none" "$(dc_count Nope)" none
		dc_stop
		t_check "dovecot stopped" sh -c "! kill -0 $(cat "$DC/run/master.pid" 2>/dev/null || echo 999999) 2>/dev/null"
	else
		t_fail "dovecot greets over imaps and STARTTLS" "see the log above"
	fi
fi
