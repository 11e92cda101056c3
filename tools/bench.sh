#!/bin/sh
# tools/bench.sh - 'make bench': tlswatch's numbers at realistic and large
# scale (issue 7), printed as one table and written into
# docs/performance.md (between its bench:begin/bench:end markers) with the
# machine, the exact commands and the date.
#
#   1. ingest of 10,000 .json.gz files             reports/s, peak RSS
#   2. ingest of a 10,000-message Maildir and mbox  messages/s (and of
#      100,000 and 200,000 messages: peak RSS must not grow with the corpus)
#   3. collect of 10,000 messages from a local Dovecot over IMAPS
#   4. summary --format json and alert on 10k, 100k and 1M reports
#   5. the dashboard at 1M reports under wrk (8 connections)
#   6. database bytes per report
#   1 also into PostgreSQL with 1 and 3 writers (tools/bench_pg_ingest.sh)
#   1 and 2 also run tools/ingest_py.py (a plain Python-stdlib ingester) on
#   the same corpora, for a ratio beside each ingest figure
#
# Timed runs are repeated (RUNS, default 3) and the median is reported;
# quick checks (summary, alert) run 5 times after one untimed warm-up.
# BENCH_QUICK=1 uses small sizes for a sanity run (under a minute).
# Corpora come from build/tools/gen in a tmpfs; the 10k/100k/1M databases
# are built once per day under build/bench/db. Inputs are our own
# generated data; nothing here is untrusted.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
# shellcheck source=bench_lib.sh
. "$TOP/tools/bench_lib.sh"

QUICK=${BENCH_QUICK:-0}
RUNS=${BENCH_RUNS:-3}
OUT=${BENCH_OUT:-docs/performance.md}
B=$TOP/build/bench
RUN=$B/run
RES=$RUN/results
GEN=$TOP/build/tools/gen
if [ "$QUICK" = 1 ]; then
	N_FILES=2000
	N_MAIL=2000
	N_MAIL_BIG=
	N_IMAP=1000
	DB_SIZES="10000 100000"
	WRK_SECONDS=3
else
	N_FILES=10000
	N_MAIL=10000
	N_MAIL_BIG="100000 200000"
	N_IMAP=10000
	DB_SIZES="10000 100000 1000000"
	WRK_SECONDS=10
fi

[ -x "$GEN" ] && [ -x tlswatch ] || bench_die "build first: make tlswatch build/tools/gen"
for c in wrk curl sqlite3 dovecot doveadm openssl python3 psql runuser \
	/usr/lib/postgresql/15/bin/initdb; do
	command -v "$c" > /dev/null || bench_die "$c is missing (make bench installs it)"
done
[ -x /usr/bin/time ] || bench_die "/usr/bin/time is missing (Debian package 'time')"

