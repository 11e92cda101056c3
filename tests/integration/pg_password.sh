#!/bin/sh
# A PostgreSQL role with a password (scram-sha-256 over the Unix socket):
# tlswatch.conf's password_file and password_command hand it to libpq as
# a connection parameter, PGPASSFILE works as libpq has it, a wrong or
# missing password fails with the server's reason, the password is never
# printed (not even with -v -v), and a password_command that hangs is
# killed after password_command_timeout.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/pg_lib.sh"
pg_test_begin
SECRET='S3cret-pw-42'
pg_sql "$(pg_uri postgres)" "CREATE ROLE keyholder LOGIN PASSWORD '$SECRET'" > /dev/null
pg_sql "$(pg_uri postgres)" "CREATE DATABASE pwdb OWNER keyholder" > /dev/null
# the role must prove its password; every other role is trusted as before
{
	echo "local all keyholder scram-sha-256"
	cat "$PG/data/pg_hba.conf"
} > "$T/hba"
cat "$T/hba" > "$PG/data/pg_hba.conf"
runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG/data" reload > /dev/null 2>&1
URI="postgresql://keyholder@/pwdb?host=$PG/sock&port=$PG_PORT"
i=0
while [ $i -lt 100 ] && psql -X -At -w "$URI" -c 'SELECT 1' > /dev/null 2>&1; do
	sleep 0.1
	i=$((i + 1))
done

# conf KEY=VALUE...: a tlswatch.conf with those top-level keys
conf() {
	: > "$T/pw.conf"
	for kv in "$@"; do
		printf '%s\n' "$kv" >> "$T/pw.conf"
	done
	printf '[trust]\ndkim = off\n' >> "$T/pw.conf"
}
SAMPLE=$(ls "$DATA"/samples/*.json | head -1)
# refused NAME PATTERN ARGS...: tlswatch ARGS exits 2 with PATTERN in its
# output (kept in $T/NAME.out)
refused() {
	name=$1
	pattern=$2
	shift 2
	out="$T/$(echo "$name" | tr -c 'a-z0-9\n' '_').out"
	"$TLSWATCH" "$@" > "$out" 2>&1
	rc=$?
	if [ "$rc" = 2 ] && grep -q "$pattern" "$out"; then
		t_pass "$name"
	else
		t_fail "$name" "exit $rc: $(cat "$out")"
	fi
}

refused "without a password the server refuses, and tlswatch says why" 'password' \
	--config "$T/dkim-off.conf" --db "$URI" summary --all

printf '%s\n' "$SECRET" > "$T/secret"
chmod 600 "$T/secret"
conf "password_file = $T/secret"
"$TLSWATCH" --config "$T/pw.conf" --db "$URI" -v -v ingest "$SAMPLE" > "$T/file.out" 2>&1
t_eq "password_file: ingest on a password role" "$?" 0
t_eq "password_file: the report is there" \
	"$(PGPASSWORD=$SECRET pg_sql "$URI" "SELECT count(*) FROM report")" 1

chmod 644 "$T/secret"
refused "a password_file others can read is refused" 'lets others read it' \
	--config "$T/pw.conf" --db "$URI" summary --all
chmod 600 "$T/secret"

printf 'not-the-password\n' > "$T/wrong"
chmod 600 "$T/wrong"
conf "password_file = $T/wrong"
refused "a wrong password: the server's reason" 'password authentication failed' \
	--config "$T/pw.conf" --db "$URI" -v -v summary --all
t_check "a wrong password is not shown" sh -c "! grep -q not-the-password '$T'/*.out"

conf "password_command = printf '%s\\n' $SECRET"
"$TLSWATCH" --config "$T/pw.conf" --db "$URI" -v -v summary --all --format json \
	> "$T/cmd.out" 2> "$T/cmd.err"
t_eq "password_command: summary on a password role" "$?" 0
conf "password_command = exit 3"
refused "a failing password_command is an error naming it" 'password_command exited with status 3' \
	--config "$T/pw.conf" --db "$URI" summary --all
conf "password_command = sleep 30" "password_command_timeout = 1"
refused "a hanging password_command is killed after password_command_timeout" \
	'did not finish within 1 seconds' --config "$T/pw.conf" --db "$URI" summary --all
conf "password_file = $T/secret" "password_command = true"
refused "password_file and password_command together are refused" 'not both' \
	--config "$T/pw.conf" --db "$URI" summary --all
# a command that never opens the store never runs password_command
conf "password_command = touch $T/ran"
"$TLSWATCH" --config "$T/pw.conf" --db "$URI" check --help > /dev/null 2>&1
t_check "password_command runs only when the store is opened" test ! -e "$T/ran"

# libpq's own password file, without any key of ours
printf '*:*:pwdb:keyholder:%s\n' "$SECRET" > "$T/pgpass"
chmod 600 "$T/pgpass"
PGPASSFILE=$T/pgpass "$TLSWATCH" --config "$T/dkim-off.conf" --db "$URI" summary --all \
	--format json > "$T/pgpass.out" 2>&1
t_eq "PGPASSFILE works as in libpq" "$?" 0

if grep -q "$SECRET" "$T"/*.out "$T/cmd.err"; then
	t_fail "the password never appears in any output" "$(grep -l "$SECRET" "$T"/*.out "$T/cmd.err")"
else
	t_pass "the password never appears in any output"
fi
t_check "no sanitizer report" sh -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
	'$T'/*.out '$T/cmd.err'"
