#!/bin/sh
# tools/bench_report.sh - the Markdown report of one 'make bench' run, from
# the timings and results tools/bench.sh left in its run directory.
#
#   sh tools/bench_report.sh RESULTS RUNDIR N_FILES N_MAIL N_MAIL_BIG N_IMAP
#                            "DB_SIZES" WRK_SECONDS RUNS
#
# Prints Markdown on stdout: the machine, one table (result, target, peak
# RSS, whether the target is met), the exact commands. Input is the
# bench's own output (trusted).
set -u
RES=$1
RUN=$2
N_FILES=$3
N_MAIL=$4
N_MAIL_BIG=$5
N_IMAP=$6
DB_SIZES=$7
WRK_SECONDS=$8
RUNS=$9
# shellcheck source=bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"

# row_ingest FILE N UNIT TARGET: "RATE UNIT/s (WALL s wall, CPU s CPU) | ..."
ingest_cells() {
	w=$(bench_median "$1" 1)
	c=$(bench_median "$1" 2)
	r=$(bench_max "$1" 3)
	rate=$(awk -v n="$2" -v t="$w" 'BEGIN { printf "%.0f", n / t }')
	echo "**$(bench_int "$rate") $3/s** ($(printf '%.3f' "$w") s; CPU $(printf '%.2f' "$c") s) | $4 | $(bench_mb "$r") MB | $(bench_met bench_ge "$rate" "$5")"
}

# py_cells FILE PYFILE N UNIT: the Python ingester's row on the same corpus,
# with tlswatch's ratio (wall and CPU)
py_cells() {
	w=$(bench_median "$2" 1)
	c=$(bench_median "$2" 2)
	r=$(bench_max "$2" 3)
	rate=$(awk -v n="$3" -v t="$w" 'BEGIN { printf "%.0f", n / t }')
	ratio=$(awk -v a="$w" -v b="$(bench_median "$1" 1)" 'BEGIN { printf "%.1f", a / b }')
	cratio=$(awk -v a="$c" -v b="$(bench_median "$1" 2)" 'BEGIN { printf "%.1f", a / b }')
	echo "$(bench_int "$rate") $4/s ($(printf '%.3f' "$w") s; CPU $(printf '%.2f' "$c") s): tlswatch ×$ratio faster, ×$cratio less CPU | — | $(bench_mb "$r") MB | — |"
}

largest=
for n in $DB_SIZES; do largest=$n; done
prev=

echo "Run of $(bench_get date), commit $(bench_get commit), $(bench_get mode) mode."
echo
echo "Machine: $(bench_get cores) cores, $(bench_get cpu) ($(bench_get cpu_flags| sed 's/ $//')), $(bench_get memory),"
echo "$(bench_get kernel); databases on $(bench_get disk)."
echo "Load average (1, 5, 15 min) $(bench_get load_start) at the start and $(bench_get load_end) at the end:"
echo "the machine is shared, so wall times carry other people's work (CPU times less so)."
echo
echo "Timed runs: the median of $RUNS (summary and alert: of 5, after one untimed"
echo "run); peak RSS is the largest of the runs (GNU time's %M). Rates are"
echo "inputs divided by the median wall time of the whole command, process start"
echo "and the durable commit at exit included."
echo
echo "| # | measurement | result | target | peak RSS | met |"
echo "|---|---|---|---|---|---|"
echo "| 1 | ingest $(bench_int "$N_FILES") \`.json.gz\` files | $(ingest_cells "$RUN/t1" "$N_FILES" reports "≥ 50,000 reports/s" 50000) |"
echo "| 1 | the same files, \`tools/ingest_py.py\` (Python stdlib) | $(py_cells "$RUN/t1" "$RUN/t1py" "$N_FILES" reports)"
# PostgreSQL: "N writers: R reports/s (W s); tlswatch CPU X s, peak M MB;
# server CPU Y s; load ..." (tools/bench_pg_ingest.sh's median line)
for w in 1 3; do
	pg=$(bench_get "pg_$w")
	[ -n "$pg" ] || continue
	rate=$(echo "$pg" | sed -n 's/^[0-9]* writers: \([0-9]*\) reports.*/\1/p')
	echo "| 1 | the same number of files into PostgreSQL, $w writer$([ "$w" = 1 ] || echo s at once) | **$(bench_int "$rate") reports/s** ($(echo "$pg" | sed 's/^[^(]*(\([^)]*\)); \(.*\), peak \([0-9]*\) MB; \(server CPU [^;]*\); \(load .*\)/\1; \2 and \4; \5/')) | ≥ 10,000 reports/s with 3 writers | $(echo "$pg" | sed -n 's/.*peak \([0-9]*\) MB.*/\1.0/p') MB | $([ "$w" = 3 ] && bench_met bench_ge "$rate" 10000 || echo -) |"
done
echo "| 2 | ingest a $(bench_int "$N_MAIL")-message Maildir | $(ingest_cells "$RUN/t2md" "$N_MAIL" messages "≥ 25,000 messages/s" 25000) |"
echo "| 2 | the same Maildir, \`tools/ingest_py.py\` | $(py_cells "$RUN/t2md" "$RUN/t2mdpy" "$N_MAIL" messages)"
echo "| 2 | ingest a $(bench_int "$N_MAIL")-message mbox | $(ingest_cells "$RUN/t2mb" "$N_MAIL" messages "≥ 10,000 messages/s" 10000) |"
echo "| 2 | the same mbox, \`tools/ingest_py.py\` | $(py_cells "$RUN/t2mb" "$RUN/t2mbpy" "$N_MAIL" messages)"
prev=
for n in $N_MAIL_BIG; do
	big=$(bench_max "$RUN/t2big-$n" 3)
	w=$(bench_median "$RUN/t2big-$n" 1)
	if [ -z "$prev" ]; then
		target="—"
		met="—"
	else
		# twice the corpus, the same memory (5% for allocator noise)
		target="peak RSS independent of the corpus"
		met=$(bench_met bench_le "$big" "$(awk -v s="$prev" 'BEGIN { print s * 1.05 }')")
	fi
	echo "| 2 | ingest a $(bench_int "$n")-message mbox (one run) | $(bench_rate "$n" "$w") messages/s ($(printf '%.2f' "$w") s) | $target | $(bench_mb "$big") MB | $met |"
	prev=$big
