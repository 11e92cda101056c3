#!/bin/sh
# tests/integration/trust_conflict.sh - issue 11: a report with the same
# (organization, report-id) as a stored one but other content is a
# conflict, never a silent duplicate: exit 1 with one line, the second copy
# held in quarantine with the reason, 'quarantine pick' swaps the copies,
# and the stronger provenance wins (file over https). After any of it,
# every aggregate equals a store that only ever saw the winning report.
# Re-sends that differ only in formatting stay duplicates.
. "$TOP/tests/lib.sh"
. "$TOP/tests/browser/web_lib.sh"
trap 'web_stop; rm -rf "$T"' EXIT

D=$DATA/trust
CFG=$T/record.conf
printf '[trust]\ndkim = record\n' > "$CFG"
tw() { "$TLSWATCH" --config "$CFG" "$@"; }
# post FILE [BODY]: POST a report to the running intake; prints the status
post() {
	curl -s -o "${2:-/dev/null}" -w '%{http_code}' -H 'Content-Type: application/tlsrpt+json' \
		--data-binary @"$1" "$WEB_INTAKE_URL"
}
# every figure a summary or the dashboard reads, in one dump
figures() {
	for t in agg_domain agg_failure agg_policy_type agg_mx; do
		t_sql "$1" "select '$t', * from $t order by 1, 2, 3, 4, 5"
	done
	t_sql "$1" "select r.organization, r.report_id, r.successful_sessions, r.failed_sessions,
		(select count(*) from policy p where p.report = r.id),
		(select count(*) from failure f join policy p on p.id = f.policy where p.report = r.id)
		from report r order by 1, 2"
	tw --db "$1" summary --all --format json | jq -S "del(.quarantined, .conflicts)"
}

# the store that only ever saw the genuine report
tw --db "$T/winner.db" ingest "$D/genuine.json"
figures "$T/winner.db" > "$T/winner.fig"
t_check "winner figures hold the genuine failures" grep -q 3988 "$T/winner.fig"

# --- same key, different content, same provenance: the first stays --------
DB=$T/a.db
tw --db "$DB" ingest "$D/forged.json"
t_eq "forged first: exit 0" "$?" 0
tw --db "$DB" ingest "$D/genuine.json" > "$T/out" 2> "$T/err"
t_eq "conflict: exit 1" "$?" 1
t_eq "conflict: one line" "$(wc -l < "$T/err")" 1
t_check "conflict: the line names it" grep -q "genuine.json: quarantined: conflicts with report 1 (same organization and report-id, different content)" "$T/err"
t_eq "conflict: both byte sets kept" \
	"$(t_sql "$DB" "select count(*) from report") $(t_sql "$DB" "select count(*) from quarantine where conflict_report = 1")" "1 1"
tw --db "$DB" quarantine list > "$T/list"
t_check "quarantine list shows the conflict" grep -q "conflicts with report 1 (same organization and report-id, different content)" "$T/list"
tw --db "$DB" quarantine show 1 --raw > "$T/raw"
t_check "held copy is byte-exact" cmp "$T/raw" "$D/genuine.json"
tw --db "$DB" summary --all > "$T/sum"
t_check "summary has a conflicts line" grep -q "1 conflicting report held" "$T/sum"
tw --db "$DB" ingest "$D/genuine-reformatted.json" > /dev/null 2>&1
t_eq "a reformatted copy of the held one is held too (exit 1)" "$?" 1
tw --db "$DB" alert --repeat-after 0 --format json > "$T/alert.json"
t_eq "alert: exit 1" "$?" 1
t_eq "alert: kind conflicting-report, count" \
	"$(jq -r '.alerts[] | select(.kind == "conflicting-report") | "\(.organization) \(.conflicts)"' "$T/alert.json")" \
	"Google Inc. 2"
if web_start --config "$CFG" --db "$DB" web --listen 127.0.0.1:0; then
	curl -s "$WEB_URL/" > "$T/overview.html"
	curl -s "$WEB_URL/quarantine/1" > "$T/q1.html"
	t_check "dashboard: the held record links the report it conflicts with" \
		grep -q 'id="conflict">with <a href="/reports/1">report #1</a>' "$T/q1.html"
	t_check "dashboard: conflict count with a link" \
		grep -q 'id="conflicts".*<div class="value fail">2</div><div class="delta"><a href="/quarantine">' "$T/overview.html"
	web_stop
