#!/usr/bin/env python3
"""tools/ingest_py.py - a plain Python-stdlib TLS report ingester, written
for the benchmark (issue 18 item 5): what a postmaster would otherwise write
in an afternoon, run on the same corpora as 'tlswatch ingest' so that each
ingest figure in docs/performance.md has a ratio a reader can trust.

    python3 tools/ingest_py.py DB PATH...

PATH: a report file (.json or .json.gz), a Maildir (cur/ and new/), an mbox
file or a directory of report files. It stores what tlswatch's figures need:
the raw gzip bytes of each report with the SHA-256 of its JSON, the report,
its policies and failure details, and daily aggregates per (day, policy
domain, organization) upserted in the same transaction; WAL with
synchronous=FULL and a commit every 5,000 inputs, as tlswatch does. A report
seen again (same organization and report-id) is skipped.

What it does not do (tlswatch does): validate fields, bound sizes, count
sts+tlsa once, keep refused inputs in quarantine, check DKIM. Inputs are the
benchmark's own generated data; this is no tool for hostile input.

It prints one line: "inputs N reports N policies N failures N successful N
failed N" (sums over policies, as stored), which tests/integration/
ingest_py.sh compares with tlswatch's own tables.
"""
import email
import email.parser
import gzip
import hashlib
import json
import os
import sqlite3
import sys

