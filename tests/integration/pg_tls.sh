#!/bin/sh
# tlswatch to PostgreSQL over TCP and TLS, as docs/postgresql.md ("TLS to
# the server") tells a user to connect: a real PostgreSQL 15 on 127.0.0.1
# (random port) with ssl = on and a certificate from a test CA, only
# hostssl + scram-sha-256 in pg_hba.conf. With sslmode=verify-full and
# sslrootcert=, ingest, summary and the dashboard work and give the
# figures of an SQLite store with the same inputs; the password comes from
# password_file, PGPASSFILE or password_command. A wrong CA, a certificate
# for another host name, sslmode=disable and a wrong password each fail
# with one line naming the cause; the password appears in no output.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
. "$TOP/tests/integration/pg_lib.sh"

SSL=$T/ssl
HOST=db.tlswatch.test
SECRET='Tls-S3cret-pw-77'
mkdir -p "$SSL"
chmod 755 "$T" "$SSL"

# tls_cert NAME CN CA: a key and a server certificate for CN, signed by CA
tls_cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$SSL/$1.key" -subj "/CN=$2" -out "$SSL/$1.csr" 2> /dev/null || return 1
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
		"$2" > "$SSL/$1.ext"
	openssl x509 -req -in "$SSL/$1.csr" -CA "$SSL/$3.crt" -CAkey "$SSL/$3.key" \
		-CAcreateserial -days 2 -extfile "$SSL/$1.ext" -out "$SSL/$1.crt" 2> /dev/null
}
# tls_ca NAME: a self-signed CA
tls_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$SSL/$1.key" -subj "/CN=tlswatch test $1" -days 2 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
		-out "$SSL/$1.crt" 2> /dev/null
}
if ! tls_ca ca || ! tls_ca otherca || ! tls_cert server "$HOST" ca; then
	t_fail "test certificates are made (openssl)"
	exit 0
fi
# the server reads its key only when the key is its own and private
chown nobody "$SSL/server.key" "$SSL/server.crt"
chmod 600 "$SSL/server.key"
# the superuser sets up over the Unix socket; TCP is TLS and a password
# only, as a database reachable over the network should be
printf 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n' > "$SSL/hba.conf"
chmod 644 "$SSL/hba.conf"
PG_OPTS="-c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=$SSL/server.crt \
-c ssl_key_file=$SSL/server.key -c hba_file=$SSL/hba.conf -c log_connections=on"
pg_test_begin
SU=$(pg_uri postgres)
pg_sql "$SU" "CREATE ROLE tlsw LOGIN PASSWORD '$SECRET'" > /dev/null
pg_sql "$SU" "CREATE DATABASE tlsw OWNER tlsw" > /dev/null

# the host name is the certificate's; hostaddr spares the test a DNS entry
# (docs/postgresql.md shows the same for a name not in DNS)
uri() { # uri HOST SSLMODE CA
	echo "postgresql://tlsw@$1:$PG_PORT/tlsw?hostaddr=127.0.0.1&sslmode=$2&sslrootcert=$SSL/$3.crt"
}
URI=$(uri "$HOST" verify-full ca)

printf '%s\n' "$SECRET" > "$T/secret"
chmod 600 "$T/secret"
# conf KEY=VALUE...: $T/tls.conf with those top-level keys, DKIM off
conf() {
	: > "$T/tls.conf"
	for kv in "$@"; do
		printf '%s\n' "$kv" >> "$T/tls.conf"
	done
	printf '[trust]\ndkim = off\n' >> "$T/tls.conf"
}
conf "password_file = $T/secret"
TLSWATCH_CONFIG=$T/tls.conf
export TLSWATCH_CONFIG

