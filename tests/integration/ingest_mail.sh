#!/bin/sh
# tests/integration/ingest_mail.sh - 'tlswatch ingest' on mail: every sample
# report mail as a file, the same mails as an mbox (mboxrd, with a quoted
# ">From " body line) and as a Maildir, from stdin; checked in the real
# SQLite file. A second run changes nothing; a DMARC report mail is
# not-a-report; a mail with a broken report is quarantined whole and
# byte-exact; an over-size message inside an mbox is quarantined truncated.
. "$TOP/tests/lib.sh"

MAIL=$DATA/mail
find "$MAIL" -type f \( -name '*.eml' -o -name '*.elm' \) | sort > "$T/samples"
t_eq "sample mails found" "$(wc -l < "$T/samples")" 16

reports() { t_sql "$1" "select organization || '|' || report_id from report order by 1"; }
count() { t_sql "$1" "select count(*) from $2"; }

# mboxrd writer: envelope line, ">*From " lines quoted, separating blank line.
mbox_add() {
	printf 'From MAILER-DAEMON Thu Jan  1 00:00:00 2024\n'
	sed -E 's/^(>*From )/>\1/' "$1"
	printf '\n'
}

# A report mail whose report is refused (valid gzip, not a report); its
# text part has a line starting "From " that an mbox must quote.
{
	printf 'From: reporter@example.net\nMessage-ID: <broken@example.net>\n'
	printf 'Subject: Report Domain: example.com\nTLS-Report-Domain: example.com\n'
	printf 'Content-Type: multipart/report; report-type=tlsrpt; boundary=B\n\n'
	printf -- '--B\nContent-Type: text/plain\n\nFrom the reporting team: see attached.\n'
	printf -- '--B\nContent-Type: application/tlsrpt+gzip\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	printf '{"organization-name":"x"}' | gzip -n | base64
	printf -- '--B--\n'
} > "$T/broken.eml"

# A DMARC aggregate report mail: gzip'd XML, not a TLS report.
{
	printf 'From: noreply-dmarc-support@google.com\nMessage-ID: <dmarc@google.com>\n'
	printf 'Subject: Report domain: example.com Submitter: google.com\n'
	printf 'Content-Type: multipart/mixed; boundary=D\n\n--D\n'
	printf 'Content-Type: application/gzip;\n name="google.com!example.com!1700000000!1700086399.xml.gz"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	printf '<feedback><report_metadata/></feedback>\n' | gzip -n | base64
	printf -- '--D--\n'
} > "$T/dmarc.eml"

# --- every sample mail as a file --------------------------------------------
DB=$T/files.db
# shellcheck disable=SC2046
$TLSWATCH --db "$DB" -v ingest $(cat "$T/samples") > "$T/out" 2>&1
t_eq "files: exit status" "$?" 0
t_eq "files: reports stored" "$(count "$DB" report)" 12
t_eq "files: stored lines" "$(grep -c ': stored$' "$T/out")" 12
t_eq "files: duplicate lines" "$(grep -c ': duplicate$' "$T/out")" 4
t_eq "files: nothing quarantined" "$(count "$DB" quarantine)" 0
# a source row records where each stored report came from; a re-send that
# only brings duplicates adds none
t_eq "files: one source per mail with a new report" "$(count "$DB" source)" 12
# report@2fac7de.elm starts with an mbox "From " line: a one-message mbox
t_eq "files: a From-line mail is a one-message mbox" \
	"$(grep -c 'report@2fac7de.elm#1: duplicate$' "$T/out")" 1
MOX="name like '%mjl-__mox/testdata__tlsreports__example.eml'"
t_eq "source: Message-ID" "$(t_sql "$DB" "select message_id from source where $MOX")" \
	"<000000000000f47cc505e8c8905c@google.com>"
t_eq "source: From" "$(t_sql "$DB" "select mail_from from source where $MOX")" \
	"noreply-smtp-tls-reporting@google.com"
