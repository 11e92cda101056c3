#!/bin/sh
# Hostile input: each case must be refused with one clear line naming the
# cause, kept byte-exact in quarantine, with nothing stored -- no crash, no
# hang (ASan+UBSan binary). Memory stays bounded: the large cases also run on
# the release binary under a 600 MB address-space limit.
. "$TOP/tests/lib.sh"

base='{"organization-name":"Org","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},"contact-info":"x@example.com","report-id":"R1","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},"summary":{"total-successful-session-count":COUNT,"total-failure-session-count":0}}]}'
report() { printf '%s' "$base" | sed "s/COUNT/$1/"; }

# refuse NAME FILE REASON-REGEX: ingest FILE into a fresh db and check
refuse() {
	db="$T/$1.db"
	"$TLSWATCH" --db "$db" ingest "$2" > "$T/out" 2> "$T/err"
	rc=$?
	if [ "$rc" != 1 ]; then
		t_fail "$1" "exit $rc, want 1 ($(head -c 300 "$T/err"))"
		return
	fi
	lines=$(wc -l < "$T/err")
	if [ "$lines" != 1 ] || ! grep -Eq "$3" "$T/err"; then
		t_fail "$1" "stderr '$(head -c 300 "$T/err")', want one line matching /$3/"
		return
	fi
	if [ "$(t_sql "$db" "select count(*) from report")" != 0 ]; then
		t_fail "$1" "a report was stored"
		return
	fi
	if [ "$(t_sql "$db" "select count(*) from quarantine")" != 1 ]; then
		t_fail "$1" "no quarantine record"
		return
	fi
	# byte-exact: the quarantined data is the input (for inputs under the cap)
	if [ "$(wc -c < "$2")" -le 16777216 ]; then
		"$TLSWATCH" --db "$db" quarantine show 1 --raw > "$T/raw"
		if ! cmp -s "$T/raw" "$2"; then
			t_fail "$1" "quarantined bytes differ from the input"
			return
		fi
	fi
	t_pass "$1"
}

