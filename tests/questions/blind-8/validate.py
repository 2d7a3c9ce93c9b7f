"""Validation of blind set 8 (run from /work/main, the repository root).

Copied from blind-7's validate.py and extended: the duplicate check now also covers
blind-7 (tests/questions/blind-7/ and /work/blind/questions-7/, listed explicitly below)
and every other /work/blind/questions-*/ set, excluding only this folder."""
import glob
import os

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = {
    "kent-2011": "000_03eb15de611e0dbb.txt",
    "west-kent": "001_f6ae9b516ee7678f.txt",
    "perth-kinross": "002_bed6973032e2270c.txt",
    "kent-2007-draft": "003_47e6f0bcbf5305a3.txt",
    "rbkc": "004_a60cbbdfb48d35e1.txt",
}
TAGS = {"paraphrase", "typo", "own_duty", "number_proposed", "number_not_proposal",
        "non_numeric", "unanswerable", "procedure"}
KEYS = {"q", "cite", "asks_about", "tags", "no_number", "unanswerable", "missing_clause", "note"}
def ws(s):
    return " ".join(s.split())
# every existing question file under tests/questions/ (all sets, blind-7 included) and
# every other /work/blind/questions-*/ set, compared only by exact case-insensitive
# match; their questions are neither printed nor read otherwise
existing = set()
EARLIER = sorted(glob.glob("tests/questions/**/*.yaml", recursive=True)
                 + glob.glob("/work/blind/questions-*/*.yaml")
                 + glob.glob("tests/questions/blind-7/*.yaml")
                 + glob.glob("/work/blind/questions-7/*.yaml"))
EARLIER = sorted(set(os.path.abspath(f) for f in EARLIER))
for f in EARLIER:
    if os.path.dirname(os.path.abspath(f)) == HERE:  # itself
        continue
    for e in yaml.safe_load(open(f)) or []:
        if isinstance(e, dict) and "q" in e:
            existing.add(str(e["q"]).strip().lower())
seen, errors, collisions = set(), [], 0
for code, src in SRC.items():
    entries = yaml.safe_load(open(f"{HERE}/{code}.yaml"))
    commitments = yaml.safe_load(open(f"compacts/{code}.yaml"))["commitments"]
    ids = {c["id"] for c in commitments}
    quotes = [ws(c["quote"]) for c in commitments]
    source = ws(open(f"/work/shared/sources/{src}", encoding="utf-8").read())
    for e in entries:
        q = e["q"]
        if set(e) - KEYS or not {"q", "cite", "asks_about", "tags"} <= set(e):
            errors.append(f"{code}: bad keys: {q}")
        if not isinstance(q, str) or not q.strip() or not e["tags"]:
            errors.append(f"{code}: empty q/tags: {q}")
        errors += [f"{code}: unknown id {i}: {q}" for i in e["cite"] if i not in ids]
        if set(e["tags"]) - TAGS or e["asks_about"] not in ("public", "vcs", "joint"):
            errors.append(f"{code}: bad tag/asks_about: {q}")
        if ("unanswerable" in e["tags"]) != bool(e.get("unanswerable")) or (
            e.get("unanswerable") and e["cite"]
        ):
            errors.append(f"{code}: unanswerable mismatch: {q}")
        if e.get("unanswerable") and e.get("no_number"):
            errors.append(f"{code}: both unanswerable and no_number: {q}")
        if ("own_duty" in e["tags"]) and e["asks_about"] == "public":
            errors.append(f"{code}: own_duty but asks_about public: {q}")
        mc = e.get("missing_clause")
        if mc is not None and (
            e["cite"] or ws(mc) not in source or any(ws(mc) in x for x in quotes)
        ):
            errors.append(f"{code}: bad missing_clause: {q}")
        key = q.strip().lower()
        if key in seen:
            errors.append(f"{code}: duplicate question within set 8: {q}")
        if key in existing:
            collisions += 1
            n = entries.index(e)
            errors.append(f"{code}: entry #{n} collides with an earlier question")
        seen.add(key)
print(f"{len(seen)} questions, {len(errors)} errors, {collisions} collisions with earlier sets")
print(f"(compared with {len(existing)} distinct earlier questions from {len(EARLIER)} files)")
print(*errors, sep="\n")