t_eq "source: Date" "$(t_sql "$DB" "select mail_date from source where $MOX")" \
	"Fri, 16 Sep 2022 03:10:06 -0700"
t_eq "source: TLS-Report-Domain" "$(t_sql "$DB" "select tls_report_domain from source where $MOX")" \
	"test.xmox.nl"
t_eq "source: TLS-Report-Submitter" \
	"$(t_sql "$DB" "select tls_report_submitter from source where $MOX")" "google.com"
t_eq "source: auth headers" "$(t_sql "$DB" "select count(*) from source where $MOX and auth_headers like 'Authentication-Results: %' and auth_headers like '%DKIM-Signature: v=1; a=rsa-sha256;%'")" 1
t_eq "source: folded Subject unfolded" "$(t_sql "$DB" "select subject from source where name like '%mox/testdata__tlsreports__microsoft.eml'")" \
	"Report Domain: test.xmox.nl Submitter: microsoft.com Report-ID: 133198585438131172+test.xmox.nl"
t_eq "source: report linked to its mail" "$(t_sql "$DB" "select s.message_id from report r join source s on s.id = r.source_id where r.report_id = '2022-09-15T00:00:00Z_test.xmox.nl'")" \
	"<000000000000f47cc505e8c8905c@google.com>"
reports "$DB" > "$T/reports.files"

# --- a second run changes nothing -------------------------------------------
# shellcheck disable=SC2046
$TLSWATCH --db "$DB" -v ingest $(cat "$T/samples") > "$T/out" 2>&1
t_eq "again: exit status" "$?" 0
t_eq "again: all duplicate" "$(grep -c ': duplicate$' "$T/out")" 16
t_eq "again: reports unchanged" "$(count "$DB" report)" 12
t_eq "again: nothing quarantined" "$(count "$DB" quarantine)" 0

# --- the same mails as an mbox, plus the broken one -------------------------
while read -r f; do mbox_add "$f"; done < "$T/samples" > "$T/box.mbox"
mbox_add "$T/broken.eml" >> "$T/box.mbox"
t_check "mbox: body line quoted" grep -q '^>From the reporting team' "$T/box.mbox"
DB=$T/mbox.db
$TLSWATCH --db "$DB" -v ingest "$T/box.mbox" > "$T/out" 2>&1
t_eq "mbox: exit status (one quarantined)" "$?" 1
t_eq "mbox: same reports as the files" "$(reports "$DB")" "$(cat "$T/reports.files")"
t_eq "mbox: one source per message with a new report" "$(t_sql "$DB" "select count(*) from source where kind = 'mbox'")" 12
t_eq "mbox: messages named PATH#N" "$(grep -c "^$T/box.mbox#[0-9]*: \(stored\|duplicate\)$" "$T/out")" 16
t_eq "mbox: broken message quarantined" \
	"$(t_sql "$DB" "select kind || ' ' || name from quarantine")" "mbox $T/box.mbox#17"
$TLSWATCH --db "$DB" quarantine show "$(t_sql "$DB" 'select id from quarantine')" --raw > "$T/raw"
t_check "mbox: quarantined message is the original, unquoted" cmp "$T/raw" "$T/broken.eml"
$TLSWATCH --db "$DB" -v ingest "$T/box.mbox" > "$T/out" 2>&1
t_eq "mbox again: exit status" "$?" 1
t_eq "mbox again: nothing new" "$(count "$DB" report) $(count "$DB" quarantine)" "12 1"

# --- the same mails as a Maildir -------------------------------------------
mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
i=0
while read -r f; do
	i=$((i + 1))
	if [ $((i % 2)) -eq 0 ]; then
		cp "$f" "$T/md/cur/17000000$i.M1P1.host:2,S"
	else
		cp "$f" "$T/md/new/17000000$i.M1P1.host"
	fi
