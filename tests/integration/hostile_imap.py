#!/usr/bin/env python3
"""hostile_imap.py - a small IMAP server that misbehaves on purpose, for
tests/integration/imap_hostile.sh (test scaffolding, like tools/cutproxy.c).

usage: hostile_imap.py SCENARIO CERT KEY PORTFILE [MAILDIR]

Listens on 127.0.0.1, a free port written to PORTFILE. Speaks just enough
IMAP4rev1 for tlswatch's collector (CAPABILITY, STARTTLS, LOGIN, LIST,
CREATE, SELECT/EXAMINE, UID FETCH, UID MOVE, LOGOUT): imaps, or plain +
STARTTLS when the environment says HOSTILE_TLS=starttls.
MAILDIR: the messages (*.eml, sorted) served as UIDs 1..N; without it, 10
small messages. Each SCENARIO breaks one rule:

  honest      none (the baseline)
  literal     a body literal announced as {99999999999}, then 400 MiB
  liar        sizes announced as 1,000 bytes, bodies sent as 30 MiB each
  unasked     bodies for UIDs never asked for, 30 MiB each
  unasked-small  the same with bodies of 100 bytes
  deep        an unsolicited BODYSTRUCTURE nested 200,000 deep after login
  deep-early  the same in the greeting, before STARTTLS completes
  parens      200,000 nested parentheses without the word BODYSTRUCTURE
  longline    a 100 MiB response line
  flood       a message list of 2,000,000 FETCH lines
  flood-body  2,000,000 tiny FETCH (FLAGS) lines in answer to a body fetch
  literal-early  a {99999999999} literal in the greeting, before STARTTLS
  trickle     the greeting one byte every half second, forever
  skip        the body FETCH leaves out UID 2 and answers OK
  skip-once   the same, on the first body FETCH of the server's life only
  baduid      the message list names UID 4294967295 (UIDNEXT is 11)
  zerouid     the message list names UID 0
  inject      plaintext behind the STARTTLS answer (a meddler)
"""
import asyncio
import os
import re
import ssl
import sys

MiB = 1024 * 1024
SCEN, CERT, KEY, PORTFILE = sys.argv[1:5]
MAILDIR = sys.argv[5] if len(sys.argv) > 5 else None
STATE = {"fetches": 0}

if MAILDIR:
    MSGS = []
    for n in sorted(os.listdir(MAILDIR)):
        with open(os.path.join(MAILDIR, n), "rb") as f:
            MSGS.append(f.read())
else:
    MSGS = [b"From: a@example.org\r\nSubject: %d\r\n\r\nnot a report\r\n" % i for i in range(10)]
UIDS = list(range(1, len(MSGS) + 1))
CAPS = b"IMAP4rev1 MOVE UIDPLUS STARTTLS AUTH=PLAIN"


def sslctx():
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(CERT, KEY)
    return ctx


def deep(n=200000):
    return b"* 1 FETCH (BODYSTRUCTURE " + b"(" * n + b"\r\n"


async def send_big(w, total, chunk=MiB):
    """Sends total bytes of filler; stops quietly when the client hangs up."""
    block = b"x" * chunk
    sent = 0
    while sent < total and not w.is_closing():
        w.write(block[: min(chunk, total - sent)])
        sent += chunk
        await w.drain()


def parse_set(s):
    out = []
    for part in s.split(","):
        if ":" in part:
            a, b = part.split(":")
            lo = int(a)
            hi = 2**32 - 1 if b == "*" else int(b)
            out += [u for u in UIDS if lo <= u <= hi]
            if b == "*" and not any(lo <= u for u in UIDS) and UIDS:
                out.append(UIDS[-1])  # RFC 3501 6.4.8: "N:*" names the highest
        else:
            out.append(int(part))
    return out


