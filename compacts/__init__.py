"""compactbot: compacts."""
