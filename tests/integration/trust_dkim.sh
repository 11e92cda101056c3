#!/bin/sh
# tests/integration/trust_dkim.sh - issue 11: mailed reports must be
# DKIM-signed by the reporting domain (RFC 8460 section 3). Test mail is
# signed with a test key (build/tools/dkim_sign, libopendkim) and the key
# is served the way production finds it: by a real DNS server (dnsmasq on
# a random loopback port) that tlswatch queries ([trust] resolver).
# Covers pass, body altered, wrong d=, a public suffix as d= (co.uk for
# example.co.uk), no signature, expired, a DNS
# timeout (temperror: held, 'quarantine retry' stores it once DNS
# answers), dkim = record, and the Authentication-Results way with forged
# headers above and below the trusted one.
. "$TOP/tests/lib.sh"

SIGN=$TOP/build/tools/dkim_sign
D=$DATA/trust
DNS_PID=
trap '[ -n "$DNS_PID" ] && kill -CONT "$DNS_PID" 2>/dev/null; [ -n "$DNS_PID" ] && kill "$DNS_PID" 2>/dev/null; rm -rf "$T"' EXIT

# --- keys, and a DNS server publishing them ---------------------------------
for k in google evil; do
	openssl genrsa -out "$T/$k.pem" 1024 2> /dev/null
	openssl rsa -in "$T/$k.pem" -pubout -outform DER 2> /dev/null | base64 -w0 > "$T/$k.pub"
done
dns_start() {
	tries=0
	while [ $tries -lt 10 ]; do
		n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		DNS_PORT=$((20000 + n % 40000))
		dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
			--listen-address=127.0.0.1 --port="$DNS_PORT" --log-facility=- \
			--txt-record="sel._domainkey.google.com,v=DKIM1; k=rsa; p=$(cat "$T/google.pub")" \
			--txt-record="sel._domainkey.evil.example,v=DKIM1; k=rsa; p=$(cat "$T/evil.pub")" \
			--txt-record="sel._domainkey.co.uk,v=DKIM1; k=rsa; p=$(cat "$T/evil.pub")" \
			--txt-record="sel._domainkey.example.co.uk,v=DKIM1; k=rsa; p=$(cat "$T/google.pub")" \
			> "$T/dns.log" 2>&1 &
		DNS_PID=$!
		i=0
		while [ $i -lt 50 ]; do
			grep -q 'started' "$T/dns.log" && return 0
			kill -0 "$DNS_PID" 2> /dev/null || break
			sleep 0.1
			i=$((i + 1))
		done
		kill "$DNS_PID" 2> /dev/null
		wait "$DNS_PID" 2> /dev/null
		DNS_PID=
		tries=$((tries + 1))
	done
	return 1
}
if ! dns_start; then
	t_fail "dnsmasq starts" "$(cat "$T/dns.log")"
	exit 0
fi
t_pass "dnsmasq serves the test keys"

# a report mail from Google, carrying tests/data/trust/genuine.json
mail() { # mail FROM BODYTEXT JSONFILE
	printf 'From: %s\nTo: tlsrpt@example.com\nSubject: Report Domain: example.com\n' "$1"
	printf 'Message-ID: <%s@test>\nDate: Mon, 02 Nov 2026 03:00:00 +0000\n' "$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
	printf 'TLS-Report-Domain: example.com\nTLS-Report-Submitter: google.com\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/report; report-type=tlsrpt; boundary=B\n\n--B\n'
	printf 'Content-Type: text/plain\n\n%s\n--B\n' "$2"
	printf 'Content-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n\n'
	gzip -nc "$3" | base64
	printf -- '--B--\n'
}
FROM=noreply-smtp-tls-reporting@google.com
mail "$FROM" "This is an aggregate TLS report from google.com" "$D/genuine.json" > "$T/plain.eml"
"$SIGN" -d google.com -s sel -k "$T/google.pem" < "$T/plain.eml" > "$T/signed.eml"
sed 's/^This is an aggregate TLS report from google.com$/This is an altered report/' \
	"$T/signed.eml" > "$T/altered.eml"
"$SIGN" -d evil.example -s sel -k "$T/evil.pem" < "$T/plain.eml" > "$T/evil.eml"
"$SIGN" -d google.com -s sel -k "$T/google.pem" -t 1600000000 -x 3600 < "$T/plain.eml" \
	> "$T/expired.eml"
t_check "altered mail differs from the signed one" sh -c "! cmp -s '$T/signed.eml' '$T/altered.eml'"

REQ=$T/require.conf
printf '[trust]\nresolver = 127.0.0.1:%s\ndns_timeout = 1\n' "$DNS_PORT" > "$REQ"
tw() { "$TLSWATCH" --config "$REQ" "$@"; }

