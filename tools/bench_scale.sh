#!/bin/sh
# bench_scale.sh - issue 18's targets on a provider's store: the generator
# with --domains 500 (about 26,000 reports a day), DAYS days ending
# yesterday (365: about 9.7 million reports, 13 GB). 'make bench-scale'.
#
#   summary (7 days, 30 days, --all), alert, and the first uncached request
#   of /, /?since=30d, /?all=1, /failures?group_by=mx, /api/v1/summary and
#   /metrics; each warm (median of 3 after one untimed run) and after
#   dropping the page cache (median of 3, 'echo 3 > drop_caches': needs
#   root; skipped otherwise), with peak RSS; with the roll-ups and without
#   (TLSWATCH_NO_ROLLUPS=1: the daily aggregates, as before issue 18).
#
# Environment: MODES ("with without"; "with" alone for a binary without
# roll-ups), SCALE_DB (default build/bench/scale-DAYS.db, built once by
# the binary measured, backwards from yesterday in chunks of 15 days),
# DAYS (365), TW (default build/bench/tlswatch, copied from ./tlswatch),
# SCALE_BUILD_ONLY (build or migrate the store, measure nothing),
# SCALE_COLD=0 (warm figures only: no page cache dropped, no restart).
# Prints a Markdown table on stdout (wall time, peak RSS, the CPU of
# tlswatch: user + system, and of the PostgreSQL backend; the load
# average beside each figure); progress on stderr.
#
# A PostgreSQL store: SCALE_DB=postgresql://... (loaded beforehand, e.g.
# by 'tlswatch db copy --to'; nothing is built), with SCALE_PGDATA (its
# data directory), SCALE_PGUSER (the user its server runs as; nobody) and
# SCALE_PGLOG (its server log): "cold" then also restarts the server, so
# its shared buffers are empty too, and the peak RSS of the server's
# backend is read from the log (log_statement_stats, a superuser's
# setting, passed by PGOPTIONS: the role in the URI must be one).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build/bench
DAYS=${DAYS:-365}
DB=${SCALE_DB:-$B/scale-$DAYS.db}
GEN=$TOP/build/tools/gen
mkdir -p "$B"
if [ -z "${TW:-}" ]; then
	cp "$TOP/tlswatch" "$B/tlswatch" || exit 2
	TW=$B/tlswatch
fi
RUN=$(mktemp -d /tmp/tlswatch-scale.XXXXXX)
TMP=$(mktemp -d /dev/shm/tlswatch-scale.XXXXXX)
trap 'rm -rf "$RUN" "$TMP"; [ -n "${WPID:-}" ] && kill "$WPID" 2> /dev/null' EXIT
printf '[trust]\ndkim = off\n' > "$RUN/conf"
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 2; }

PG=
case "$DB" in postgres://* | postgresql://*) PG=1 ;; esac
# --- the store, once: chunks of 15 days backwards from yesterday
if [ -z "$PG" ] && [ ! -s "$DB" ]; then
	log "building $DB ($DAYS days, --domains 500)"
	hi=$(date -u +%F) # exclusive: the newest day is yesterday
	left=$DAYS
	while [ "$left" -gt 0 ]; do
		n=15
		[ "$left" -lt 15 ] && n=$left
		lo=$(date -u -d "$hi - $n days" +%F)
		rm -rf "$TMP/chunk"
		"$GEN" --out "$TMP/chunk" --format mbox --start "$lo" --days "$n" --domains 500 ||
			die "gen failed"
		"$TW" -q --config "$RUN/conf" --db "$DB.tmp" ingest "$TMP/chunk/reports.mbox" ||
			die "ingest of the chunk from $lo failed"
		log "chunk from $lo stored"
		left=$((left - n))
		hi=$lo
	done
	rm -rf "$TMP/chunk"
	mv "$DB.tmp" "$DB"
fi
# a store built before the roll-ups is migrated once, untimed
"$TW" -q --config "$RUN/conf" --db "$DB" db prune --before 2000-01-02 || die "cannot open $DB"
# SCALE_BUILD_ONLY=1: the store alone (tools/bench_scale_pg.sh copies it)
[ -n "${SCALE_BUILD_ONLY:-}" ] && exit 0
if [ -n "$PG" ]; then
	REPORTS=$(psql -X -At "$DB" -c "SELECT count(*) FROM report") || die "psql failed"
	BYTES=$(psql -X -At "$DB" -c "SELECT pg_database_size(current_database())")
else
	REPORTS=$(sqlite3 "$DB" "SELECT count(*) FROM report")
	BYTES=$(stat -c %s "$DB")
fi

