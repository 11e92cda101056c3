#!/bin/sh
# cli_frictions.sh - what a newcomer tries on the first day, as the CLI
# answers it: 'db check' on a mistyped path, 'ingest DIR' on a directory of
# report files (recursively, in name order; a Maildir inside still read as
# one), and 'ingest --from FILE' / '-0' for sets too large for argv.
. "$TOP/tests/lib.sh"
cd "$T"

# db check / db prune refuse a missing file instead of creating one
"$TLSWATCH" --db "$T/typo.db" db check > out 2> err
t_eq "db check on a missing file: exit 2" "$?" 2
t_check "db check on a missing file: says so" grep -q "typo.db: No such file or directory; no database there" err
t_check "db check on a missing file: creates nothing" test ! -e "$T/typo.db"
"$TLSWATCH" --db "$T/typo.db" db prune --keep-days 30 2> err
t_eq "db prune on a missing file: exit 2, nothing created" "$?:$(test -e "$T/typo.db" && echo made)" "2:"

# a directory of report files, with subdirectories and a Maildir inside
mkdir -p reports/2024/09 reports/2024/10 reports/box/cur reports/box/new reports/box/tmp
n=0
for f in "$DATA"/samples/*.json; do
	n=$((n + 1))
	[ $n -le 6 ] || break
	case $n in
	1 | 2) cp "$f" "reports/2024/09/r$n.json" ;;
	3) gzip -c "$f" > "reports/2024/10/r$n.json.gz" ;;
	4) cp "$f" "reports/r$n.json" ;;
	*) cp "$f" "reports/other$n.json" ;;
	esac
done
MAIL=$(ls "$DATA"/mail/*/*.eml | head -1)
cp "$MAIL" reports/box/new/1700000000.M1P1.host
"$TLSWATCH" --db dir.db -v ingest reports > err 2>&1
rc=$?
sed 's/^/  /' err | cut -c1-160
t_check "ingest DIR: exit 0 or 1" test "$rc" -le 1
t_check "ingest DIR: not refused as 'not a Maildir'" sh -c "! grep -q 'not a Maildir' err"
t_eq "ingest DIR: every file, recursively, in name order" \
	"$(grep -o 'reports/[^:]*' err | grep -v '^reports/box' | tr '\n' ' ')" \
	"reports/2024/09/r1.json reports/2024/09/r2.json reports/2024/10/r3.json.gz reports/other5.json reports/other6.json reports/r4.json "
t_check "ingest DIR: a Maildir inside is read as a Maildir" grep -q 'reports/box/new/1700000000.M1P1.host:' err
t_eq "ingest DIR: the sources are recorded as files and Maildir mail" \
	"$(t_sql dir.db "SELECT count(*) FROM source WHERE kind = 'file'"):$(t_sql dir.db "SELECT count(*) FROM source WHERE kind = 'maildir'")" \
	"6:1"

# --from FILE (a line each), --from - and -0 (NUL-separated, from stdin)
find reports -name '*.json*' | sort > list.txt
"$TLSWATCH" --db from.db ingest --from list.txt 2> err
t_check "ingest --from FILE: exit 0 or 1" test "$?" -le 1
t_eq "ingest --from FILE: every name read" "$(t_sql from.db "SELECT count(*) FROM source")" 6
find reports -name '*.json*' -print0 | "$TLSWATCH" --db nul.db ingest -0 2> err
t_check "ingest -0: exit 0 or 1" test "$?" -le 1
t_eq "ingest -0: every name read" "$(t_sql nul.db "SELECT count(*) FROM source")" 6
"$TLSWATCH" --db x.db ingest --from list.txt reports 2> err
t_eq "--from with PATHs too: a usage error" "$?" 2
"$TLSWATCH" --db x.db ingest --from "$T/none.txt" 2> err
t_eq "--from a missing file: exit 2" "$?" 2
t_check "--from a missing file: named" grep -q 'none.txt: No such file' err
