"""Built-in behaviour, registered exactly like a third party's plugin.

``DEFAULT_PLUGINS`` lists them by import path; ``bot.pluginmanager`` registers them
before the ``compactbot`` entry points (which are for third parties).  The first three
are about every Compact; the rest are the five built-in Compacts, one plugin each.
"""

DEFAULT_PLUGINS: tuple[str, ...] = (
    "bot.default_plugins.data_checks",
    "bot.default_plugins.topic_rules",
    "bot.default_plugins.bank_holidays",
    "plugins.kent_2011",
    "plugins.west_kent",
    "plugins.perth_kinross",
    "plugins.kent_2007_draft",
    "plugins.rbkc",
)
