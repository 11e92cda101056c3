# tests/month_lib.sh - what the per-month and per-year roll-up tests
# (tests/integration/month_roll.sh and year_roll.sh on SQLite,
# pg_month_roll.sh and pg_year_roll.sh on PostgreSQL) share. Sourced after
# tests/lib.sh and tests/browser/web_lib.sh.
#
#   MONTHS            the month tables (schema/021, schema/pg/026)
#   YEARS             the year tables (schema/027, schema/pg/034)
#   month_inputs K    $T/a: 100 days of K domains from 2025-11-10 with
#                     re-sends and a spike, Google's January set aside in
#                     $T/late (it comes late); $T/b: 20 days of another seed
#                     overlapping them (conflicts), as a Maildir
#   month_views DB FILE  every CLI view of DB and its dashboard into FILE
#   year_inputs       $T/a: 420 days of 2 domains from 2025-01-10, across
#                     two years' ends, with re-sends and a spike; $T/b: 20
#                     days of another seed overlapping them, as a Maildir
#   year_views DB FILE   the views of year_inputs' store into FILE
#   roll_pages DB FILE PATH...  each dashboard page of DB appended to FILE
#   roll_rows DB TABLES  each table's rows, sorted, of SQLite or PostgreSQL
#   roll_same NAME DB TABLES  checks: DB's TABLES are $SQ's, row for row
#   roll_rewound DB PREFIX VERSION MIG TABLES
#                     a copy of DB rewound to VERSION (PREFIX's triggers and
#                     TABLES dropped) migrates to MIG with the same TABLES
#   pg_roll_rewound DB PREFIX VERSION TABLES
#                     PostgreSQL store DB rewound to VERSION (TABLES and
#                     PREFIX's trigger functions dropped) migrates past it
#   roll_batch_quiet PREFIX AGG TABLE INPUT MIG
#                     PREFIX_AGG_ins replaced by a trigger that counts: an
#                     ingest of INPUT into a new store fires it never, TABLE
#                     is filled, db check agrees

MONTHS="roll_day roll_domain_month roll_org_month roll_failure_month agg_failure_month roll_mx_month
roll_type_month"
YEARS="roll_domain_year roll_org_year roll_failure_year agg_failure_year roll_mx_year roll_type_year"

month_inputs() {
	"$GEN" --out "$T/a" --seed 41 --start 2025-11-10 --days 100 --domains "$1" --duplicates 60 \
		--spike "example.com,mx1.example.com,certificate-expired,2026-01-10,90" \
		--format gz > /dev/null || t_fail "generator" "exit $?"
	# overlapping reports of another seed: conflicts
	"$GEN" --out "$T/b" --seed 42 --start 2026-01-25 --days 20 --domains "$1" --format maildir \
		> /dev/null || t_fail "generator" "exit $?"
	# Google's reports of January come late, after the rest is stored
	mkdir "$T/late"
	jan=$(date -u -d 2026-01-01 +%s)
	feb=$(date -u -d 2026-02-01 +%s)
	for f in "$T"/a/google.com!*; do
		start=$(basename "$f" | cut -d'!' -f3)
		[ "$start" -ge "$jan" ] && [ "$start" -lt "$feb" ] && mv "$f" "$T/late/"
	done
	t_check "late reports set aside" test "$(ls "$T/late" | wc -l)" -gt 10
}