else
	t_fail "dashboard starts" "$(cat "$T/web.err")"
fi

# --- pick swaps the copies; figures equal the winner-only store ------------
tw --db "$DB" quarantine pick 1
t_eq "pick: exit 0" "$?" 0
figures "$DB" > "$T/a.fig"
t_check "after pick: every figure equals the winner-only store" cmp "$T/a.fig" "$T/winner.fig"
t_eq "after pick: the forged copy is held" \
	"$(t_sql "$DB" "select count(*) from quarantine where released is null and reason like 'superseded%' and conflict_report is not null")" 1
t_eq "after pick: raw reports equal the reports" \
	"$(t_sql "$DB" "select count(*) from raw_report")" "$(t_sql "$DB" "select count(*) from report")"
fq=$(t_sql "$DB" "select id from quarantine where reason like 'superseded%'")
tw --db "$DB" quarantine pick "$fq"
t_eq "picked back: the forged figures count" "$(t_sql "$DB" "select failed_sessions from report")" 0
gq=$(t_sql "$DB" "select id from quarantine where released is null and reason like 'superseded%'")
tw --db "$DB" quarantine pick "$gq"
t_eq "pick back and forth: figures still equal" "$(figures "$DB" | cmp - "$T/winner.fig" && echo same)" same

# --- formatting differences are duplicates ---------------------------------
DB=$T/b.db
tw --db "$DB" ingest "$D/genuine.json"
tw --db "$DB" -v ingest "$D/genuine-reformatted.json" > "$T/out" 2>&1
t_eq "whitespace, key order, 3988.0: duplicate, exit 0" "$?" 0
t_check "reformatted: says duplicate" grep -q ': duplicate$' "$T/out"
t_eq "reformatted: nothing quarantined" "$(t_sql "$DB" "select count(*) from quarantine")" 0

# --- a pre-emptive POST cannot beat a file (provenance) ---------------------
DB=$T/c.db
tw --db "$DB" ingest "$D/genuine.json" > /dev/null
if web_start --config "$CFG" --db "$DB" web --listen 127.0.0.1:0 --intake; then
	code=$(post "$D/forged.json" "$T/body")
	t_eq "intake: a conflicting POST is refused with 409" "$code" 409
	t_check "intake: the answer names the conflict" grep -q "conflicts with report 1" "$T/body"
	code=$(post "$D/genuine-reformatted.json")
	t_eq "intake: a reformatted re-send is a duplicate (200)" "$code" 200
	web_stop
else
	t_fail "intake starts" "$(cat "$T/web.err")"
fi
figures "$DB" > "$T/c.fig"
t_check "POST after file: figures equal the winner-only store" cmp "$T/c.fig" "$T/winner.fig"

# the other order: the POST came first, the file supersedes it
DB=$T/d.db
if web_start --config "$CFG" --db "$DB" web --listen 127.0.0.1:0 --intake; then
	code=$(post "$D/forged.json")
	t_eq "intake: the forged POST is stored first" "$code" 201
	web_stop
else
	t_fail "intake starts" "$(cat "$T/web.err")"
fi
tw --db "$DB" ingest "$D/genuine.json" > "$T/out" 2> "$T/err"
t_eq "file after POST: exit 1" "$?" 1
t_check "file after POST: says it supersedes" grep -q "genuine.json: stored, superseding report 1 " "$T/err"
figures "$DB" > "$T/d.fig"
t_check "file after POST: figures equal the winner-only store" cmp "$T/d.fig" "$T/winner.fig"
t_eq "file after POST: the POSTed copy is held, provenance kept" \
	"$(t_sql "$DB" "select kind || ' ' || provenance from quarantine where released is null")" "https https"

