#!/bin/sh
# imap_oauth.sh - tlswatch gets its XOAUTH2 token itself ([oauth], no
# password_command), against a real Dovecot whose oauth2 passdb validates
# tokens locally and a local HTTPS token endpoint (oauth_endpoint.py, which
# signs tokens with the key Dovecot trusts): Microsoft client secret and
# certificate assertion (the endpoint checks x5t and the RS256 signature
# with openssl), the refresh-token flow with rotation, a Google service
# account, the cache (reused, expiry, a refused cached token replaced in
# the same run), a wrong secret, a revoked refresh token and a bad
# certificate each explained in one line, and no secret or token in any
# output.
. "$TOP/tests/lib.sh"
. "$TOP/tests/integration/dovecot_lib.sh"

OE=$T/oe
OE_PID=
trap '[ -n "$OE_PID" ] && kill "$OE_PID" 2>/dev/null; dc_cleanup; rm -rf "$T"' EXIT

dc_setup || { t_fail "test certificates made"; exit 0; }
dc_start || { t_fail "dovecot starts"; exit 0; }
mkdir -p "$OE"
cp "$DC/server.crt" "$OE/tls.crt"
cp "$DC/server.key" "$OE/tls.key"
cp "$DC/jwt.key" "$OE/jwt.key"
echo "$DC_KID" > "$OE/kid"
# the app's certificate and key (Microsoft), a second one it does not know,
# and a Google service-account key file (JSON, as the console downloads it)
for k in app other sa; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$k.key" -subj "/CN=tlswatch-$k" \
		-days 2 -out "$T/$k.crt" 2> /dev/null
	chmod 600 "$T/$k.key"
done
openssl x509 -in "$T/sa.crt" -pubkey -noout > "$OE/sa_pub.pem"
python3 -c 'import json,sys; print(json.dumps({"type": "service_account",
  "private_key_id": "k1", "private_key": open(sys.argv[1]).read(),
  "client_email": "tlswatch@project.iam.gserviceaccount.com"}))' "$T/sa.key" > "$T/sa.json"
chmod 600 "$T/sa.json"
SECRET='Zx8Q~client-secret-value-42'
printf '%s\n' "$SECRET" > "$T/secret"
chmod 600 "$T/secret"
printf 'rt-first\n' > "$T/refresh"
chmod 600 "$T/refresh"

# policy KEY=VALUE...: the endpoint's policy (read on every request)
policy() {
	secret=$SECRET cert=$T/app.crt life=3600 told=3599 refresh='{"rt-first": "tester"}'
	device=approve mode=normal
	for kv in "$@"; do eval "$kv"; done
	cat > "$OE/policy.json" << EOP
{"client_id": "app-1", "client_secret": "$secret", "app_cert": "$cert",
 "sa_pubkey": "$OE/sa_pub.pem", "refresh": $refresh, "rotate": true,
 "sub": "$DC_USER", "expires_in": $told, "jwt_life": $life, "device": "$device",
 "mode": "$mode"}
EOP
}
policy
setsid python3 "$TOP/tests/integration/oauth_endpoint.py" "$OE" > "$OE/log" 2>&1 &
OE_PID=$!
i=0
while [ ! -s "$OE/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$OE/port" ] || { t_fail "token endpoint starts" "$(cat "$OE/log")"; exit 0; }
URL="https://localhost:$(cat "$OE/port")/tenant-1/oauth2/v2.0/token"
: > "$OE/requests"

DB=$T/t.db
CACHE=$T/oauth-token.cache
: > "$T/all"
printf 'From: someone@example.net\r\nSubject: hello\r\n\r\nNot a report.\r\n' > "$T/plain.eml"
# conf KEY=VALUE...: [imap] for the test Dovecot with auth = xoauth2 and
# no password, then an [oauth] section of the given keys
conf() {
	dc_conf "$T/c.conf" auth=xoauth2 password_file=
	echo "[oauth]" >> "$T/c.conf"
	for kv in "$@"; do echo "$kv" >> "$T/c.conf"; done
	echo "ca_file=$DC/ca.crt" >> "$T/c.conf"
}
ms_secret() { conf "tenant=tenant-1" "client_id=app-1" "client_secret_file=$T/secret" "token_url=$URL" "$@"; }
run() {
	"$TLSWATCH" --config "$T/c.conf" --db "$DB" "$@" > "$T/out" 2>&1
	rc=$?
	cat "$T/out" >> "$T/all"
	return $rc
}
requests() { wc -l < "$OE/requests" | tr -d ' '; }
last_request() { tail -1 "$OE/requests"; }
collected=0
deliver() { dc_deliver INBOX "$T/plain.eml"; collected=$((collected + 1)); }

