# tools/bench_lib.sh - helpers for tools/bench.sh ('make bench'): timed
# runs, medians, the machine's description, wrk output, cached databases.
# Sourced, never run. Inputs are our own generated corpora (trusted).
#
# Results are kept as lines "KEY VALUE" in $RES (bench_put / bench_get),
# so the report is written from one place at the end.

bench_put() { echo "$1 $2" >> "$RES"; }
bench_get() { sed -n "s/^$1 //p" "$RES" | tail -1; }

bench_log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
bench_die() {
	echo "bench: $*" >&2
	exit 1
}

# bench_time FILE CMD...: runs CMD once (stdout to $RUN/last.out, stderr to
# $RUN/last.err) and appends "WALL_S CPU_S RSS_KB" to FILE: wall time from
# the monotonic nanosecond clock, user+system CPU and peak RSS from GNU
# time (/usr/bin/time -f "%e %U %S %M"). A failing command stops the
# bench: a number measured on an error is no number.
bench_time() {
	out=$1
	shift
	t0=$(date +%s%N)
	/usr/bin/time -f "%e %U %S %M" -o "$RUN/time.txt" "$@" > "$RUN/last.out" 2> "$RUN/last.err"
	rc=$?
	t1=$(date +%s%N)
	# exit 1 means "something needs attention" (alert raised, input
	# quarantined): a normal outcome for a measured command
	if [ "$rc" -gt 1 ]; then
		tail -5 "$RUN/last.err" >&2
		bench_die "command failed ($rc): $*"
	fi
	tail -1 "$RUN/time.txt" | awk -v ns=$((t1 - t0)) \
		'{ printf "%.4f %.2f %d\n", ns / 1e9, $2 + $3, $4 }' >> "$out"
}

# bench_median FILE COLUMN: the median of a column (1 wall, 2 CPU, 3 RSS);
# bench_max FILE COLUMN: its largest value.
bench_median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -g |
		awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
			else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
bench_max() { awk -v c="$2" '$c > m { m = $c } END { print m + 0 }' "$1"; }

# Formatting: thousands separators, one decimal, MB from KB.
bench_int() { awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); n = "";
	while (length(s) > 3) { n = "," substr(s, length(s) - 2) n; s = substr(s, 1, length(s) - 3) }
	print s n }'; }
bench_rate() { bench_int "$(awk -v n="$1" -v t="$2" 'BEGIN { print (t > 0 ? n / t : 0) }')"; }
bench_ms() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 1000 }'; }
bench_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# bench_le A B / bench_ge A B: numeric comparisons for the "met" column
bench_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
bench_ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
bench_met() { if "$@"; then echo yes; else echo "**no**"; fi; }

# The machine, for the report: cores, CPU model, kernel, the disk under
# the benchmark's databases and what a synchronous 4 KiB write costs there.
bench_machine() {
	bench_put cores "$(grep -c '^processor' /proc/cpuinfo)"
	bench_put cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	bench_put cpu_flags "$(grep -o -w -m1 -E 'sha_ni|avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
	bench_put kernel "$(uname -sr)"
	bench_put memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	src=$(findmnt -no SOURCE -T "$1" 2>/dev/null | head -1)
	fs=$(findmnt -no FSTYPE -T "$1" 2>/dev/null | head -1)
	dev=$(basename "$src")
	kind="disk"
	if [ -r "/sys/block/$dev/device/vendor" ] &&
		[ "$(cat "/sys/block/$dev/device/vendor")" = 0x1af4 ]; then
		kind="virtio-blk"
	elif [ -r "/sys/block/$dev/queue/rotational" ]; then
		[ "$(cat "/sys/block/$dev/queue/rotational")" = 0 ] && kind="SSD" || kind="rotational"
	fi
	# 200 synchronous 4 KiB writes: the price of one durable commit
	t0=$(date +%s%N)
	dd if=/dev/zero of="$1/dsync.tmp" bs=4k count=200 oflag=dsync 2>/dev/null
	t1=$(date +%s%N)
	rm -f "$1/dsync.tmp"
	bench_put disk "$kind $src, $fs; a synchronous 4 KiB write takes $(awk -v ns=$((t1 - t0)) \
		'BEGIN { printf "%.2f", ns / 200 / 1e6 }') ms"
	bench_put load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# bench_wrk URL SECONDS PREFIX: wrk with 8 connections (2 threads); puts
# PREFIX_rps, PREFIX_p50_ms, PREFIX_p99_ms and PREFIX_errors.
bench_wrk() {
	wrk -t2 -c8 -d"$2"s --latency "$1" > "$RUN/wrk.txt" 2>&1 || bench_die "wrk failed on $1"
	cp "$RUN/wrk.txt" "$RUN/wrk-$3.txt"
	bench_put "$3_rps" "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$RUN/wrk.txt")"
	for p in 50 99; do
		bench_put "$3_p${p}_ms" "$(awk -v p="$p%" '$1 == p { v = $2;
			if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
			else if (v ~ /ms$/) { sub(/ms$/, "", v) }
			else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
			printf "%.2f", v }' "$RUN/wrk.txt")"
	done
	bench_put "$3_errors" "$(awk '/Socket errors|Non-2xx/ { sub(/^ */, ""); printf "%s; ", $0 }' \
		"$RUN/wrk.txt")"
}

