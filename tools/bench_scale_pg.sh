#!/bin/sh
# bench_scale_pg.sh - issue 18's targets on PostgreSQL (issue 16, item 4):
# 'make bench-scale-pg', the PostgreSQL column of 'make bench'.
#
# The store of bench_scale.sh (build/bench/scale-DAYS.db: built first when
# missing, hours at DAYS=365) copied once by 'tlswatch db copy' into a
# private PostgreSQL 15 kept in build/bench/pg-DAYS: initdb and the server
# as the user nobody, Unix socket only, fsync and synchronous_commit on,
# tuned as docs/postgresql.md's "Tuning for a provider's store" says for
# this machine's memory, then VACUUM ANALYZE. The copy of 9.5 million
# reports took an hour; later runs start the kept server and measure.
# Then tools/bench_scale.sh measures it (SCALE_DB, SCALE_PGDATA: "cold"
# restarts the server) and the server is stopped.
#
# Environment: DAYS (365), MODES ("with"), TW (default build/bench/tlswatch,
# copied from ./tlswatch). Markdown on stdout, progress on stderr.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build/bench
DAYS=${DAYS:-365}
export DAYS
SQ=$B/scale-$DAYS.db
PGD=$B/pg-$DAYS
PG_BIN=/usr/lib/postgresql/15/bin
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 2; }
mkdir -p "$B"
if [ -z "${TW:-}" ]; then
	cp "$TOP/tlswatch" "$B/tlswatch" || exit 2
	TW=$B/tlswatch
fi
export TW
as_pg() { runuser -u nobody -- "$@"; }

if [ ! -s "$SQ" ]; then
	SCALE_BUILD_ONLY=1 sh "$TOP/tools/bench_scale.sh" || die "cannot build $SQ"
fi
# the server's directory: nobody's, reachable by it
chmod 755 "$B"
if [ ! -s "$PGD/data/PG_VERSION" ]; then
	log "initdb $PGD/data"
	rm -rf "$PGD"
	mkdir -p "$PGD/data" "$PGD/sock"
	chown nobody "$PGD" "$PGD/data" "$PGD/sock"
	chmod 700 "$PGD/data"
	as_pg "$PG_BIN/initdb" -D "$PGD/data" --auth=trust --username=tlswatch --encoding=UTF8 \
		--locale=C.UTF-8 > "$PGD/initdb.log" 2>&1 || die "initdb: $(tail -3 "$PGD/initdb.log")"
	# a quarter of the memory for shared buffers, two thirds as cache
	mem=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
	cat >> "$PGD/data/postgresql.conf" << CONF
listen_addresses = ''
unix_socket_directories = '$PGD/sock'
port = 5432
shared_buffers = $((mem / 4))MB
effective_cache_size = $((mem * 2 / 3))MB
work_mem = 64MB
maintenance_work_mem = 1GB
random_page_cost = 1.1
max_wal_size = 2GB
CONF
fi
touch "$PGD/server.log"
chown nobody "$PGD/server.log"
as_pg "$PG_BIN/pg_ctl" -D "$PGD/data" -l "$PGD/server.log" -w -t 300 start > /dev/null ||
	die "PostgreSQL did not start: $(tail -3 "$PGD/server.log")"
trap 'as_pg "$PG_BIN/pg_ctl" -D "$PGD/data" -m fast -w stop > /dev/null 2>&1' EXIT
URI="postgresql://tlswatch@/scale?host=$PGD/sock&port=5432"
if [ ! -e "$PGD/copied" ]; then
	log "copying $SQ into PostgreSQL (an hour at 9.5 million reports)"
	PGOPTIONS="-c client_min_messages=warning" psql -X -q \
		"postgresql://tlswatch@/postgres?host=$PGD/sock&port=5432" \
		-c "DROP DATABASE IF EXISTS scale" -c "CREATE DATABASE scale" || die "createdb failed"
	printf '[trust]\ndkim = off\n' > "$PGD/conf"
	"$TW" -q --config "$PGD/conf" --db "$SQ" db copy --to "$URI" || die "db copy failed"
	psql -X -q "$URI" -c "VACUUM ANALYZE" || die "VACUUM ANALYZE failed"
	touch "$PGD/copied"
fi
SCALE_DB=$URI SCALE_PGDATA=$PGD/data SCALE_PGUSER=nobody SCALE_PGLOG=$PGD/server.log \
	MODES=${MODES:-with} sh "$TOP/tools/bench_scale.sh"
