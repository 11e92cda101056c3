#!/usr/bin/env python3
# make_data.py - writes the sys4-reporter-shaped test data in this folder
# (run once by hand; the outputs are committed, byte-exact). It follows
# sys4/tlsrpt-reporter 0.6.0rc2 tlsrpt_reporter/tlsrpt.py: collectd adds one
# datagram per session under the one policy Postfix names (_add_policy:
# cntrtotal+1, cntrfailure+f, one row per identical failure detail);
# reportd renders per (day, domain): summary, policy, failure-details per
# policy (render_report), organization-name and contact-info from its
# config (default ""), report-id "<start>_idx<n>_<domain>" (report_id()),
# and mails it with TLS-Report-Domain/-Submitter, the RFC 8460 subject and
# file name, and "multipart/report; report-type=tlsrpt" (send_out_report_to_mail).
import gzip, json, base64, collections

def report(org, contact, day, idx, dom, sessions):
    """sessions: list of (policy dict, failed, [failure detail dicts])"""
    pol = collections.OrderedDict()
    for p, failed, fds in sessions:
        k = json.dumps(p)
        e = pol.setdefault(k, {"t": 0, "f": 0, "fd": collections.OrderedDict()})
        e["t"] += 1
        e["f"] += failed
        for fd in fds:
            fk = json.dumps(fd)
            e["fd"][fk] = e["fd"].get(fk, 0) + 1
    policies = []
    names = {1: "tlsa", 2: "sts", 9: "no-policy-found"}
    for k, e in pol.items():
        p = json.loads(k)
        p["policy-type"] = names[p["policy-type"]]
        npol = {"summary": {"total-failure-session-count": e["f"],
                            "total-successful-session-count": e["t"] - e["f"]}}
        npol["policy"] = p
        npol["failure-details"] = []
        for fk, n in e["fd"].items():
            fd = dict(json.loads(fk))
            fd["failed-session-count"] = n
            npol["failure-details"].append(fd)
        policies.append(npol)
    r = {"organization-name": org,
         "date-range": {"start-datetime": day + "T00:00:00Z",
                        "end-datetime": day + "T23:59:59Z"},
         "contact-info": contact,
         "policies": policies}
    r["report-id"] = day + "T00:00:00Z_idx" + str(idx) + "_" + dom
    return json.dumps(r)

HELO = ("mx.apex.example ESMTP Postfix\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n"
        + "".join("250-X-VENDOR-EXTENSION-%03d %s\r\n" % (i, "x" * 40) for i in range(40))
        + "250 CHUNKING")

def apex():
    tlsa = {"policy-type": 1, "policy-domain": "apex.example",
            "policy-string": ["3 1 1 1F2E3D4C5B6A79881F2E3D4C5B6A79881F2E3D4C5B6A79881F2E3D4C5B6A7988"],
            "mx-host": ["apex.example"]}
    sts = {"policy-type": 2, "policy-domain": "apex.example",
           "policy-string": ["version: STSv1", "mode: enforce", "mx: apex.example", "max_age: 604800"],
           "mx-host": ["apex.example"]}
    npf = {"policy-type": 9}
    bad_tlsa = {"c": 304, "n": "apex.example", "r": "192.0.2.25", "s": "198.51.100.7",
                "h": HELO, "f": "TLSA record mismatch"}
    bad_sts = {"c": 202, "n": "apex.example", "r": "192.0.2.25", "s": "198.51.100.8"}
    unnamed = {"n": "apex.example", "r": "192.0.2.25", "s": "198.51.100.7",
               "a": "failure code 399 has no RFC 8460 name"}
    s = []
    s += [(tlsa, 0, [])] * 8
    s += [(tlsa, 1, [bad_tlsa])] * 2 + [(tlsa, 1, [unnamed])]
    s += [(sts, 0, [])] * 5 + [(sts, 1, [bad_sts]), (sts, 1, [unnamed])]
    s += [(npf, 0, [])] * 4 + [(npf, 1, [{"c": 201, "n": "apex.example", "s": "198.51.100.7"}])]
    return s

