#!/bin/sh
# tools/ingest_py.py, the Python-stdlib ingester 'make bench' runs beside
# tlswatch for a ratio (docs/performance.md), stores what tlswatch stores on
# the same generated corpus: the same reports, policies and failure details,
# the same session sums per policy, per day, domain and organization, the
# same raw bytes (SHA-256 of each report's JSON). Otherwise its figures
# would be no fair comparison.
. "$TOP/tests/lib.sh"
t_dkim_off
cd "$T"
"$GEN" --out "$T/gz" --seed 7 --start 2026-03-01 --days 4 --domains 8 --format gz > /dev/null
"$GEN" --out "$T/md" --seed 8 --start 2026-03-01 --days 4 --domains 8 --format maildir > /dev/null
"$GEN" --out "$T/mb" --seed 9 --start 2026-03-10 --days 3 --domains 8 --format mbox > /dev/null

# one line of figures per database: counts, sums, and a digest of the rows
# per (day, domain, organization) and of the raw reports' hashes
figures() {
	t_sql "$1" "SELECT (SELECT count(*) FROM report), (SELECT count(*) FROM policy),
		(SELECT count(*) FROM failure), (SELECT sum(successful_sessions) FROM policy),
		(SELECT sum(failed_sessions) FROM policy), (SELECT sum(failed_sessions) FROM failure)"
	t_sql "$1" "SELECT r.day, coalesce(p.policy_domain, ''), r.organization,
		sum(p.successful_sessions), sum(p.failed_sessions)
		FROM policy p JOIN report r ON r.id = p.report GROUP BY 1, 2, 3 ORDER BY 1, 2, 3" |
		sha256sum
	t_sql "$1" "SELECT hex(sha256) FROM raw_report ORDER BY 1" | sha256sum
}
for c in gz md mb; do
	case $c in gz) set -- "$T/gz" ;; md) set -- "$T/md" ;; mb) set -- "$T"/mb/*.mbox ;; esac
	"$TLSWATCH" -q --db "$T/tw-$c.db" ingest "$@" > /dev/null 2>&1
	t_eq "$c: tlswatch stores the corpus" "$?" 0
	out=$(python3 "$TOP/tools/ingest_py.py" "$T/py-$c.db" "$@" 2>&1)
	t_eq "$c: ingest_py.py stores the corpus" "$?" 0
	n=$(t_sql "$T/tw-$c.db" "SELECT count(*) FROM report")
	t_check "$c: a corpus of reports" test "$n" -gt 50
	case $out in
	"inputs "*" reports $n "*) t_pass "$c: ingest_py.py says how many" ;;
	*) t_fail "$c: ingest_py.py says how many" "got '$out', want $n reports" ;;
	esac
	t_eq "$c: the same figures" "$(figures "$T/py-$c.db")" "$(figures "$T/tw-$c.db")"
	# its daily aggregates sum the policies of each (day, domain, org)
	t_eq "$c: daily aggregates" \
		"$(t_sql "$T/py-$c.db" "SELECT sum(reports), sum(successful_sessions) FROM agg_day")" \
		"$(t_sql "$T/py-$c.db" "SELECT count(DISTINCT report || ' ' || policy_domain), sum(successful_sessions) FROM policy")"
done
# a second run stores nothing twice
python3 "$TOP/tools/ingest_py.py" "$T/py-gz.db" "$T/gz" > /dev/null
t_eq "gz: nothing stored twice" "$(figures "$T/py-gz.db")" "$(figures "$T/tw-gz.db")"
