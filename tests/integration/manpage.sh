#!/bin/sh
# The manual pages against the program, so that they cannot drift apart:
# both pages are mandoc -Tlint clean and render with man(1); every command
# of 'tlswatch --help' has a section in tlswatch(1), and every long option a
# command's --help prints is in that section, and the other way round;
# each command's exit statuses are those its --help gives; the keys of
# tlswatch.conf(5) are exactly core/config.c's config_known, each with its
# default, and the defaults the program prints are the ones documented.
. "$TOP/tests/lib.sh"
M1="$TOP/docs/tlswatch.1"
M5="$TOP/docs/tlswatch.conf.5"

# --- lint and render
for m in "$M1" "$M5"; do
	name=$(basename "$m")
	out=$(mandoc -Tlint -W warning "$m" 2>&1)
	t_eq "$name: mandoc -Tlint -W warning exit status" "$?" 0
	t_eq "$name: mandoc -Tlint -W warning says nothing" "$out" ""
	if command -v man > /dev/null 2>&1; then
		MANWIDTH=80 man --warnings -l "$m" > "$T/render" 2> "$T/render.err"
		t_eq "$name: man -l exit status" "$?" 0
		t_eq "$name: man -l (groff) warns about nothing" "$(cat "$T/render.err")" ""
		grep -q '^NAME' "$T/render"
		t_eq "$name: man -l renders a NAME section" "$?" 0
	fi
done

# tlswatch(1) as text, one paragraph per line (no wrapping), no overstrike
mandoc -Tascii -O width=1000 "$M1" | sed 's/.\x08//g' > "$T/man1.txt"

# man_section CMD: the text of CMD's subsection under COMMANDS
man_section() {
	awk -v cmd="$1" '
		/^COMMANDS$/ { in_cmds = 1; next }
		/^[A-Z]/ { in_cmds = 0 }
		in_cmds && /^   [a-z]/ { sub(/^ +/, ""); cur = $0; next }
		in_cmds && cur == cmd { print }
	' "$T/man1.txt"
}
long_opts() { grep -o -- '--[a-z][a-z-]*' | sort -u; }

# --- global options and the command list
"$TLSWATCH" --help > "$T/help" 2>&1
t_eq "tlswatch --help exit status" "$?" 0
long_opts < "$T/help" > "$T/global_opts"
t_check "tlswatch --help prints long options" test -s "$T/global_opts"
awk '/^Commands:/ { f = 1; next } f && /^$/ { exit } f { print $1 }' "$T/help" > "$T/commands"
t_eq "tlswatch --help lists the commands" "$(wc -l < "$T/commands" | tr -d ' ')" \
	"$(grep -c '^[[:space:]]*{ *"[a-z]*", cmd_' "$TOP/cli/main.c")"
missing=""
for o in $(cat "$T/global_opts"); do
	grep -q -e "^     $o\b" -e "^     -[a-z], $o\b" "$T/man1.txt" || missing="$missing $o"
done
t_eq "every global option of --help has an entry in tlswatch(1)" "$missing" ""
for o in -v -q -h; do
	grep -q -- "^     $o, --" "$T/man1.txt"
	t_eq "global option $o has an entry in tlswatch(1)" "$?" 0
done

awk '/^COMMANDS$/ { f = 1; next } /^[A-Z]/ { f = 0 } f && /^   [a-z]/ { print $1 }' \
	"$T/man1.txt" | sort > "$T/man_commands"
sort "$T/commands" > "$T/help_commands"
t_eq "tlswatch(1) has a section for exactly the commands of tlswatch --help" \
	"$(comm -3 "$T/help_commands" "$T/man_commands" | tr -s ' \t\n' ' ')" ""

# the exit statuses a text names: the words 0, 1 and 2
statuses() { grep -o -w '[012]' | sort -u | tr '\n' ' '; }
awk '/^EXIT STATUS$/ { f = 1; next } /^[A-Z]/ { f = 0 } f' "$T/man1.txt" > "$T/man_exit"

# --- each command: options both ways, exit statuses
: > "$T/empty.conf"
for cmd in $(cat "$T/commands"); do
	"$TLSWATCH" "$cmd" --help > "$T/help.$cmd" 2>&1
	t_eq "$cmd --help exit status" "$?" 0
	man_section "$cmd" > "$T/man.$cmd"
	t_check "$cmd: tlswatch(1) section is not empty" test -s "$T/man.$cmd"
	long_opts < "$T/help.$cmd" > "$T/help_opts.$cmd"
	long_opts < "$T/man.$cmd" > "$T/man_opts.$cmd"
	missing=""
	for o in $(cat "$T/help_opts.$cmd"); do
		grep -q -x -- "$o" "$T/man_opts.$cmd" || grep -q -x -- "$o" "$T/global_opts" ||
			missing="$missing $o"
	done
	t_eq "$cmd: every option of its --help is in its tlswatch(1) section" "$missing" ""
	unknown=""
	for o in $(cat "$T/man_opts.$cmd"); do
		grep -q -x -- "$o" "$T/help_opts.$cmd" || grep -q -x -- "$o" "$T/global_opts" ||
			unknown="$unknown $o"
	done
	t_eq "$cmd: every option in its tlswatch(1) section is one the program has" "$unknown" ""
	# the options really are accepted: 'CMD OPTION [VALUE] --help' prints the
	# help rather than a usage error, for no value or one of a few plausible
	# ones (options check their values as they are parsed)
	refused=""
	for o in $(cat "$T/help_opts.$cmd"); do
		ok=0
		for v in "" 1 text x; do
			(cd "$T" && "$TLSWATCH" --config empty.conf --db absent.db "$cmd" "$o" \
				${v:+"$v"} --help) > "$T/accept.out" 2>&1 &&
				grep -q '^usage:' "$T/accept.out" && ok=1 && break
		done
		[ "$ok" = 1 ] || refused="$refused $o"
	done
	t_eq "$cmd: every option of its --help is accepted" "$refused" ""
	want=$(sed -n '/Exit status/,$p' "$T/help.$cmd" | statuses)
	got=$(grep -E "^     $cmd( |$)" "$T/man_exit" | statuses)
	t_eq "$cmd: exit statuses in tlswatch(1) are those of its --help" "$got" "$want"