done < "$T/samples"
cp "$T/broken.eml" "$T/md/tmp/1700000099.M1P1.host"	# still being delivered
cp "$T/broken.eml" "$T/md/new/.hidden"
DB=$T/maildir.db
$TLSWATCH --db "$DB" -v ingest "$T/md" > "$T/out" 2>&1
t_eq "maildir: exit status" "$?" 0
t_eq "maildir: same reports as the files" "$(reports "$DB")" "$(cat "$T/reports.files")"
t_eq "maildir: one source per message with a new report" "$(t_sql "$DB" "select count(*) from source where kind = 'maildir'")" 12
t_eq "maildir: tmp/ and dot files skipped" "$(count "$DB" quarantine)" 0
t_eq "maildir: file name order" "$(sed -n 1p "$T/out" | cut -d: -f1)" "$T/md/new/170000001.M1P1.host"
$TLSWATCH --db "$DB" -v ingest "$T/md" > "$T/out" 2>&1
rc=$?
t_eq "maildir again: all duplicate, exit 0" "$rc $(grep -c ': duplicate$' "$T/out")" "0 16"
mkdir "$T/plain" && cp "$T"/md/new/* "$T/plain/"
$TLSWATCH --db "$DB" -v ingest "$T/plain" > "$T/out" 2>&1
t_eq "a directory that is no Maildir: its files read, all duplicate" \
	"$? $(grep -c ': duplicate$' "$T/out")" "0 $(ls "$T/plain" | wc -l)"

# --- a mail that carries no TLS report --------------------------------------
DB=$T/dmarc.db
$TLSWATCH --db "$DB" -v ingest "$T/dmarc.eml" > "$T/out" 2>&1
t_eq "dmarc: exit status" "$?" 0
t_eq "dmarc: not-a-report" "$(cat "$T/out")" "$T/dmarc.eml: not-a-report"
t_eq "dmarc: nothing stored or quarantined" "$(count "$DB" report) $(count "$DB" quarantine)" "0 0"

# --- a broken report: the whole message quarantined, byte-exact -------------
DB=$T/broken.db
$TLSWATCH --db "$DB" ingest "$T/broken.eml" > "$T/out" 2>&1
t_eq "broken: exit status" "$?" 1
t_check "broken: reason names the part" grep -q 'quarantined: part 1 (application/tlsrpt+gzip)' "$T/out"
$TLSWATCH --db "$DB" quarantine show "$(t_sql "$DB" 'select id from quarantine')" --raw > "$T/raw"
t_check "broken: quarantine show --raw equals the input" cmp "$T/raw" "$T/broken.eml"
t_eq "broken: nothing stored" "$(count "$DB" report)" 0

# --- stdin, as an MTA pipe delivers -----------------------------------------
DB=$T/stdin.db
$TLSWATCH --db "$DB" -v ingest - < "$MAIL/mjl-__mox/testdata__tlsreports__microsoft.eml" > "$T/out" 2>&1
t_eq "stdin: exit status" "$?" 0
t_eq "stdin: stored, named by Message-ID" \
	"$(t_sql "$DB" "select kind || ' ' || name from source")" \
	"stdin <133198585438131172+test.xmox.nl@test.xmox.nl>"

# --- an over-size message inside an mbox: quarantined truncated -------------
{
	printf 'From: big@example.net\nSubject: huge\nContent-Type: text/plain\n\n'
	head -c 13000000 /dev/zero | base64
} > "$T/big.eml"
{
	mbox_add "$MAIL/mjl-__mox/testdata__tlsreports__example.eml"
	mbox_add "$T/big.eml"
	mbox_add "$MAIL/mjl-__mox/testdata__tlsreports__microsoft.eml"
} > "$T/big.mbox"
DB=$T/big.db
$TLSWATCH --db "$DB" -v ingest "$T/big.mbox" > "$T/out" 2>&1
t_eq "big mbox: exit status" "$?" 1
t_eq "big mbox: the messages around it stored" "$(count "$DB" report)" 2
t_eq "big mbox: kept truncated with its full size" \
	"$(t_sql "$DB" "select name || ' ' || truncated || ' ' || size || ' ' || length(data) from quarantine")" \
	"$T/big.mbox#2 1 $(wc -c < "$T/big.eml") 16777216"