# --- an unverified mail cannot beat a file ---------------------------------
DB=$T/e.db
tw --db "$DB" ingest "$D/genuine.json" > /dev/null
{
	printf 'From: noreply-smtp-tls-reporting@google.com\nMessage-ID: <forged@example.org>\n'
	printf 'Subject: Report Domain: example.com\nContent-Type: application/tlsrpt+json\n\n'
	cat "$D/forged.json"
} > "$T/forged.eml"
{
	printf 'From: noreply-smtp-tls-reporting@google.com\nMessage-ID: <genuine@example.org>\n'
	printf 'Subject: Report Domain: example.com\nContent-Type: application/tlsrpt+json\n\n'
	cat "$D/genuine.json"
} > "$T/genuine-mail.eml"
tw --db "$DB" ingest "$T/forged.eml" > /dev/null 2>&1
t_eq "unverified mail after file: exit 1" "$?" 1
figures "$DB" > "$T/e.fig"
t_check "unverified mail after file: figures equal the winner-only store" cmp "$T/e.fig" "$T/winner.fig"

# --- real data: two anonymisations of one Google report --------------------
DB=$T/f.db
M=$DATA/mail/isseis__tlsrpt-digest
tw --db "$DB" ingest "$M/testdata__tlsrpt_success.eml" "$M/testdata__tlsrpt_success_google_2.eml" > /dev/null 2>&1
t_eq "sample re-send with other content: exit 1" "$?" 1
t_eq "sample re-send: held as a conflict" "$(t_sql "$DB" "select count(*) from quarantine where conflict_report is not null")" 1

# --- [web] intake_allow: POSTs only from the listed networks ----------------
DB=$T/h.db
printf '[trust]\ndkim = record\n[web]\nintake_allow = 192.0.2.0/24 2001:db8::/32\n' > "$T/allow.conf"
if web_start --config "$T/allow.conf" --db "$DB" web --listen 127.0.0.1:0 --intake; then
	code=$(post "$D/genuine.json" "$T/body")
	t_eq "intake_allow: 127.0.0.1 not listed: 403" "$code" 403
	t_check "intake_allow: the answer says why" grep -q 'intake_allow' "$T/body"
	t_eq "intake_allow: nothing stored" "$(t_sql "$DB" "select count(*) from report")" 0
	web_stop
else
	t_fail "intake with intake_allow starts" "$(cat "$T/web.err")"
fi
printf '[trust]\ndkim = record\n[web]\nintake_allow = 192.0.2.0/24, 127.0.0.0/8\n' > "$T/allow.conf"
if web_start --config "$T/allow.conf" --db "$DB" web --listen 127.0.0.1:0 --intake; then
	code=$(post "$D/genuine.json")
	t_eq "intake_allow: 127.0.0.0/8 listed: 201" "$code" 201
	t_eq "intake_allow: stored with provenance https and the client address" \
		"$(t_sql "$DB" "select r.provenance || ' ' || s.name from report r join source s on s.id = r.source_id")" \
		"https 127.0.0.1"
	web_stop
else
	t_fail "intake with intake_allow starts" "$(cat "$T/web.err")"
fi
printf '[web]\nintake_allow = 192.0.2.1/24\n' > "$T/allow.conf"
"$TLSWATCH" --config "$T/allow.conf" --db "$DB" web --listen 127.0.0.1:0 --intake > /dev/null 2> "$T/err"
t_eq "intake_allow with host bits set: exit 2" "$?" 2
t_check "intake_allow: the error names the setting" grep -q 'intake_allow' "$T/err"

# --- [trust] domains: other domains' policies are not counted ---------------
DB=$T/dom.db
printf '[trust]\ndkim = off\ndomains = example.com *.example.org\n' > "$T/dom.conf"
"$TLSWATCH" --config "$T/dom.conf" --db "$DB" ingest "$D/mixed-domains.json" "$D/other-domains.json" \
	> /dev/null 2> "$T/err"
t_eq "domains: exit 1 (one report for none of them)" "$?" 1
t_eq "domains: the other report is held with the reason" \
	"$(t_sql "$DB" "select reason from quarantine")" "not for a configured domain: evil.example"
t_eq "domains: only example.com and *.example.org are counted" \
	"$(t_sql "$DB" "select policy_domain || ' ' || successful_sessions || ' ' || failed_sessions from agg_domain order by 1")" \
	"example.com 10 2
