#!/bin/sh
# 'tlswatch ingest' reads and decodes inputs on a second thread while it
# stores (cli/ingest_feed.c): whatever the mix of inputs, the lines come out
# in argument order and say what happened to each, errors about paths sit
# where the path was, every report is stored once, the exit status is the
# same; an mbox small enough to read whole and one streamed (larger than
# LIMIT_INPUT_BYTES) give the same reports; a database error stops the run
# naming the PATH argument it happened under.
. "$TOP/tests/lib.sh"
cd "$T"

"$GEN" --out gz --format gz --start 2026-05-01 --days 2 --domains 2 > /dev/null
"$GEN" --out md --format maildir --start 2026-05-03 --days 1 --domains 2 > /dev/null
"$GEN" --out mb --format mbox --start 2026-05-04 --days 1 --domains 2 > /dev/null
"$GEN" --out js --format json --start 2026-05-05 --days 1 --domains 1 --max-reports 1 > /dev/null
n_gz=$(ls gz | wc -l)
n_md=$(find md/cur md/new -type f | wc -l)
n_mb=$(grep -c '^From ' mb/reports.mbox)
echo '{"organization-name": "x"' > broken.json
mkdir notmaildir
first=$(ls gz/* | head -1)
stdin_report=$(ls js/*)

# PATHs in an order that mixes every kind
"$TLSWATCH" --db a.db -v ingest gz/* missing.json notmaildir md broken.json mb/reports.mbox - \
	"$first" < "$stdin_report" > out 2> err
t_eq "exit 2 (a path could not be read)" "$?" 2
# the stdout lines, by kind, in order: every gz file, every Maildir
# message, every mbox message, stdin, then the duplicate
total=$((n_gz + n_md + n_mb + 3))
t_eq "-v ends with the totals" "$(tail -1 out)" \
	"$total inputs: $((total - 2)) stored, 1 duplicate, 1 quarantined, 0 not a report"
sed '$d' out > lines
sed 's/: .*//' lines | sed 's|^gz/.*|gz|; s|^md/.*|md|; s|^mb/reports.mbox#.*|mb|' | uniq -c |
	awk '{ printf "%s %s;", $2, $1 }' > kinds
t_eq "lines in argument order" "$(cat kinds)" "gz $n_gz;md $n_md;mb $n_mb;- 1;gz 1;"
t_eq "the last line: the first file again, a duplicate" "$(tail -1 lines)" "$first: duplicate"
t_eq "stdin stored" "$(grep -c '^-: stored$' lines)" 1
t_eq "errors in argument order" "$(sed 's/^tlswatch: //; s/:.*//' err | tr '\n' ' ')" \
	"missing.json broken.json "
t_eq "every report stored once" "$(t_sql a.db "select count(*) from report")" \
	"$((n_gz + n_md + n_mb + 1))"
t_eq "one quarantine record" "$(t_sql a.db "select count(*) from quarantine")" 1
mb_rows=$(t_sql a.db "select count(*) from source where kind = 'mbox' and name like '%reports.mbox#%'")
t_eq "mbox messages named PATH#N" "$mb_rows" "$n_mb"

# the same run without the unreadable paths: exit 1 (quarantine), and the
# second time every report is a duplicate
"$TLSWATCH" --db b.db ingest gz/* md broken.json mb/reports.mbox > out 2> err
t_eq "exit 1 with a quarantined input" "$?" 1
"$TLSWATCH" --db b.db -v ingest gz/* md mb/reports.mbox > out 2> err
t_eq "again: exit 0" "$?" 0
t_eq "again: all duplicates" "$(sed '$d' out | grep -vc ': duplicate$')" 0

# an mbox over LIMIT_INPUT_BYTES (16 MiB) is streamed; a small one is read
# whole: the same generator run cut in two gives the same reports
"$GEN" --out big --format mbox --start 2026-06-01 --days 5 --domains 50 > /dev/null
size=$(wc -c < big/reports.mbox)
if [ "$size" -le $((16 * 1024 * 1024)) ]; then
	t_fail "the big mbox is over 16 MiB" "got $size bytes"
fi
"$TLSWATCH" --db big.db ingest big/reports.mbox
t_eq "big mbox: exit 0" "$?" 0
"$GEN" --out small --format mbox --start 2026-06-01 --days 2 --domains 50 > /dev/null
"$GEN" --out small2 --format mbox --start 2026-06-03 --days 3 --domains 50 > /dev/null
"$TLSWATCH" --db small.db ingest small/reports.mbox small2/reports.mbox
t_eq "small mboxes: exit 0" "$?" 0
q="select organization || '|' || report_id from report order by 1"
t_sql big.db "$q" > big.txt
t_sql small.db "$q" > small.txt
t_eq "streamed and whole mboxes: the same reports" "$(cmp -s big.txt small.txt && wc -l < big.txt)" \
	"$(grep -c '^From ' big/reports.mbox)"

# a database error (the file size limit) stops the run, naming the PATH
# argument under which it happened; nothing of the batch is kept
"$TLSWATCH" --db lim.db db check > /dev/null 2>&1
(ulimit -f 1024; "$TOP/tlswatch" --db lim.db ingest gz/* big/reports.mbox) > out 2> err
t_eq "database error: exit 2" "$?" 2
grep -q "^tlswatch: big/reports.mbox: database .*(the current batch was not stored; run again)$" err
t_eq "database error names the PATH argument" "$?" 0
t_eq "database error: nothing of the batch kept" "$(t_sql lim.db "select count(*) from report")" 0
