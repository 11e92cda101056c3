#!/bin/sh
# The command line as a postmaster and cron see it: help, version, exit
# codes, where the database is, the config file, stdin, quarantine retry.
. "$TOP/tests/lib.sh"
S="$DATA/samples"
google="$S/phi-ag__mta-sts-exporter__examples__google.json"
mailru="$S/domainaware__parsedmarc__samples__smtp_tls__mail.ru.json"
bad="$S/stalwartlabs__mail-auth__resources__tlsrpt__rpt03.json"
cd "$T"

"$TLSWATCH" --help > help.txt; t_eq "--help exit 0" "$?" 0
grep -q '^  ingest ' help.txt && grep -q '^  quarantine ' help.txt; t_eq "--help lists commands" "$?" 0
"$TLSWATCH" --version | grep -Eq '^tlswatch [0-9]+\.[0-9]+\.[0-9]+$'; t_eq "--version" "$?" 0
"$TLSWATCH" ingest --help | grep -q '^usage: tlswatch ingest'; t_eq "ingest --help" "$?" 0
"$TLSWATCH" frobnicate 2> err; t_eq "unknown command exit 2" "$?" 2
grep -q "unknown command 'frobnicate'" err; t_eq "unknown command named" "$?" 0
"$TLSWATCH" 2> /dev/null; t_eq "no command exit 2" "$?" 2
"$TLSWATCH" ingest 2> err; t_eq "ingest without input exit 2" "$?" 2

# quiet on success; one line per input with -v
"$TLSWATCH" --db a.db ingest "$google" > out 2> err; rc=$?
t_eq "ingest exit 0" "$rc" 0
t_eq "ingest quiet on success" "$(cat out err)" ""
"$TLSWATCH" --db a.db -v ingest "$google" > out; t_eq "duplicate exit 0" "$?" 0
t_eq "-v says duplicate" "$(cat out)" "$google: duplicate"
"$TLSWATCH" --db a.db ingest "$bad" "$mailru" > out 2> err; t_eq "quarantined exit 1" "$?" 1
t_eq "one error line naming input and JSON path" "$(cat err)" \
	"tlswatch: $bad: quarantined: policies[0].summary.total-failure-session-count: missing"
t_eq "the good input beside it stored" "$(t_sql a.db "select count(*) from report")" 2
"$TLSWATCH" --db a.db -q ingest "$bad" > out 2> err; t_eq "-q still exit 1" "$?" 1
t_eq "re-quarantine of the same bytes keeps one record" "$(t_sql a.db "select count(*) from quarantine")" 1
"$TLSWATCH" --db a.db ingest /nonexistent/file.json 2> err; t_eq "unreadable input exit 2" "$?" 2
grep -q '/nonexistent/file.json: No such file or directory' err; t_eq "unreadable input named" "$?" 0

# stdin, as an MTA pipe would
gzip -c "$S/phi-ag__mta-sts-exporter__examples__microsoft.json" | "$TLSWATCH" --db a.db ingest -
t_eq "stdin gzip exit 0" "$?" 0
t_eq "stdin source recorded" "$(t_sql a.db "select count(*) from source where kind = 'stdin'")" 1

# --dry-run writes nothing
"$TLSWATCH" --db dry.db ingest --dry-run "$google"; t_eq "dry run exit 0" "$?" 0
[ ! -e dry.db ]; t_eq "dry run creates no database" "$?" 0

# where the database is: --db, then $TLSWATCH_DB, then config, then ./tlswatch.db
printf 'database = %s/conf.db\n' "$T" > tlswatch.conf
TLSWATCH_DB="$T/env.db" "$TLSWATCH" --config tlswatch.conf ingest "$google"
[ -f env.db ] && [ ! -f conf.db ]; t_eq "TLSWATCH_DB beats the config" "$?" 0
"$TLSWATCH" --config tlswatch.conf ingest "$google"
[ -f conf.db ]; t_eq "config database key" "$?" 0
"$TLSWATCH" ingest "$google"
[ -f tlswatch.db ]; t_eq "default ./tlswatch.db" "$?" 0
printf 'database = x.db\n[imap]\nhots = example.com\n' > typo.conf
"$TLSWATCH" --config typo.conf ingest "$google" 2> err; t_eq "config typo exit 2" "$?" 2
t_eq "config typo names file, line and key" "$(cat err)" "tlswatch: typo.conf:3: unknown key 'hots' in [imap]"

