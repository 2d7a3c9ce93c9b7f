"""compactbot: storage."""
