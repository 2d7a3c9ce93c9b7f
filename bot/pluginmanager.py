"""Building the plugin manager: hook specs, default plugins, then entry points.

Nothing is built at import time: the CLI, the bot and every test make their own
manager, so a test can register a plugin without touching anyone else's.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

import pluggy

import bot.hookspecs as hookspecs
from bot.default_plugins import DEFAULT_PLUGINS


def make_plugin_manager(
    *, entry_points: bool = True, extra: Iterable[object] = ()
) -> pluggy.PluginManager:
    """A manager with the default plugins, the ``compactbot`` entry points and ``extra``.

    The built-in Compacts are default plugins, so a plain checkout (not pip-installed)
    has all five; entry points are how third parties add theirs.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if entry_points:
        pm.load_setuptools_entrypoints(hookspecs.PROJECT)
    for plugin in extra:
        pm.register(plugin)
    return pm