# the samples hold conflicting re-sends: ingest exits 1 on either store
SAMPLES=$(ls "$DATA"/samples/*.json)
SQ=$T/s.db
"$TLSWATCH" --db "$SQ" ingest $SAMPLES > /dev/null 2>&1
rs=$?
"$TLSWATCH" --db "$URI" ingest $SAMPLES > "$T/ingest.out" 2>&1
rp=$?
if [ "$rp" = "$rs" ] && ! grep -q 'database postgresql' "$T/ingest.out"; then
	t_pass "verify-full, password_file: ingest over TCP+TLS as on SQLite"
else
	t_fail "verify-full, password_file: ingest over TCP+TLS as on SQLite" \
		"exit $rp, SQLite $rs: $(grep -m3 'database postgresql' "$T/ingest.out")"
fi
t_eq "every report stored" "$(pg_sql "$(pg_uri tlsw)" "SELECT count(*) FROM report")" \
	"$(t_sql "$SQ" "SELECT count(*) FROM report")"
PGA=$URI
pg_same "verify-full: summary as on SQLite" summary --all --format json
t_check "the server saw TLS connections (its log)" \
	grep -q "connection authorized: user=tlsw database=tlsw.*SSL enabled" "$PG/data/server.log"

# the dashboard's API over the same connection, as on SQLite
api() {
	web_start --db "$1" web --listen 127.0.0.1:0 || return 1
	curl -s "$WEB_URL/api/v1/summary?since=2020-01-01&until=2030-01-01" > "$2"
	curl -s -o /dev/null -w '%{http_code}\n' "$WEB_URL/" >> "$2"
	web_stop
}
api "$SQ" "$T/api.s"
api "$URI" "$T/api.p"
if [ -s "$T/api.p" ] && [ "$(tail -1 "$T/api.p")" = 200 ] && cmp -s "$T/api.s" "$T/api.p"; then
	t_pass "verify-full: dashboard and API as on SQLite"
else
	t_fail "verify-full: dashboard and API as on SQLite" \
		"$(diff "$T/api.s" "$T/api.p" | head -5) $(head -3 "$T/web.err")"
fi

# refused NAME PATTERN URI: summary on URI exits 2 with one line that
# holds PATTERN
refused() {
	out="$T/$(echo "$1" | tr -c 'a-z0-9\n' '_').out"
	"$TLSWATCH" --db "$3" -v -v summary --all > "$out" 2>&1
	rc=$?
	echo "$1: $(cat "$out")"
	if [ "$rc" = 2 ] && [ "$(wc -l < "$out")" = 1 ] && grep -q "$2" "$out"; then
		t_pass "$1"
	else
		t_fail "$1" "exit $rc: $(head -5 "$out")"
	fi
}
refused "a certificate from another CA: refused, says why" 'certificate verify failed' \
	"$(uri "$HOST" verify-full otherca)"
refused "a certificate for another host name: refused, says why" \
	"server certificate for \"$HOST\" does not match host name \"other.tlswatch.test\"" \
	"$(uri other.tlswatch.test verify-full ca)"
refused "sslmode=disable against hostssl only: refused, says why" 'no pg_hba.conf entry.*no encryption' \
	"$(uri "$HOST" disable ca)"
refused "a missing CA file: refused, names the file" "root certificate file \"$SSL/nosuch.crt\" does not exist" \
	"$(uri "$HOST" verify-full nosuch)"
# require: encrypted, no name check; with a CA file libpq still checks the
# chain (as verify-ca), without one nothing (docs/postgresql.md says so)
refused "sslmode=require with the CA file of another CA: refused" 'certificate verify failed' \
	"$(uri "$HOST" require otherca)"
"$TLSWATCH" --db "$(uri other.tlswatch.test require ca)" summary --all --format json \
	> "$T/require-name.out" 2>&1
t_eq "sslmode=require with the right CA file: any host name" "$?" 0
HOME=$T "$TLSWATCH" --db "postgresql://tlsw@127.0.0.1:$PG_PORT/tlsw?sslmode=require" \
	summary --all --format json > "$T/require.out" 2>&1
t_eq "sslmode=require without a CA file: connects, verifies nothing" "$?" 0
printf 'not-the-password\n' > "$T/wrong"
chmod 600 "$T/wrong"
conf "password_file = $T/wrong"
refused "a wrong password over TLS: the server's reason" 'password authentication failed for user "tlsw"' "$URI"

conf "password_command = printf '%s\\n' $SECRET"
"$TLSWATCH" --db "$URI" summary --all --format json > "$T/cmd.out" 2>&1
t_eq "verify-full, password_command: summary" "$?" 0

# libpq's password file: its host field is the URI's host name, not the
# address it connects to
conf
printf '%s:%s:tlsw:tlsw:%s\n' "$HOST" "$PG_PORT" "$SECRET" > "$T/pgpass"
chmod 600 "$T/pgpass"
PGPASSFILE=$T/pgpass "$TLSWATCH" --db "$URI" summary --all --format json > "$T/pgpass.out" 2>&1
t_eq "verify-full, PGPASSFILE: summary" "$?" 0
t_check "the figures are the same whichever way the password came" \
	cmp -s "$T/cmd.out" "$T/pgpass.out"

if grep -q "$SECRET" "$T"/*.out "$T/api.p" "$T/web.err"; then
	t_fail "the password never appears in any output" "$(grep -l "$SECRET" "$T"/*.out)"
else
	t_pass "the password never appears in any output"
fi
t_check "no sanitizer report" sh -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
	'$T'/*.out '$T/web.err'"