# month_views DB FILE: every CLI view of DB and its dashboard into FILE
month_views() {
	{
		for p in "--since 2025-11-17 --until 2026-02-11" "--since 2025-12-01 --until 2026-02-01" \
			"--since 2026-01-04 --until 2026-01-29" "--since 2025-12-31 --until 2026-01-02" \
			"--since 2025-11-20 --until 2026-01-01" "--since 2025-12-03 --until 2026-01-30" \
			"--all" "--all --domain example.com" \
			"--since 2025-11-17 --until 2026-02-11 --domain example.net --domain example.org" \
			"--since 2025-11-17 --until 2026-02-11 --org Google Inc." \
			"--all --org Microsoft Corporation"; do
			fmts=json
			case "$p" in "--all" | "--since 2025-11-17 --until 2026-02-11") fmts="text json html" ;; esac
			for f in $fmts; do
				echo "== summary $p --format $f"
				case "$p" in
				*--org*)
					# shellcheck disable=SC2086
					"$TLSWATCH" --db "$1" summary ${p%% --org*} --org "${p#*--org }" --format $f
					;;
				*)
					# shellcheck disable=SC2086
					"$TLSWATCH" --db "$1" summary $p --format $f
					;;
				esac
				echo "rc $?"
			done
		done
	} > "$2" 2>&1
	roll_pages "$1" "$2" "/?all=1" "/?since=2025-11-17&until=2026-02-11" \
		"/api/v1/summary?all=1" "/api/v1/summary?since=2025-12-01&until=2026-02-01" \
		"/api/v1/summary?since=2025-11-17&until=2026-02-11&domain=example.com" \
		"/failures?all=1&group_by=organization" "/failures?all=1&group_by=mx" \
		"/api/v1/failures?all=1&group_by=result_type" "/metrics"
}

# roll_pages DB FILE PATH...: each page of DB's dashboard appended to FILE
roll_pages() {
	rp_db=$1
	rp_out=$2
	shift 2
	web_start --db "$rp_db" web --listen 127.0.0.1:0 || return
	for rp_path in "$@"; do
		echo "== $rp_path"
		curl -s "$WEB_URL$rp_path"
	done >> "$rp_out"
	web_stop
}

# roll_rows DB TABLES: each table's rows, sorted, of an SQLite or a
# PostgreSQL store (the same text for the same rows)
roll_rows() {
	for rr_t in $2; do
		case "$1" in
		postgresql:*) rr_rows=$(psql -X -q -At -F '|' "$1" -c "SELECT * FROM $rr_t") ;;
		*) rr_rows=$(t_sql "$1" "SELECT * FROM $rr_t") ;;
		esac
		echo "== $rr_t $(echo "$rr_rows" | grep -c .)"
		echo "$rr_rows" | sort
	done
}

# roll_same NAME DB TABLES: DB's TABLES are SQLite's ($SQ), row for row
roll_same() {
	roll_rows "$SQ" "$3" > "$T/rows.s"
	roll_rows "$2" "$3" > "$T/rows.p"
	t_same "$1: the roll-up tables row for row SQLite's" "$T/rows.s" "$T/rows.p"
}

year_inputs() {
	"$GEN" --out "$T/a" --seed 51 --start 2025-01-10 --days 420 --domains 2 --duplicates 30 \
		--spike "example.com,mx1.example.com,certificate-expired,2025-06-10,90" \
		--format gz > /dev/null || t_fail "generator" "exit $?"
	# overlapping reports of another seed: conflicts to pick
	"$GEN" --out "$T/b" --seed 52 --start 2025-12-20 --days 20 --domains 2 --format maildir \
		> /dev/null || t_fail "generator" "exit $?"
}

# year_views DB FILE: --all, most of a year (read as the year less what
# lies outside), a year less a few days at both ends, a period inside one
# month, one domain; the dashboard's pages and /metrics
year_views() {
	{
		for p in "--all" "--since 2025-01-20 --until 2025-12-30" \
			"--since 2025-02-14 --until 2026-02-14" "--since 2025-03-03 --until 2026-01-09" \
			"--since 2025-06-03 --until 2025-06-27" "--all --domain example.com"; do
			fmts=json
			[ "$p" = "--all" ] && fmts="text json html"
			for f in $fmts; do
				echo "== summary $p --format $f"
				# shellcheck disable=SC2086
				"$TLSWATCH" --db "$1" summary $p --format $f
				echo "rc $?"
			done
		done
	} > "$2" 2>&1
	roll_pages "$1" "$2" "/?all=1" "/?since=2025-01-20&until=2025-12-30" \
		"/api/v1/summary?all=1" "/failures?all=1&group_by=organization" \
		"/failures?all=1&group_by=mx" "/api/v1/failures?all=1&group_by=result_type" "/metrics"
}

