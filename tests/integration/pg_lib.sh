# tests/integration/pg_lib.sh - a private PostgreSQL 15 for the tests of
# the PostgreSQL store. Sourced after tests/lib.sh (and web_lib.sh, when a
# test uses both) by tests/integration/pg_*.sh.
#
#   pg_start        initdb + pg_ctl as the unprivileged user nobody, in
#                   $T/pg: a Unix socket only (no TCP), a random port
#                   number, bounded waits; sets PG_URI_BASE (no database).
#                   The superuser is tlswatch, or $PG_SUPER when set;
#                   $PG_OPTS adds server options (pg_tls.sh: TCP and TLS)
#   pg_newdb NAME   creates database NAME; prints its tlswatch URI
#   pg_sql URI SQL  one query through psql, values only (-At)
#   pg_stop         stops the server (fast shutdown)
#   pg_writers URI LIST...  one 'tlswatch ingest --from LIST' per list, all
#                   at once, each one's stderr in LIST.err; prints their
#                   exit codes in the lists' order ("0 0 0")
#   pg_stored_once URI  checks: each report of $SQ stored once in URI, as
#                   many policy and failure rows
#   pg_agrees URI SINCE UNTIL  checks: summary --all and example.com's
#                   [SINCE, UNTIL) as $SQ's (PGA becomes URI), db check clean
#
# The server is stopped on exit whatever happens. Run directly (tests/
# run.sh does), it checks that the test server itself works: it starts,
# answers, and stops.

if [ "$(basename "$0")" = pg_lib.sh ]; then
	. "$TOP/tests/lib.sh"
	PG_SELF_TEST=1
fi

PG=$T/pg
PG_BIN=/usr/lib/postgresql/15/bin
PG_UP=
PG_URI_BASE=

pg_cleanup() {
	if [ -n "$PG_UP" ]; then
		runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG/data" -m immediate -w -t 20 stop \
			> /dev/null 2>&1
		PG_UP=
	fi
}
# web_lib.sh's cleanup stops a dashboard left running, and removes $T
# a test killed by a signal stops its server too
trap 'exit 143' TERM INT
if command -v web_cleanup > /dev/null 2>&1; then
	trap 'pg_cleanup; web_cleanup' EXIT
else
	trap 'pg_cleanup; rm -rf "$T"' EXIT
fi

pg_start() {
	mkdir -p "$PG/data" "$PG/sock" || return 1
	chown nobody "$PG/data" "$PG/sock" || return 1
	chmod 700 "$PG/data"
	runuser -u nobody -- "$PG_BIN/initdb" -D "$PG/data" --auth=trust --username="${PG_SUPER:-tlswatch}" \
		--encoding=UTF8 --locale=C.UTF-8 --no-sync > "$PG/initdb.log" 2>&1 || {
		cat "$PG/initdb.log" >&2
		return 1
	}
	tries=0
	while [ $tries -lt 5 ]; do
		n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		PG_PORT=$((20000 + n % 40000))
		# fsync off: a test server's data need not survive a power cut
		if runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG/data" -l "$PG/data/server.log" \
			-w -t 30 -o "-k $PG/sock -p $PG_PORT -c listen_addresses= -c fsync=off ${PG_OPTS:-}" \
			start > /dev/null 2>&1; then
			PG_UP=1
			PG_URI_BASE="postgresql://${PG_SUPER:-tlswatch}@/DB?host=$PG/sock&port=$PG_PORT"
			return 0
		fi
		tries=$((tries + 1))
	done
	cat "$PG/data/server.log" >&2
	return 1
}

pg_uri() { echo "$PG_URI_BASE" | sed "s|/DB?|/$1?|"; }

pg_sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }

pg_newdb() {
	pg_sql "$(pg_uri postgres)" "CREATE DATABASE $1" > /dev/null || return 1
	pg_uri "$1"
}

pg_stop() {
	[ -n "$PG_UP" ] || return 0
	runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$PG/data" -m fast -w -t 30 stop > /dev/null 2>&1
	rc=$?
	PG_UP=
	return $rc
}

