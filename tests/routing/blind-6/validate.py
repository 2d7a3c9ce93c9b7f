#!/usr/bin/env python3
"""Check routing.yaml (blind set 6): format, labels, dates, duplicates, overlap with the five earlier sets and the dev set."""
import collections
import datetime
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EARLIER = ["/work/main/tests/routing/blind/routing.yaml", "/work/main/tests/routing/blind-2/routing.yaml",
           "/work/main/tests/routing/blind-3/routing.yaml", "/work/main/tests/routing/blind-4/routing.yaml",
           "/work/main/tests/routing/blind-5/routing.yaml", "/work/main/tests/routing/dev/routing.yaml"]
CODES = {"kent-2011", "west-kent", "perth-kinross", "kent-2007-draft", "rbkc"}
KEYS = {"q", "follows", "compact", "note"}
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}


def norm(s):
    return " ".join(str(s).lower().split())


def dates_in(text):
    """Every 'D Month YYYY' or 'D/M/YYYY' in the text, checked as a real date."""
    bad = []
    for d, m, y in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)? (%s) (\d{4})\b" % "|".join(MONTHS), text, re.I):
        try:
            datetime.date(int(y), MONTHS[m.lower()], int(d))
        except ValueError:
            bad.append(f"{d} {m} {y}")
    for d, m, y in re.findall(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b", text):
        try:
            datetime.date(int(y), int(m), int(d))
        except ValueError:
            bad.append(f"{d}/{m}/{y}")
    return bad


def main():
    errors = []
    with open(os.path.join(HERE, "routing.yaml"), encoding="utf-8") as f:
        cases = yaml.safe_load(f)
    if not isinstance(cases, list):
        sys.exit("routing.yaml is not a list")
    first = set()
    for path in EARLIER:
        if not os.path.exists(path):
            errors.append(f"earlier set not found: {path}"); continue
        with open(path, encoding="utf-8") as f:
            first |= {norm(c["q"]) for c in yaml.safe_load(f)}
    seen = {}
    for i, c in enumerate(cases, 1):
        where = f"case {i}"
        if not isinstance(c, dict):
            errors.append(f"{where}: not a mapping"); continue
        extra = set(c) - KEYS
        missing = {"q", "follows", "compact"} - set(c)
        if extra: errors.append(f"{where}: unknown keys {sorted(extra)}")
        if missing: errors.append(f"{where}: missing keys {sorted(missing)}")
        q = c.get("q")
        if not isinstance(q, str) or not q.strip():
            errors.append(f"{where}: q must be a non-empty string"); continue
        fol = c.get("follows")
        if not isinstance(fol, list) or any(x not in CODES for x in fol) or len(set(fol)) != len(fol):
            errors.append(f"{where}: bad follows {fol!r}")
        if c.get("compact") is not None and c.get("compact") not in CODES:
            errors.append(f"{where}: bad compact {c.get('compact')!r}")
        if "note" in c and not isinstance(c["note"], str):
            errors.append(f"{where}: note must be a string")
        n = norm(q)
        if n in seen:
            errors.append(f"{where}: duplicate of case {seen[n]}: {q!r}")
        seen[n] = i
        if n in first:
            errors.append(f"{where}: duplicate of an earlier-set case: {q!r}")
        for b in dates_in(q):
            errors.append(f"{where}: not a real date: {b}")

    by_compact = collections.Counter(str(c.get("compact")) for c in cases)
    by_follows = collections.Counter(len(c.get("follows") or []) for c in cases)
    other = sum(1 for c in cases if c.get("follows") and c.get("compact") and c["compact"] not in c["follows"])
    outside = sum(1 for c in cases if str(c.get("note", "")).startswith("outside every Compact"))
    reg = sum(1 for c in cases if re.search(r"\b(register|log it|log the|add it|please register|pls register)\b", c["q"], re.I))
    if len(cases) < 180: errors.append(f"only {len(cases)} cases (need at least 180)")
    if len(cases) < 140: errors.append(f"only {len(cases)} cases (need at least 140)")
    if by_compact["None"] < 12: errors.append(f"only {by_compact['None']} null cases")
    print(f"{len(cases)} cases")
    print("by compact:", dict(sorted(by_compact.items())))
    print("chats following 0/1/2 Compacts:", dict(sorted(by_follows.items())))
    print(f"chat follows a different Compact from the one named: {other} "
          f"({100 * other / len(cases):.0f}%)")
    print(f"null cases naming a place or body outside every Compact (note 'outside every Compact'): {outside}")
    print(f"registration-like messages: {reg}")
    if errors:
        print(f"{len(errors)} error(s):")
        for e in errors:
            print("  " + e)
        sys.exit(1)
    print("no errors")


if __name__ == "__main__":
    main()
