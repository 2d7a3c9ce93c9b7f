"""compactbot: bot."""
