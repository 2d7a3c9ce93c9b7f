"""One plugin per built-in Compact, each registered through the ``compactbot`` entry points.

A Compact plugin provides its data file and, only where its Compact says
something the shared data-driven checks cannot express, its own check.
"""
