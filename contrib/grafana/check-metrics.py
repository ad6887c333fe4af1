#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Print the metric names a Grafana dashboard queries that a metrics scrape does not have.

  check-metrics.py DASHBOARD.json SCRAPE.txt     (nothing printed: every name exists)
"""
import json
import re
import sys

NAME = re.compile(r"\bntp_[a-z_]+\b")


def exprs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("expr", "query") and isinstance(v, str):
                yield v
            else:
                yield from exprs(v)
    elif isinstance(node, list):
        for v in node:
            yield from exprs(v)


def main(dashboard, scrape):
    with open(dashboard) as f:
        used = {n for e in exprs(json.load(f)) for n in NAME.findall(e)}
    with open(scrape) as f:
        exported = {re.split(r"[{ ]", line, 1)[0] for line in f if line and line[0] != "#"}
    missing = sorted(used - exported)
    if not used:
        missing = ["(the dashboard queries no ntp_ metric)"]
    print(" ".join(missing))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
