"""Imports go one way, down the layers drawn in ARCHITECTURE.md."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("bot", "compactbot", "plugins", "compacts", "storage")

LAYERS: dict[str, int] = {
    "bot.frontends": 10,
    "bot.lifecycle": 9,
    "bot.chat": 8,
    "bot.core": 7,
    "bot.records": 6,
    "bot.delivery": 6,
    "bot.knowledge": 5,
    "bot.pluginmanager": 4,
    "plugins": 4,
    "bot.default_plugins": 3,
    "compactbot": 3,
    "bot.hookspecs": 2,
    "bot.domain": 1,
    "compacts": 0,
    "storage": 0,
    "bot.settings": 0,
    "bot.clock": -1,
}
"""A module may import its own part and any part with a lower number, nothing above."""


def part(module: str) -> str:
    names = module.split(".")
    return ".".join(names[:2]) if names[0] == "bot" else names[0]


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m.split(".")[0] in OURS}


def test_every_part_has_a_layer() -> None:
    for top in OURS:
        for path in (ROOT / top).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            if module not in ("bot.__init__",):
                assert part(module.removesuffix(".__init__")) in LAYERS, module


def test_imports_go_down() -> None:
    upward = []
    for top in OURS:
        for path in (ROOT / top).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(
                ".__init__"
            )
            if module == "bot":
                continue
            here = part(module)
            for imported in imports_of(path):
                there = part(imported)
                if there != here and LAYERS[there] >= LAYERS[here]:
                    upward.append(f"{module} imports {imported}")
    assert upward == []