printf '' > "$T/empty.json"
refuse empty "$T/empty.json" 'empty input'
printf ' \n\t\r\n ' > "$T/blank.json"
refuse whitespace "$T/blank.json" 'empty input'
printf 'hello, world\n' > "$T/text.txt"
refuse not-a-report "$T/text.txt" 'neither gzip nor JSON'
report 5 | head -c 100 > "$T/cut.json"
refuse truncated-json "$T/cut.json" 'invalid JSON at offset'
report 1e400 > "$T/inf.json"
refuse count-1e400 "$T/inf.json" 'total-successful-session-count: number out of range'
report -1 > "$T/neg.json"
refuse count-negative "$T/neg.json" 'total-successful-session-count: negative number'
report 1.5 > "$T/frac.json"
refuse count-fraction "$T/frac.json" 'total-successful-session-count: not an integer'
report '"12"' > "$T/str.json"
refuse count-string "$T/str.json" 'total-successful-session-count: expected a number'
report 9223372036854775808 > "$T/big.json"
refuse count-2pow63 "$T/big.json" 'larger than 2\^53-1'
report 9007199254740991 | sed 's/"total-failure-session-count":0/"total-failure-session-count":9007199254740991/' > "$T/sum.json"
refuse count-sum-overflow "$T/sum.json" 'add up to more than 2\^53-1'
report 5 | sed 's/"report-id":"R1"/"report-id":"R1","report-id":"R2"/' > "$T/dup.json"
refuse duplicate-key "$T/dup.json" 'duplicate key "report-id"'
report 5 | sed 's/"total-successful-session-count":5/"total-successful-session-count":5,"total-successful-session-count":500/' > "$T/dup2.json"
refuse duplicate-key-nested "$T/dup2.json" 'policies\[0\]\.summary: duplicate key'
report 5 | sed 's/"start-datetime":"2024-01-01T00:00:00Z"/"start-datetime":"2024-01-02T00:00:00Z"/' > "$T/order.json"
refuse start-after-end "$T/order.json" 'date-range: start-datetime is after end-datetime'
# days ahead of the clock: a forged date (each month a partition on
# PostgreSQL); two days ahead still pass (a reporter's local day)
ahead=$(date -u -d '+3 days' +%FT%TZ)
report 5 | sed "s/2024-01-01T00:00:00Z/$ahead/; s/2024-01-01T23:59:59Z/$ahead/" > "$T/ahead.json"
refuse date-ahead "$T/ahead.json" "date-range.start-datetime: $ahead is more than 2 days ahead of this host's clock"
report 5 | sed 's/2024-01-01T00:00:00Z/2199-12-31T00:00:00Z/; s/2024-01-01T23:59:59Z/2199-12-31T23:59:59Z/' > "$T/far.json"
refuse date-far-ahead "$T/far.json" 'date-range.start-datetime: 2199-12-31T00:00:00Z is more than 2 days ahead'
soon=$(date -u -d '+1 day' +%FT%TZ)
report 5 | sed "s/2024-01-01T00:00:00Z/$soon/; s/2024-01-01T23:59:59Z/$soon/" > "$T/soon.json"
"$TLSWATCH" --db "$T/soon.db" ingest "$T/soon.json" > /dev/null 2>&1
t_eq "a day ahead of the clock: stored" "$(t_sql "$T/soon.db" "select count(*) from report")" 1
report 5 | sed 's/2024-01-01T00:00:00Z/2024-02-30T00:00:00Z/' > "$T/date.json"
refuse bad-date "$T/date.json" 'date-range.start-datetime: no such date 2024-02-30'
report 5 | sed 's/2024-01-01T23:59:59Z/yesterday/' > "$T/date2.json"
refuse not-a-date "$T/date2.json" 'date-range.end-datetime: not a date'
report 5 | sed 's/"Org"/"O\\u0000rg"/' > "$T/u0000.json"
refuse escaped-nul "$T/u0000.json" 'u0000 escape'
report 5 | sed 's/Org/O\x00rg/' > "$T/nul.json"
refuse nul-byte "$T/nul.json" 'NUL byte at offset 23'
report 5 | sed 's/Org/O\xc3\x28rg/' > "$T/utf8.json"
refuse invalid-utf8 "$T/utf8.json" 'invalid UTF-8 at offset 23'
report 5 | sed 's/Org/O\xed\xa0\x80rg/' > "$T/surrogate.json"
refuse utf8-surrogate "$T/surrogate.json" 'invalid UTF-8'
report 5 | sed 's/"organization-name":"Org",//' > "$T/noorg.json"
refuse missing-org "$T/noorg.json" '^tlswatch: .*: quarantined: organization-name: missing$'
report 5 | sed 's/"policy-type":"sts",//' > "$T/notype.json"
refuse missing-policy-type "$T/notype.json" 'policies\[0\]\.policy\.policy-type: missing'
report 5 | sed 's/"policies":\[.*\]}$/"policies":{}}/' > "$T/polobj.json"
refuse policies-not-array "$T/polobj.json" 'policies: expected an array'
printf '[1,2,3]' > "$T/array.json"
refuse top-level-array "$T/array.json" 'top level is not a JSON object'

