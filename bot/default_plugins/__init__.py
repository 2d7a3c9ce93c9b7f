"""Behaviour that is not about one Compact, registered like any plugin.

Each module here is a plugin; ``DEFAULT_PLUGINS`` lists them by import path and
``bot.pluginmanager`` registers them before the ``compactbot`` entry points.
"""

DEFAULT_PLUGINS: tuple[str, ...] = (
    "bot.default_plugins.data_checks",
    "bot.default_plugins.topic_rules",
    "bot.default_plugins.bank_holidays",
)