if [ -n "${PG_SELF_TEST:-}" ]; then
	pg_start
	t_eq "test server starts" "$?" 0
	db=$(pg_newdb selftest)
	t_eq "test server answers" "$(pg_sql "$db" 'SELECT 40 + 2')" 42
	t_eq "Unix socket only (no TCP listener)" \
		"$(pg_sql "$db" "SELECT coalesce(current_setting('listen_addresses'), '')")" ""
	pg_stop
	t_eq "test server stops" "$?" 0
	t_check "nothing left running" sh -c "! psql -X -At '$db' -c 'SELECT 1'"
fi

# pg_writers URI LIST...: several writers into one store at once
pg_writers() {
	pw_db=$1
	shift
	pw_pids=
	for pw_list in "$@"; do
		"$TLSWATCH" -q --db "$pw_db" ingest --from "$pw_list" > /dev/null 2> "$pw_list.err" &
		pw_pids="$pw_pids $!"
	done
	pw_rcs=
	for pw_pid in $pw_pids; do
		wait "$pw_pid"
		pw_rcs="$pw_rcs $?"
	done
	echo $pw_rcs
}

# pg_stored_once URI: after writers at once, nothing stored twice
pg_stored_once() {
	pso_want=$(t_sql "$SQ" "SELECT count(*) FROM report")
	t_eq "each report stored exactly once" "$(pg_sql "$1" "SELECT count(*) || ' ' ||
		count(DISTINCT (organization, report_id)) FROM report")" "$pso_want $pso_want"
	for pso_t in policy failure; do
		t_eq "every $pso_t row once" "$(pg_sql "$1" "SELECT count(*) FROM $pso_t")" \
			"$(t_sql "$SQ" "SELECT count(*) FROM $pso_t")"
	done
}

# pg_agrees URI SINCE UNTIL: URI's figures are $SQ's, and its own
pg_agrees() {
	PGA=$1 # pg_same compares $SQ with $PGA
	pg_same "summary --all: as one SQLite ingest" summary --all --format json
	pg_same "example.com from $2 to $3: as one SQLite ingest" summary --since "$2" \
		--until "$3" --domain example.com --format json
	"$TLSWATCH" --db "$1" db check > "$T/check.out" 2>&1
	t_eq "db check: aggregates and roll-ups agree with the reports" "$?" 0
}

# A test's start: in $T, DKIM off, the server up (or one failure and the
# end of the test); with a name, a database of that name as $PGA and an
# SQLite store $SQ to compare it with.
pg_test_begin() {
	cd "$T" || exit 1
	t_dkim_off
	if ! pg_start; then
		t_fail "PostgreSQL test server starts"
		exit 0
	fi
	[ -n "${1:-}" ] || return 0
	PGA=$(pg_newdb "$1")
	SQ=$T/s.db
}

# pg_norm FILE: the times of arrival (when each store received or released
# an input: the two ingest runs are seconds apart) masked, nothing else
pg_norm() {
	sed -E -e 's/"(received|released)": ?"[^"]*"/"\1": "-"/g' \
		-e 's/"(received|released)": ?[0-9]+/"\1": 0/g' \
		-e 's/^([0-9]+ +)[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/\1-/' "$1" > "$1.n"
	mv "$1.n" "$1"
}

# pg_same NAME ARGS...: the command's output on $SQ and $PGA, byte for byte
# (arrival times masked)
pg_same() {
	name=$1
	shift
	"$TLSWATCH" --db "$SQ" "$@" > "$T/out.s" 2> "$T/err.s"
	rs=$?
	"$TLSWATCH" --db "$PGA" "$@" > "$T/out.p" 2> "$T/err.p"
	rp=$?
	pg_norm "$T/out.s"
	pg_norm "$T/out.p"
	if [ "$rs" != "$rp" ]; then
		t_fail "$name" "exit $rp on PostgreSQL, $rs on SQLite: $(head -3 "$T/err.p")"
	elif ! cmp -s "$T/out.s" "$T/out.p"; then
		t_fail "$name" "outputs differ: $(diff "$T/out.s" "$T/out.p" | head -5)"
	elif [ ! -s "$T/out.s" ] && [ "${EMPTY_OK:-}" != 1 ]; then
		t_fail "$name" "no output on either: $(head -3 "$T/err.s")"
	else
		t_pass "$name"
	fi
}