# host names are host names (core/hostname.c), in files, mail and POSTs alike
report 5 | sed 's/"policy-domain":"example.com"/"policy-domain":"'"'"'); DROP TABLE x; --"/' > "$T/dom.json"
refuse domain-not-a-name "$T/dom.json" 'policies\[0\]\.policy\.policy-domain: byte 0x27 at 0 is not allowed'
long=$(head -c 300 /dev/zero | tr '\0' a)
report 5 | sed 's/"policy-domain":"example.com"/"policy-domain":"'"$long"'.example"/' > "$T/dom2.json"
refuse domain-too-long "$T/dom2.json" 'policy-domain: host name longer than 253 bytes'
label=$(head -c 64 /dev/zero | tr '\0' a)
report 5 | sed 's/"policy-type":"sts"/"policy-type":"sts","mx-host":["mx.example.com","'"$label"'.example"]/' > "$T/mx.json"
refuse mx-label-too-long "$T/mx.json" 'policy\.mx-host\[1\]: label longer than 63 bytes'
report 5 | sed 's/"policy-domain":"example.com"/"policy-domain":"b\\u00fccher.example","mx-host":["*.mail.example.com","mx: mx.example.com"]/' > "$T/uname.json"
"$TLSWATCH" --db "$T/u.db" ingest "$T/uname.json" > /dev/null 2>&1
t_eq "U-label, *. pattern and 'mx: ' quirk accepted" "$?" 0
report 5 | sed 's/"total-failure-session-count":0}/"total-failure-session-count":1},"failure-details":[{"result-type":"x","sending-mta-ip":"","receiving-ip":"[192.0.2.1]","receiving-mx-hostname":"MX.Example.COM.","failed-session-count":1}]/' > "$T/blank.json"
# each in its own store: versions of one report-id with other content would
# conflict (docs/trust.md), and this is about what the parser accepts
"$TLSWATCH" --db "$T/u2.db" ingest "$T/blank.json" > /dev/null 2>&1
t_eq "blank IP, bracketed IP, upper-case MX with its dot: accepted" "$?" 0
report 5 | sed 's/"total-failure-session-count":0}/"total-failure-session-count":1},"failure-details":[{"result-type":"x","sending-mta-ip":"198.51.100.300","failed-session-count":1}]/' > "$T/badip.json"
refuse ip-not-an-ip "$T/badip.json" 'failure-details\[0\]\.sending-mta-ip: not an IP address'
report 5 | sed 's/"policy-domain":"example.com"/"policy-domain":"ex\\u202eample.com"/' > "$T/bidi.json"
refuse domain-bidi-override "$T/bidi.json" 'policy-domain: U\+202E at 2 is not allowed in a host name'
awk -v b="$(report 5)" 'BEGIN {
	sub(/\}\}\]\}$/, "}", b)
	printf "%s,\"failure-details\":[", b
	for (i = 0; i < 2001; i++) printf "%s{\"result-type\":\"x\",\"receiving-mx-hostname\":\"mx%d.example\",\"failed-session-count\":1}", (i ? "," : ""), i
	printf "]}]}"
}' > "$T/manymx.json"
refuse mx-hosts-2001 "$T/manymx.json" 'policies: 2001 distinct receiving-mx-hostname values, more than 2000'
report 5 | sed 's/"policies":\[\(.*\)\]}$/"policies":[\1,\1]}/' > "$T/twopol.json"
"$TLSWATCH" --db "$T/u3.db" ingest "$T/twopol.json" > /dev/null 2>&1
t_eq "two policies, one domain: accepted" "$?" 0

# 100,000 levels of nesting
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]" }' > "$T/deep.json"
refuse nested-100000 "$T/deep.json" 'nested deeper than 32 levels'
# 200,000 failure details
awk -v b="$(report 5)" 'BEGIN {
	sub(/\}\}\]\}$/, "}", b)
	printf "%s,\"failure-details\":[", b
	for (i = 0; i < 200000; i++) printf "%s{\"result-type\":\"x\",\"failed-session-count\":1}", (i ? "," : "")
	printf "]}]}"
}' > "$T/details.json"
refuse failure-details-200000 "$T/details.json" 'more than [0-9]+ (JSON values|failure details)'
# an input over the size cap (17 MiB)
{ report 5; head -c 17825792 /dev/zero | tr '\0' ' '; } > "$T/huge.json"
refuse oversize-input "$T/huge.json" 'input larger than 16777216 bytes'

