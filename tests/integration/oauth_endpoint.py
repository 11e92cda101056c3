#!/usr/bin/env python3
"""oauth_endpoint.py - a local OAuth 2.0 token endpoint for the IMAP XOAUTH2
tests (tests/integration/imap_oauth.sh). Standard library and the openssl
command only.

It follows the shapes of the Microsoft identity platform v2.0 token endpoint
(client credentials with client_secret or a client_assertion signed PS256,
whose header carries x5t#S256, or RS256 with x5t; the refresh_token grant) and of Google's jwt-bearer
grant, and issues access tokens as HS256 JWTs signed with the key the test
Dovecot trusts (its oauth2 passdb validates them locally).

    oauth_endpoint.py STATE_DIR

STATE_DIR holds: tls.crt/tls.key (served), jwt.key (raw HS256 key), kid,
policy.json (read on every request, so a test can change it between runs):
  {"client_id": ..., "client_secret": ..., "app_cert": PEM path,
   "sa_pubkey": PEM path, "refresh": {token: sub}, "sub": IMAP user,
   "expires_in": seconds told, "jwt_life": seconds the JWT lives,
   "alg": the assertion algorithm required (absent: PS256 or RS256),
   "codes": {authorization code: {"sub", "challenge": PKCE S256 challenge}}}
The algorithm of the last client assertion is written to STATE_DIR/alg.
It writes STATE_DIR/port once listening and appends one line per request
to STATE_DIR/requests ("GRANT ok" or "GRANT fail CODE"). Errors are the
documented JSON error bodies, with AADSTS codes in error_description.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

STATE = sys.argv[1]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def policy():
    with open(os.path.join(STATE, "policy.json")) as f:
        return json.load(f)


def issue(sub, pol):
    with open(os.path.join(STATE, "jwt.key"), "rb") as f:
        key = f.read()
    with open(os.path.join(STATE, "kid")) as f:
        kid = f.read().strip()
    now = int(time.time())
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    claims = b64url(json.dumps({"sub": sub, "iat": now - 60,
                                "exp": now + pol.get("jwt_life", 3600)}).encode())
    sig = hmac.new(key, (head + "." + claims).encode(), hashlib.sha256).digest()
    return head + "." + claims + "." + b64url(sig)


def rs256_ok(jwt, pubkey_pem, pss=False):
    """Verifies an RS256 (or PS256: RSASSA-PSS, salt as long as the SHA-256
    hash, RFC 7518 section 3.5) JWS with `openssl dgst -verify`."""
    head, claims, sig = jwt.split(".")
    opts = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"] if pss else []
    with tempfile.TemporaryDirectory() as d:
        for name, data in (("data", (head + "." + claims).encode()), ("sig", unb64url(sig))):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pubkey_pem] + opts + [
                            "-signature", os.path.join(d, "sig"), os.path.join(d, "data")],
                           capture_output=True)
        return r.returncode == 0


def cert_info(cert_pem):
    """x5t and x5t#S256 (base64url SHA-1 and SHA-256 of the DER) and a public
    key file."""
    der = subprocess.run(["openssl", "x509", "-in", cert_pem, "-outform", "DER"],
                         capture_output=True, check=True).stdout
    pub = os.path.join(STATE, "app_pub.pem")
    with open(pub, "wb") as f:
        f.write(subprocess.run(["openssl", "x509", "-in", cert_pem, "-pubkey", "-noout"],
                               capture_output=True, check=True).stdout)
    return b64url(hashlib.sha1(der).digest()), b64url(hashlib.sha256(der).digest()), pub


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, grant, note):
        with open(os.path.join(STATE, "requests"), "a") as f:
            f.write("%s %s\n" % (grant, note))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def fail(self, status, error, desc, grant):
        self.answer(status, {"error": error, "error_description": desc +
                             "\r\nTrace ID: 0000\r\nCorrelation ID: 1111\r\nTimestamp: now",
                             "error_codes": [int(desc[6:desc.index(":")])]},
                    grant, "fail " + desc[:desc.index(":")])

    def do_POST(self):
        pol = policy()
        n = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(n).decode()).items()}
        grant = form.get("grant_type", "")
        url = "https://localhost:%d%s" % (self.server.server_port, self.path)
        if pol.get("mode") in ("huge", "html"):
            # a broken or hostile endpoint: an endless token, a proxy's error page
            data = (b'{"access_token": "' + b"A" * (1024 * 1024) + b'"}' if pol["mode"] == "huge"
                    else b"<html><body>502 Bad Gateway</body></html>")
            with open(os.path.join(STATE, "requests"), "a") as f:
                f.write("%s %s\n" % (grant, pol["mode"]))
            self.send_response(200 if pol["mode"] == "huge" else 502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        if self.path.endswith("/devicecode"):
            if form.get("client_id") != pol["client_id"]:
                return self.fail(400, "unauthorized_client", "AADSTS700016: Application with "
                                 "identifier '%s' was not found in the directory." %
                                 form.get("client_id"), "devicecode")
            code = "dc-%d" % int(time.time() * 1000)
            with open(os.path.join(STATE, "device_polls"), "w") as f:
                f.write("0")
            self.answer(200, {"device_code": code, "user_code": "ABCD-1234",
                              "verification_uri": "https://microsoft.com/devicelogin",
                              "expires_in": 900, "interval": 1,
                              "message": "To sign in, use a web browser..."}, "devicecode", "ok")
            return None
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            with open(os.path.join(STATE, "device_polls")) as f:
                polls = int(f.read()) + 1
            with open(os.path.join(STATE, "device_polls"), "w") as f:
                f.write(str(polls))
            if not form.get("device_code", "").startswith("dc-"):
                self.answer(400, {"error": "bad_verification_code"}, "device_code", "fail")
                return None
            if polls < 2:
                self.answer(400, {"error": "authorization_pending", "error_description":
                                  "AADSTS70016: OAuth 2.0 device flow error. Authorization "
                                  "is pending."}, "device_code", "pending")
                return None
            if pol.get("device") == "decline":
                self.answer(400, {"error": "authorization_declined", "error_description":
                                  "The end user denied the authorization request."},
                            "device_code", "fail declined")
                return None
            new = "rt-dev-%d" % int(time.time() * 1000)
            pol["refresh"][new] = pol["sub"]
            with open(os.path.join(STATE, "policy.json"), "w") as f:
                json.dump(pol, f)
            self.answer(200, {"token_type": "Bearer", "expires_in": 3599,
                              "access_token": issue(pol["sub"], pol), "refresh_token": new},
                        "device_code", "ok")
            return None
        if grant == "client_credentials":
            if form.get("client_id") != pol["client_id"]:
                return self.fail(400, "unauthorized_client", "AADSTS700016: Application with "
                                 "identifier '%s' was not found in the directory." %
                                 form.get("client_id"), grant)
            if "client_assertion" in form:
                jwt = form["client_assertion"]
                head = json.loads(unb64url(jwt.split(".")[0]))
                claims = json.loads(unb64url(jwt.split(".")[1]))
                x5t, x5t256, pub = cert_info(pol["app_cert"])
                alg = head.get("alg")
                with open(os.path.join(STATE, "alg"), "w") as f:
                    f.write(str(alg))
                if (form.get("client_assertion_type") !=
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" or
                        alg not in ("RS256", "PS256") or alg != pol.get("alg", alg) or
                        head.get("x5t") != x5t or
                        (alg == "PS256" and head.get("x5t#S256") != x5t256) or
                        claims.get("aud") != url or claims.get("iss") != pol["client_id"] or
                        claims.get("sub") != pol["client_id"] or
                        not claims.get("exp", 0) > time.time() or not claims.get("jti") or
                        not rs256_ok(jwt, pub, alg == "PS256")):
                    return self.fail(401, "invalid_client", "AADSTS700027: Client assertion "
                                     "failed signature validation.", grant)
                grant += "+assertion"
            elif not hmac.compare_digest(form.get("client_secret", ""), pol["client_secret"]):
                return self.fail(401, "invalid_client", "AADSTS7000215: Invalid client secret "
                                 "provided. Ensure the secret being sent in the request is the "
                                 "client secret value, not the client secret ID", grant)
            if form.get("scope") != pol.get("scope", "https://outlook.office365.com/.default"):
                return self.fail(400, "invalid_scope", "AADSTS70011: The provided value for "
                                 "the input parameter 'scope' is not valid.", grant)
            sub = pol["sub"]
        elif grant == "refresh_token":
            refresh = pol.get("refresh", {})
            if form.get("refresh_token") not in refresh:
                return self.fail(400, "invalid_grant", "AADSTS70008: The provided authorization "
                                 "code or refresh token has expired due to inactivity.", grant)
            sub = refresh[form["refresh_token"]]
        elif grant == "authorization_code":
            # an installed app's consent: the code, the loopback redirect
            # URI it was issued for, and the PKCE verifier (RFC 7636)
            c = pol.get("codes", {}).get(form.get("code"))
            verifier = form.get("code_verifier", "")
            if (c is None or form.get("redirect_uri") != "http://127.0.0.1:9" or
                    b64url(hashlib.sha256(verifier.encode()).digest()) != c["challenge"]):
                self.answer(400, {"error": "invalid_grant", "error_description": "Bad Request"},
                            grant, "fail")
                return None
            sub = c["sub"]
            del pol["codes"][form["code"]]
            new = "rt-code-%d" % int(time.time() * 1000)
            pol["refresh"][new] = sub
            with open(os.path.join(STATE, "policy.json"), "w") as f:
                json.dump(pol, f)
        elif grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            jwt = form.get("assertion", "")
            claims = json.loads(unb64url(jwt.split(".")[1]))
            if (claims.get("aud") != url or claims.get("scope") != "https://mail.google.com/" or
                    not rs256_ok(jwt, pol["sa_pubkey"])):
                self.answer(400, {"error": "invalid_grant",
                                  "error_description": "Invalid JWT Signature."}, grant, "fail")
                return None
            sub = claims.get("sub")
            grant = "jwt-bearer"
        else:
            self.answer(400, {"error": "unsupported_grant_type"}, grant, "fail")
            return None
        body = {"token_type": "Bearer", "expires_in": pol.get("expires_in", 3599),
                "access_token": issue(sub, pol)}
        if grant == "authorization_code":
            body["refresh_token"] = new
        if grant == "refresh_token" and pol.get("rotate"):
            new = "rt-%d" % int(time.time() * 1000)
            pol["refresh"][new] = sub
            del pol["refresh"][form["refresh_token"]]
            with open(os.path.join(STATE, "policy.json"), "w") as f:
                json.dump(pol, f)
            body["refresh_token"] = new
        self.answer(200, body, grant, "ok")
        return None


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(STATE, "tls.crt"), os.path.join(STATE, "tls.key"))
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(os.path.join(STATE, "port.tmp"), "w") as f:
    f.write(str(server.server_port))
os.rename(os.path.join(STATE, "port.tmp"), os.path.join(STATE, "port"))
server.serve_forever()