done
echo "| 3 | \`collect\` $(bench_int "$N_IMAP") messages over IMAPS from a local Dovecot | $(ingest_cells "$RUN/t3" "$N_IMAP" messages "≥ 2,000 messages/s" 2000) |"
for what in sum alert all; do
	case $what in
	sum) label="\`summary --format json\`" ;;
	alert) label="\`alert\`" ;;
	all) label="\`summary --format json --all\` (every day: linear by nature, for comparison)" ;;
	esac
	prev=
	for n in $DB_SIZES; do
		f="$RUN/t4-$what-$n"
		w=$(bench_median "$f" 1)
		r=$(bench_max "$f" 3)
		growth=
		if [ -n "$prev" ]; then
			growth="; ×$(awk -v a="$w" -v b="$prev" 'BEGIN { printf "%.2f", a / b }') the time of $(bench_int "$prevn") reports"
		fi
		target="—"
		met="—"
		if [ "$what" != all ] && [ "$n" = "$largest" ]; then
			target="< 100 ms; growth well below linear"
			met=$(bench_met bench_le "$w" 0.1)
		fi
		echo "| 4 | $label on $(bench_int "$(bench_get "db_${n}_reports")") reports ($(bench_get "db_${n}_days") days) | $(bench_ms "$w") ms$growth | $target | $(bench_mb "$r") MB | $met |"
		prev=$w
		prevn=$n
	done
done
for page in overview api; do
	case $page in
	overview) label="dashboard overview \`/\`"; limit=50 ;;
	api) label="\`/api/v1/summary\`"; limit=20 ;;
	esac
	p99=$(bench_get "${page}_p99_ms")
	cold=$(awk '{ print $1 / 1000 }' "$RUN/t5-$page-cold" > "$RUN/t5-$page-cold.s" &&
		bench_median "$RUN/t5-$page-cold.s" 1)
	errs=$(bench_get "${page}_errors")
	echo "| 5 | $label on $(bench_int "$(bench_get "db_${largest}_reports")") reports, wrk -c8 ${WRK_SECONDS}s | **$(bench_int "$(bench_get "${page}_rps")") requests/s, p99 $(bench_get "${page}_p99_ms") ms** (p50 $(bench_get "${page}_p50_ms") ms; first request after start $(bench_ms "$cold") ms${errs:+; $errs}) | p99 < $limit ms | $(bench_mb "$(bench_get web_rss_kb)") MB (server) | $(bench_met bench_le "$p99" "$limit") |"
done
line="| 6 | database bytes per report | $(bench_int "$(awk -v b="$(bench_get files_bytes)" -v n="$N_FILES" 'BEGIN { print b / n }')") ($(bench_int "$N_FILES") files, a source row each)"
for n in $DB_SIZES; do
	line="$line; $(bench_int "$(awk -v b="$(bench_get "db_${n}_bytes")" -v n="$(bench_get "db_${n}_reports")" 'BEGIN { print b / n }')") at $(bench_int "$(bench_get "db_${n}_reports")")"
done
echo "$line | — | — | — |"
echo
if [ -s "$RUN/dbstat.txt" ]; then
	echo "Where the bytes of the $(bench_int "$(bench_get "db_${largest}_reports")")-report database go (bytes per report, by table or index):"
	awk -F'|' -v n="$(bench_get "db_${largest}_reports")" '
		NR <= 8 { printf "%s%s %.0f", (NR > 1 ? ", " : ""), $1, $2 / n }
		END { print "." }' "$RUN/dbstat.txt"
	echo
fi
echo "Commands (DB is a fresh file for 1-3, a cached database of the given size"
echo "for 4-5; corpora from \`build/tools/gen\` in a tmpfs, \`--domains 50\`, ending"
echo "yesterday):"
echo
echo '```'
echo "gen --out gz --format gz --start START --days D --domains 50 --max-reports $N_FILES"
echo "tlswatch --db DB ingest gz/*.json.gz"
echo "gen --out md --format maildir ...; tlswatch --db DB ingest md"
echo "gen --out mbox --format mbox ...;  tlswatch --db DB ingest mbox/reports.mbox"
echo "tlswatch --config C --db DB collect     # [imap] imaps to Dovecot on 127.0.0.1, defaults"
echo "tlswatch --db DB summary --format json"
echo "tlswatch --db DB alert"
echo "tlswatch --db DB summary --format json --all"
echo "tlswatch --db DB web --listen 127.0.0.1:0"
echo "wrk -t2 -c8 -d${WRK_SECONDS}s --latency http://127.0.0.1:PORT/"
echo "wrk -t2 -c8 -d${WRK_SECONDS}s --latency http://127.0.0.1:PORT/api/v1/summary"
echo '```'
for n in $DB_SIZES; do
	s=$(bench_get "build_r$n")
	[ -n "$s" ] && echo "The $(bench_int "$n")-report database was built in this run in $s s."
done
exit 0