def fix(sessions):
    """collectd short keys to RFC names, as render_report does"""
    out = []
    m = {"a": "additional-information", "f": "failure-reason-code", "h": "receiving-mx-helo",
         "n": "receiving-mx-hostname", "r": "receiving-ip", "s": "sending-mta-ip"}
    codes = {201: "starttls-not-supported", 202: "certificate-host-mismatch",
             301: "sts-policy-fetch-error", 304: "tlsa-invalid", 305: "dnssec-invalid"}
    for p, failed, fds in sessions:
        nfds = []
        for fd in fds:
            n = {}
            for k in m:
                if k in fd:
                    n[m[k]] = fd[k]
            if "c" in fd and fd["c"] in codes:
                n["result-type"] = codes[fd["c"]]
            nfds.append(n)
        out.append((p, failed, nfds))
    return out

def shop():
    # DANE via a hosted MX: Postfix names the MX host as the tlsa policy's
    # domain; the report is for shop.example
    tlsa = {"policy-type": 1, "policy-domain": "mx.hosting.example",
            "policy-string": ["3 1 1 AA11BB22CC33DD44EE55FF6600112233AA11BB22CC33DD44EE55FF6600112233"],
            "mx-host": ["mx.hosting.example"]}
    sts = {"policy-type": 2, "policy-domain": "shop.example",
           "policy-string": ["version: STSv1", "mode: testing", "mx: mx.hosting.example", "max_age: 86400"],
           "mx-host": ["mx.hosting.example"]}
    return fix([(tlsa, 0, [])] * 6 + [(sts, 0, [])] * 3 + \
        [(sts, 1, [{"c": 301, "s": "198.51.100.7"}])])

def microsoft():
    r = {"organization-name": "Microsoft Corporation",
         "date-range": {"start-datetime": "2026-11-30T00:00:00Z", "end-datetime": "2026-11-30T23:59:59Z"},
         "contact-info": "tlsrpt-noreply@microsoft.com",
         "report-id": "134090000000000000+apex.example",
         "policies": [
             {"policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce",
                         "mx: apex.example", "max_age: 604800"], "policy-domain": "apex.example",
                         "mx-host": ["apex.example"]},
              "summary": {"total-successful-session-count": 13, "total-failure-session-count": 3},
              "failure-details": [{"result-type": "certificate-host-mismatch", "sending-mta-ip": "198.51.100.10",
                                   "receiving-ip": "192.0.2.25", "receiving-mx-hostname": "apex.example",
                                   "failed-session-count": 3}]},
             {"policy": {"policy-type": "tlsa", "policy-string": [json.dumps(["3 1 1 1F2E3D4C5B6A79881F2E3D4C5B6A79881F2E3D4C5B6A79881F2E3D4C5B6A7988"])],
                         "policy-domain": "apex.example", "mx-host": ["apex.example"]},
              "summary": {"total-successful-session-count": 13, "total-failure-session-count": 3},
              "failure-details": [{"result-type": "certificate-host-mismatch", "sending-mta-ip": "198.51.100.10",
                                   "receiving-ip": "192.0.2.25", "receiving-mx-hostname": "apex.example",
                                   "failed-session-count": 3}]}]}
    return json.dumps(r, indent=2)

def mail(json_text, dom, submitter, rid, day_start, day_end):
    gz = gzip.compress(json_text.encode(), mtime=0)
    b64 = base64.encodebytes(gz).decode()
    name = "%s!%s!%d!%d!1.json.gz" % (submitter, dom, day_start, day_end)
    boundary = "===============4242424242424242424=="
    return ("Subject: Report Domain: %s Submitter: %s Report-ID: <%s@%s>\n"
            "From: tlsrpt@%s\nTo: tlsrpt@%s\n"
            "Message-ID: <178000000000.4242.4242424242424242424@%s>\n"
            "TLS-Report-Domain: %s\nTLS-Report-Submitter: %s\nTLS-Required: No\n"
            "MIME-Version: 1.0\n"
            "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"%s\"\n\n"
            "--%s\nContent-Type: text/plain; charset=\"us-ascii\"\n"
            "Content-Transfer-Encoding: 7bit\n\nThis is an aggregate TLS report from \n\n"
            "--%s\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=\"%s\"\nMIME-Version: 1.0\n\n%s\n--%s--\n"
            % (dom, submitter, rid, submitter, submitter, dom, submitter, dom, submitter,
               boundary, boundary, boundary, name, b64, boundary)).replace("\n", "\r\n")