# --- pass -------------------------------------------------------------------
DB=$T/a.db
tw --db "$DB" ingest "$T/signed.eml" > "$T/out" 2>&1
t_eq "signed by google.com: exit 0" "$?" 0
t_eq "signed: stored dkim-verified, d= recorded" \
	"$(t_sql "$DB" "select r.provenance || ' ' || s.dkim || ' ' || s.dkim_domain from report r join source s on s.id = r.source_id")" \
	"dkim-verified pass google.com"
tw --db "$DB" show 1 > "$T/show"
t_check "show: provenance line" grep -q '^  provenance: *dkim-verified$' "$T/show"
t_check "show: DKIM domain" grep -q '^  dkim-domain: *google.com$' "$T/show"
tw --db "$DB" reports --all --provenance dkim-verified --format json > "$T/list.json"
t_eq "reports --provenance dkim-verified lists it" "$(jq -r '.reports[0].provenance' "$T/list.json")" dkim-verified

# --- refused under the default dkim = require --------------------------------
refused() { # refused NAME FILE REASON
	db=$T/r-$1.db
	tw --db "$db" ingest "$2" > "$T/out" 2>&1
	rc=$?
	t_eq "$1: exit 1" "$rc" 1
	t_eq "$1: nothing stored" "$(t_sql "$db" "select count(*) from report")" 0
	got=$(t_sql "$db" "select reason from quarantine")
	case "$got" in "$3"*) t_pass "$1: reason" ;; *) t_fail "$1: reason" "got '$got', want '$3...'" ;; esac
	t_check "$1: one line says so" grep -q "quarantined: $3" "$T/out"
}
refused "body altered" "$T/altered.eml" \
	"not DKIM-signed by the reporting domain (dkim=fail header.d=google.com)"
refused "wrong d=" "$T/evil.eml" \
	"not DKIM-signed by the reporting domain (dkim=fail header.d=evil.example)"
refused "no signature" "$T/plain.eml" "not DKIM-signed by the reporting domain (dkim=none)"
# a public suffix is no parent (Public Suffix List): co.uk never signs for
# example.co.uk, while example.co.uk signs for its own subdomains
mail "tlsrpt@reports.example.co.uk" "A report" "$D/genuine.json" > "$T/uk.eml"
"$SIGN" -d co.uk -s sel -k "$T/evil.pem" < "$T/uk.eml" > "$T/suffix.eml"
refused "signed by the public suffix co.uk" "$T/suffix.eml" \
	"not DKIM-signed by the reporting domain (dkim=fail header.d=co.uk)"
t_eq "co.uk: its signature itself verified (refused for the domain alone)" \
	"$(t_sql "$T/r-signed by the public suffix co.uk.db" "select reason from quarantine")" \
	"not DKIM-signed by the reporting domain (dkim=fail header.d=co.uk)"
"$SIGN" -d example.co.uk -s sel -k "$T/google.pem" < "$T/uk.eml" > "$T/registrable.eml"
tw --db "$T/uk.db" ingest "$T/registrable.eml" > "$T/out" 2>&1
t_eq "signed by the registrable domain example.co.uk: exit 0" "$?" 0
t_eq "signed by example.co.uk: dkim-verified" \
	"$(t_sql "$T/uk.db" "select r.provenance || ' ' || s.dkim_domain from report r join source s on s.id = r.source_id")" \
	"dkim-verified example.co.uk"
refused "expired" "$T/expired.eml" \
	"not DKIM-signed by the reporting domain (dkim=fail header.d=google.com): signature expired"
# with no configuration at all (dkim = require is the default)
printf '' > "$T/empty.conf"
"$TLSWATCH" --config "$T/empty.conf" --db "$T/default.db" ingest "$T/plain.eml" > /dev/null 2>&1
t_eq "no [trust] section: an unsigned mail is quarantined (exit 1)" "$?" 1
t_eq "no [trust] section: reason dkim=none" "$(t_sql "$T/default.db" "select reason from quarantine")" \
	"not DKIM-signed by the reporting domain (dkim=none)"
# a report file is the operator's own: no DKIM asked
tw --db "$T/file.db" ingest "$D/genuine.json"
t_eq "a JSON file: provenance file" "$(t_sql "$T/file.db" "select provenance from report")" file

# --- DNS silent: temperror, held, retried later ------------------------------
DB=$T/t.db
kill -STOP "$DNS_PID"
start=$(date +%s)
tw --db "$DB" ingest "$T/signed.eml" > "$T/out" 2>&1
rc=$?
end=$(date +%s)
kill -CONT "$DNS_PID"
t_eq "DNS timeout: exit 1" "$rc" 1
t_eq "DNS timeout: held with temperror" "$(t_sql "$DB" "select reason from quarantine")" \
	"not DKIM-signed by the reporting domain (dkim=temperror header.d=google.com): key DNS query failed"
