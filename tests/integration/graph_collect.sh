#!/bin/sh
# graph_collect.sh - 'tlswatch collect' through Microsoft Graph ([graph]),
# against a local stand-in built from Graph's documented shapes
# (graph_stand_in.py) and the local token endpoint (oauth_endpoint.py,
# client secret, scope https://graph.microsoft.com/.default): every sample
# report mail stored as 'tlswatch ingest' stores it, each message moved by
# what happened to it (folders found by name or created), paging through
# @odata.nextLink, a second run and a dry run change nothing (a dry run
# writes no token cache), a run stopped between commit and move is finished
# by the next one with each report once, 429 with Retry-After waited out,
# an expired token replaced, and hostile answers (an endless nextLink, a
# link to another host, oversized or malformed JSON, a bad id, a slow drip,
# an oversized message, a refused permission) each ending in one clear line
# with nothing lost. No token or secret in any output.
. "$TOP/tests/lib.sh"

GS=$T/gs
OE=$T/oe
GS_PID=
OE_PID=
trap '[ -n "$GS_PID" ] && kill "$GS_PID" 2>/dev/null; [ -n "$OE_PID" ] && kill "$OE_PID" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$GS/mail/AQMkInbox000" "$OE"

# a test CA and a certificate for localhost, served by both stand-ins
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$T/ca.key" \
	-subj "/CN=tlswatch test CA" -days 2 -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=keyCertSign,cRLSign -out "$T/ca.crt" 2> /dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$GS/tls.key" \
	-subj "/CN=localhost" -out "$T/tls.csr" 2> /dev/null
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$T/tls.ext"
openssl x509 -req -in "$T/tls.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
	-extfile "$T/tls.ext" -out "$GS/tls.crt" 2> /dev/null
cp "$GS/tls.crt" "$GS/tls.key" "$OE/"
head -c 32 /dev/urandom > "$GS/jwt.key"
cp "$GS/jwt.key" "$OE/jwt.key"
echo k1 > "$OE/kid"
SECRET='Gr8~graph-client-secret-value'
printf '%s\n' "$SECRET" > "$T/secret"
chmod 600 "$T/secret"
MAILBOX=tlsrpt@example.org
# the app's certificate and key (the certificate assertion)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/app.key" -subj "/CN=tlswatch-app" \
	-days 2 -out "$T/app.crt" 2> /dev/null
