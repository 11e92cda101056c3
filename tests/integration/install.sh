#!/bin/sh
# 'make install' into a DESTDIR puts the binary, both man pages, the docs
# with the example configuration and the systemd units in place with sane
# modes, writes nothing into /etc, and the installed binary runs;
# 'make uninstall' then leaves no file behind. The units are hardened and
# pass 'systemd-analyze verify' (when systemd-analyze is there); the
# example configuration loads and names every key the program knows.
. "$TOP/tests/lib.sh"
D="$T/dest"
P=/usr/local

# run make in the tree without its jobserver or -s/-n flags from a parent make
tw_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory "$@"; }

tw_make install DESTDIR="$D" PREFIX="$P" > "$T/install.out" 2>&1
t_eq "make install DESTDIR exit status" "$?" 0

# mode FILE: its octal permission bits, or "missing"
mode() { if [ -f "$1" ]; then stat -c %a "$1"; else echo missing; fi; }
t_eq "binary installed 755" "$(mode "$D$P/bin/tlswatch")" 755
t_eq "tlswatch.1 installed 644" "$(mode "$D$P/share/man/man1/tlswatch.1")" 644
t_eq "tlswatch.conf.5 installed 644" "$(mode "$D$P/share/man/man5/tlswatch.conf.5")" 644
t_eq "example config installed 644" \
	"$(mode "$D$P/share/doc/tlswatch/tlswatch.conf.example")" 644
t_eq "README installed 644" "$(mode "$D$P/share/doc/tlswatch/README.md")" 644
t_eq "guide installed 644" "$(mode "$D$P/share/doc/tlswatch/guide.md")" 644
for u in "$TOP"/docs/systemd/*.service "$TOP"/docs/systemd/*.timer; do
	n=$(basename "$u")
	t_eq "unit $n installed 644" "$(mode "$D$P/lib/systemd/system/$n")" 644
done
t_check "the web service is among the units" test -f "$D$P/lib/systemd/system/tlswatch-web.service"
for g in "$TOP"/docs/grafana/*.json; do
	n=$(basename "$g")
	t_eq "Grafana dashboard $n installed 644" "$(mode "$D$P/share/doc/tlswatch/grafana/$n")" 644
done
cmp -s "$TOP/docs/tlswatch.1" "$D$P/share/man/man1/tlswatch.1"
t_eq "tlswatch.1 installed unchanged" "$?" 0
t_eq "no installed file is group- or world-writable" \
	"$(find "$D" -type f -perm /022 | sed "s|^$D||" | tr '\n' ' ')" ""
t_eq "no installed directory is group- or world-writable" \
	"$(find "$D" -type d -perm /022 | sed "s|^$D||" | tr '\n' ' ')" ""
t_eq "nothing installed outside PREFIX (no /etc)" \
	"$(find "$D" -type f ! -path "$D$P/*" | sed "s|^$D||" | tr '\n' ' ')" ""
grep -q 'nothing was written to /etc' "$T/install.out"
t_eq "install prints a hint for the missing /etc/tlswatch/tlswatch.conf" "$?" 0

out=$("$D$P/bin/tlswatch" --version 2>&1)
t_eq "installed binary --version exit status" "$?" 0
case "$out" in
"tlswatch "[0-9]*) t_pass "installed binary prints its version" ;;
*) t_fail "installed binary prints its version" "got '$out', want 'tlswatch N.N.N'" ;;
esac
MANPATH="$D$P/share/man" man -w tlswatch.conf > "$T/where" 2>&1
t_eq "man finds the installed tlswatch.conf(5)" "$(cat "$T/where")" \
	"$D$P/share/man/man5/tlswatch.conf.5"

# the units run the installed binary from PREFIX
grep -h '^ExecStart=' "$D$P"/lib/systemd/system/*.service | cut -d' ' -f1 | sort -u > "$T/exec"
t_eq "units start $P/bin/tlswatch" "$(cat "$T/exec")" "ExecStart=$P/bin/tlswatch"

tw_make uninstall DESTDIR="$D" PREFIX="$P" > "$T/uninstall.out" 2>&1
t_eq "make uninstall exit status" "$?" 0
t_eq "uninstall leaves no file behind" "$(find "$D" ! -type d | sed "s|^$D||" | tr '\n' ' ')" ""

# the example configuration: it loads, and shows every key (set or commented out)
ex="$TOP/docs/tlswatch.conf.example"
"$TLSWATCH" --db "$T/ex.db" quarantine retry > /dev/null 2>&1 # db check needs a database
"$TLSWATCH" --config "$ex" --db "$T/ex.db" db check > "$T/ex.out" 2>&1
t_eq "the example configuration loads (db check exit status)" "$?" 0
sed -n '/config_known\[\] = {/,/NULL,/p' "$TOP/core/config.c" |
	grep -o '"[a-z_]*\.[a-z_]*"' | tr -d '"' > "$T/known"
t_check "config_known read from core/config.c" test -s "$T/known"
missing=""
while read -r k; do
	sec=${k%%.*}
	key=${k#*.}
	awk -v s="$sec" -v k="$key" '
		/^\[/ { cur = substr($0, 2, index($0, "]") - 2); next }
		cur == s && $0 ~ "^;?" k " *=" { found = 1 }
		END { exit !found }' "$ex" || missing="$missing $k"
done < "$T/known"
t_eq "the example configuration shows every key" "$missing" ""

# hardening of every service unit
for u in "$TOP"/docs/systemd/*.service; do
	n=$(basename "$u")
	for d in 'User=tlswatch' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
		'ReadWritePaths=/var/lib/tlswatch' 'PrivateTmp=yes' \
		'SystemCallFilter=@system-service'; do
		grep -q -x "$d" "$u"
		t_eq "$n: $d" "$?" 0
	done
	t_eq "$n: the database directory is the only writable path" \
		"$(grep -c '^ReadWritePaths=' "$u")" 1
done

# systemd-analyze verify on units installed under a real PREFIX (so that
# ExecStart= and the man: documentation resolve), then uninstalled
if command -v systemd-analyze > /dev/null 2>&1; then
	P2="$T/prefix"
	tw_make install PREFIX="$P2" > "$T/install2.out" 2>&1
	t_eq "make install PREFIX=\$T/prefix exit status" "$?" 0
	MANPATH="$P2/share/man" systemd-analyze verify "$P2"/lib/systemd/system/* \
		> "$T/verify" 2>&1
	t_eq "systemd-analyze verify exit status" "$?" 0
	t_eq "systemd-analyze verify says nothing" "$(cat "$T/verify")" ""
	tw_make uninstall PREFIX="$P2" > /dev/null 2>&1
	t_eq "uninstall from \$T/prefix leaves no file behind" \
		"$(find "$P2" ! -type d | tr '\n' ' ')" ""
else
	echo "systemd-analyze not found: unit verification skipped"
fi