done

# --- tlswatch.conf(5) against core/config.c
sed -n '/config_known\[\] = {/,/NULL,/p' "$TOP/core/config.c" |
	grep -o '"[a-z_]*\.[a-z_]*"' | tr -d '"' | sort > "$T/known_keys"
t_check "config_known read from core/config.c" test -s "$T/known_keys"
# "section.key<TAB>item text" for each key documented: .Ss titles name the
# [section] ("Global keys" before any), .It Cm KEY starts an entry
awk '
	function flush() { if (key != "") print sec "." key "\t" body; key = ""; body = "" }
	/^\.Ss / { flush(); sec = ""; if (match($0, /\[[a-z_]+\]/)) sec = substr($0, RSTART + 1, RLENGTH - 2); next }
	/^\.Sh / { flush(); sec = "-"; next }
	/^\.It Cm [a-z_]+/ && sec != "-" { flush(); key = $3; next }
	/^\.(El|It)/ { flush(); next }
	key != "" { line = $0; if (line ~ /^\./) sub(/^\.[A-Z][a-z] */, "", line); body = body " " line }
	END { flush() }
' "$M5" > "$T/conf_items"
cut -f1 "$T/conf_items" | sort > "$T/doc_keys"
t_eq "tlswatch.conf(5) documents each key once" "$(uniq -d "$T/doc_keys" | tr '\n' ' ')" ""
t_eq "every key of config_known is in tlswatch.conf(5)" \
	"$(comm -23 "$T/known_keys" "$T/doc_keys" | tr '\n' ' ')" ""
t_eq "every key in tlswatch.conf(5) is one the program knows" \
	"$(comm -13 "$T/known_keys" "$T/doc_keys" | tr '\n' ' ')" ""
t_eq "every key in tlswatch.conf(5) gives its default (or says it is required)" \
	"$(grep -v -e 'Default:' -e 'Required\.' "$T/conf_items" | cut -f1 | tr '\n' ' ')" ""

# conf_default KEY VALUE: 1 when KEY's entry says "Default: VALUE" (VALUE
# ending there: "Default: 1." is 1, "Default: 10." is not)
conf_default() {
	awk -F '\t' -v k="$1" -v v="$2" '
		$1 == k && (p = index($2, "Default: " v)) > 0 {
			rest = substr($2, p + 9 + length(v)); c = substr(rest, 1, 1)
			if (c == "" || c ~ /[ ;,)]/ || (c == "." && substr(rest, 2, 1) !~ /[0-9A-Za-z]/))
				ok = 1
		}
		END { print ok + 0 }' "$T/conf_items"
}
# defaults that --help prints, for options that have a config key
# ([alert] and [web]: the option with '-' for '_')
for sec in alert web; do
	awk '/^  --/ { opt = substr($1, 3) }
		opt != "" && match($0, /\(default [^;),]+/) {
			print opt "\t" substr($0, RSTART + 9, RLENGTH - 9); opt = "" }' \
		"$T/help.$sec" > "$T/defaults.$sec"
	n=0
	while IFS='	' read -r opt val; do
		key="$sec.$(echo "$opt" | tr - _)"
		grep -q -x "$key" "$T/known_keys" || continue
		n=$((n + 1))
		t_eq "tlswatch.conf(5): $key default is '$val' as in '$sec --help'" \
			"$(conf_default "$key" "$val")" 1
	done < "$T/defaults.$sec"
	t_check "$sec --help gives defaults of config keys" test "$n" -gt 0
done
batch=$(sed -n 's/^#define LIMIT_IMAP_BATCH_DEFAULT \([0-9]*\).*/\1/p' "$TOP/core/limits.h")
t_eq "tlswatch.conf(5): imap.batch_size default is LIMIT_IMAP_BATCH_DEFAULT ($batch)" \
	"$(conf_default imap.batch_size "$batch")" 1

# --- the configuration examples in the docs load: every key known, no
# syntax error (```ini blocks of the guide, tlswatch.conf(5)'s EXAMPLES)
n=0
for doc in "$TOP/docs/guide.md" "$TOP/docs/web.md" "$TOP/docs/collect.md"; do
	awk -v out="$T/ini.$(basename "$doc" .md)" '
		/^```ini$/ { f = 1; n++; next }
		/^```/ { f = 0 }
		f { print > (out "." n) }' "$doc"
done
sed -n '/^\.Sh EXAMPLES/,/^\.Ed/p' "$M5" | sed '1,2d;$d' > "$T/ini.conf5.1"
# db check refuses a missing database: make one to check
"$TLSWATCH" --db "$T/check.db" quarantine retry > /dev/null 2>&1
for f in "$T"/ini.*; do
	n=$((n + 1))
	"$TLSWATCH" --config "$f" --db "$T/check.db" db check > "$T/ini.out" 2>&1
	t_eq "config example $(basename "$f") loads" "$?:$(cat "$T/ini.out")" "0:"
done
t_check "config examples found in the docs" test "$n" -ge 4