chmod 600 "$T/app.key"
# oe_policy [ALG]: the token endpoint's policy; the scope a [graph] section
# asks for by default is the endpoint's origin + .default
oe_policy() {
	cat > "$OE/policy.json" << EOP
{"client_id": "app-1", "client_secret": "$SECRET", "scope": "https://localhost:$(cat "$GS/port")/.default",
 "app_cert": "$T/app.crt", "refresh": {}, "sub": "$MAILBOX", "expires_in": 3599, "jwt_life": 3600
 ${1:+, \"alg\": \"$1\"}}
EOP
}
cat > "$GS/folders.json" << 'EOF'
{"AQMkInbox000": {"displayName": "Inbox", "parent": null, "wellKnown": "inbox"},
 "AQMkArchive0": {"displayName": "Archive", "parent": null, "wellKnown": "archive"},
 "AQMkSent0000": {"displayName": "Sent Items", "parent": null, "wellKnown": "sentitems"}}
EOF
mkdir -p "$GS/mail/AQMkArchive0" "$GS/mail/AQMkSent0000"
# policy KEY=VALUE...: the stand-in's behaviour (read on every request)
policy() {
	mode=normal page=3 throttle=0 fail_move=
	for kv in "$@"; do eval "$kv"; done
	printf '{"mailbox": "%s", "mode": "%s", "page": %s, "throttle": %s%s}\n' \
		"$MAILBOX" "$mode" "$page" "$throttle" \
		"${fail_move:+, \"fail_move_after\": $fail_move}" > "$GS/policy.json"
}
policy
start() { # start DIR SCRIPT: a stand-in, its pid in $!
	setsid python3 "$TOP/tests/integration/$2" "$1" > "$1/log" 2>&1 &
}
start "$GS" graph_stand_in.py
GS_PID=$!
start "$OE" oauth_endpoint.py
OE_PID=$!
i=0
while { [ ! -s "$GS/port" ] || [ ! -s "$OE/port" ]; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$GS/port" ] && [ -s "$OE/port" ] || { t_fail "stand-ins start" "$(cat "$GS/log" "$OE/log")"; exit 0; }
oe_policy
: > "$GS/requests"
: > "$OE/requests"

DB=$T/t.db
CACHE=$T/oauth-token.cache
cat > "$T/c.conf" << EOF
[graph]
mailbox = $MAILBOX
processed_folder = TLSRPT/processed
invalid_folder = TLSRPT/invalid
other_folder = TLSRPT/other
endpoint = https://localhost:$(cat "$GS/port")/v1.0
ca_file = $T/ca.crt
timeout = 10

[oauth]
tenant = tenant-1
client_id = app-1
client_secret_file = $T/secret
token_url = https://localhost:$(cat "$OE/port")/tenant-1/oauth2/v2.0/token
ca_file = $T/ca.crt

[trust]
dkim = off
EOF
: > "$T/all"
run() {
	"$TLSWATCH" --config "$T/c.conf" --db "$DB" "$@" > "$T/out" 2>&1
	rc=$?
	cat "$T/out" >> "$T/all"
	return $rc
}
n_deliv=0
deliver() { # deliver FILE...: into the inbox under fresh Graph-like ids
	for f in "$@"; do
		n_deliv=$((n_deliv + 1))
		cp "$f" "$GS/mail/AQMkInbox000/AAMkADk$(printf %05d $n_deliv)-x_yAAA=.eml"
	done
}
# count NAME: messages in a folder, by its displayName path
count() {
	python3 - "$GS" "$1" << 'EOF'
import json, os, sys
folders = json.load(open(os.path.join(sys.argv[1], "folders.json")))
parent = None
for name in sys.argv[2].split("/"):
    match = [k for k, v in folders.items() if v.get("parent") == parent and v["displayName"].lower() == name.lower()]
    if not match:
        print("none")
        sys.exit(0)
    parent = match[0]
print(len(os.listdir(os.path.join(sys.argv[1], "mail", parent))))
EOF
}

MAILS=$(ls "$DATA"/mail/*/*.eml "$DATA"/mail/*/*.elm 2> /dev/null)
printf 'From: someone@example.net\r\nTo: tlsrpt@example.org\r\nSubject: hello\r\n\r\nNot a report.\r\n' > "$T/plain.eml"
printf 'From: r@example.net\r\nSubject: Report Domain: example.org\r\nMIME-Version: 1.0\r\nContent-Type: application/tlsrpt+json\r\n\r\n{"organization-name": "broken", "report-id":\r\n' > "$T/broken.eml"
# shellcheck disable=SC2086
set -- $MAILS "$T/plain.eml" "$T/broken.eml"
N=$#
"$TLSWATCH" --config "$T/c.conf" --db "$T/ref.db" -v ingest "$@" > "$T/ref.out" 2>&1
WANT_PROCESSED=$(grep -c ': stored\|: duplicate' "$T/ref.out")
WANT_INVALID=$(grep -c ': quarantined' "$T/ref.out")
WANT_OTHER=$(grep -c ': not-a-report' "$T/ref.out")
WANT_REPORTS=$(t_sql "$T/ref.db" "SELECT count(*) FROM report")
figures="SELECT organization, report_id, start_time, end_time, successful_sessions,
	failed_sessions FROM report ORDER BY organization, report_id"
t_check "the reference stored reports" test "$WANT_REPORTS" -gt 0
deliver "$@"

# --- a dry run: reads, writes nothing (no database, no folders, no cache)
run -v collect --dry-run
t_eq "dry run: exit 1 (a message would be quarantined)" "$?" 1
t_check "dry run: says what it would do" grep -q "dry run: nothing written or moved" "$T/out"
t_eq "dry run: nothing moved" "$(count Inbox)" "$N"
t_eq "dry run: no folder created" "$(count TLSRPT)" none
t_check "dry run: no token cache written" test ! -e "$CACHE"
t_check "dry run: no database" test ! -e "$DB"

# --- the first run: all stored as ingest stores them, then moved
run collect
t_eq "collect: exit 1 (the broken report quarantined)" "$?" 1
t_eq "collect: reports stored as ingest stores them" \
	"$(t_sql "$DB" "$figures" | md5sum)" "$(t_sql "$T/ref.db" "$figures" | md5sum)"
t_eq "collect: the inbox is empty" "$(count Inbox)" 0
t_eq "collect: stored and duplicates in TLSRPT/processed" "$(count TLSRPT/processed)" "$WANT_PROCESSED"
t_eq "collect: the quarantined one in TLSRPT/invalid" "$(count TLSRPT/invalid)" "$WANT_INVALID"
t_eq "collect: the plain mail in TLSRPT/other" "$(count TLSRPT/other)" "$WANT_OTHER"
t_eq "collect: quarantined kept" "$(t_sql "$DB" "SELECT count(*) FROM quarantine WHERE kind = 'graph'")" "$WANT_INVALID"
t_check "collect: paged through @odata.nextLink" grep -q 'messages?.*skip=3' "$GS/requests"
t_check "collect: moved with POST .../move" grep -q '^POST /v1.0/users/.*/messages/AAMkADk00001-x_yAAA%3D/move 201' "$GS/requests"
t_eq "collect: the token cached, mode 600" "$(stat -c %a "$CACHE" 2> /dev/null)" 600
t_eq "collect: a token with the endpoint's scope (the dry run's was not cached: two requests)" \
	"$(tr '\n' ' ' < "$OE/requests")" "client_credentials ok client_credentials ok "

# --- a second run finds nothing and is quiet
run collect
t_eq "second run: exit 0" "$?" 0
t_eq "second run: quiet" "$(cat "$T/out")" ""
t_eq "second run: still every report once" "$(t_sql "$DB" "SELECT count(*) FROM report")" "$WANT_REPORTS"

# --- stopped between commit and move (the move fails after 2): the next
# run finishes, each report once
# shellcheck disable=SC2086
deliver $MAILS
policy fail_move=2
run collect
t_eq "move fails: exit 2" "$?" 2
t_check "move fails: one line naming the step" grep -q "graph localhost:.*move message: HTTP 500 ErrorInternalServerError" "$T/out"
t_eq "move fails: two moved" "$(count Inbox)" "$(($(echo $MAILS | wc -w) - 2))"
policy
run collect
t_check "re-run after a failed move: no error (exit 0, or 1 for the quarantined sample)" test "$?" -lt 2
t_eq "re-run: the inbox is empty" "$(count Inbox)" 0
t_eq "re-run: every report once" "$(t_sql "$DB" "SELECT count(*) FROM report")" "$WANT_REPORTS"

# --- killed (SIGKILL) after the commit, during the moves: the next run
# finishes, each report once (new reports, from the generator)
mkdir -p "$T/gen"
"$GEN" --out "$T/gen" --format eml --days 2 --domains 3 --max-reports 10 > /dev/null 2>&1
NEW=$(ls "$T/gen" | wc -l)
t_check "generated report mails" test "$NEW" -gt 1
deliver "$T"/gen/*.eml
policy mode=slowmove
: > "$GS/requests"
"$TLSWATCH" --config "$T/c.conf" --db "$DB" collect > "$T/out" 2>&1 &
pid=$!
i=0
while ! grep -q '/move' "$GS/requests" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -9 "$pid"
wait "$pid" 2> /dev/null
t_check "killed during the moves: some mail still in the inbox" test "$(count Inbox)" -gt 0
t_eq "killed during the moves: the batch was committed before the first move" \
	"$(t_sql "$DB" "SELECT count(*) FROM report")" "$((WANT_REPORTS + NEW))"
policy
run collect
t_check "re-run after SIGKILL: no error" test "$?" -lt 2
t_eq "re-run after SIGKILL: the inbox is empty" "$(count Inbox)" 0
t_eq "re-run after SIGKILL: every report once" "$(t_sql "$DB" "SELECT count(*) FROM report")" \
	"$((WANT_REPORTS + NEW))"
WANT_REPORTS=$((WANT_REPORTS + NEW))

# --- throttling: 429 with Retry-After, waited out
deliver "$T/plain.eml"
policy throttle=2
run -v collect
t_eq "429: exit 0" "$?" 0
t_check "429: waited as asked" grep -q "HTTP 429, waiting 1 s as asked" "$T/out"
t_eq "429: collected" "$(count Inbox)" 0
policy mode=always429
run collect
t_eq "429 forever: exit 2" "$?" 2
t_check "429 forever: gives up, saying so" grep -q "HTTP 429 (throttled or unavailable) after 8 tries" "$T/out"
policy

# --- an expired cached token: 401, one new token, collected
n=$(wc -l < "$OE/requests")
sed -i "s/^access .*/access e30.e30.e30/" "$CACHE"
deliver "$T/plain.eml"
run collect
t_eq "401: exit 0 (a new token)" "$?" 0
t_eq "401: one new token request" "$(wc -l < "$OE/requests")" "$((n + 1))"
t_eq "401: collected" "$(count Inbox)" 0

# --- a token Graph refuses even when fresh: one new one, then one line
policy mode=revoked
n=$(wc -l < "$OE/requests")
run collect
t_eq "401 twice: exit 2" "$?" 2
t_eq "401 twice: one new token asked for" "$(wc -l < "$OE/requests")" "$((n + 1))"
t_check "401 twice: names the scope and permission to check" \
	grep -q "HTTP 401 InvalidAuthenticationToken: .*check \[oauth\] scope.*Mail.ReadWrite" "$T/out"
policy

# --- a refused permission: one line with what to check
deliver "$T/plain.eml"
policy mode=denied
run collect
t_eq "403: exit 2" "$?" 2
t_eq "403: one line" "$(wc -l < "$T/out")" 1
t_check "403: names Mail.ReadWrite and the access policy" \
	grep -q "HTTP 403 ErrorAccessDenied: .*Mail.ReadWrite.*application access policy" "$T/out"
policy
sed -i "s/^mailbox = .*/mailbox = nobody@example.org/" "$T/c.conf"
run collect
t_eq "unknown mailbox: exit 2" "$?" 2
t_check "unknown mailbox: says to check [graph] mailbox" \
	grep -q "HTTP 404 ErrorInvalidUser: .*check \[graph\] mailbox" "$T/out"
sed -i "s/^mailbox = .*/mailbox = $MAILBOX/" "$T/c.conf"

# --- hostile answers: each ends the run in one line, nothing lost
for m in loop:"more than [0-9]* pages" foreign:"nextLink leads outside" \
	hugejson:"larger than 4194304 bytes" malformed:"not a JSON object" \
	deep:"not a JSON object (or nests deeper" badid:"was refused"; do
	policy mode="${m%%:*}"
	run collect
	rc=$?
	if [ "${m%%:*}" = loop ]; then
		t_eq "hostile ${m%%:*}: stops paging, collects what it listed" "$rc" 0
	else
		t_eq "hostile ${m%%:*}: exit 2" "$rc" 2
	fi
	t_check "hostile ${m%%:*}: says why" grep -q "${m#*:}" "$T/out"
done
policy
t_eq "hostile answers: nothing lost (every report once)" \
	"$(t_sql "$DB" "SELECT count(*) FROM report")" "$WANT_REPORTS"
t_check "foreign link: the token was not sent there (no request left loopback)" \
	test "$(grep -c steal "$GS/requests")" -eq 0

# --- a slow drip is cut (timeout = 1: after 10 s in all). The other
# steps keep 10 s, so a loaded machine's slow stand-in is no timeout.
deliver "$T/plain.eml"
policy mode=drip
sed -i 's/^timeout = 10$/timeout = 1/' "$T/c.conf"
run collect
t_eq "slow drip: exit 2" "$?" 2
t_check "slow drip: a timeout" grep -qi "timeout\|timed out\|too slow\|operation too slow" "$T/out"
sed -i 's/^timeout = 1$/timeout = 10/' "$T/c.conf"
policy
run collect
t_eq "slow drip, then a good run: collected" "$(count Inbox)" 0

# --- an oversized message: its first 16 MiB quarantined, moved to invalid
inv=$(count TLSRPT/invalid)
{ printf 'From: big@example.net\r\nSubject: big\r\n\r\n'; head -c 17000000 /dev/zero | tr '\0' A; } > "$T/big.eml"
deliver "$T/big.eml"
run collect
t_eq "oversized: exit 1 (quarantined)" "$?" 1
t_eq "oversized: moved to TLSRPT/invalid" "$(count TLSRPT/invalid)" "$((inv + 1))"
t_check "oversized: quarantined as too large" \
	test "$(t_sql "$DB" "SELECT count(*) FROM quarantine WHERE size > 16777216")" -eq 1

# --- the certificate assertion: PS256 with x5t#S256 by default (Microsoft's
# documentation), RS256 on request; the token URL from authority + tenant
cp "$T/c.conf" "$T/secret.conf"
sed -i -e "s|^client_secret_file = .*|certificate_file = $T/app.crt\nprivate_key_file = $T/app.key|" \
	-e "s|^token_url = .*|authority = https://localhost:$(cat "$OE/port")/|" "$T/c.conf"
oe_policy PS256
rm -f "$CACHE"
deliver "$T/plain.eml"
run collect
t_eq "PS256 assertion: exit 0" "$?" 0
t_eq "PS256 assertion: verified by the endpoint" "$(tail -1 "$OE/requests")" "client_credentials+assertion ok"
t_eq "PS256 assertion: the algorithm" "$(cat "$OE/alg")" PS256
t_eq "PS256 assertion: collected" "$(count Inbox)" 0
sed -i "s|^authority = .*|&\nassertion_alg = RS256|" "$T/c.conf"
oe_policy RS256
rm -f "$CACHE"
deliver "$T/plain.eml"
run collect
t_eq "RS256 assertion: exit 0" "$?" 0
t_eq "RS256 assertion: verified by the endpoint" "$(tail -1 "$OE/requests")" "client_credentials+assertion ok"
t_eq "RS256 assertion: collected" "$(count Inbox)" 0
oe_policy PS256
rm -f "$CACHE"
run collect
t_eq "RS256 where PS256 is required: exit 2" "$?" 2
t_check "RS256 where PS256 is required: AADSTS700027 explained" grep -q "AADSTS700027" "$T/out"
cp "$T/secret.conf" "$T/c.conf"
oe_policy

# --- consent in a browser (auth login --browser: the authorization code
# with PKCE), then collect with the refresh token it stored
cp "$T/c.conf" "$T/secret.conf"
sed -i -e "s|^tenant = .*|provider = generic|" \
	-e "s|^client_secret_file = .*|refresh_token_file = $T/refresh|" \
	-e "s|^token_url = .*|&\nauth_url = https://localhost:$(cat "$OE/port")/authorize|" "$T/c.conf"
rm -f "$CACHE" "$T/in"
mkfifo "$T/in"
"$TLSWATCH" --config "$T/c.conf" --db "$DB" auth login --browser < "$T/in" > "$T/out" 2>&1 &
AUTH_PID=$!
exec 8> "$T/in"
i=0
while ! grep -q '^https://' "$T/out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
url=$(grep '^https://' "$T/out")
qp() { python3 -c 'import sys, urllib.parse as u; print(dict(u.parse_qsl(u.urlsplit(sys.argv[1]).query)).get(sys.argv[2], ""))' "$url" "$1"; }
t_eq "browser consent: the URL asks for Graph's scope with offline_access" "$(qp scope)" \
	"https://localhost:$(cat "$GS/port")/Mail.ReadWrite offline_access"
t_eq "browser consent: PKCE S256" "$(qp code_challenge_method)" S256
python3 -c 'import json, sys
pol = json.load(open(sys.argv[1]))
pol["codes"] = {"code-1": {"sub": sys.argv[3], "challenge": sys.argv[2]}}
json.dump(pol, open(sys.argv[1], "w"))' "$OE/policy.json" "$(qp code_challenge)" "$MAILBOX"
echo "http://127.0.0.1:9/?state=$(qp state)&code=code-1&scope=x" >&8
exec 8>&-
wait "$AUTH_PID"
t_eq "browser consent: exit 0" "$?" 0
t_eq "browser consent: the endpoint checked code and verifier" "$(tail -1 "$OE/requests")" \
	"authorization_code ok"
t_eq "browser consent: refresh token stored, mode 600" "$(stat -c %a "$T/refresh" 2> /dev/null)" 600
cat "$T/out" >> "$T/all"
deliver "$T/plain.eml"
run collect
t_eq "browser consent, then collect: exit 0" "$?" 0
t_eq "browser consent, then collect: the refresh token used" "$(tail -1 "$OE/requests")" \
	"refresh_token ok"
t_eq "browser consent, then collect: collected" "$(count Inbox)" 0
echo "http://127.0.0.1:9/?state=forged&code=code-2" | "$TLSWATCH" --config "$T/c.conf" \
	--db "$DB" auth login --browser > "$T/out" 2>&1
t_eq "browser consent, another sign-in's answer: exit 2" "$?" 2
t_check "browser consent, another sign-in's answer: refused" grep -q "its state differs" "$T/out"
echo "http://127.0.0.1:9/?error=access_denied" | "$TLSWATCH" --config "$T/c.conf" --db "$DB" \
	auth login --browser > "$T/out" 2>&1
t_check "browser consent declined: says so" \
	grep -q "consent was not given (access_denied)" "$T/out"
cp "$T/secret.conf" "$T/c.conf"

# --- [graph] mistakes, each one line
printf '[graph]\nmailbox = %s\n[oauth]\nclient_id = a\ntenant = t\nclient_secret_file = %s\n' \
	"$MAILBOX" "$T/secret" > "$T/bad.conf"
"$TLSWATCH" --config "$T/bad.conf" --db "$DB" collect > "$T/out" 2>&1
t_eq "no processed_folder: exit 2" "$?" 2
t_check "no processed_folder: says why it is needed" grep -q "processed_folder is not set" "$T/out"
printf '[graph]\nmailbox = %s\nprocessed_folder = p\n' "$MAILBOX" > "$T/bad.conf"
"$TLSWATCH" --config "$T/bad.conf" --db "$DB" collect > "$T/out" 2>&1
t_check "no [oauth]: says it is needed" grep -q "\[graph\] needs an \[oauth\] section" "$T/out"

leak=""
grep -qF "$SECRET" "$T/all" && leak="client secret"
grep -q 'eyJ' "$T/all" && leak="$leak a JWT"
grep -q 'rt-code' "$T/all" && leak="$leak a refresh token"
if [ -z "$leak" ]; then t_pass "no secret or token in any output"; else t_fail "no secret in output" "$leak"; fi