# --- Microsoft, client secret: a token fetched, cached 0600, used
deliver
ms_secret
run -v -v collect
t_eq "client secret: exit 0" "$?" 0
t_eq "client secret: the message collected" "$(dc_count Other)" "$collected"
t_eq "client secret: the endpoint saw one good request" "$(last_request)" "client_credentials ok"
t_eq "client secret: token cached next to the database, mode 600" \
	"$(stat -c %a "$CACHE" 2> /dev/null)" 600
t_check "client secret: Dovecot logged an XOAUTH2 login" \
	grep -q "Login: user=<$DC_USER>.*method=XOAUTH2" "$DC/dovecot.log"

# --- the cache: a second run asks the endpoint nothing
n=$(requests)
deliver
run collect
t_eq "cached token: exit 0" "$?" 0
t_eq "cached token: no new request" "$(requests)" "$n"
t_eq "cached token: collected" "$(dc_count Other)" "$collected"

# --- a cached token the server refuses: replaced in the same run
expired=$(dc_jwt "$DC_USER" "$(($(date +%s) - 600))")
sed -i "s/^access .*/access $expired/" "$CACHE"
deliver
run collect
t_eq "refused cached token: exit 0 (a new one fetched)" "$?" 0
t_eq "refused cached token: one new request" "$(requests)" "$((n + 1))"
t_eq "refused cached token: collected" "$(dc_count Other)" "$collected"

# --- expiry: a token told to live 2 s is fetched again once expired
policy life=2 told=2
rm -f "$CACHE"
run collect
n=$(requests)
sleep 3
deliver
run collect
t_eq "expired token: exit 0" "$?" 0
t_eq "expired token: fetched again" "$(requests)" "$((n + 1))"
t_eq "expired token: collected" "$(dc_count Other)" "$collected"
policy

# --- a wrong secret: one line naming the AADSTS code and what to check
policy secret=another-secret
rm -f "$CACHE"
run collect
t_eq "wrong secret: exit 2" "$?" 2
t_eq "wrong secret: one line" "$(wc -l < "$T/out")" 1
t_check "wrong secret: names AADSTS7000215 and client_secret_file" \
	grep -q "AADSTS7000215 (invalid_client): invalid client secret: client_secret_file" "$T/out"
policy

# --- a broken endpoint: an answer over the size cap, an error page
policy mode=huge
run collect
t_eq "oversized answer: exit 2" "$?" 2
t_check "oversized answer: refused as over the limit" grep -q "larger than the limit" "$T/out"
policy mode=html
run collect
t_eq "error page: exit 2" "$?" 2
t_check "error page: says it is not JSON" grep -q "HTTP 502 with a body that is not a JSON object" "$T/out"
policy

# --- unknown application
ms_secret
sed -i 's/^client_id=app-1/client_id=app-2/' "$T/c.conf"
run collect
t_eq "unknown app: exit 2" "$?" 2
t_check "unknown app: says to check client_id and tenant" \
	grep -q "AADSTS700016 .*check client_id" "$T/out"

# --- certificate: RS256 client assertion with x5t, verified by the endpoint
conf "tenant=tenant-1" "client_id=app-1" "certificate_file=$T/app.crt" \
	"private_key_file=$T/app.key" "token_url=$URL"
rm -f "$CACHE"
deliver
run collect
t_eq "certificate: exit 0" "$?" 0
t_eq "certificate: the endpoint verified the assertion" "$(last_request)" \
	"client_credentials+assertion ok"
t_eq "certificate: collected" "$(dc_count Other)" "$collected"
conf "tenant=tenant-1" "client_id=app-1" "certificate_file=$T/other.crt" \
	"private_key_file=$T/other.key" "token_url=$URL"
rm -f "$CACHE"
run collect
t_eq "unknown certificate: exit 2" "$?" 2
t_check "unknown certificate: says to upload the certificate" \
	grep -q "AADSTS700027 .*upload certificate_file" "$T/out"
