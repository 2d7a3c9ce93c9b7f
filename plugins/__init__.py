"""The built-in Compacts, one plugin each, registered as default plugins (``bot.pluginmanager``).

A Compact plugin provides its data file and, only where its Compact says something
the shared data-driven check cannot express, its own ``compactbot_check``.  They use
only the public API (``import compactbot``), exactly as a third party's plugin does.
"""
