#!/bin/sh
# tools/bench_pg_ingest.sh - ingest into PostgreSQL, for docs/performance.md
# (issue 16 item 4). Not part of make check: timings belong in a benchmark.
#
#   sh tools/bench_pg_ingest.sh [TLSWATCH] [REPORTS] [WRITERS...]
#
# Starts a private PostgreSQL 15 as the user nobody in a scratch directory
# (Unix socket only; fsync and synchronous_commit on, as a production
# server), writes REPORTS generated .json.gz files (default 30000, from
# gen --domains 50 --days 30), then for each WRITERS count (default 1 3)
# ingests them three times into a fresh database, the files split in that
# many disjoint parts ingested at once. Prints per run: reports/s over the
# wall time, the CPU (user+sys) of the tlswatch processes and of the
# server's processes, tlswatch's peak RSS, and the load average before and
# after; then the median run by wall time.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$TOP/tlswatch}
[ $# -gt 0 ] && shift
N=${1:-30000}
[ $# -gt 0 ] && shift
WRITERS=${*:-1 3}
PG_BIN=/usr/lib/postgresql/15/bin
W=$(mktemp -d /tmp/tlswatch-pgbench.XXXXXX)
chmod 755 "$W"
trap 'runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$W/data" -m fast -w stop > /dev/null 2>&1;
	rm -rf "$W"' EXIT

mkdir -p "$W/data" "$W/sock" && chown nobody "$W/data" "$W/sock" && chmod 700 "$W/data"
runuser -u nobody -- "$PG_BIN/initdb" -D "$W/data" --auth=trust --username=tlswatch \
	--encoding=UTF8 --locale=C.UTF-8 > "$W/initdb.log" 2>&1 || { cat "$W/initdb.log"; exit 2; }
PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$W/data" -l "$W/data/server.log" -w -t 60 \
	-o "-k $W/sock -p $PORT -c listen_addresses=" start > /dev/null || exit 2
BASE="postgresql://tlswatch@/postgres?host=$W/sock&port=$PORT"

# BENCH_CORPUS=DIR: its files instead (docs/performance.md, roll_reason)
if [ -n "${BENCH_CORPUS:-}" ]; then
	find "$BENCH_CORPUS" -type f | sort | head -n "$N" > "$W/all"
else
	"$TOP/build/tools/gen" --out "$W/corpus" --domains 50 --days 30 --max-reports "$N" \
		--format gz || exit 2
	find "$W/corpus" -type f | sort > "$W/all"
fi
printf '[trust]\ndkim = off\n' > "$W/conf"

# server CPU seconds: the postmaster's own and its exited children's, and
# each live child's. A child reaped between the postmaster's line and its
# own would be missed (a backend exits just as its writer does), so the
# sum is taken again until the postmaster's reaped children stay the same.
pgcpu() {
	pm=$(head -1 "$W/data/postmaster.pid")
	while :; do
		r0=$(pgreaped "$pm")
		tot=0
		for p in $pm $(pgrep -P "$pm"); do
			s=$(cut -d')' -f2- "/proc/$p/stat" 2> /dev/null) || continue
			# shellcheck disable=SC2086
			set -- $s
			if [ "$p" = "$pm" ]; then
				tot=$((tot + ${12} + ${13} + ${14} + ${15}))
			else
				tot=$((tot + ${12} + ${13}))
			fi
		done
		[ "$(pgreaped "$pm")" = "$r0" ] && break
	done
	echo "$tot $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}

# the CPU ticks of the postmaster's reaped children
pgreaped() {
	s=$(cut -d')' -f2- "/proc/$1/stat")
	# shellcheck disable=SC2086
	set -- $s
	echo $((${14} + ${15}))
}

for n in $WRITERS; do
	: > "$W/runs"
	for run in 1 2 3; do
		db=b${n}_$run
		psql -X -q "$BASE" -c "CREATE DATABASE $db" || exit 2
		U="postgresql://tlswatch@/$db?host=$W/sock&port=$PORT"
		"$BIN" --config "$W/conf" --db "$U" db check > /dev/null 2>&1
		i=0
		while [ $i -lt "$n" ]; do
			awk -v n="$n" -v i=$i 'NR % n == i' "$W/all" > "$W/part$i"
			i=$((i + 1))
		done
		load0=$(cut -d' ' -f1-3 /proc/loadavg)
		c0=$(pgcpu)
		t0=$(date +%s.%N)
		i=0
		while [ $i -lt "$n" ]; do
			/usr/bin/time -f "%U %S %M" -o "$W/time$i" "$BIN" --config "$W/conf" \
				--db "$U" ingest --from "$W/part$i" > /dev/null 2> "$W/err$i" &
			i=$((i + 1))
		done
		wait
		t1=$(date +%s.%N)
		c1=$(pgcpu)
		load1=$(cut -d' ' -f1-3 /proc/loadavg)
		got=$(psql -X -At "$U" -c "SELECT count(*) FROM report")
		[ "$got" = "$N" ] || { echo "run $run: $got reports stored, want $N" >&2; cat "$W"/err*; }
		cli=$(cat "$W"/time[0-9]* | awk '{u += $1; s += $2; if ($3 > m) m = $3}
			END {printf "%.2f %d", u + s, m / 1024}')
		echo "$t0 $t1 $c0 $c1 $cli $load0 $load1" | awk -v n="$N" -v w="$n" '{
			wall = $2 - $1
			printf "%.3f %d writers: %d reports/s (%.2f s); tlswatch CPU %.2f s, peak %d MB;" \
				" server CPU %.2f s; load %s %s %s -> %s %s %s\n", wall, w, n / wall, wall,
				$5, $6, $4 - $3, $7, $8, $9, $10, $11, $12 }' | tee -a "$W/runs" | cut -d' ' -f2-
		rm -f "$W"/time[0-9]* "$W"/err*
	done
	echo "median: $(sort -n "$W/runs" | sed -n 2p | cut -d' ' -f2-)"
done
