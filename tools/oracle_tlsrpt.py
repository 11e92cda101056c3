#!/usr/bin/env python3
"""tools/oracle_tlsrpt.py - the figures a set of delivered TLS reports must
give, computed independently of tlswatch (issue 16, the new-user trial).

    python3 tools/oracle_tlsrpt.py MANIFEST > expected.json

MANIFEST has one line per input the test delivered: "CHANNEL PATH", where
CHANNEL says how it arrived and so its provenance (docs/trust.md):
  mail   a mail message (RFC 5322) collected over IMAP, DKIM not checked:
         provenance unverified-mail
  https  a body POSTed to the intake (gzip or JSON): provenance https
  file   a report file given to 'ingest': provenance file
The same path may appear several times (the same mail in two mailboxes).

Written from RFC 8460 and tlswatch's docs (docs/counting.md, docs/trust.md,
docs/summary-json.md), not from its C code, with the Python standard library
only (gzip, json, email). The rules:
  - a report is keyed by (organization-name, report-id); a second copy with
    the same parsed content is a duplicate and counts once; one with other
    content is a conflict: the stronger provenance counts (dkim-verified >
    file > https > unverified-mail), on a tie the first committed; an
    identical copy by another way changes nothing, not even the provenance.
    Where the winner depends on which copy committed first and the copies
    give different figures, the key is listed in "order_dependent" (a test
    designs its inputs so that there are none);
  - a report belongs to the UTC day of its start-datetime;
  - per report and policy domain: policies of one type add; sts and tlsa
    are the same sessions (counted once, the larger) for Microsoft
    Corporation, different ones (they add) for the sys4 reporter (report-id
    "<start>_idx<n>_<domain>"), and for anyone else the same when their
    summaries are identical, else different; every other type adds;
  - failures by (domain, MX, result type): details of one policy type add,
    sts and tlsa combined as decided for the domain, the rest add; a detail
    without receiving-mx-hostname is MX null, without result-type "unknown";
  - failures by (domain, MX): once per MX, each policy type's details summed
    over result types, then combined the same way.
Not covered (the trial's inputs have none; met, the oracle stops with an
error rather than guess): policies without policy-domain (rule 1's
inference), a tlsa policy named after an MX host (rule 5), the [counting]
overrides, [trust] domains.

Output: one JSON object (keys sorted) with "reports" (stored), "duplicates",
"conflicts" (copies held in quarantine), "invalid" (report-like inputs that
do not parse), "not_report" (mail without a report), "order_dependent",
"totals", "by_domain", "by_day", "by_domain_day", "by_mx", "by_result_type",
"by_failure" (domain, MX, result type) and "by_domain_mx".
"""
import datetime
import email
import email.policy
import gzip
import json
import re
import sys

RANK = {"dkim-verified": 4, "file": 3, "https": 2, "unverified-mail": 1}
CHANNEL = {"mail": "unverified-mail", "https": "https", "file": "file"}
REPORT_TYPES = ("application/tlsrpt+gzip", "application/tlsrpt+json")
SYS4_ID = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ_idx\d+_.+$")


class Unsupported(Exception):
    pass


def decode(data):
    """A report's JSON from bytes: gzip by its magic, else JSON."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data.decode("utf-8"))


def mail_bodies(data):
    """The report attachments of one mail: bytes of each part whose type is
    a TLSRPT media type (RFC 8460 section 5.3) or whose file name ends in
    .json or .gz."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    found = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        name = part.get_filename() or ""
        if ctype in REPORT_TYPES or name.endswith((".json", ".gz")):
            found.append(part.get_payload(decode=True))
    return found


def day_of(start):
    """The UTC day of an RFC 3339 time (no zone: UTC)."""
    s = start.strip().replace("z", "Z")
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    t = datetime.datetime.fromisoformat(s)
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d")


def sts_tlsa_same(report, per_type):
    org = report["organization-name"]
    if org == "Microsoft Corporation":
        return True
    if SYS4_ID.match(report["report-id"]):
        return False
    return per_type.get("sts") == per_type.get("tlsa")