BATCH = 5000
SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_report (id INTEGER PRIMARY KEY, sha256 BLOB NOT NULL,
    json_size INTEGER NOT NULL, gz BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS source (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT,
    message_id TEXT, mail_from TEXT, subject TEXT);
CREATE TABLE IF NOT EXISTS report (id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
    report_id TEXT NOT NULL, contact_info TEXT, start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL, day INTEGER NOT NULL, raw_id INTEGER NOT NULL,
    source_id INTEGER, UNIQUE (organization, report_id));
CREATE INDEX IF NOT EXISTS report_day ON report(day);
CREATE TABLE IF NOT EXISTS policy (id INTEGER PRIMARY KEY, report INTEGER NOT NULL,
    idx INTEGER NOT NULL, policy_type TEXT NOT NULL, policy_domain TEXT,
    policy_strings TEXT, mx_hosts TEXT, successful_sessions INTEGER NOT NULL,
    failed_sessions INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS policy_report ON policy(report);
CREATE TABLE IF NOT EXISTS failure (id INTEGER PRIMARY KEY, policy INTEGER NOT NULL,
    result_type TEXT NOT NULL, sending_mta_ip TEXT, receiving_mx_hostname TEXT,
    receiving_mx_helo TEXT, receiving_ip TEXT, additional_information TEXT,
    failure_reason_code TEXT, failed_sessions INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS failure_policy ON failure(policy);
CREATE TABLE IF NOT EXISTS agg_day (day INTEGER NOT NULL, policy_domain TEXT NOT NULL,
    organization TEXT NOT NULL, reports INTEGER NOT NULL,
    successful_sessions INTEGER NOT NULL, failed_sessions INTEGER NOT NULL,
    PRIMARY KEY (day, policy_domain, organization)) WITHOUT ROWID;
"""
REPORT_TYPES = ("application/tlsrpt+gzip", "application/tlsrpt+json")


def parse_time(s):
    """RFC 3339 date-time to UTC seconds (the forms reports use)."""
    from datetime import datetime
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def name_domain(path):
    """The policy domain a report file's name gives (RFC 8460 section
    5.3.2: sender!policy-domain!begin!end!id.json.gz), or ''."""
    parts = os.path.basename(path or "").split("!")
    return parts[1].lower() if len(parts) >= 4 else ""


class Ingester:
    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self.db.execute("BEGIN")
        self.pending = 0
        self.n = dict(inputs=0, reports=0, policies=0, failures=0, successful=0, failed=0)

    def report(self, raw, src_id, domain=""):
        """One report: gzip or JSON bytes; domain: what the file name or
        the TLS-Report-Domain header says, for a policy that names none
        (as tlswatch does: docs/quirks.md)."""
        if raw[:2] == b"\x1f\x8b":
            gz, data = raw, gzip.decompress(raw)
        else:
            gz, data = gzip.compress(raw), raw
        r = json.loads(data)
        c = self.db.cursor()
        org, rid = r["organization-name"], r["report-id"]
        if c.execute("SELECT 1 FROM report WHERE organization = ? AND report_id = ?",
                     (org, rid)).fetchone():
            return
        c.execute("INSERT INTO raw_report (sha256, json_size, gz) VALUES (?, ?, ?)",
                  (hashlib.sha256(data).digest(), len(data), gz))
        raw_id = c.lastrowid
        start = parse_time(r["date-range"]["start-datetime"])
        end = parse_time(r["date-range"]["end-datetime"])
        day = start // 86400
        c.execute("INSERT INTO report (organization, report_id, contact_info, start_time,"
                  " end_time, day, raw_id, source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (org, rid, r.get("contact-info"), start, end, day, raw_id, src_id))
        report_rowid = c.lastrowid
        self.n["reports"] += 1
        per_domain = {}
        for i, p in enumerate(r.get("policies", [])):
            pol, summ = p["policy"], p["summary"]
            ok = summ.get("total-successful-session-count", 0)
            bad = summ.get("total-failure-session-count", 0)
            dom = pol.get("policy-domain") or domain
            c.execute("INSERT INTO policy (report, idx, policy_type, policy_domain,"
                      " policy_strings, mx_hosts, successful_sessions, failed_sessions)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (report_rowid, i, pol["policy-type"], dom,
                       json.dumps(pol["policy-string"]) if "policy-string" in pol else None,
                       json.dumps(pol["mx-host"]) if "mx-host" in pol else None, ok, bad))
            policy_rowid = c.lastrowid
            self.n["policies"] += 1
            self.n["successful"] += ok
            self.n["failed"] += bad
            d = per_domain.setdefault(dom, [0, 0])
            d[0] += ok
            d[1] += bad
            for f in p.get("failure-details", []):
                c.execute("INSERT INTO failure (policy, result_type, sending_mta_ip,"
                          " receiving_mx_hostname, receiving_mx_helo, receiving_ip,"
                          " additional_information, failure_reason_code, failed_sessions)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (policy_rowid, f["result-type"], f.get("sending-mta-ip"),
                           f.get("receiving-mx-hostname"), f.get("receiving-mx-helo"),
                           f.get("receiving-ip"), f.get("additional-information"),
                           f.get("failure-reason-code"), f.get("failed-session-count", 0)))
                self.n["failures"] += 1
        for dom, (ok, bad) in per_domain.items():
            c.execute("INSERT INTO agg_day VALUES (?, ?, ?, 1, ?, ?)"
                      " ON CONFLICT (day, policy_domain, organization) DO UPDATE SET"
                      " reports = reports + 1,"
                      " successful_sessions = successful_sessions + excluded.successful_sessions,"
                      " failed_sessions = failed_sessions + excluded.failed_sessions",
                      (day, dom, org, ok, bad))

    def source(self, kind, name, msg=None):
        c = self.db.execute(
            "INSERT INTO source (kind, name, message_id, mail_from, subject)"
            " VALUES (?, ?, ?, ?, ?)",
            (kind, name, msg and msg.get("Message-ID"), msg and msg.get("From"),
             msg and msg.get("Subject")))
        return c.lastrowid

    def message(self, data, kind, name):
        """A mail message: every report part."""
        msg = email.parser.BytesParser().parsebytes(data)
        src_id = self.source(kind, name, msg)
        for part in msg.walk():
            if part.get_content_type() in REPORT_TYPES:
                self.report(part.get_payload(decode=True), src_id,
                            msg.get("TLS-Report-Domain") or name_domain(part.get_filename()))
        self.done()

    def file(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith(b"From "):
            self.mbox(data, path)
        elif data[:2] == b"\x1f\x8b" or data.lstrip()[:1] in (b"{", b"["):
            self.report(data, self.source("file", path), name_domain(path))
            self.done()
        else:
            self.message(data, "file", path)

    def mbox(self, data, path):
        # split at "From " lines (the generator's mbox is mboxrd: no
        # unquoting needed for report parts, which are base64)
        for i, chunk in enumerate(data.split(b"\nFrom ")):
            body = chunk.split(b"\n", 1)[1] if b"\n" in chunk else b""
            self.message(body, "mbox", "%s#%d" % (path, i + 1))

    def maildir(self, path):
        for sub in ("cur", "new"):
            d = os.path.join(path, sub)
            for name in sorted(os.listdir(d)):
                if name.startswith("."):
                    continue
                full = os.path.join(d, name)
                with open(full, "rb") as f:
                    self.message(f.read(), "maildir", full)

    def path(self, p):
        if os.path.isdir(p):
            if os.path.isdir(os.path.join(p, "cur")) and os.path.isdir(os.path.join(p, "new")):
                self.maildir(p)
            else:
                for name in sorted(os.listdir(p)):
                    if not name.startswith("."):
                        self.path(os.path.join(p, name))
        else:
            self.file(p)

    def done(self):
        self.n["inputs"] += 1
        self.pending += 1
        if self.pending >= BATCH:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
            self.pending = 0

    def close(self):
        self.db.execute("COMMIT")
        self.db.close()


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: ingest_py.py DB PATH...\n")
        return 2
    ig = Ingester(argv[1])
    for p in argv[2:]:
        ig.path(p)
    ig.close()
    print(" ".join("%s %d" % kv for kv in ig.n.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