# bench_web_start DB: starts 'tlswatch web' on a free loopback port; sets
# WEB_PID and WEB_URL (no trailing slash).
bench_web_start() {
	"$TW" --db "$1" web --listen 127.0.0.1:0 > "$RUN/web.log" 2>&1 &
	WEB_PID=$!
	i=0
	WEB_URL=
	while [ $i -lt 100 ] && [ -z "$WEB_URL" ]; do
		WEB_URL=$(sed -n 's|^tlswatch web: dashboard on \(http://[^/]*\)/$|\1|p' "$RUN/web.log")
		[ -n "$WEB_URL" ] || sleep 0.1
		i=$((i + 1))
	done
	[ -n "$WEB_URL" ] || bench_die "tlswatch web did not start: $(cat "$RUN/web.log")"
}

# bench_web_stop: SIGTERM and wait; puts nothing. WEB_HWM_KB is the
# server's peak RSS (VmHWM) just before it stops.
bench_web_stop() {
	WEB_HWM_KB=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$WEB_PID/status" 2>/dev/null)
	kill "$WEB_PID" 2>/dev/null
	wait "$WEB_PID" 2>/dev/null
	WEB_PID=
}

# bench_curl_ms URL: one request's total time in ms (status must be 200).
bench_curl_ms() {
	r=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$1")
	[ "${r%% *}" = 200 ] || bench_die "GET $1 answered ${r%% *}"
	awk -v t="${r#* }" 'BEGIN { printf "%.1f", t * 1000 }'
}

# bench_db N: a database of N generated reports whose newest day is
# yesterday (UTC), so that the default period of 'summary', 'alert' and
# the dashboard (the last complete days) holds a full week, as it does for
# a postmaster's real store. Built once per day and generator and kept in
# $B/db; prints its path. Reports arrive one per mail message in an mbox
# (a source row each, as from a real mailbox), generated backwards from
# yesterday in chunks of days in tmpfs, so the oldest day is the partial one.
bench_db() {
	n=$1
	key=$(cat "$GEN" schema/*.sql | sha256sum | cut -c1-12)
	db="$B/db/r$n-$END-$key.db"
	if [ -s "$db" ]; then
		echo "$db"
		return 0
	fi
	mkdir -p "$B/db"
	rm -f "$B/db/r$n-"*.db "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
	bench_log "building a database of $n reports (once per day: $db)"
	t0=$(date +%s)
	have=0
	hi=$END
	while [ "$have" -lt "$n" ]; do
		left=$((n - have))
		# at most 2,705 reports a day with 50 domains: a chunk of
		# left/2800 days never overshoots; the last day is cut
		days=$((left / 2800))
		[ "$days" -gt 60 ] && days=60
		cut=
		if [ "$days" -lt 1 ]; then
			days=1
			cut="--max-reports $left"
		fi
		lo=$(date -u -d "$hi - $days days" +%F)
		rm -rf "$TMP/chunk"
		# shellcheck disable=SC2086
		"$GEN" --out "$TMP/chunk" --format mbox --start "$lo" --days "$days" \
			--domains 50 $cut || bench_die "gen failed"
		"$TW" -q --db "$db.tmp" ingest "$TMP/chunk/reports.mbox" ||
			bench_die "ingest of the $lo chunk failed"
		have=$(sqlite3 "$db.tmp" "SELECT count(*) FROM report")
		hi=$lo
	done
	rm -rf "$TMP/chunk"
	mv "$db.tmp" "$db"
	bench_put "build_r$n" "$(($(date +%s) - t0))"
	echo "$db"
}