def combine(by_type, same):
    """sts and tlsa once (the larger) or added, every other type added.
    by_type: {policy type: number or tuple of numbers}."""
    def add(a, b):
        if isinstance(a, tuple):
            return tuple(x + y for x, y in zip(a, b))
        return a + b

    def big(a, b):
        if isinstance(a, tuple):
            return tuple(max(x, y) for x, y in zip(a, b))
        return max(a, b)

    total = None
    sts, tlsa = by_type.get("sts"), by_type.get("tlsa")
    if sts is not None and tlsa is not None:
        total = big(sts, tlsa) if same else add(sts, tlsa)
    else:
        total = sts if sts is not None else tlsa
    for ptype, v in by_type.items():
        if ptype in ("sts", "tlsa"):
            continue
        total = v if total is None else add(total, v)
    return total


def tally(report):
    """The count-once figures of one report: {domain: (ok, failed)},
    {(domain, mx, rt): failed}, {(domain, mx): failed}."""
    pols = {}  # domain -> [policy]
    for p in report["policies"]:
        pol = p["policy"]
        dom = pol.get("policy-domain")
        if dom is None:
            raise Unsupported("a policy without policy-domain (rule 1)")
        pols.setdefault(dom, []).append(p)
    own = {p["policy"].get("policy-domain") for p in report["policies"]
           if p["policy"].get("policy-type") != "tlsa"}
    for p in report["policies"]:
        pol = p["policy"]
        if pol.get("policy-type") == "tlsa" and pol.get("policy-domain") not in own:
            for q in report["policies"]:
                if pol.get("policy-domain") in (q["policy"].get("mx-host") or []):
                    raise Unsupported("a tlsa policy named after an MX host (rule 5)")
    sessions, by_failure, by_mx = {}, {}, {}
    for dom, plist in pols.items():
        sums, fail_rt, fail_mx = {}, {}, {}
        for p in plist:
            t = p["policy"]["policy-type"]
            s = p["summary"]
            ok = s["total-successful-session-count"]
            bad = s["total-failure-session-count"]
            a, b = sums.get(t, (0, 0))
            sums[t] = (a + ok, b + bad)
            for d in p.get("failure-details") or []:
                mx = d.get("receiving-mx-hostname")
                rt = d.get("result-type", "unknown")
                n = d["failed-session-count"]
                fail_rt.setdefault((mx, rt), {}).setdefault(t, 0)
                fail_rt[(mx, rt)][t] += n
                fail_mx.setdefault(mx, {}).setdefault(t, 0)
                fail_mx[mx][t] += n
        same = sts_tlsa_same(report, sums)
        sessions[dom] = combine(sums, same)
        for (mx, rt), bt in fail_rt.items():
            by_failure[(dom, mx, rt)] = combine(bt, same)
        for mx, bt in fail_mx.items():
            by_mx[(dom, mx)] = combine(bt, same)
    return sessions, by_failure, by_mx


def parse_report(data):
    r = decode(data)
    for k in ("organization-name", "report-id", "date-range", "policies"):
        if k not in r:
            raise ValueError("no " + k)
    return r


