# tests/month_lib.sh - what the per-month roll-up tests (tests/integration/
# month_roll.sh on SQLite, pg_month_roll.sh on PostgreSQL) share. Sourced
# after tests/lib.sh and tests/browser/web_lib.sh.
#
#   MONTHS            the month tables (schema/021, schema/pg/026)
#   month_inputs K    $T/a: 100 days of K domains from 2025-11-10 with
#                     re-sends and a spike, Google's January set aside in
#                     $T/late (it comes late); $T/b: 20 days of another seed
#                     overlapping them (conflicts), as a Maildir
#   month_views DB FILE  every CLI view of DB and its dashboard into FILE

MONTHS="roll_day roll_domain_month roll_org_month roll_failure_month agg_failure_month roll_mx_month
roll_type_month"

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
	web_start --db "$1" web --listen 127.0.0.1:0 || return
	for p in "/?all=1" "/?since=2025-11-17&until=2026-02-11" "/api/v1/summary?all=1" \
		"/api/v1/summary?since=2025-12-01&until=2026-02-01" \
		"/api/v1/summary?since=2025-11-17&until=2026-02-11&domain=example.com" \
		"/failures?all=1&group_by=organization" "/failures?all=1&group_by=mx" \
		"/api/v1/failures?all=1&group_by=result_type" "/metrics"; do
		echo "== $p"
		curl -s "$WEB_URL$p"
	done >> "$2"
	web_stop
}