t_check "DNS timeout: bounded by dns_timeout (well under 30 s)" test $((end - start)) -lt 30
tw --db "$DB" quarantine retry
t_eq "retry once DNS answers: exit 0" "$?" 0
t_eq "retry: stored dkim-verified" "$(t_sql "$DB" "select provenance from report")" dkim-verified

# --- dkim = record: stored, marked unverified --------------------------------
printf '[trust]\ndkim = record\nresolver = 127.0.0.1:%s\ndns_timeout = 1\n' "$DNS_PORT" > "$T/record.conf"
"$TLSWATCH" --config "$T/record.conf" --db "$T/rec.db" ingest "$T/plain.eml" "$T/evil.eml" > /dev/null 2>&1
t_eq "record: stored, exit 0" "$?" 0
t_eq "record: unverified-mail with its result" \
	"$(t_sql "$T/rec.db" "select r.provenance || ' ' || s.dkim from report r join source s on s.id = r.source_id order by r.id")" \
	"unverified-mail none"

# --- a verified mail beats a forged POST-like copy; never the reverse --------
DB=$T/g.db
tw --db "$DB" ingest "$D/forged.json" > /dev/null
t_sql "$DB" "update report set provenance = 'https'"
tw --db "$DB" ingest "$T/signed.eml" > "$T/out" 2>&1
t_eq "verified mail after an https copy: exit 1 (a conflict)" "$?" 1
t_eq "verified mail supersedes it" "$(t_sql "$DB" "select provenance || ' ' || failed_sessions from report")" "dkim-verified 3988"

# --- Authentication-Results from the postmaster's MTA ------------------------
AR=$T/ar.conf
printf '[trust]\nauthserv_id = mx.example.com\n' > "$AR"
ar_mail() { # ar_mail FILE HEADER...: the unsigned mail with these headers on top
	f=$1
	shift
	: > "$f"
	for h in "$@"; do printf '%s\n' "$h" >> "$f"; done
	cat "$T/plain.eml" >> "$f"
}
GOOD='Authentication-Results: mx.example.com; dkim=pass (2048-bit key) header.d=google.com header.s=20230601'
BAD='Authentication-Results: mx.example.com; dkim=fail (body hash did not verify) header.d=google.com'
ar_mail "$T/ar-pass.eml" "$GOOD"
ar_mail "$T/ar-gmail.eml" 'Authentication-Results: mx.example.com;
       dkim=pass header.i=@google.com header.s=20230601 header.b=AbCdEf;
       spf=pass (domain of noreply@google.com designates 209.85.1.1 as permitted sender) smtp.mailfrom=noreply@google.com'
ar_mail "$T/ar-forged-below.eml" "$BAD" "$GOOD"
ar_mail "$T/ar-forged-above.eml" \
	'Authentication-Results: evil.example; dkim=pass header.d=google.com' "$BAD"
ar_mail "$T/ar-none.eml" 'Authentication-Results: mx.other.example; dkim=pass header.d=google.com'
"$TLSWATCH" --config "$AR" --db "$T/ar1.db" ingest "$T/ar-pass.eml"
t_eq "A-R pass: stored dkim-verified" "$(t_sql "$T/ar1.db" "select r.provenance || ' ' || s.dkim_ar from report r join source s on s.id = r.source_id")" \
	"dkim-verified $GOOD"
"$TLSWATCH" --config "$AR" --db "$T/ar2.db" ingest "$T/ar-gmail.eml"
t_eq "A-R folded, header.i=@google.com: pass" "$(t_sql "$T/ar2.db" "select provenance from report")" dkim-verified
for c in forged-below forged-above; do
	"$TLSWATCH" --config "$AR" --db "$T/ar-$c.db" ingest "$T/ar-$c.eml" > /dev/null 2>&1
	t_eq "A-R $c: exit 1" "$?" 1
	t_eq "A-R $c: the trusted (topmost mx.example.com) header decides" \
		"$(t_sql "$T/ar-$c.db" "select reason from quarantine")" \
		"not DKIM-signed by the reporting domain (dkim=fail header.d=google.com)"
done
"$TLSWATCH" --config "$AR" --db "$T/ar5.db" ingest "$T/ar-none.eml" > /dev/null 2>&1
t_eq "A-R of another server only: reason" "$(t_sql "$T/ar5.db" "select reason from quarantine")" \
	"not DKIM-signed by the reporting domain (no Authentication-Results from mx.example.com)"