def main(manifest):
    inputs = []  # (order, provenance, report dict)
    out = {"invalid": 0, "not_report": 0}
    with open(manifest, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            channel, path = line.split(" ", 1)
            with open(path, "rb") as g:
                data = g.read()
            bodies = mail_bodies(data) if channel == "mail" else [data]
            if not bodies:
                out["not_report"] += 1
            for body in bodies:
                try:
                    r = parse_report(body)
                except (ValueError, OSError, EOFError, UnicodeDecodeError):
                    out["invalid"] += 1
                    continue
                inputs.append((CHANNEL[channel], r))

    # per key: the distinct contents, each with the provenances it came by
    keys = {}
    duplicates = 0
    for prov, r in inputs:
        key = (r["organization-name"], r["report-id"])
        copies = keys.setdefault(key, [])
        for c in copies:
            if c["report"] == r:  # parsed content: key order, 3 == 3.0
                duplicates += 1
                c["ranks"].add(RANK[prov])
                break
        else:
            copies.append({"ranks": {RANK[prov]}, "report": r})

    # A copy that came by several ways has the provenance of whichever was
    # stored first (a duplicate changes nothing), so its rank is only known
    # to lie in its range. The winner is certain when its lowest rank beats
    # every other copy's highest, or when the copies it could lose to give
    # the same figures.
    order_dependent = []
    conflicts = 0
    stored = []
    for key, copies in keys.items():
        for c in copies:
            c["figures"] = json.dumps(sorted_figures(c["report"]), sort_keys=True)
        win = max(copies, key=lambda c: (min(c["ranks"]), max(c["ranks"])))
        for c in copies:
            if c is not win and c["figures"] != win["figures"] and \
                    max(c["ranks"]) >= min(win["ranks"]):
                order_dependent.append(list(key))
                break
        conflicts += len(copies) - 1
        stored.append(win["report"])

    dom_day, failures, mxs = {}, {}, {}
    for r in stored:
        day = day_of(r["date-range"]["start-datetime"])
        sessions, by_failure, by_mx = tally(r)
        for dom, (ok, bad) in sessions.items():
            e = dom_day.setdefault((dom, day), [0, 0, 0])
            e[0] += 1
            e[1] += ok
            e[2] += bad
        for k, n in by_failure.items():
            failures[k] = failures.get(k, 0) + n
        for k, n in by_mx.items():
            mxs[k] = mxs.get(k, 0) + n

    def grouped(src, keyf, width):
        acc = {}
        for k, v in src.items():
            g = keyf(k)
            vals = v if isinstance(v, (list, tuple)) else [v]
            e = acc.setdefault(g, [0] * width)
            for i in range(width):
                e[i] += vals[i]
        return acc

    by_domain = {}
    for (dom, day), (n, ok, bad) in dom_day.items():
        e = by_domain.setdefault(dom, [0, 0, 0])
        e[0] += n
        e[1] += ok
        e[2] += bad
    by_day = grouped({k: v[1:] for k, v in dom_day.items()}, lambda k: k[1], 2)
    out.update({
        "reports": len(stored),
        "duplicates": duplicates,
        "conflicts": conflicts,
        "order_dependent": sorted(order_dependent),
        "totals": {"reports": len(stored),
                   "successful_sessions": sum(v[1] for v in by_domain.values()),
                   "failed_sessions": sum(v[2] for v in by_domain.values())},
        "by_domain": [{"policy_domain": d, "reports": v[0], "successful_sessions": v[1],
                       "failed_sessions": v[2]} for d, v in sorted(by_domain.items())],
        "by_day": [{"day": d, "successful_sessions": v[0], "failed_sessions": v[1]}
                   for d, v in sorted(by_day.items())],
        "by_domain_day": [{"policy_domain": d, "day": day, "reports": v[0],
                           "successful_sessions": v[1], "failed_sessions": v[2]}
                          for (d, day), v in sorted(dom_day.items())],
        "by_failure": [{"policy_domain": d, "mx_host": mx, "result_type": rt,
                        "failed_sessions": n}
                       for (d, mx, rt), n in sorted(failures.items(), key=str) if n > 0],
        "by_domain_mx": [{"policy_domain": d, "mx_host": mx, "failed_sessions": n}
                         for (d, mx), n in sorted(mxs.items(), key=str) if n > 0],
        "by_mx": [{"mx_host": mx, "failed_sessions": n[0]} for mx, n in sorted(
            grouped(mxs, lambda k: k[1], 1).items(), key=str) if n[0] > 0],
        "by_result_type": [{"result_type": rt, "failed_sessions": n[0]} for rt, n in sorted(
            grouped(failures, lambda k: k[2], 1).items()) if n[0] > 0],
    })
    json.dump(out, sys.stdout, sort_keys=True, indent=1)
    sys.stdout.write("\n")


def sorted_figures(r):
    s, f, m = tally(r)
    return [day_of(r["date-range"]["start-datetime"]), sorted(s.items()),
            sorted(f.items(), key=str), sorted(m.items(), key=str)]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: oracle_tlsrpt.py MANIFEST")
    try:
        main(sys.argv[1])
    except Unsupported as e:
        sys.exit("oracle_tlsrpt.py: input not covered: %s" % e)
