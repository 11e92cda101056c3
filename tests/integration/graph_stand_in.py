#!/usr/bin/env python3
"""graph_stand_in.py - a local stand-in for the Microsoft Graph mail API, for
tests/integration/graph_collect.sh. Standard library only; HTTPS on
loopback with the test CA's certificate.

Written from Microsoft's documented request and response shapes (Graph v1.0):
  GET  /users/{id}/mailFolders[?$select&$top]              list (top level)
  GET  /users/{id}/mailFolders/{id}/childFolders            list
  POST /users/{id}/mailFolders[/{id}/childFolders]          create, 201
  GET  /users/{id}/mailFolders/{id}/messages?$select&$top   list, paged with
       @odata.nextLink (an opaque absolute URL; the last page has none)
  GET  /users/{id}/messages/{id}/$value                     the MIME content
  POST /users/{id}/messages/{id}/move {"destinationId"}     201, the moved
       message with a new id
Well-known folder names (inbox, archive, ...) stand for their folder's id.
Errors are {"error": {"code", "message"}}: 401 InvalidAuthenticationToken,
403 ErrorAccessDenied, 404 ErrorInvalidUser / ErrorItemNotFound, 429 with
Retry-After.

The bearer token must be an HS256 JWT signed with STATE/jwt.key (the key
oauth_endpoint.py signs with) whose exp is in the future.

    graph_stand_in.py STATE_DIR

STATE_DIR: tls.crt/tls.key, jwt.key, policy.json (read on every request):
  {"mailbox": UPN, "mode": "normal" | a hostile variant (see do_GET),
   "throttle": N (the next N requests get 429 Retry-After: 1),
   "page": N (page size at most), "fail_move_after": N (moves that work,
   then 500)}
Mail lives in STATE/mail/FOLDER_ID/MESSAGE_ID.eml; folders in
STATE/folders.json ({id: {"displayName", "parent", "wellKnown"}}). Writes
STATE/port once listening; appends "METHOD PATH STATUS" to STATE/requests.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import ssl
import sys
import time
import urllib.parse

STATE = sys.argv[1]
MAIL = os.path.join(STATE, "mail")


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load(name, default):
    try:
        with open(os.path.join(STATE, name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save(name, data):
    with open(os.path.join(STATE, name + ".tmp"), "w") as f:
        json.dump(data, f)
    os.rename(os.path.join(STATE, name + ".tmp"), os.path.join(STATE, name))


def token_ok(header):
    if not header.startswith("Bearer "):
        return False
    try:
        head, claims, sig = header[7:].split(".")
        with open(os.path.join(STATE, "jwt.key"), "rb") as f:
            key = f.read()
        want = hmac.new(key, (head + "." + claims).encode(), hashlib.sha256).digest()
        return (hmac.compare_digest(want, unb64url(sig)) and
                json.loads(unb64url(claims)).get("exp", 0) > time.time())
    except (ValueError, KeyError):
        return False


def new_id(prefix):
    return prefix + base64.urlsafe_b64encode(os.urandom(12)).decode() + "AAA="


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body are separate writes: without this, Nagle and delayed
    # ACKs add 40 ms to every answer on a kept-alive connection
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send(self, status, body=None, raw=None, ctype="application/json", extra=()):
        with open(os.path.join(STATE, "requests"), "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))
        data = raw if raw is not None else json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message, extra=()):
        self.send(status, {"error": {"code": code, "message": message,
                                     "innerError": {"request-id": "0000",
                                                    "date": "2026-01-01T00:00:00"}}},
                  extra=extra)

    def base(self):
        return "https://localhost:%d" % self.server.server_port

    def route(self):
        """Checks token, throttling and mailbox; returns (policy, parts, query)
        or None when an answer was sent."""
        pol = load("policy.json", {})
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        parts = [urllib.parse.unquote(p) for p in url.path.split("/")[1:]]
        if pol.get("throttle", 0) > 0:
            pol["throttle"] -= 1
            save("policy.json", pol)
            self.error(429, "TooManyRequests", "Please retry again later.",
                       extra=[("Retry-After", str(pol.get("retry_after", 1)))])
            return None
        if pol.get("mode") == "always429":
            self.error(429, "TooManyRequests", "Please retry again later.",
                       extra=[("Retry-After", "1")])
            return None
        if pol.get("mode") == "revoked" or not token_ok(self.headers.get("Authorization", "")):
            self.error(401, "InvalidAuthenticationToken",
                       "Access token has expired or is not yet valid.")
            return None
        if pol.get("mode") == "denied":
            self.error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try "
                       "again.")
            return None
        if parts[:2] != ["v1.0", "users"] or len(parts) < 4:
            self.error(400, "BadRequest", "Unsupported request.")
            return None
        if parts[2].lower() != pol["mailbox"].lower():
            self.error(404, "ErrorInvalidUser", "The requested user '%s' is invalid." % parts[2])
            return None
        return pol, parts[3:], query

    def folder(self, fid):
        folders = load("folders.json", {})
        for k, v in folders.items():
            if v.get("wellKnown") == fid.lower():
                return k
        return fid if fid in folders else None

    def page(self, items, pol, query, shape):
        top = min(int(query.get("$top", "10")), pol.get("page", 1000))
        skip = int(query.get("$skip", "0"))
        body = {"@odata.context": self.base() + "/v1.0/$metadata#Collection",
                "value": [shape(i) for i in items[skip:skip + top]]}
        if skip + top < len(items):
            q = dict(query)
            q["$skip"] = str(skip + top)
            body["@odata.nextLink"] = (self.base() + urllib.parse.urlsplit(self.path).path +
                                       "?" + urllib.parse.urlencode(q, safe="$,"))
        return body

    def do_GET(self):
        r = self.route()
        if r is None:
            return None
        pol, parts, query = r
        mode = pol.get("mode", "normal")
        folders = load("folders.json", {})
        if parts[0] == "mailFolders" and (len(parts) == 1 or parts[2:] == ["childFolders"]):
            parent = None if len(parts) == 1 else self.folder(parts[1])
            if len(parts) > 1 and parent is None:
                return self.error(404, "ErrorItemNotFound", "The specified object was not "
                                  "found in the store.")
            items = sorted(k for k, v in folders.items() if v.get("parent") == parent)
            return self.send(200, self.page(items, pol, query, lambda k: {
                "id": k, "displayName": folders[k]["displayName"], "parentFolderId": parent,
                "childFolderCount": 0, "unreadItemCount": 0, "totalItemCount": 0}))
        if parts[0] == "mailFolders" and parts[2:] == ["messages"]:
            fid = self.folder(parts[1])
            if fid is None:
                return self.error(404, "ErrorItemNotFound", "The specified object was not "
                                  "found in the store.")
            ids = sorted(n[:-4] for n in os.listdir(os.path.join(MAIL, fid)))
            # hostile variants of the message list
            if mode == "loop":  # an endless @odata.nextLink, the same page again
                n = int(query.get("n", "0"))
                body = self.page(ids, pol, {"$top": "2"}, lambda i: {"id": i})
                body["@odata.nextLink"] = (self.base() + urllib.parse.urlsplit(self.path).path +
                                           "?$top=2&n=%d" % (n + 1))
                return self.send(200, body)
            if mode == "foreign":
                body = self.page(ids, pol, {"$top": "1"}, lambda i: {"id": i})
                body["@odata.nextLink"] = "https://graph.example.net/v1.0/steal?$skip=1"
                return self.send(200, body)
            if mode == "hugejson":
                return self.send(200, raw=b'{"value": [' + b'{"id": "x"},' * 500000 + b'{}]}')
            if mode == "malformed":
                return self.send(200, raw=b'{"value": [{"id": "AAMk')
            if mode == "deep":
                return self.send(200, raw=b'{"value": ' + b"[" * 5000 + b"]" * 5000 + b"}")
            if mode == "badid":
                return self.send(200, {"value": [{"id": "../../../users/other/x y"}]})
            return self.send(200, self.page(ids, pol, query, lambda i: {
                "@odata.etag": 'W/"CQAAABYAAAAh"', "id": i}))
        if parts[0] == "messages" and len(parts) == 3 and parts[2] == "$value":
            for fid in os.listdir(MAIL):
                path = os.path.join(MAIL, fid, parts[1] + ".eml")
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        data = f.read()
                    if mode == "drip":  # a body a byte every half second
                        self.send_response(200)
                        self.send_header("Content-Type", "text/plain")
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        for b in data:
                            self.wfile.write(bytes([b]))
                            self.wfile.flush()
                            time.sleep(0.5)
                        return None
                    return self.send(200, raw=data, ctype="text/plain")
            return self.error(404, "ErrorItemNotFound", "The specified object was not found "
                              "in the store.")
        return self.error(400, "BadRequest", "Unsupported request.")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        try:
            body = json.loads(self.rfile.read(n) or b"{}")
        except ValueError:
            return self.error(400, "BadRequest", "Unable to read JSON request payload.")
        r = self.route()
        if r is None:
            return None
        pol, parts, _ = r
        folders = load("folders.json", {})
        if parts[0] == "mailFolders" and (len(parts) == 1 or parts[2:] == ["childFolders"]):
            parent = None if len(parts) == 1 else self.folder(parts[1])
            name = body.get("displayName", "")
            if any(v["displayName"].lower() == name.lower() and v.get("parent") == parent
                   for v in folders.values()):
                return self.error(409, "ErrorFolderExists", "A folder with the specified "
                                  "name already exists.")
            fid = new_id("AQMkF")
            folders[fid] = {"displayName": name, "parent": parent}
            save("folders.json", folders)
            os.makedirs(os.path.join(MAIL, fid))
            return self.send(201, {"id": fid, "displayName": name, "parentFolderId": parent,
                                   "childFolderCount": 0, "unreadItemCount": 0,
                                   "totalItemCount": 0})
        if parts[0] == "messages" and len(parts) == 3 and parts[2] == "move":
            if pol.get("mode") == "slowmove":  # time to kill the collector here
                time.sleep(1)
            left = pol.get("fail_move_after")
            if left is not None:
                if left <= 0:
                    return self.error(500, "ErrorInternalServerError", "An internal server "
                                      "error occurred. The operation failed.")
                pol["fail_move_after"] = left - 1
                save("policy.json", pol)
            dest = self.folder(body.get("destinationId", ""))
            if dest is None:
                return self.error(400, "ErrorInvalidIdMalformed", "Id is malformed.")
            for fid in os.listdir(MAIL):
                path = os.path.join(MAIL, fid, parts[1] + ".eml")
                if os.path.exists(path):
                    moved = new_id("AAMkM")
                    os.rename(path, os.path.join(MAIL, dest, moved + ".eml"))
                    return self.send(201, {"@odata.context": self.base() +
                                           "/v1.0/$metadata#Messages/$entity",
                                           "id": moved, "parentFolderId": dest,
                                           "subject": "moved"})
            return self.error(404, "ErrorItemNotFound", "The specified object was not found "
                              "in the store.")
        return self.error(400, "BadRequest", "Unsupported request.")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(STATE, "tls.crt"), os.path.join(STATE, "tls.key"))
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(os.path.join(STATE, "port.tmp"), "w") as f:
    f.write(str(server.server_port))
os.rename(os.path.join(STATE, "port.tmp"), os.path.join(STATE, "port"))
server.serve_forever()