mail.example.org 5 0"
t_eq "domains: no failure of evil.example counted" \
	"$(t_sql "$DB" "select count(*) from agg_failure where policy_domain = 'evil.example'")" 0
"$TLSWATCH" --db "$DB" show 1 --raw > "$T/raw"
t_check "domains: the raw report is kept whole" cmp "$T/raw" "$D/mixed-domains.json"
if web_start --config "$T/dom.conf" --db "$T/dom2.db" web --listen 127.0.0.1:0 --intake; then
	code=$(post "$D/other-domains.json" "$T/body")
	t_eq "domains: a POST for none of them: 400" "$code" 400
	t_check "domains: the POST's answer names the domain" grep -q 'not for a configured domain: evil.example' "$T/body"
	web_stop
else
	t_fail "intake with domains starts" "$(cat "$T/web.err")"
fi

# --- alerts say when they rest only on unverified reports --------------------
"$TLSWATCH" --db "$T/e.db" alert --at 2026-11-02 --repeat-after 0 --format json > "$T/a.json"
t_eq "alert from a file's report: not unverified-only" \
	"$(jq -r '[.alerts[] | select(.kind == "new-failure") | .unverified_only] | unique | join(",")' "$T/a.json")" false
printf '[trust]\ndkim = record\n' > "$T/rec.conf"
"$TLSWATCH" --config "$T/rec.conf" --db "$T/um.db" ingest "$T/genuine-mail.eml" 2> /dev/null
"$TLSWATCH" --db "$T/um.db" alert --at 2026-11-02 --repeat-after 0 > "$T/a.txt"
t_check "alert from an unverified mail says so" grep -q 'rests only on unverified reports$' "$T/a.txt"

# --- pick counts the other reports of the day as they were stored ----------
# After 'quarantine pick', the day's aggregates are made again from what
# each remaining report was stored as, not from its raw bytes alone: a
# report completed from its mail (an empty organization-name named by
# TLS-Report-Submitter) and cut to the [trust] domains keeps exactly the
# figures it was stored with.
printf '[trust]\ndkim = off\ndomains = example.com\n' > "$T/pick.conf"
twd() { "$TLSWATCH" --config "$T/pick.conf" "$@"; }
# only STORE FILE...: a store that only ever saw these inputs; its figures
# in STORE.fig
only() {
	db=$1
	shift
	twd --db "$db" ingest "$@" > /dev/null 2>&1
	figures "$db" > "$db.fig"
}
only "$T/second.db" "$D/context-empty-org.eml" "$D/reporter-second.json"
only "$T/first.db" "$D/context-empty-org.eml" "$D/reporter-first.json"
t_eq "context and domains: the completed report counts under the submitter, for example.com only" \
	"$(t_sql "$T/second.db" "select organization || ' ' || policy_domain || ' ' || successful_sessions || ' ' || failed_sessions from agg_domain order by 1")" \
	"reporter.example example.com 100 43"
# pick_held NAME WANT: picks the held conflict of $DB; every figure must
# then equal store WANT's
pick_held() {
	q=$(t_sql "$DB" "select id from quarantine where conflict_report is not null and released is null")
	twd --db "$DB" quarantine pick "$q"
	t_eq "context and domains: $1: exit 0" "$?" 0
	figures "$DB" > "$T/pick.fig"
	t_check "context and domains: $1: every figure equals the store that saw only that copy" \
		cmp "$T/pick.fig" "$2.fig"
}
DB=$T/pick.db
twd --db "$DB" ingest "$D/context-empty-org.eml" "$D/reporter-first.json"
t_eq "context and domains: first two stored" "$?" 0
twd --db "$DB" ingest "$D/reporter-second.json" > /dev/null 2>&1
t_eq "context and domains: the second copy conflicts (exit 1)" "$?" 1
pick_held "pick" "$T/second.db"
t_eq "context and domains: after pick: nothing counted under an empty organization" \
	"$(t_sql "$DB" "select count(*) from agg_domain where organization = ''")" 0
t_eq "context and domains: after pick: nothing of the domain [trust] leaves out" \
	"$(t_sql "$DB" "select count(*) from agg_failure where policy_domain = 'elsewhere.example'")" 0
pick_held "pick back" "$T/first.db"
