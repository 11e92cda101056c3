#!/bin/sh
# alert_small.sh - the failure-rate rule for small domains (docs/alerts.md,
# rule 1b). A quiet month of 30 small domains (2 to 20 sessions a day,
# 0.5 to 4 % failing; tests/golden/small_month.awk) stays silent on every
# one of 28 --at days; the same month with one domain's 8 of 8 sessions
# failing on one day alerts once, naming the domain, MX, result type and
# "8 of 8", under --min-failures; large generated months stay silent of
# this rule too (alert.sh checks their count rule).
. "$TOP/tests/lib.sh"

first=$(($(date -u -d 2026-06-01 +%s) / 86400))
month() { # DB [spike]
	mkdir -p "$T/$1"
	awk -v seed=2 -v domains=30 -v first="$first" -v days=60 -v spike="${2:-}" \
		-f "$TOP/tests/golden/small_month.awk" > "$T/$1/all" || t_fail "small_month.awk" "exit $?"
	(cd "$T/$1" && split -l 1 -a 5 all r. && ls r.* | xargs "$TLSWATCH" --db "$T/$1.db" ingest) ||
		t_fail "ingest $1" "exit $?"
}
month quiet
month spike 5,2026-07-15,8
t_eq "the spiked month differs from the quiet one in one report only" \
	"$(diff "$T/quiet/all" "$T/spike/all" | grep -c '^>')" 1

# every --at day of four weeks, each judged afresh
loud=""
for i in $(seq 2 29); do
	at=$(printf '2026-07-%02d' "$i")
	"$TLSWATCH" --db "$T/quiet.db" alert --at "$at" --repeat-after 0 --lookback 1 > "$T/out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$T/out" ] || loud="$loud $at(exit $rc: $(head -1 "$T/out"))"
done
t_eq "quiet small domains: silent on each of 28 days" "$loud" ""

: > "$T/all"
for i in $(seq 2 29); do
	at=$(printf '2026-07-%02d' "$i")
	"$TLSWATCH" --db "$T/spike.db" alert --at "$at" > "$T/out" 2> "$T/err"
	cat "$T/out" >> "$T/all"
done
t_eq "8 of 8: one alert in 28 daily runs" "$(wc -l < "$T/all")" 1
t_check "8 of 8: names domain, MX, result type, 8 of 8" grep -q -E \
	'^(new failure|failure spike): small-5.test, MX mx1.small-5.test, certificate-expired: 8 of 8 sessions failed on 2026-07-15; (none|[0-9]) in the 28 days before; seen by Small Reporter; what to check: the MX presented an expired certificate; renew it$' \
	"$T/all"
"$TLSWATCH" --db "$T/spike.db" alert --at 2026-07-16 --repeat-after 0 --format json > "$T/json"
t_eq "8 of 8: json says which rule" \
	"$(jq -c '[.alerts[] | [.rule, .window_failed_sessions, .window_sessions]]' "$T/json")" \
	'[["failure-rate",8,8]]'