# PostgreSQL: restarted with the page cache dropped; a backend's peak RSS
# (kB) is the largest "max resident size" its statements logged
pg_restart() {
	[ -n "$PG" ] && [ -n "${SCALE_PGDATA:-}" ] || return 0
	# -l again: pg_ctl does not keep where the server logged
	runuser -u "${SCALE_PGUSER:-nobody}" -- /usr/lib/postgresql/15/bin/pg_ctl \
		-D "$SCALE_PGDATA" ${SCALE_PGLOG:+-l "$SCALE_PGLOG"} -m fast -w -t 120 restart \
		> /dev/null 2>&1 || die "cannot restart PostgreSQL"
}
pg_mark() { [ -n "$PG" ] && [ -n "${SCALE_PGLOG:-}" ] && stat -c %s "$SCALE_PGLOG"; }
pg_rss() {
	[ -n "$PG" ] && [ -n "${SCALE_PGLOG:-}" ] || return 0
	tail -c +"$(($1 + 1))" "$SCALE_PGLOG" |
		sed -n 's/.*[^0-9]\([0-9][0-9]*\) kB max resident size.*/\1/p' | sort -n | tail -1
}
# the CPU (user + system, s) of the server's backends since mark, per run
# of N: each statement logs its backend's totals so far, the last one of a
# backend counts
pg_cpu() {
	[ -n "$PG" ] && [ -n "${SCALE_PGLOG:-}" ] || return 0
	tail -c +"$(($1 + 1))" "$SCALE_PGLOG" | awk -v n="$2" '
		/^[0-9][0-9][0-9][0-9]-/ { if (match($0, /\[[0-9]+\]/)) pid = substr($0, RSTART + 1, RLENGTH - 2) }
		/system total\]/ { gsub(/[\[\]!]/, ""); t[pid] = $1 + $4 }
		END { for (p in t) s += t[p]; printf "%.2f", s / n }'
}
if [ -n "$PG" ] && [ -n "${SCALE_PGLOG:-}" ]; then
	PGOPTIONS="${PGOPTIONS:-} -c log_statement_stats=on"
	export PGOPTIONS
fi
: > "$RUN/pgrss"