mkdir -p "$RUN"
: > "$RES"
TMP=$(mktemp -d /dev/shm/tlswatch-bench.XXXXXX) || bench_die "no tmpfs at /dev/shm"
WEB_PID=
bench_cleanup() {
	[ -n "$WEB_PID" ] && kill "$WEB_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM

# our own copy: a rebuild by someone else mid-run must not change it
cp tlswatch "$B/tlswatch"
TW=$B/tlswatch
# generated report mail is not DKIM-signed: the default [trust] dkim =
# require would quarantine all of it (docs/trust.md)
printf '[trust]\ndkim = off\n' > "$RUN/conf"
TLSWATCH_CONFIG=$RUN/conf
export TLSWATCH_CONFIG
PY="python3 $TOP/tools/ingest_py.py"
# corpora end yesterday (UTC): today is the day the default periods stop
END=$(date -u +%F)
BENCH_START=$(date -u -d "$END - $((N_IMAP / 2500 + 2)) days" +%F)
export BENCH_START
bench_put date "$(date -u '+%Y-%m-%d %H:%M UTC')"
bench_put commit "$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- core collector web cli analyzer 2>/dev/null || echo ' (with uncommitted changes)')"
bench_put mode "$([ "$QUICK" = 1 ] && echo "quick (BENCH_QUICK=1)" || echo full)"
bench_machine "$B"

# gen DIR FORMAT N: N reports (about 2,600 a day with 50 domains) ending yesterday
gen() {
	days=$(($3 / 2500 + 2))
	"$GEN" --out "$TMP/$1" --format "$2" --start "$(date -u -d "$END - $days days" +%F)" \
		--days "$days" --domains 50 --max-reports "$3" || bench_die "gen $2 failed"
}
reports_in() { sqlite3 "$1" "SELECT count(*) FROM report"; }
db_bytes() { sqlite3 "$1" "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size"; }

# --- 1. report files
bench_log "1. ingest $N_FILES .json.gz files"
gen gz gz "$N_FILES"
: > "$RUN/t1"
for i in $(seq "$RUNS"); do
	rm -f "$RUN/files.db" "$RUN/files.db-wal" "$RUN/files.db-shm"
	(cd "$TMP" && bench_time "$RUN/t1" "$TW" --db "$RUN/files.db" ingest gz/*.json.gz) || exit 1
done
[ "$(reports_in "$RUN/files.db")" = "$N_FILES" ] || bench_die "files: not every report stored"
bench_put files_bytes "$(db_bytes "$RUN/files.db")"
: > "$RUN/t1py"
for i in $(seq "$RUNS"); do
	rm -f "$RUN/py.db"*
	# shellcheck disable=SC2086
	(cd "$TMP" && bench_time "$RUN/t1py" $PY "$RUN/py.db" gz) || exit 1
done
[ "$(reports_in "$RUN/py.db")" = "$N_FILES" ] || bench_die "python files: not every report stored"
rm -rf "$TMP/gz"

# --- 1. the same number of files into PostgreSQL, 1 and 3 writers at once
# (tools/bench_pg_ingest.sh: a private server, fsync and synchronous_commit
# on; its median line per writer count)
bench_log "1. ingest $N_FILES .json.gz files into PostgreSQL, 1 and 3 writers"
sh tools/bench_pg_ingest.sh "$TW" "$N_FILES" 1 3 > "$RUN/t1pg.raw" 2>&1 ||
	bench_die "the PostgreSQL measurement failed: $(tail -3 "$RUN/t1pg.raw")"
for w in 1 3; do
	line=$(grep "^median: $w writers:" "$RUN/t1pg.raw") ||
		bench_die "PostgreSQL, $w writers: no result: $(tail -3 "$RUN/t1pg.raw")"
	bench_put "pg_${w}" "${line#median: }"
done

# --- 2. Maildir and mbox
bench_log "2. ingest a $N_MAIL-message Maildir and mbox"
gen md maildir "$N_MAIL"
gen mbox mbox "$N_MAIL"
: > "$RUN/t2md"
: > "$RUN/t2mb"
: > "$RUN/t2mdpy"
: > "$RUN/t2mbpy"
for i in $(seq "$RUNS"); do
	rm -f "$RUN/mail.db"*
	(cd "$TMP" && bench_time "$RUN/t2md" "$TW" --db "$RUN/mail.db" ingest md) || exit 1
	[ "$(reports_in "$RUN/mail.db")" = "$N_MAIL" ] || bench_die "maildir: not every report stored"
	rm -f "$RUN/mail.db"*
	(cd "$TMP" && bench_time "$RUN/t2mb" "$TW" --db "$RUN/mail.db" ingest mbox/reports.mbox) ||
		exit 1
	[ "$(reports_in "$RUN/mail.db")" = "$N_MAIL" ] || bench_die "mbox: not every report stored"
	for c in md mb; do
		rm -f "$RUN/py.db"*
		p=md
		[ "$c" = mb ] && p=mbox/reports.mbox
		# shellcheck disable=SC2086
		(cd "$TMP" && bench_time "$RUN/t2${c}py" $PY "$RUN/py.db" "$p") || exit 1
		[ "$(reports_in "$RUN/py.db")" = "$N_MAIL" ] || bench_die "python $c: not every report stored"
	done
done
rm -rf "$TMP/md" "$TMP/mbox"
for n in $N_MAIL_BIG; do
	bench_log "2. ingest a $n-message mbox (peak RSS against corpus size)"
	gen big mbox "$n"
	rm -f "$RUN/mail.db"*
	: > "$RUN/t2big-$n"
	(cd "$TMP" && bench_time "$RUN/t2big-$n" "$TW" --db "$RUN/mail.db" ingest big/reports.mbox) ||
		exit 1
	[ "$(reports_in "$RUN/mail.db")" = "$n" ] || bench_die "big mbox: not every report stored"
	rm -rf "$TMP/big" "$RUN/mail.db"*
done

# --- 3. IMAP
bench_log "3. collect $N_IMAP messages over IMAPS from a local Dovecot"
sh tools/bench_imap.sh "$TW" "$GEN" "$N_IMAP" "$RUNS" "$RUN" > "$RUN/t3.raw" ||
	bench_die "the IMAP measurement failed"
awk -v n="$N_IMAP" '$4 != n || $5 != n { bad = 1 } END { exit bad }' "$RUN/t3.raw" ||
	bench_die "collect: not every message stored and moved: $(cat "$RUN/t3.raw")"
cut -d' ' -f1-3 "$RUN/t3.raw" > "$RUN/t3"

# --- 4. summary and alert by database size; 6. bytes per report
for n in $DB_SIZES; do
	db=$(bench_db "$n") || exit 1
	bench_put "db_$n" "$db"
	bench_put "db_${n}_reports" "$(reports_in "$db")"
	bench_put "db_${n}_bytes" "$(db_bytes "$db")"
	bench_put "db_${n}_days" "$(sqlite3 "$db" "SELECT count(DISTINCT day) FROM agg_domain")"
	bench_log "4. summary and alert on $n reports"
	for what in sum all alert; do
		case $what in
		sum) set -- summary --format json ;;
		all) set -- summary --format json --all ;;
		alert) set -- alert ;;
		esac
		"$TW" --db "$db" "$@" > /dev/null 2>&1 # warm the page cache
		: > "$RUN/t4-$what-$n"
		k=5
		[ "$what" = all ] && k=$RUNS
		for i in $(seq $k); do
			bench_time "$RUN/t4-$what-$n" "$TW" --db "$db" "$@"
		done
		bench_put "t4_${what}_${n}_bytes" "$(wc -c < "$RUN/last.out")"
	done
	LAST_DB=$db
	LAST_N=$n
done
sqlite3 "$LAST_DB" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC" \
	> "$RUN/dbstat.txt" 2>/dev/null || : > "$RUN/dbstat.txt"

# --- 5. the dashboard
bench_log "5. dashboard on $LAST_N reports: first requests, then wrk for ${WRK_SECONDS}s"
for page in overview api; do
	case $page in overview) path=/ ;; api) path=/api/v1/summary ;; esac
	: > "$RUN/t5-$page-cold"
	for i in $(seq "$RUNS"); do
		bench_web_start "$LAST_DB"
		bench_curl_ms "$WEB_URL$path" >> "$RUN/t5-$page-cold" || exit 1
		echo >> "$RUN/t5-$page-cold"
		bench_web_stop
	done
done
bench_web_start "$LAST_DB"
bench_wrk "$WEB_URL/" "$WRK_SECONDS" overview
bench_wrk "$WEB_URL/api/v1/summary" "$WRK_SECONDS" api
bench_web_stop
bench_put web_rss_kb "$WEB_HWM_KB"
bench_put load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

# --- the report
sh tools/bench_report.sh "$RES" "$RUN" "$N_FILES" "$N_MAIL" "$N_MAIL_BIG" "$N_IMAP" \
	"$DB_SIZES" "$WRK_SECONDS" "$RUNS" > "$RUN/report.md" || bench_die "report failed"
cat "$RUN/report.md"
if [ "$QUICK" = 1 ] && [ -z "${BENCH_OUT:-}" ]; then
	echo
	echo "(quick run: $OUT left as it is; BENCH_OUT=FILE writes it anyway)"
	exit 0
fi
if [ -f "$OUT" ] && grep -q '^<!-- bench:begin -->$' "$OUT" && grep -q '^<!-- bench:end -->$' "$OUT"; then
	awk -v rep="$RUN/report.md" '
		/^<!-- bench:begin -->$/ { print; while ((getline l < rep) > 0) print l; skip = 1; next }
		/^<!-- bench:end -->$/ { skip = 0 }
		!skip { print }' "$OUT" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
else
	{
		echo "# Performance"
		echo
		echo "<!-- bench:begin -->"
		cat "$RUN/report.md"
		echo "<!-- bench:end -->"
	} > "$OUT"
fi
echo
echo "written to $OUT"