chmod 644 "$T/other.key"
run collect
t_eq "private key readable by others: exit 2" "$?" 2
t_check "private key readable by others: refused, saying why" \
	grep -q "private_key_file .*mode 644.*chmod 600" "$T/out"

# --- refresh token (any provider): rotated tokens are kept in the cache
conf "provider=generic" "client_id=app-1" "refresh_token_file=$T/refresh" "token_url=$URL"
rm -f "$CACHE"
deliver
run collect
t_eq "refresh token: exit 0" "$?" 0
t_eq "refresh token: the endpoint saw it" "$(last_request)" "refresh_token ok"
t_check "refresh token: the rotated one is cached" grep -q '^refresh rt-' "$CACHE"
t_eq "refresh token: collected" "$(dc_count Other)" "$collected"
sed -i '/^access /d' "$CACHE"
deliver
run collect
t_eq "rotated refresh token used: exit 0" "$?" 0
t_eq "rotated refresh token used: the endpoint took it" "$(last_request)" "refresh_token ok"

# --- revoked refresh token
policy refresh='{}'
sed -i '/^access /d' "$CACHE"
run collect
t_eq "revoked refresh token: exit 2" "$?" 2
t_eq "revoked refresh token: one line" "$(wc -l < "$T/out")" 1
t_check "revoked refresh token: says to sign in again" \
	grep -q "AADSTS70008 .*refresh token has expired or was revoked" "$T/out"
policy

# --- tlswatch auth login: the device flow stores a refresh token for collect
conf "provider=generic" "client_id=app-1" "refresh_token_file=$T/devrefresh" "token_url=$URL" \
	"device_url=${URL%token}devicecode"
rm -f "$CACHE"
run auth login
t_eq "auth login: exit 0" "$?" 0
t_check "auth login: shows the URL and the code" \
	grep -q "open https://microsoft.com/devicelogin in a browser and enter the code ABCD-1234" \
	"$T/out"
t_eq "auth login: polled until signed in" "$(tail -2 "$OE/requests" | tr '\n' ' ')" \
	"device_code pending device_code ok "
t_eq "auth login: refresh token stored, mode 600" "$(stat -c %a "$T/devrefresh" 2> /dev/null)" 600
deliver
run collect
t_eq "auth login, then collect: exit 0" "$?" 0
t_eq "auth login, then collect: the stored refresh token used" "$(last_request)" "refresh_token ok"
t_eq "auth login, then collect: collected" "$(dc_count Other)" "$collected"
policy device=decline
rm -f "$T/devrefresh"
run auth login
t_eq "auth login, declined: exit 2" "$?" 2
t_check "auth login, declined: says so" grep -q "the sign-in was declined" "$T/out"
t_check "auth login, declined: no refresh token file" test ! -e "$T/devrefresh"
policy

# --- Google service account: jwt-bearer with sub = the mailbox
conf "provider=google" "private_key_file=$T/sa.json" "token_url=$URL"
rm -f "$CACHE"
deliver
run collect
t_eq "service account: exit 0" "$?" 0
t_eq "service account: the endpoint verified the assertion" "$(last_request)" "jwt-bearer ok"
t_eq "service account: collected" "$(dc_count Other)" "$collected"

# --- the cache file must stay private
chmod 644 "$CACHE"
run collect
t_eq "cache readable by others: exit 2" "$?" 2
t_check "cache readable by others: refused" grep -q "cache_file .*mode 644" "$T/out"

# --- no secret anywhere: client secret, refresh tokens, access tokens
leak=""
grep -qF "$SECRET" "$T/all" && leak="client secret"
grep -q 'rt-[0-9fd]' "$T/all" && leak="$leak refresh token"
grep -q 'eyJ' "$T/all" && leak="$leak a JWT"
grep -qF "$(openssl rsa -in "$T/app.key" -outform DER 2> /dev/null | base64 -w0 | cut -c100-140)" \
	"$T/all" && leak="$leak private key"
if [ -z "$leak" ]; then t_pass "no secret or token in any output"; else t_fail "no secret in output" "$leak"; fi

kill "$OE_PID" 2> /dev/null
OE_PID=
dc_stop
