#!/usr/bin/env python3
"""grafana_macros.py - expands a dashboard query the way Grafana does
before sending it to its data source, for tests/integration/grafana.sh.

  grafana_macros.py sql FROM TO NAME=VALUES_FILE|NAME==TEXT... (stdin: rawSql)
  grafana_macros.py promql RANGE NAME=REGEX...        (stdin: expr)

sql: the macros of Grafana's PostgreSQL data source, as its macro engine
(pkg/tsdb/grafana-postgresql-datasource/macros.go) writes them:
  $__timeFilter(c)          c BETWEEN 'FROM' AND 'TO'  (RFC 3339, UTC)
  $__timeFrom(), $__timeTo() 'FROM', 'TO'
  $__timeGroup(c, '1d')     floor(extract(epoch from c)/86400)*86400
  $__timeGroupAlias(c, 'i') the same AS "time"
and a multi-value template variable $NAME as Grafana formats it for an SQL
data source: each value single-quoted, quotes doubled, comma-separated
(VALUES_FILE holds one value a line: the values "All" selects), or, as
NAME==TEXT, TEXT as it is: Grafana puts a variable's custom "All" value
(allValue) into the query unformatted, unquoted (templateSrv: "skip
formatting of custom all values").
promql: $__range, $__rate_interval and $__interval as RANGE, $NAME as REGEX
(a variable whose All value is ".*").
Anything else that looks like a macro or variable is an error (exit 2), so
that a query using one this script does not know fails the test rather
than being sent half expanded.
"""
import re
import sys

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def seconds(interval):
    m = re.fullmatch(r"\s*'?(\d+)([smhdw])'?\s*", interval)
    if not m:
        sys.exit("grafana_macros: interval %r not understood" % interval)
    return int(m.group(1)) * UNITS[m.group(2)]


def sql(text, t_from, t_to, variables):
    def group(m, alias):
        col, interval = [a.strip() for a in m.group(1).split(",", 1)]
        s = seconds(interval)
        out = "floor(extract(epoch from %s)/%d)*%d" % (col, s, s)
        return out + ' AS "time"' if alias else out

    text = re.sub(r"\$__timeGroupAlias\(([^)]*)\)", lambda m: group(m, True), text)
    text = re.sub(r"\$__timeGroup\(([^)]*)\)", lambda m: group(m, False), text)
    text = re.sub(r"\$__timeFilter\(([^)]*)\)",
                  lambda m: "%s BETWEEN '%s' AND '%s'" % (m.group(1).strip(), t_from, t_to), text)
    text = text.replace("$__timeFrom()", "'%s'" % t_from).replace("$__timeTo()", "'%s'" % t_to)
    for name, values in variables.items():
        if isinstance(values, str):
            quoted = values
        else:
            quoted = ",".join("'" + v.replace("'", "''") + "'" for v in values)
        text = re.sub(r"\$\{%s\}|\$%s\b" % (name, name), lambda m: quoted, text)
    return text


def promql(text, rng, variables):
    for name in ("__range", "__rate_interval", "__interval"):
        text = re.sub(r"\$\{%s\}|\$%s\b" % (name, name), rng, text)
    for name, regex in variables.items():
        text = re.sub(r"\$\{%s\}|\$%s\b" % (name, name), lambda m: regex, text)
    return text


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    text = sys.stdin.read()
    if mode == "sql":
        t_from, t_to = args[0], args[1]
        variables = {}
        for a in args[2:]:
            name, path = a.split("=", 1)
            if path.startswith("="):
                variables[name] = path[1:]
                continue
            with open(path, encoding="utf-8") as f:
                variables[name] = [line.rstrip("\n") for line in f if line.strip()]
        out = sql(text, t_from, t_to, variables)
    else:
        variables = dict(a.split("=", 1) for a in args[1:])
        out = promql(text, args[0], variables)
    left = re.findall(r"\$\{?\w+|\[\[\w+", out)
    if left:
        sys.exit("grafana_macros: not expanded: %s" % ", ".join(sorted(set(left))))
    sys.stdout.write(out)


main()
