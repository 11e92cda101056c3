#!/bin/sh
# alert_shared.sh - the reads shared by a run (issue 18) change no output:
# 'alert' judging several days from one read of the series, and the
# overview computing its days not in yet once for the current alerts and
# the summary, answer byte for byte what the reads of each day apart
# answer (TLSWATCH_NO_SHARED_READS=1, the code before issue 18's alert
# work). The store holds spikes on several days of the lookback, a late
# reporter (yesterday not in yet), and reports of both provenances
# (files, and mail not checked), so that every part of the output shows.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
t_dkim_off
cd "$T"
DB="$T/a.db"

today=$(($(date -u +%s) / 86400))
day() { date -u -d "@$((($today - $1) * 86400))" +%F; }
start=$(day 40)

# files (provenance file) for six domains, mail (unverified-mail) for
# eight: example-7.test and example-8.test rest on mail alone
"$GEN" --out "$T/files" --seed 41 --start "$start" --days 40 --domains 6 --duplicates 20 \
	--spike "example.com,mx1.example.com,certificate-expired,$(day 1),120" \
	--spike "example.net,mx2.example.net,starttls-not-supported,$(day 3),60" \
	--spike "example.org,mx1.example.org,validation-failure,$(day 6),80" \
	--format gz > /dev/null || t_fail "gen files" "exit $?"
"$GEN" --out "$T/mail" --seed 42 --start "$start" --days 40 --domains 8 \
	--spike "example-7.test,mx1.example-7.test,validation-failure,$(day 2),70" \
	--spike "example.com,mx1.example.com,certificate-expired,$(day 5),60" \
	--format mbox > /dev/null || t_fail "gen mail" "exit $?"
# two reporters of small.test and big.test; Microsoft's small.test report
# of yesterday has not come yet; Google's of four days ago fail
mkdir "$T/late"
awk -v dir="$T/late" -v first=$((today - 40)) -v days=40 -v bad=$((today - 4)) \
	-f "$TOP/tests/golden/arrival_month.awk" || t_fail "arrival_month.awk" "exit $?"
rm "$T/late/$((today - 1)).m.small.test.json"
"$TLSWATCH" -q --db "$DB" ingest "$T"/files/* "$T"/late/* > /dev/null 2>&1
"$TLSWATCH" -q --db "$DB" ingest "$T"/mail/reports.mbox > /dev/null 2>&1
t_check "both provenances stored" test \
	"$(t_sql "$DB" "select count(distinct provenance) from report")" -ge 2

# run MODE FORMAT: 'alert' on a copy of the store with no alert state, so
# that both modes judge the same days
run() {
	cp "$DB" "$T/run.db"
	rm -f "$T/run.db-wal" "$T/run.db-shm"
	if [ "$1" = apart ]; then
		TLSWATCH_NO_SHARED_READS=1 "$TLSWATCH" --db "$T/run.db" alert --lookback 8d \
			--format "$2" > "$T/alert.$1.$2" 2> "$T/alert.$1.$2.err"
	else
		"$TLSWATCH" --db "$T/run.db" alert --lookback 8d --format "$2" \
			> "$T/alert.$1.$2" 2> "$T/alert.$1.$2.err"
	fi
	echo "exit $?" >> "$T/alert.$1.$2"
}
pages() {
	[ "$1" = apart ] && export TLSWATCH_NO_SHARED_READS=1
	printf '[alert]\nlookback = 8d\n' > "$T/web.conf"
	if ! web_start --config "$T/web.conf" --db "$DB" web --listen 127.0.0.1:0; then
		t_fail "dashboard starts ($1)" "$(cat "$T/web.err")"
		unset TLSWATCH_NO_SHARED_READS
		return
	fi
	unset TLSWATCH_NO_SHARED_READS
	for q in root: since_30d:?since=30d all_1:?all=1; do
		curl -s -o "$T/page.$1.${q%%:*}" "$WEB_URL/${q#*:}" ||
			t_fail "GET /${q#*:} ($1)" "curl exit $?"
	done
	web_stop
	t_check "sanitizer clean ($1)" web_sanitizer_clean
}

for mode in apart shared; do
	run "$mode" json
	run "$mode" text
	pages "$mode"
done

# the reference is worth comparing with: alerts of several days, some
# resting on mail alone, a day not in yet
j=$T/alert.apart.json
t_check "alerts found ($(grep -c '"kind"' "$j"))" test "$(grep -c '"kind"' "$j")" -ge 6
t_check "alerts of several days" test \
	"$(sed '$d' "$j" | jq -r '[.alerts[].day] | unique | length')" -ge 3
t_check "some rest on unverified reports only" grep -q '"unverified_only": true' "$j"
t_check "the overview lists a day not in yet" grep -q -F \
	"$(day 1) small.test: 1 of 2 usual reporters in so far" "$T/page.apart.root"
t_check "the overview lists current alerts" test \
	"$(sed -n '/id="alerts"/,/<\/ul>/p' "$T/page.apart.root" | grep -c '<li>')" -ge 4

for f in alert.X.json alert.X.text page.X.root page.X.since_30d page.X.all_1; do
	a=$T/$(echo "$f" | sed 's/X/apart/')
	b=$T/$(echo "$f" | sed 's/X/shared/')
	if cmp -s "$a" "$b"; then
		t_pass "$(echo "$f" | sed 's/X\.//'): shared reads give the same bytes"
	else
		t_fail "$(echo "$f" | sed 's/X\.//'): shared reads give the same bytes" \
			"$(diff "$a" "$b" | head -20)"
	fi
done