# roll_rewound DB PREFIX VERSION MIG TABLES: a store at VERSION, as an
# older binary left it, migrates to MIG or later with the tables the
# triggers kept in DB
roll_rewound() {
	cp "$1" "$T/old.db"
	t_sql "$T/old.db" "$(for t in domain failure mx type; do
		printf 'DROP TRIGGER %s_%s_ins; DROP TRIGGER %s_%s_del; DROP TRIGGER %s_%s_upd;\n' \
			"$2" "$t" "$2" "$t" "$2" "$t"
	done; for t in $5; do printf 'DROP TABLE %s;\n' "$t"; done)
		PRAGMA user_version = $3"
	t_eq "rewound to $3" "$(t_sql "$T/old.db" "PRAGMA user_version")" "$3"
	t_eq "migrated: db check agrees" "$("$TLSWATCH" --db "$T/old.db" db check 2>&1; echo $?)" 0
	t_check "migrated to $4 or later" test "$(t_sql "$T/old.db" "PRAGMA user_version")" -ge "$4"
	roll_rows "$1" "$5" > "$T/kept.txt"
	roll_rows "$T/old.db" "$5" > "$T/migrated.txt"
	t_check "migrated: the $2 tables the triggers kept" cmp "$T/kept.txt" "$T/migrated.txt"
}

# pg_roll_rewound DB PREFIX VERSION TABLES: a PostgreSQL store at
# VERSION, as an older binary left it, migrates past it (the caller then
# compares the tables with what the triggers kept)
pg_roll_rewound() {
	pg_sql "$1" "SET client_min_messages = warning;
		DROP TABLE $(echo $4 | tr ' ' ','); DROP FUNCTION tlswatch_$2_agg_domain,
		tlswatch_$2_agg_failure, tlswatch_$2_agg_mx, tlswatch_$2_agg_policy_type,
		tlswatch_$2_of CASCADE; UPDATE schema_version SET version = $3" > /dev/null
	t_eq "rewound to $3" "$(pg_sql "$1" "SELECT version FROM schema_version")" "$3"
	t_eq "migrated: db check agrees" "$("$TLSWATCH" --db "$1" db check 2>&1; echo $?)" 0
	t_check "migrated past $3" test "$(pg_sql "$1" "SELECT version FROM schema_version")" -gt "$3"
}

# roll_batch_quiet PREFIX AGG TABLE INPUT MIG: the ingest batch stays on
# with migration MIG's triggers (one replaced by a trigger of the same
# name that counts): they must not fire while it stores reports
roll_batch_quiet() {
	bat=$T/batch-$1.db
	"$TLSWATCH" -q --db "$bat" quarantine retry > /dev/null 2>&1
	t_sql "$bat" "CREATE TABLE fired (n INTEGER); DROP TRIGGER $1_${2#agg_}_ins;
		CREATE TRIGGER $1_${2#agg_}_ins AFTER INSERT ON $2 BEGIN
		INSERT INTO fired VALUES (1); END;"
	"$TLSWATCH" -q --db "$bat" ingest "$4" > /dev/null 2>&1
	t_check "batch: reports stored" test "$(t_sql "$bat" "select count(*) from report")" -gt 50
	t_eq "batch: $5's triggers off while it stores" "$(t_sql "$bat" "select count(*) from fired")" 0
	t_check "batch: $3 written by the batch" test "$(t_sql "$bat" "select count(*) from $3")" -gt 0
	t_eq "batch: its sums exact (db check)" "$("$TLSWATCH" --db "$bat" db check 2>&1; echo $?)" 0
}