# operational errors: exit 2 with the cause
mkdir ro && chmod 555 ro
if [ "$(id -u)" != 0 ]; then
	"$TLSWATCH" --db ro/x.db ingest "$google" 2> err; t_eq "unwritable database exit 2" "$?" 2
fi
printf 'this is not a database, just text that is long enough to be read as a header..........' > junk.db
"$TLSWATCH" --db junk.db ingest "$google" 2> err; t_eq "foreign file exit 2" "$?" 2
grep -q 'junk.db' err; t_eq "foreign file named" "$?" 0
sqlite3 other.db "create table t(x); insert into t values(1)"
"$TLSWATCH" --db other.db ingest "$google" 2> err; t_eq "other sqlite db exit 2" "$?" 2
grep -q 'not a tlswatch database' err; t_eq "other sqlite db said so" "$?" 0
t_eq "other sqlite db untouched" "$(t_sql other.db "select count(*) from sqlite_master")" 1
sqlite3 a.db "pragma user_version = 999"
"$TLSWATCH" --db a.db ingest "$google" 2> err; t_eq "newer schema exit 2" "$?" 2
grep -q 'schema version 999 is newer' err; t_eq "newer schema said so" "$?" 0
sqlite3 a.db "pragma user_version = $(sqlite3 conf.db 'pragma user_version')"

# quarantine: list, show, show --raw, retry
"$TLSWATCH" --db a.db quarantine list > list; t_eq "quarantine list exit 0" "$?" 0
grep -q 'total-failure-session-count: missing' list; t_eq "list shows the reason" "$?" 0
"$TLSWATCH" --db a.db quarantine show 1 | grep -q '^sha256: *[0-9a-f]\{64\}$'; t_eq "show has sha256" "$?" 0
"$TLSWATCH" --db a.db quarantine show 1 --raw | cmp -s - "$bad"; t_eq "show --raw is byte-exact" "$?" 0
"$TLSWATCH" --db a.db quarantine show 99 2> err; t_eq "show unknown id exit 2" "$?" 2
"$TLSWATCH" --db a.db quarantine retry; t_eq "retry of a still-bad record exit 1" "$?" 1
# a record an older tlswatch refused, holding a report this one accepts
sqlite3 a.db "insert into quarantine (received, kind, name, reason, sha256, size, data)
	values (1700000000, 'file', 'old.json', 'refused by an older version', x'00', 1,
	readfile('$S/cry-inc__dmarc-report-viewer__testdata__smtp-tls-reports__google.json'))"
"$TLSWATCH" --db a.db -v quarantine retry > out; t_eq "retry exit 1 (one still held)" "$?" 1
grep -q 'quarantine 2: stored, released' out; t_eq "retry releases the record" "$?" 0
t_eq "retried report stored" "$(t_sql a.db "select count(*) from report where report_id like '%foo-bar.io'")" 1
t_eq "released record points at it" \
	"$(t_sql a.db "select released_report = (select id from report where report_id like '%foo-bar.io') from quarantine where id = 2")" 1
"$TLSWATCH" --db a.db quarantine list | grep -c 'old.json' > n; t_eq "released record not listed" "$(cat n)" 0
"$TLSWATCH" --db a.db quarantine list --all | grep -q 'old.json.*\[released\]'; t_eq "list --all shows released" "$?" 0
"$TLSWATCH" --db a.db quarantine retry 2; t_eq "retry of a released record exit 0" "$?" 0