async def uid_fetch(tag, args, w):
    m = re.match(rb"(\S+) \((.*)\)", args)
    uids, items = parse_set(m.group(1).decode()), m.group(2)
    if b"BODY.PEEK" not in items:
        if SCEN == "flood":
            line = b"* 1 FETCH (UID 1 RFC822.SIZE 100)\r\n"
            for _ in range(2000):
                w.write(line * 1000)
                await w.drain()
        for u in uids:
            if u not in UIDS:
                continue
            size = 1000 if SCEN == "liar" else len(MSGS[u - 1])
            w.write(b"* %d FETCH (UID %d RFC822.SIZE %d)\r\n" % (u, u, size))
        if SCEN == "baduid":
            w.write(b"* 11 FETCH (UID 4294967295 RFC822.SIZE 100)\r\n")
        if SCEN == "zerouid":
            w.write(b"* 11 FETCH (UID 0 RFC822.SIZE 100)\r\n")
        w.write(tag + b" OK Fetch completed\r\n")
        return
    STATE["fetches"] += 1
    if SCEN == "flood-body":
        line = b"* 1 FETCH (FLAGS ())\r\n"
        for _ in range(2000):
            if w.is_closing():
                return
            w.write(line * 1000)
            await w.drain()
    if SCEN == "literal":
        w.write(b"* 1 FETCH (UID %d BODY[] {99999999999}\r\n" % uids[0])
        await send_big(w, 400 * MiB)
        return
    if SCEN == "longline":
        w.write(b"* 1 FETCH (UID %d BODY[] " % uids[0])
        await send_big(w, 100 * MiB)
        return
    if SCEN in ("unasked", "unasked-small"):
        size = 30 * MiB if SCEN == "unasked" else 100
        for u in range(100, 110):
            w.write(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (u, u, size))
            await send_big(w, size)
            w.write(b")\r\n")
    for u in uids:
        if u not in UIDS:
            continue
        if u == 2 and (SCEN == "skip" or (SCEN == "skip-once" and STATE["fetches"] == 1)):
            continue
        if SCEN == "liar":
            w.write(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (u, u, 30 * MiB))
            await send_big(w, 30 * MiB)
            w.write(b")\r\n")
            continue
        body = MSGS[u - 1]
        w.write(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (u, u, len(body)) + body + b")\r\n")
    w.write(tag + b" OK Fetch completed\r\n")


async def session(r, w):
    if SCEN == "trickle":
        while not w.is_closing():
            w.write(b"*")
            await w.drain()
            await asyncio.sleep(0.5)
        return
    w.write(b"* OK [CAPABILITY " + CAPS + b"] hostile ready\r\n")
    if SCEN == "deep-early":
        w.write(deep())
    if SCEN == "literal-early":
        w.write(b"* 1 FETCH (UID 1 BODY[] {99999999999}\r\n")
        await send_big(w, 400 * MiB)
    await w.drain()
    while True:
        line = await r.readline()
        if not line:
            return
        m = re.match(rb"(\S+) (\S+) ?(.*?)\r?\n$", line)
        if not m:
            return
        tag, cmd, args = m.group(1), m.group(2).upper(), m.group(3)
        if cmd == b"UID":
            sub, _, rest = args.partition(b" ")
            cmd, args = b"UID " + sub.upper(), rest
        if cmd == b"CAPABILITY":
            w.write(b"* CAPABILITY " + CAPS + b"\r\n" + tag + b" OK done\r\n")
        elif cmd == b"STARTTLS":
            # one write: the injected line arrives with the answer
            w.write(tag + b" OK Begin TLS\r\n" +
                    (b"* OK injected before the handshake\r\n" if SCEN == "inject" else b""))
            await w.drain()
            await w.start_tls(sslctx())
        elif cmd in (b"LOGIN", b"AUTHENTICATE"):
            w.write(tag + b" OK Logged in\r\n")
            if SCEN == "deep":
                w.write(deep())
        elif cmd == b"LIST":
            for f in (b"INBOX", b"Processed", b"Invalid", b"Other"):
                w.write(b'* LIST (\\HasNoChildren) "." ' + f + b"\r\n")
            w.write(tag + b" OK List completed\r\n")
        elif cmd in (b"SELECT", b"EXAMINE"):
            w.write(b"* %d EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n" % len(MSGS))
            w.write(b"* OK [UIDNEXT %d] ok\r\n" % (len(MSGS) + 1))
            if SCEN == "parens":
                w.write(b"* 1 FETCH (X-WEIRD " + b"(" * 200000 + b"\r\n")
            w.write(tag + b" OK [READ-WRITE] Select completed\r\n")
        elif cmd == b"UID FETCH":
            await uid_fetch(tag, args, w)
        elif cmd in (b"UID MOVE", b"UID COPY", b"UID STORE", b"UID EXPUNGE", b"CREATE"):
            w.write(tag + b" OK done\r\n")
        elif cmd == b"LOGOUT":
            w.write(b"* BYE bye\r\n" + tag + b" OK Logout completed\r\n")
            await w.drain()
            return
        else:
            w.write(tag + b" BAD unknown command\r\n")
        await w.drain()


async def handle(r, w):
    try:
        await session(r, w)
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        w.close()


async def main():
    mode = os.environ.get("HOSTILE_TLS", "imaps")
    ctx = sslctx() if mode == "imaps" else None
    srv = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx, limit=1 << 20)
    port = srv.sockets[0].getsockname()[1]
    with open(PORTFILE + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(PORTFILE + ".tmp", PORTFILE)
    async with srv:
        await srv.serve_forever()


asyncio.run(main())
