"""Start-up with 500 Compact files on disk, beside the five built-in ones as the floor.

    .venv/bin/python benchmarks/startup.py [--compacts 500] [--runs 3]

Writes ``--compacts`` variant Compact files to a temporary directory (each a built-in
Compact under a new code, with its own copy of the source text and of the keywords, so
every file is read, validated and proved verbatim on its own), registers them through a
plugin, and times, each in a fresh Python process:

- the floor: the five built-in Compacts (the default plugins), from the cache;
- 500 files, cold: an empty cache directory (every file parsed, validated, checked);
- 500 files, warm: the same files again, from the cache of validated Compacts.

"Ready" means the Compacts are loaded and the answerer is built (search structures,
speller, full-text index): the next question is answered without more work.  The aim
(issue 14): 500 files ready in under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AIM_S = 2.0
BUILTINS = ["kent-2007-draft", "kent-2011", "perth-kinross", "rbkc", "west-kent"]

# Run in a fresh process: import, load the Compacts through the plugin, build the answerer.
CHILD = r"""
import json, sys, time
start = time.perf_counter()
sys.path.insert(0, {root!r})
from pathlib import Path
import pluggy
import bot.hookspecs as hookspecs
from bot.knowledge.knowledge import Knowledge
from bot.pluginmanager import make_plugin_manager
imported = time.perf_counter()
folder = {folder!r}
if folder:
    class Variants:
        @hookspecs.hookimpl
        def compactbot_compact_files(self):
            return sorted(Path(folder).glob("*.yaml"))
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    import bot.default_plugins.data_checks as checks, bot.default_plugins.topic_rules as topics
    pm.register(checks)
    pm.register(topics)
    pm.register(Variants())
else:
    pm = make_plugin_manager(entry_points=False)
knowledge = Knowledge.load(pm)
loaded = time.perf_counter()
answerer = knowledge.answerer
ready = time.perf_counter()
answer = answerer.ask("how long must a consultation be?", limit=5)
print(json.dumps({{
    "compacts": len(knowledge.registry.compacts),
    "import": imported - start, "load": loaded - imported, "build": ready - loaded,
    "ready": ready - start, "answers": len(answer.answers) + answer.more,
}}))
"""


def write_variants(folder: Path, count: int) -> None:
    """``count`` Compact files under new codes, each with its own source and keywords."""
    compacts = ROOT / "compacts"
    (folder / "sources").mkdir(parents=True)
    (folder / "search").mkdir()
    for i in range(count):
        base = BUILTINS[i % len(BUILTINS)]
        code = f"{base}-v{i}"
        text = (compacts / f"{base}.yaml").read_text(encoding="utf-8")
        lines = []
        for line in text.splitlines():
            if line.startswith("code:"):
                line = f"code: {code}"
            elif line.startswith("source:"):
                line = f"source: {code}.txt"
            elif line.startswith("short_name:"):
                line = (
                    f'{line.rstrip()[:-1]} #{i}"'
                    if line.rstrip().endswith('"')
                    else (f"{line} #{i}")
                )
            lines.append(line)
        (folder / f"{code}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        source = (compacts / "sources" / f"{base}.txt").read_text(encoding="utf-8")
        (folder / "sources" / f"{code}.txt").write_text(
            f"{source}\n\n(variant {i})\n", encoding="utf-8"
        )
        shutil.copy(compacts / "search" / f"{base}.yaml", folder / "search" / f"{code}.yaml")


def run_child(folder: Path | None, cache: Path) -> dict[str, float]:
    env = {**os.environ, "COMPACTBOT_CACHE_DIR": str(cache)}
    code = CHILD.format(root=str(ROOT), folder=str(folder) if folder else "")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = wall
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--compacts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="warm runs (median shown)")
    parser.add_argument("--quick", action="store_true", help="smallest sizes (the CI smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.compacts = 20
        args.runs = 1
    with tempfile.TemporaryDirectory() as tmp:
        folder, cache = Path(tmp) / "compacts", Path(tmp) / "cache"
        write_variants(folder, args.compacts)
        run_child(None, cache)  # fill the cache for the built-in five
        rows = [
            ("floor: 5 built-in Compacts (cached)", run_child(None, cache)),
            (f"{args.compacts} files, cold (empty cache)", run_child(folder, cache)),
        ]
        warm = [run_child(folder, cache) for _ in range(args.runs)]
        rows.append(
            (
                f"{args.compacts} files, warm (cache), median of {args.runs}",
                min(
                    warm,
                    key=lambda r: abs(r["ready"] - statistics.median(w["ready"] for w in warm)),
                ),
            )
        )
    width = max(len(name) for name, _ in rows)
    print(f"Start-up until ready to answer (aim: {args.compacts} files under {AIM_S:g} s)\n")
    print(
        f"{'setting':<{width}}  {'compacts':>8}  {'import s':>8}  {'load s':>7}  "
        f"{'build s':>7}  {'ready s':>7}  {'process s':>9}"
    )
    for name, r in rows:
        print(
            f"{name:<{width}}  {int(r['compacts']):>8}  {r['import']:>8.3f}  {r['load']:>7.3f}  "
            f"{r['build']:>7.3f}  {r['ready']:>7.3f}  {r['wall']:>9.3f}"
        )
    ready = rows[-1][1]["wall"]
    print(
        f"\nAim {'met' if ready < AIM_S else 'missed'}: warm start-up {ready:.2f} s "
        f"(whole process) with {args.compacts} Compact files."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