drop() {
	sync && echo 3 > /proc/sys/vm/drop_caches 2> /dev/null
	pg_restart
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# since T0: seconds (to the millisecond) from T0 (date +%s%N) to now. A
# command's wall time: GNU time's %e cuts it to 10 ms (0.087 s shows as
# 0.08); this counts time's own start and a date's too (1-2 ms).
since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'; }
CAN_DROP=no
[ -w /proc/sys/vm/drop_caches ] && [ "${SCALE_COLD:-1}" != 0 ] && CAN_DROP=yes

# cli NAME ENV ARGS...: "warm_s cold_s rss_mb" of tlswatch ARGS
cli() {
	name=$1
	envv=$2
	shift 2
	: > "$RUN/w"
	: > "$RUN/c"
	: > "$RUN/m"
	: > "$RUN/u"
	env $envv "$TW" --config "$RUN/conf" --db "$DB" "$@" > /dev/null 2>&1
	mark=$(pg_mark)
	for i in 1 2 3; do
		t0=$(date +%s%N)
		/usr/bin/time -f "%M %U %S" -o "$RUN/t" env $envv "$TW" --config "$RUN/conf" \
			--db "$DB" "$@" > /dev/null 2>&1
		since "$t0" >> "$RUN/w"
		cut -d' ' -f1 "$RUN/t" >> "$RUN/m"
		awk '{ print $2 + $3 }' "$RUN/t" >> "$RUN/u"
		if [ "$CAN_DROP" = yes ]; then
			drop
			t0=$(date +%s%N)
			/usr/bin/time -f "%M" -o "$RUN/t" env $envv "$TW" --config "$RUN/conf" \
				--db "$DB" "$@" > /dev/null 2>&1
			since "$t0" >> "$RUN/c"
			cut -d' ' -f1 "$RUN/t" >> "$RUN/m"
		fi
	done
	[ -n "$mark" ] && echo "$name $(pg_rss "$mark") $(pg_cpu "$mark" "$(cat "$RUN/w" "$RUN/c" | wc -l)")" >> "$RUN/pgrss"
	echo "$name $(median < "$RUN/w") $(median < "$RUN/c" | grep . || echo -) $(sort -n "$RUN/m" | tail -1) $(median < "$RUN/u") $(cut -d' ' -f1 /proc/loadavg)"
}

# web ENV: starts the dashboard (no response cached yet)
web() {
	: > "$RUN/web.out"
	env $1 "$TW" --config "$RUN/conf" --db "$DB" web --listen 127.0.0.1:0 \
		> "$RUN/web.out" 2> "$RUN/web.err" &
	WPID=$!
	i=0
	while ! grep -q 'dashboard on' "$RUN/web.out"; do
		i=$((i + 1))
		[ $i -gt 600 ] && die "web did not start: $(cat "$RUN/web.err")"
		sleep 0.1
	done
	URL=$(sed -n 's|^tlswatch web: dashboard on \(.*\)/$|\1|p' "$RUN/web.out")
}
web_stop() {
	RSS=$(awk '/VmHWM/ { print $2 }' "/proc/$WPID/status")
	kill "$WPID"
	wait "$WPID" 2> /dev/null
	WPID=
}

# pages ENV: for each page, "path warm_s cold_s rss_kb": the first request
# of a fresh server (uncached), median of 3 starts; cold after dropping
# the page cache before the request. The warm rounds come first, after
# one untimed round: a warm request after the cold rounds' drops would
# read part of its pages from the disk.
PAGES="/ /?since=30d /?all=1 /failures?group_by=mx /api/v1/summary /metrics"
pages() {
	for p in $PAGES; do
		: > "$RUN/pw-$(echo "$p" | tr -c 'a-z0-9' _)"
		: > "$RUN/pc-$(echo "$p" | tr -c 'a-z0-9' _)"
		: > "$RUN/pu-$(echo "$p" | tr -c 'a-z0-9' _)"
	done
	rss=0
	rounds=0
	mark=$(pg_mark)
	for wc in u w w w c c c; do
		[ "$wc" = c ] && [ "$CAN_DROP" = no ] && continue
		web "$1"
		rounds=$((rounds + 1))
		# one untimed request of a page not measured warms the
		# process itself (its first handle, the schema)
		curl -s -o /dev/null "$URL/healthz"
		for p in $PAGES; do
			[ "$wc" = c ] && drop
			k=$(echo "$p" | tr -c 'a-z0-9' _)
			c0=$(awk '{ print $14 + $15 }' "/proc/$WPID/stat")
			t=$(curl -s -o /dev/null -m 600 -w '%{time_total}' "$URL$p")
			[ "$wc" = u ] && continue
			echo "$t" >> "$RUN/p$wc-$k"
			[ "$wc" = c ] && continue
			# the server's CPU (user + system, s) for this warm request
			awk -v c0="$c0" '{ printf "%.2f\n", ($14 + $15 - c0) / 100 }' \
				"/proc/$WPID/stat" >> "$RUN/pu-$k"
		done
		web_stop
		[ "$RSS" -gt "$rss" ] && rss=$RSS
	done
	[ -n "$mark" ] && echo "web $(pg_rss "$mark") $(pg_cpu "$mark" "$rounds")" >> "$RUN/pgrss"
	for p in $PAGES; do
		k=$(echo "$p" | tr -c 'a-z0-9' _)
		echo "$p $(median < "$RUN/pw-$k") $(median < "$RUN/pc-$k" | grep . || echo -) $rss $(median < "$RUN/pu-$k") $(cut -d' ' -f1 /proc/loadavg)"
	done
}

ms() { awk -v t="$1" 'BEGIN { if (t == "" || t == "-") print "-"; else printf "%.0f ms", t * 1000 }'; }

log "measuring on $REPORTS reports ($BYTES bytes); load $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in ${MODES:-with without}; do
	envv=
	[ "$mode" = without ] && envv=TLSWATCH_NO_ROLLUPS=1
	{
		cli "summary-7d" "$envv" summary --format json
		cli "summary-30d" "$envv" summary --since 30d --format json
		cli "summary-all" "$envv" summary --all --format json
		cli "alert" "$envv" alert --format json
	} > "$RUN/cli-$mode"
	pages "$envv" > "$RUN/web-$mode"
	log "$mode roll-ups done"
done

echo "Store: $REPORTS reports, $((BYTES / 1000000)) MB${PG:+ (PostgreSQL)}, --domains 500, $DAYS days ending yesterday."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores, shared."
echo
echo "| what | warm | after dropping the page cache | peak RSS | CPU of tlswatch, warm (median) | load | without roll-ups: warm / cold |"
echo "|---|---|---|---|---|---|---|"
[ -s "$RUN/cli-without" ] || cp "$RUN/cli-with" "$RUN/cli-without"
[ -s "$RUN/web-without" ] || cp "$RUN/web-with" "$RUN/web-without"
while read -r name w c m u l; do
	set -- $(grep "^$name " "$RUN/cli-without")
	echo "| \`$name\` | $(ms "$w") | $(ms "$c") | $((m / 1024)) MB | $(ms "$u") | $l | $(ms "$2") / $(ms "$3") |"
done < "$RUN/cli-with"
while read -r name w c m u l; do
	set -- $(grep "^$name " "$RUN/web-without")
	echo "| \`$name\` (first request) | $(ms "$w") | $(ms "$c") | $((m / 1024)) MB (server) | $(ms "$u") | $l | $(ms "$2") / $(ms "$3") |"
done < "$RUN/web-with"
if [ -s "$RUN/pgrss" ]; then
	echo
	echo "The PostgreSQL backend: peak RSS (max resident size, all runs) and CPU"
	echo "(user + system) per run, warm and cold together (web: per round of every page):"
	echo
	awk '$2 != "" { printf "- `%s`: %d MB, %s s\n", $1, $2 / 1024, $3 }' "$RUN/pgrss"
fi
