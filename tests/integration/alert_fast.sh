#!/bin/sh
# alert_fast.sh - alert at a provider's scale (issue 18, item 3) changes
# no output: the lookback's day marks read from roll_report_day, and the
# days not in yet read for the alerts' domains only, give byte for byte
# what the details give (TLSWATCH_NO_ROLLUPS=1: the day index counted)
# and what every domain's presence gives (TLSWATCH_NO_SHARED_READS=1: the
# reads of before issue 18). The store holds spikes on several days of the
# lookback, in many domains, and two domains whose reports of yesterday
# are not all in: one alert held back for its reporters, one naming who
# is missing. Each command runs twice on its own copy of the store (the
# second run judges what the first recorded).
. "$TOP/tests/lib.sh"
t_dkim_off
cd "$T"
DB="$T/a.db"

today=$(($(date -u +%s) / 86400))
day() { date -u -d "@$((($today - $1) * 86400))" +%F; }

"$GEN" --out "$T/gen" --seed 28 --start "$(day 40)" --days 40 --domains 8 --duplicates 5 \
	--spike "example.com,mx1.example.com,certificate-expired,$(day 1),150" \
	--spike "example.net,mx2.example.net,starttls-not-supported,$(day 2),70" \
	--spike "example-5.test,mx1.example-5.test,validation-failure,$(day 4),90" \
	--spike "example-9.test,mx1.example-9.test,sts-policy-invalid,$(day 6),60" \
	--spike "example-11.test,mx1.example-11.test,certificate-expired,$(day 9),80" \
	--format gz > /dev/null || t_fail "gen" "exit $?"
# small.test and big.test: Google's reports of yesterday fail, and
# Microsoft's of yesterday have not come
mkdir "$T/late"
awk -v dir="$T/late" -v first=$((today - 40)) -v days=40 -v bad=$((today - 1)) \
	-f "$TOP/tests/golden/arrival_month.awk" || t_fail "arrival_month.awk" "exit $?"
rm "$T/late/$((today - 1)).m.small.test.json" "$T/late/$((today - 1)).m.big.test.json"
find "$T/gen" "$T/late" -type f > "$T/inputs"
ls "$DATA"/samples/*.json >> "$T/inputs"
"$TLSWATCH" -q --db "$DB" ingest --from "$T/inputs" > /dev/null 2>&1
t_check "reports stored" test "$(t_sql "$DB" "select count(*) from report")" -gt 5000

# run MODE NAME ARGS...: 'alert ARGS' twice on a fresh copy of the store,
# into NAME.MODE (exit status and -v lines included)
run() {
	mode=$1 name=$2
	shift 2
	cp "$DB" "$T/run.db"
	rm -f "$T/run.db-wal" "$T/run.db-shm"
	for i in 1 2; do
		case $mode in
		rolled) "$TLSWATCH" -v --db "$T/run.db" alert "$@" ;;
		details) TLSWATCH_NO_ROLLUPS=1 "$TLSWATCH" -v --db "$T/run.db" alert "$@" ;;
		apart) TLSWATCH_NO_SHARED_READS=1 "$TLSWATCH" -v --db "$T/run.db" alert "$@" ;;
		esac
		echo "exit $?"
	done > "$T/$name.$mode" 2>&1
}
names=
for args in "json:--format json" "text:--format text" "lookback:--lookback 12d --format json" \
	"at3:--at $(day 3) --format json" "repeat0:--repeat-after 0 --lookback 10d --format text" \
	"window2:--window 2d --min-failures 5 --format json"; do
	name=${args%%:*}
	names="$names $name"
	for mode in rolled details apart; do
		# shellcheck disable=SC2086
		run "$mode" "$name" ${args#*:}
	done
done

# the reference is worth comparing with
j=$T/json.apart
t_check "alerts found ($(grep -c '"kind"' "$j"))" test "$(grep -c '"kind"' "$j")" -ge 5
t_check "alerts of several days" test \
	"$(sed -n '/^{/,/^}/p' "$j" | jq -r '[.alerts[].day] | unique | length' | head -1)" -ge 3
t_check "an alert names reporters not in yet" grep -q '"missing_reporters": "Microsoft' "$j"
t_check "an alert waits for its reporters" grep -q 'wait.* for usual reporters not in yet' "$j"
t_check "the second run sends nothing new" grep -q 'already sent' "$j"
t_check "a later --at finds other alerts" test "$(grep -c '"kind"' "$T/at3.apart")" -ge 2

for name in $names; do
	t_same "alert $name: the same from the roll-ups as from the details" \
		"$T/$name.details" "$T/$name.rolled"
	t_same "alert $name: the same as every domain's days not in yet read" \
		"$T/$name.apart" "$T/$name.rolled"
done