# gzip: truncated, bad CRC, trailing garbage, bomb
report 5 | gzip -9 > "$T/ok.json.gz"
head -c $(($(wc -c < "$T/ok.json.gz") - 12)) "$T/ok.json.gz" > "$T/trunc.gz"
refuse gzip-truncated "$T/trunc.gz" 'gzip: truncated data'
size=$(wc -c < "$T/ok.json.gz")
{ head -c $((size - 8)) "$T/ok.json.gz"; printf '\001\002\003\004'; tail -c 4 "$T/ok.json.gz"; } > "$T/crc.gz"
refuse gzip-bad-crc "$T/crc.gz" 'gzip: corrupt data \(incorrect data check\)'
{ cat "$T/ok.json.gz"; printf 'garbage'; } > "$T/trail.gz"
refuse gzip-trailing-garbage "$T/trail.gz" 'trailing garbage'
head -c 1073741824 /dev/zero | gzip -1 > "$T/bomb.gz"
refuse gzip-bomb-1GiB "$T/bomb.gz" 'inflated size exceeds the limit of 67108864 bytes'

# bounded memory: the release binary, under an address-space limit far below
# what the inputs would cost unbounded (a 1 GiB bomb; a 17 MiB file)
if [ -x "$TOP/tlswatch" ]; then
	for f in bomb.gz huge.json deep.json details.json; do
		(ulimit -v 600000; "$TOP/tlswatch" --db "$T/mem.db" ingest "$T/$f") > /dev/null 2>&1
		t_eq "bounded memory: $f" "$?" 1
	done
fi

# multi-member gzip (RFC 1952 2.2) is one report
report 7 > "$T/whole.json"
head -c 60 "$T/whole.json" | gzip > "$T/multi.gz"
tail -c +61 "$T/whole.json" | gzip >> "$T/multi.gz"
"$TLSWATCH" --db "$T/multi.db" ingest "$T/multi.gz"
t_eq "multi-member gzip stored" "$?" 0
t_eq "multi-member gzip figures" "$(t_sql "$T/multi.db" "select successful_sessions from report")" 7

# hostile but valid strings are stored intact and escaped on the way out
esc=$(printf '\033')
hostile='{"organization-name":"<script>alert(1)<\/script>","date-range":{"start-datetime":"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},"report-id":"x\u001b[2J\r\nFAKE: stored","contact-info":"'"'"'); DROP TABLE report; --","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},"summary":{"total-successful-session-count":1,"total-failure-session-count":1},"failure-details":[{"result-type":"validation-failure","receiving-mx-hostname":"mx.example.com","additional-information":"\"><img src=x onerror=alert(1)>","failure-reason-code":"a\u001b[31mred\r\nline","failed-session-count":1}]}]}'
printf '%s' "$hostile" > "$T/hostile.json"
"$TLSWATCH" --db "$T/h.db" -v ingest "$T/hostile.json" > "$T/hout" 2>&1
t_eq "hostile strings: stored" "$?" 0
t_eq "hostile strings: organization intact" "$(t_sql "$T/h.db" "select organization from report")" "<script>alert(1)</script>"
t_eq "hostile strings: SQL text intact" "$(t_sql "$T/h.db" "select contact_info from report")" "'); DROP TABLE report; --"
t_eq "hostile strings: report table still there" "$(t_sql "$T/h.db" "select count(*) from report")" 1
t_eq "hostile strings: escape bytes intact" "$(t_sql "$T/h.db" "select hex(report_id) like '%1B5B324A0D0A%' from report")" 1
# a report-id with escapes is a duplicate the second time; the -v line must not carry ESC
printf '%s' "$hostile" | sed 's/"policy-type":"sts"/"policy-type":"sts","x":1/' > "$T/hostile2.json"
"$TLSWATCH" --db "$T/h.db" -v ingest "$T/hostile2.json" "$T/dup.json" > "$T/hout2" 2>&1
if grep -q "$esc" "$T/hout" "$T/hout2"; then
	t_fail "hostile strings: no raw escape on the terminal"
else
	t_pass "hostile strings: no raw escape on the terminal"
fi
