#!/bin/sh
# tools/bench_imap.sh - measurement 3 of 'make bench': 'tlswatch collect'
# of N messages from a private Dovecot over IMAPS on loopback (the test
# suite's tests/integration/dovecot_lib.sh), with the default collector
# settings (batch_size, moving every message to processed_folder).
#
#   sh tools/bench_imap.sh TLSWATCH GEN N RUNS RUNDIR
#
# Each run starts from a freshly generated Maildir of N report messages
# (one report each), indexed by Dovecot before the clock starts (as mail
# delivered over time would be), and a new database. Prints one line per
# run on stdout: "WALL_S CPU_S RSS_KB MESSAGES_STORED MOVED". Never touches
# /etc/dovecot; Dovecot is killed on exit whatever happens.
set -u
TW=$1
GEN=$2
N=$3
RUNS=$4
RUN=$5
TOP=$(cd "$(dirname "$0")/.." && pwd)
DATA=$TOP/tests/data
# dovecot_lib.sh wants $T: a directory the dovecot user can traverse
T=$(mktemp -d /tmp/tlswatch-bench-imap.XXXXXX)
chmod 755 "$T"
# shellcheck source=../tests/integration/dovecot_lib.sh
. "$TOP/tests/integration/dovecot_lib.sh"

dc_setup > "$T/setup.log" 2>&1 || { echo "bench_imap: Dovecot setup failed" >&2; exit 1; }
dc_start || { echo "bench_imap: Dovecot did not start" >&2; exit 1; }
dc_conf "$T/tlswatch.conf"

i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	rm -rf "$DC/mail/$DC_USER" "$T/c.db" "$T/c.db-wal" "$T/c.db-shm"
	# the user's Maildir root is the INBOX
	"$GEN" --out "$DC/mail/$DC_USER" --format maildir --start "$BENCH_START" --days $((N / 2500 + 2)) \
		--domains 50 --max-reports "$N" || exit 1
	chown -R dovecot:dovecot "$DC/mail"
	have=$(dc_count INBOX)
	if [ "$have" != "$N" ]; then
		echo "bench_imap: INBOX holds $have messages, want $N" >&2
		exit 1
	fi
	t0=$(date +%s%N)
	/usr/bin/time -f "%e %U %S %M" -o "$T/time.txt" \
		"$TW" --config "$T/tlswatch.conf" --db "$T/c.db" collect > "$RUN/collect.out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	if [ $rc -ne 0 ]; then
		tail -5 "$RUN/collect.out" >&2
		echo "bench_imap: collect exited $rc" >&2
		exit 1
	fi
	stored=$(sqlite3 "$T/c.db" "SELECT count(*) FROM report")
	moved=$(dc_count Processed)
	tail -1 "$T/time.txt" | awk -v ns=$((t1 - t0)) -v s="$stored" -v m="$moved" \
		'{ printf "%.4f %.2f %d %d %d\n", ns / 1e9, $2 + $3, $4, s, m }'
done
dc_stop