d = "2026-11-30"
start, end = 1795996800, 1796083199
apex_json = report("", "", d, 1, "apex.example", fix(apex()))
# saved under its RFC 8460 file name, as a postmaster saves the attachment
open("mta.example.net!apex.example!%d!%d!1.json" % (start, end), "w").write(apex_json)
shop_json = report("", "smtp-tls-reporting@mta.example.net", d, 1, "shop.example", shop())
open("sys4-shop.eml", "w", newline="").write(
    mail(shop_json, "shop.example", "mta.example.net", d + "T00:00:00Z_idx1_shop.example", start, end))
open("microsoft-apex.json", "w").write(microsoft() + "\n")

# DANE results under the MX host's own name (docs/counting.md rule 5, the
# "DANE results at your MX hosts" section), in mx/: sys4 reports whose
# tlsa policy domain is an MX host and that name no other domain (so they
# stay under the MX's name), and another reporter's report whose sts
# policies of apex.example and other.example list those hosts.
import os
os.makedirs("mx", exist_ok=True)

def dane_only(host, ok, bad):
    tlsa = {"policy-type": 1, "policy-domain": host,
            "policy-string": ["3 1 1 5E6F708192A3B4C5D6E7F80912A3B4C5D6E7F80912A3B4C5D6E7F80912A3B4C5"],
            "mx-host": [host]}
    s = [(tlsa, 0, [])] * ok
    for code in bad:
        s.append((tlsa, 1, [{"c": code, "n": host, "r": "192.0.2.53", "s": "198.51.100.7"}]))
    return fix(s)

# mx.apex.example: 7 ok, 2 failed (tlsa-invalid, certificate-host-mismatch)
open("mx/sys4-mx.apex.example.json", "w").write(
    report("mta.example.net", "smtp-tls-reporting@mta.example.net", d, 2, "mx.apex.example",
           dane_only("mx.apex.example", 7, [304, 202])) + "\n")
# mx1.relay.example (other.example's mx-host "*.relay.example"): 4 ok, 1 failed
open("mx/sys4-mx1.relay.example.json", "w").write(
    report("mta.example.net", "smtp-tls-reporting@mta.example.net", d, 3, "mx1.relay.example",
           dane_only("mx1.relay.example", 4, [304])) + "\n")
# mx.hosted.example: no report lists it; only 'tlswatch check' of
# third.example does (the test stores that check result): 5 ok
open("mx/sys4-mx.hosted.example.json", "w").write(
    report("mta.example.net", "smtp-tls-reporting@mta.example.net", d, 4, "mx.hosted.example",
           dane_only("mx.hosted.example", 5, [])) + "\n")

def sts_of(dom, mx):
    return {"policy-type": "sts", "policy-domain": dom,
            "policy-string": ["version: STSv1", "mode: enforce"] + ["mx: " + m for m in mx]
            + ["max_age: 604800"], "mx-host": mx}

# another reporter: apex.example 20 / 0 and other.example 10 / 1 under sts,
# both served by mx.apex.example
open("mx/reporter-apex-other.json", "w").write(json.dumps({
    "organization-name": "reporter.example",
    "date-range": {"start-datetime": d + "T00:00:00Z", "end-datetime": d + "T23:59:59Z"},
    "contact-info": "tlsrpt@reporter.example",
    "report-id": "2026-11-30-apex-other@reporter.example",
    "policies": [
        {"policy": sts_of("apex.example", ["mx.apex.example"]),
         "summary": {"total-successful-session-count": 20, "total-failure-session-count": 0}},
        {"policy": sts_of("other.example", ["mx.apex.example", "*.relay.example"]),
         "summary": {"total-successful-session-count": 10, "total-failure-session-count": 1},
         "failure-details": [{"result-type": "certificate-expired", "sending-mta-ip": "198.51.100.9",
                              "receiving-mx-hostname": "mx.apex.example", "failed-session-count": 1}]}]},
    indent=2) + "\n")
